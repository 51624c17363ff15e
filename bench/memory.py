"""Issue 13's "flat memory", measured in one process: a `book watch` session (pipeline.Session) over N
one-word edits of a chapter, and what stays alive after every build.

Usage: python bench/memory.py [--source chapters | --pages 480] [--edits 60] [--chapter N] [--trace]

Copies the book (default: the ALZHIR book in chapters/; with --pages, a synthetic book of about that
many pages from bench/synth.py) into a temporary folder, builds the draft as `book watch` does, then
puts a word into the first paragraph of one chapter (the middle one by default) and takes it out
again, alternately: from the third build on, every build asks for a layout the session has seen
before. After each build, with the garbage collector run, prints the process's RSS, the Python heap
as tracemalloc counts it (--trace; it slows the builds about threefold), and the number of live
WeasyPrint Documents, Pages and boxes. Growth that goes on after the first few builds is a leak.
"""

from __future__ import annotations

import argparse
import gc
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident memory of this process, in MB."""
    found = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            found[line[:5]] = int(line.split()[1]) / 1024
    return found.get("VmRSS", float("nan")), found.get("VmHWM", float("nan"))


def live_engine_objects() -> dict[str, int]:
    """Live WeasyPrint Documents, Pages and boxes, counted by the garbage collector (after a collection)."""
    from weasyprint.document import Document, Page
    from weasyprint.formatting_structure.boxes import Box

    gc.collect()
    counts = {"documents": 0, "pages": 0, "boxes": 0}
    for thing in gc.get_objects():
        if isinstance(thing, Box):
            counts["boxes"] += 1
        elif isinstance(thing, Page):
            counts["pages"] += 1
        elif isinstance(thing, Document):
            counts["documents"] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, default=ROOT / "chapters")
    parser.add_argument("--pages", type=int, help="a synthetic book of about this many pages instead")
    parser.add_argument("--edits", type=int, default=60)
    parser.add_argument("--chapter", type=int, help="0-based chapter to edit (default: the middle one)")
    parser.add_argument("--trace", action="store_true", help="also count the Python heap with tracemalloc")
    args = parser.parse_args()

    from loop import chapters, synthetic, toggle_word

    from book.pipeline import Session, build

    work = Path(tempfile.mkdtemp(prefix="book-memory-"))
    try:
        book, out = work / "book", work / "out"
        if args.pages:
            synthetic(book, args.pages)
        else:
            shutil.copytree(args.source, book, ignore=shutil.ignore_patterns(".*", "out"))
        files = chapters(book)
        chapter = files[args.chapter if args.chapter is not None else len(files) // 2]
        if args.trace:
            tracemalloc.start()
        session = Session()
        print(f"editing {chapter.name}; build, seconds, pages, RSS MB (peak), "
              + ("traced MB, " if args.trace else "") + "live documents, pages, boxes", flush=True)
        for number in range(args.edits + 1):
            if number:
                toggle_word(chapter)
            started = time.perf_counter()
            summary = build(book, out, html=False, edition="draft", session=session, adjust=False)
            seconds = time.perf_counter() - started
            del summary
            live = live_engine_objects()
            rss, peak = rss_mb()
            traced = f"{tracemalloc.get_traced_memory()[0] / 2**20:7.1f} " if args.trace else ""
            print(f"{number:3d} {seconds:6.2f} s  {rss:6.0f} ({peak:4.0f})  {traced}"
                  f"{live['documents']:4d} {live['pages']:5d} {live['boxes']:8d}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
