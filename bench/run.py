"""Synthetic 300-page book -> wall time of `book build` against a bare `weasyprint` of its HTML.

Usage: python bench/run.py [--runs 5] [--chapters 20] [--paragraphs 48] [--keep DIR] [--no-names]

The commands run as separate processes, in turn (book, book --draft, bare,
book, …) so that drifts of the machine hit them alike. The bare run lays out
out/<slug>.html, the same HTML the build writes (front matter, body and
index in one document), and writes one PDF. `book build` also writes the
cover and preflights the print PDF; `book build --draft` writes the interior
alone, which is the bare run's work plus the pipeline's. Prints each run and
the median ratios; the pipeline's target is a draft ratio of at most 1.10.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pypdf import PdfReader

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from synth import write_book  # noqa: E402

BIN = Path(sys.executable).parent


def timed(command: list[str]) -> float:
    """Seconds one command takes; stops the benchmark if it fails."""
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--chapters", type=int, default=20)
    parser.add_argument("--paragraphs", type=int, default=48)
    parser.add_argument("--keep", type=Path, help="write the book and outputs here instead of a temporary folder")
    parser.add_argument("--no-names", action="store_true", help="a book without name tags, so without an index")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="book-bench-"))
    source = write_book(work / "book", args.chapters, args.paragraphs, seed=3, names=not args.no_names)
    out = work / "out"
    build = [str(BIN / "book"), "build", "--source", str(source), "--out", str(out), "--quiet"]
    subprocess.run(build, check=True)
    html, pdf = out / "synthetic.html", out / "synthetic-print.pdf"
    bare = [str(BIN / "weasyprint"), str(html), str(out / "bare.pdf")]
    pages = len(PdfReader(pdf).pages)
    timed(bare)
    print(f"synthetic book: {pages} pages in print ({len(PdfReader(out / 'bare.pdf').pages)} laid out by bare weasyprint)")
    draft = build + ["--draft"]
    ratios, drafts = [], []
    for run in range(args.runs):
        ours, quick, theirs = timed(build), timed(draft), timed(bare)
        ratios.append(ours / theirs)
        drafts.append(quick / theirs)
        print(f"run {run + 1}: book build {ours:.2f} s, book build --draft {quick:.2f} s, "
              f"bare weasyprint {theirs:.2f} s")
    print(f"median ratio book build / bare weasyprint: {statistics.median(ratios):.3f}; "
          f"book build --draft / bare weasyprint: {statistics.median(drafts):.3f} "
          f"({pages} pages, {args.runs} alternating runs)")


if __name__ == "__main__":
    main()
