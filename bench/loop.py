"""Issue 13's editor's loop, measured: cold builds with one and two processes against bare
WeasyPrint, edit-to-PDF in `book watch`, and the watch's memory.

Usage: python bench/loop.py [--source chapters | --pages 480] [--runs 3] [--cold-runs 3] [--edits 50]
                            [--keep DIR] [--before SRC] [--unadjusted]

Copies the book (default: the ALZHIR book in chapters/; with --pages, a synthetic book of about
that many pages from bench/synth.py) into a temporary folder, so its prose is never touched.

1. Cold builds, in alternating runs, each a separate process: `book build` (the print edition:
   interior, cover and preflight) with `--jobs 1` and `--jobs 2`, and one bare `weasyprint` pass
   over the same HTML (the book's out/<slug>.html: front matter, body and index, cross-reference
   numbers written in). Prints the medians and the ratios to bare. Each run takes the builds in
   another order (the first of a run is not always the same one). With --before (a source tree of
   an older `book`, e.g. from `git archive`), its two builds are timed in the same runs, and the
   ratios of this tree's times to its are printed too. With --unadjusted, the same two builds
   without the typographic adjustments (bench/unadjusted.py) are timed in the same runs: what the
   adjustments cost, apart from everything else a build does.
2. Starts `book watch` on the copy and makes one-word edits (a word put into, then taken out of,
   the first paragraph) to an early, a middle and the last chapter in turn. Edit-to-PDF is the
   time from the save to the moment the print PDF is replaced (its inode changes: the swap is
   atomic); the next edit waits for the watch's report. Prints the median of `--runs` edits per
   chapter, then the watch process's peak RSS (VmHWM) after the first edit and after `--edits`
   edits, and its RSS now after every tenth edit (bench/memory.py says what stays alive).
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

import unadjusted  # bench/unadjusted.py, beside this script

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


def peak_rss_mb(pid: int, field: str = "VmHWM") -> float:
    """The process's peak resident memory in MB (field="VmRSS": its resident memory now)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
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


def synthetic(folder: Path, pages: int) -> Path:
    """A synthetic book of about pages pages (bench/synth.py: about 4.2 pages a chapter of 10 paragraphs)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from synth import write_book

    return write_book(folder, chapters=max(2, round(pages / 4.2)), paragraphs=10)


def timed(command: list[str], where: Path = ROOT) -> float:
    """Seconds the command takes, run in where (`python -m book` runs the `book` found there)."""
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=where, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def rotated(names: list[str], run: int) -> list[str]:
    """The names in the order of a run: each run starts one further along, so that no build is always
    the first (or the last) of its run on a machine whose speed drifts."""
    k = run % len(names)
    return names[k:] + names[:k]


def cold_builds(book: Path, work: Path, runs: int, before: Path | None = None, unadjust: bool = False) -> None:
    """book build with 1 and 2 processes and bare WeasyPrint on the same HTML, in alternating runs;
    with before, the older tree's two builds in the same runs; with unadjust, this tree's two builds
    without the typographic adjustments."""
    book_cmd = [sys.executable, "-m", "book", "build", "--quiet", "--source", str(book)]
    commands = {"jobs 1": (book_cmd + ["--jobs", "1", "--out", str(work / "cold1")], ROOT),
                "jobs 2": (book_cmd + ["--jobs", "2", "--out", str(work / "cold2")], ROOT)}
    if before is not None:
        commands["before jobs 1"] = (book_cmd + ["--jobs", "1", "--out", str(work / "before1")], before.resolve())
        commands["before jobs 2"] = (book_cmd + ["--jobs", "2", "--out", str(work / "before2")], before.resolve())
    if unadjust:
        for jobs in (1, 2):
            commands[f"unadjusted jobs {jobs}"] = (
                unadjusted.command(sys.executable, book, work / f"unadjusted{jobs}", jobs, html=True), ROOT)
    timed(*commands["jobs 1"])  # also writes the HTML bare WeasyPrint is given
    [html] = (work / "cold1").glob("*.html")
    commands["bare"] = ([str(Path(sys.executable).parent / "weasyprint"), str(html), str(work / "bare.pdf")], ROOT)
    seconds: dict[str, list[float]] = {name: [] for name in commands}
    for run in range(runs):
        for name in rotated(list(commands), run):
            seconds[name].append(timed(*commands[name]))
        print(f"cold run {run + 1}: " + "; ".join(f"{n} {t[-1]:.2f} s" for n, t in seconds.items()), flush=True)
    for name in [n for n in commands if n != "bare"]:
        ratios = [a / b for a, b in zip(seconds[name], seconds["bare"])]
        jobs, kind = name[name.index("jobs"):], name[:name.index("jobs")].strip()
        print(f"cold `book build --{jobs}`{f' ({kind})' if kind else ''}: "
              f"median {statistics.median(seconds[name]):.2f} s; "
              f"ratio to bare WeasyPrint on the same HTML: median {statistics.median(ratios):.2f} "
              f"({min(ratios):.2f}-{max(ratios):.2f})")
    print(f"bare WeasyPrint: median {statistics.median(seconds['bare']):.2f} s")
    if before is not None:
        for jobs in ("jobs 1", "jobs 2"):
            ratios = [a / b for a, b in zip(seconds[jobs], seconds["before " + jobs])]
            print(f"this tree / before, --{jobs}: median {statistics.median(ratios):.3f} "
                  f"({min(ratios):.3f}-{max(ratios):.3f})")
    if unadjust:
        for jobs in ("jobs 1", "jobs 2"):
            ratios = [a / b for a, b in zip(seconds[jobs], seconds["unadjusted " + jobs])]
            print(f"with the adjustments / without, --{jobs}: median {statistics.median(ratios):.3f} "
                  f"({min(ratios):.3f}-{max(ratios):.3f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, default=ROOT / "chapters")
    parser.add_argument("--pages", type=int, help="a synthetic book of about this many pages instead")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--edits", type=int, default=50)
    parser.add_argument("--keep", type=Path, help="Work here instead of a temporary folder.")
    parser.add_argument("--before", type=Path, help="a source tree of an older `book` to time in the same runs")
    parser.add_argument("--unadjusted", action="store_true",
                        help="also time the cold builds without the typographic adjustments")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="book-loop-"))
    book, out = work / "book", work / "out"
    shutil.rmtree(book, ignore_errors=True)
    if args.pages:
        synthetic(book, args.pages)
    else:
        shutil.copytree(args.source, book, ignore=shutil.ignore_patterns(".*", "out"))
    files = chapters(book)
    picks = {"early": files[1] if len(files) > 2 else files[0], "middle": files[len(files) // 2], "last": files[-1]}
    if args.cold_runs:
        cold_builds(book, work, args.cold_runs, args.before, args.unadjusted)
    if not args.runs and not args.edits:  # cold builds only: no watch
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        return

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
        for where, chapter in picks.items() if args.runs else ():
            median = statistics.median(times[where])
            print(f"edit-to-PDF, one word in the {where} chapter ({chapter.name}): median {median:.2f} s "
                  f"of {', '.join(f'{t:.2f}' for t in times[where])}")
        resident = {edits: peak_rss_mb(watch.process.pid, "VmRSS")}
        while edits < args.edits:
            edit_to_pdf(picks["middle"], pdf, watch)
            edits += 1
            if rss_first is None:
                rss_first = peak_rss_mb(watch.process.pid)
            if edits % 10 == 0 or edits == args.edits:
                resident[edits] = peak_rss_mb(watch.process.pid, "VmRSS")
        print(f"peak RSS of book watch: {rss_first:.0f} MB after 1 edit, {peak_rss_mb(watch.process.pid):.0f} MB "
              f"after {edits} edits")
        print("RSS of book watch after " + ", ".join(f"{n} edits {mb:.0f} MB" for n, mb in resident.items()))
    finally:
        watch.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
