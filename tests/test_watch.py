"""`book watch`: what counts as a change, what the report after each build says, errors that leave
the last PDF in place, saves during a build folded into one more build, and Ctrl-C.

The loop tests run the real watchfiles loop in a thread on a copy of tests/books/page-structure and
wait on events, never on the clock."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from book import pipeline
from book.paths import STYLES
from book.watch import Watcher, counts

BOOKS = Path(__file__).resolve().parent / "books"
PATIENCE = 120
"""Seconds a loop test waits for a build before it fails (a bound against hanging, not a measure)."""


def copy_book(tmp_path: Path) -> Path:
    return Path(shutil.copytree(BOOKS / "page-structure", tmp_path / "book"))


def lengthen(chapter: Path, times: int = 6) -> None:
    """Repeat the chapter's first paragraph before its first section: its later pages change and the
    chapters after it open later."""
    text = chapter.read_text(encoding="utf-8")
    paragraph = text.split("\n\n")[1]
    chapter.write_text(text.replace("## Section 1.1", (paragraph + "\n\n") * times + "## Section 1.1", 1),
                       encoding="utf-8")


def test_only_the_books_own_inputs_count(tmp_path):
    book = copy_book(tmp_path)
    out = book / "out"
    roots = [book, STYLES]
    assert counts(book / "01-chapter.md", roots, out)
    assert counts(book / "images" / "map.png", roots, out)
    assert counts(STYLES / "print.css", roots, out)
    for name in [".01-chapter.md.swp", "01-chapter.md~", "4913", ".#01-chapter.md", "#01-chapter.md#",
                 "x.tmp", ".obsidian/workspace.json", ".git/index", "out/synthetic-print.pdf",
                 ".book-staging-1/synthetic-print.pdf"]:
        assert not counts(book / name, roots, out), name
    assert not counts(tmp_path / "elsewhere.md", roots, out)
    assert not counts(tmp_path / "out" / "x.pdf", [book], tmp_path / "out")


def test_report_names_the_changed_pages_and_the_chapters_that_moved(tmp_path):
    book = copy_book(tmp_path)
    lines: list[str] = []
    watcher = Watcher(book, tmp_path / "out", echo=lines.append, fail=lines.append)
    watcher.build()
    before = dict(watcher.last.chapters)
    assert len(lines) == 1 and "pages in" in lines[0]
    lines.clear()

    lengthen(book / "01-chapter.md")
    assert watcher.handle([book / "01-chapter.md"])
    after = watcher.last.chapters
    shift = after["ch-02-chapter"][1] - before["ch-02-chapter"][1]
    assert shift > 0 and shift % 2 == 0  # chapters open on rectos
    report = {line.split(":", 1)[0]: line for line in lines[1:]}
    assert f"Chapter Title 2 +{shift} (now PDF page {after['ch-02-chapter'][1] + 1})" in report["chapters moved"]
    assert "Chapter Title 3" in report["chapters moved"] and "Chapter Title 1" not in report["chapters moved"]
    first = before["ch-01-chapter"][1]
    labels = watcher.last.labels
    assert f"{first + 2} (p. {labels[first + 1]})–" in report["pages changed"]  # from the chapter's second page
    assert f"{first + 1} (p. {labels[first]})" not in report["pages changed"]  # its opening is as it was
    assert "contents" in report and "Chapter Title 2 p. " in report["contents"]
    assert "index" in report

    lines.clear()
    third = book / "03-chapter.md"
    text = third.read_text(encoding="utf-8")
    paragraph = text.split("\n\n")[1]  # the first, on the chapter's opening page
    words = paragraph.split(" ")
    third.write_text(text.replace(paragraph, " ".join([words[0], "quiet"] + words[2:]), 1), encoding="utf-8")
    assert watcher.handle([third])
    changed = [line for line in lines if line.startswith("pages changed")]
    opening = after["ch-03-chapter"][1]
    # the opening page changes first; the chapter's adjustments (layout/adjust.py: a short page filled
    # after the reflow) may change the pages after it, never another chapter's
    assert len(changed) == 1
    assert changed[0].startswith(f"pages changed: {opening + 1} (p. {watcher.last.labels[opening]})")
    assert not any(line.startswith(("chapters moved", "contents", "index")) for line in lines)


def test_an_error_is_shown_and_the_last_pdf_stays(tmp_path):
    book = copy_book(tmp_path)
    lines: list[str] = []
    errors: list[str] = []
    watcher = Watcher(book, tmp_path / "out", echo=lines.append, fail=errors.append)
    watcher.build()
    [pdf] = (tmp_path / "out").glob("*-print.pdf")
    good = pdf.read_bytes()
    chapter = book / "02-chapter.md"
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(text.replace("[@source-", "[@no-such-source-", 1), encoding="utf-8")
    assert watcher.handle([chapter])
    assert any("02-chapter.md:" in error and "no-such-source" in error for error in errors)
    assert pdf.read_bytes() == good
    errors.clear()
    chapter.write_text(text, encoding="utf-8")
    assert watcher.handle([chapter])
    assert not errors and lines[-1] == "no page changed"  # compared with the last good build


def test_a_bug_of_ours_is_reported_and_the_watch_goes_on(tmp_path, monkeypatch):
    book = copy_book(tmp_path)
    errors: list[str] = []
    watcher = Watcher(book, tmp_path / "out", echo=lambda _: None, fail=errors.append,
                      internal=lambda: "trace-1")

    def broken(*args, **kwargs):
        raise RecursionError("a bug of ours")
    monkeypatch.setattr(pipeline, "build", broken)
    assert watcher.handle([book / "01-chapter.md"])
    assert errors == ["internal error, please report: trace-1"]
    monkeypatch.undo()
    assert watcher.handle([book / "01-chapter.md"]) and len(errors) == 1 and watcher.last is not None


class Recorder(Watcher):
    """A Watcher that records each batch it is handed and can hold a build until the test has saved."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.batches: list[set[Path]] = []
        self.built = threading.Semaphore(0)
        self.hold: threading.Event | None = None
        self.holding = threading.Event()

    def handle(self, changed) -> bool:
        self.batches.append({Path(p) for p in changed})
        return super().handle(self.batches[-1])

    def build(self) -> None:
        if self.hold is not None:
            self.holding.set()
            assert self.hold.wait(PATIENCE)
            self.hold = None
        super().build()
        self.built.release()


def test_the_loop_folds_saves_during_a_build_into_one_build_and_ignores_scratch(tmp_path):
    book = copy_book(tmp_path)
    out = book / "out"  # inside the watched folder: its writes must trigger nothing
    watcher = Recorder(book, out, echo=lambda _: None, fail=lambda _: None)
    watcher.roots = [book]  # the house styles are watched too, but nothing here changes them
    stop, ready = threading.Event(), threading.Event()
    loop = threading.Thread(target=watcher.run, kwargs={"stop": stop, "ready": ready.set}, daemon=True)
    loop.start()
    try:
        assert watcher.built.acquire(timeout=PATIENCE)  # the first build
        assert ready.wait(PATIENCE)
        first, second, third = (book / f"0{n}-chapter.md" for n in (1, 2, 3))

        watcher.hold = threading.Event()
        lengthen(first)
        assert watcher.holding.wait(PATIENCE)  # the build for that save has started, and waits
        lengthen(second, 1)
        lengthen(third, 1)
        for name in [".02-chapter.md.swp", "02-chapter.md~", "4913", ".obsidian/workspace.json"]:
            (book / name).parent.mkdir(exist_ok=True)
            (book / name).write_text("scratch", encoding="utf-8")
        watcher.hold.set()
        assert watcher.built.acquire(timeout=PATIENCE)  # the held build
        assert watcher.built.acquire(timeout=PATIENCE)  # one build for both saves made during it

        sentinel = book / "00-about.md"
        sentinel.write_text(sentinel.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
        assert watcher.built.acquire(timeout=PATIENCE)
    finally:
        stop.set()
        loop.join(PATIENCE)
    assert not loop.is_alive()
    built = [batch for batch in watcher.batches if batch]
    assert built[0] == {first}
    assert built[1] == {second, third}  # the saves made during the build: one batch, one build
    assert built[2] == {sentinel}  # nothing else came between: not the outputs, not the scratch files
    assert watcher.builds == 4
    assert len(list(out.glob("*-print.pdf"))) == 1


def test_ctrl_c_ends_the_watch_cleanly(tmp_path):
    book = copy_book(tmp_path)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    # Ctrl-C as a terminal sends it: a test run started in the background (`cmd &` in a script)
    # ignores SIGINT, the watch would inherit that, and Python would then never raise KeyboardInterrupt
    process = subprocess.Popen([sys.executable, "-m", "book", "watch", "--source", str(book), "--out",
                                str(tmp_path / "out")], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        for line in process.stdout:
            if "pages in" in line:
                break
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=PATIENCE)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "Traceback" not in err and "stopped watching" in out
