"""Issue 13's editor's loop, measured: edit-to-PDF in `book watch` against one cold `book build --draft`.

Usage: python bench/loop.py [--source chapters] [--runs 3] [--edits 20] [--keep DIR]

Copies the book (default: the ALZHIR book in chapters/) into a temporary folder, so its prose is
never touched. Times one cold `book build --draft` of the copy (a separate process). Then starts
`book watch` on the copy and makes one-word edits (a word put into, then taken out of, the first
paragraph) to an early, a middle and the last chapter in turn. Edit-to-PDF is the time from the
save to the moment the print PDF is replaced (its inode changes: the swap is atomic); the next edit
waits for the watch's report. Prints the median of `--runs` edits per chapter and its ratio to the
cold build, then the watch process's peak RSS (VmHWM) after the first edit and after `--edits`
edits.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
WORD = "indeed "
"""The word put in and taken out."""


def chapters(book: Path) -> list[Path]:
    """The book's chapter files in reading order."""
    manifest = yaml.safe_load((book / "book.yaml").read_text(encoding="utf-8"))
    return [book / entry if isinstance(entry, str) else book / entry["file"] for entry in manifest["contents"]]


def toggle_word(chapter: Path) -> None:
    """Put WORD before the second word of the first paragraph of prose, or take it out again."""
    text = chapter.read_text(encoding="utf-8")
    body_at = text.index("\n---", 3) + 4 if text.startswith("---") else 0
    match = re.compile(r"^[A-ZА-ЯЁ][^\n]*? ", re.M).search(text, body_at)
    if match is None:
        raise SystemExit(f"{chapter}: no paragraph of prose to edit")
    at = match.end()
    if text.startswith(WORD, at):
        text = text[:at] + text[at + len(WORD):]
    else:
        text = text[:at] + WORD + text[at:]
    chapter.write_text(text, encoding="utf-8")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Watch:
    """`book watch` in a subprocess; its report lines, read in a thread."""

    def __init__(self, book: Path, out: Path):
        self.process = subprocess.Popen([sys.executable, "-m", "book", "watch", "--source", str(book),
                                         "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        text=True, cwd=ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.reports = threading.Semaphore(0)
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip())
            if " pages in " in line or "error" in line:
                self.reports.release()

    def next_report(self, timeout: float = 600) -> None:
        if not self.reports.acquire(timeout=timeout):
            raise SystemExit("book watch gave no report:\n" + "\n".join(self.lines[-20:]))
        time.sleep(0.2)  # the report's other lines
        if any("error" in line for line in self.lines[-10:]):
            raise SystemExit("book watch reported an error:\n" + "\n".join(self.lines[-10:]))

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(60)


def edit_to_pdf(chapter: Path, pdf: Path, watch: Watch) -> float:
    """Seconds from a one-word save to the replaced PDF."""
    before = pdf.stat().st_ino
    started = time.perf_counter()
    toggle_word(chapter)
    while True:
        try:
            if pdf.stat().st_ino != before:
                break
        except FileNotFoundError:
            pass
        time.sleep(0.005)
    seconds = time.perf_counter() - started
    watch.next_report()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, default=ROOT / "chapters")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--keep", type=Path, help="Work here instead of a temporary folder.")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="book-loop-"))
    book, out = work / "book", work / "out"
    shutil.rmtree(book, ignore_errors=True)
    shutil.copytree(args.source, book, ignore=shutil.ignore_patterns(".*", "out"))
    files = chapters(book)
    picks = {"early": files[1] if len(files) > 2 else files[0], "middle": files[len(files) // 2], "last": files[-1]}

    book_cmd = [sys.executable, "-m", "book"]
    started = time.perf_counter()
    subprocess.run(book_cmd + ["build", "--draft", "--quiet", "--source", str(book), "--out", str(work / "cold")],
                   check=True, cwd=ROOT)
    cold = time.perf_counter() - started
    print(f"cold `book build --draft`: {cold:.2f} s")

    watch = Watch(book, out)
    try:
        watch.next_report()
        [pdf] = out.glob("*-print.pdf")
        times: dict[str, list[float]] = {where: [] for where in picks}
        edits, rss_first = 0, None
        for _ in range(args.runs):
            for where, chapter in picks.items():
                times[where].append(edit_to_pdf(chapter, pdf, watch))
                edits += 1
                if rss_first is None:
                    rss_first = peak_rss_mb(watch.process.pid)
        for where, chapter in picks.items():
            median = statistics.median(times[where])
            print(f"edit-to-PDF, one word in the {where} chapter ({chapter.name}): median {median:.2f} s "
                  f"of {', '.join(f'{t:.2f}' for t in times[where])}; {median / cold:.2f}× the cold build")
        while edits < args.edits:
            edit_to_pdf(picks["middle"], pdf, watch)
            edits += 1
        print(f"peak RSS of book watch: {rss_first:.0f} MB after 1 edit, {peak_rss_mb(watch.process.pid):.0f} MB "
              f"after {edits} edits")
    finally:
        watch.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
