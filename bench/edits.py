"""Seeded random edits on a copy of a book -> failed builds, lost notes and notes off their call's page.

Usage: python bench/edits.py [--book chapters | --synth] [--words 200] [--cites 50] [--moves 20]
                             [--seed 1] [--minutes 60] [--chapters 10 --paragraphs 40] [--log FILE]

Each edit is made on a fresh copy of the pristine book (one edit at a time,
never cumulative) and built as the draft edition without HTML, in this
process. The kinds of edit, interleaved in a seeded order:

- word: one word inserted ("very", "also", "then", …) before, or one plain word deleted from, a
  random paragraph;
- cite: a citation `[@key]` (a random source of the book) added at a random sentence end;
- move: a random paragraph moved to another place in its chapter.

A successful build is checked in the PDF itself, not through the build's own
anchors: pypdf reads the named destinations WeasyPrint writes for every id,
and every note of the book must have a destination (else it is lost) on the
same page as the destination of its call `call-<anchor>`. Prints one line per
edit and a summary: builds, failures, lost and separated notes, repairs, the
layouts of the body and the time the repairs took. Stops starting new edits
after --minutes.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pypdf import PdfReader

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from synth import write_book  # noqa: E402

from book.errors import BookError  # noqa: E402
from book.markup.book import load_book  # noqa: E402
from book.pipeline import build  # noqa: E402
from book.preflight.checks import destination_pages  # noqa: E402

INSERTED = ("very", "also", "then", "still", "only", "even", "quite", "later")
"""Words an editor might add."""

PLAIN = re.compile(r"^[a-z]{3,}[,;]?$")
"""A word that can be deleted or have a word put before it without touching markup."""


@dataclass
class Result:
    """One edit and its build."""

    number: int
    """Running number."""
    kind: str
    """word, cite or move."""
    where: str
    """file:line of the edit, and what it did."""
    ok: bool = False
    """The build succeeded."""
    error: str = ""
    """The build's error, when it failed."""
    lost: list[str] = field(default_factory=list)
    """Notes with no destination in the PDF."""
    separated: list[str] = field(default_factory=list)
    """Notes whose destination is on another page than their call's."""
    repairs: int = 0
    """Repairs the build reported."""
    layouts: int = 0
    """Layouts of the whole body."""
    chapter_layouts: int = 0
    """Layouts of a chapter alone, while trying repairs."""
    relaid: int = 0
    """Chapters laid out again."""
    seconds: float = 0.0
    """Build time."""
    repair_seconds: float = 0.0
    """Time of the extra layouts."""


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the plain prose paragraphs of a chapter (no front matter, headings,
    quotes, lists, fences, tables or note definitions)."""
    body_start = text.index("\n---", 3) + 4 if text.startswith("---") else 0
    out, fenced = [], False
    for match in re.finditer(r"(?:^|\n\n)([^\n](?:.|\n(?!\n))*)", text[body_start:]):
        block = match.group(1)
        start = body_start + match.start(1)
        if block.startswith("```"):
            fenced = not fenced or block.rstrip().endswith("```") and block.count("```") == 1
            continue
        if fenced or not block[:1].isalpha() or block.startswith(("[^",)):
            continue
        out.append((start, start + len(block)))
    return out


def line_of(text: str, offset: int) -> int:
    """1-based line number of an offset."""
    return text.count("\n", 0, offset) + 1


def edit_word(text: str, rng: random.Random) -> tuple[str, int, str]:
    """One word inserted or deleted in a random paragraph."""
    start, end = rng.choice(paragraphs(text))
    words = [m for m in re.finditer(r"\S+", text[start:end]) if PLAIN.match(m.group())]
    word = rng.choice(words)
    at = start + word.start()
    if rng.random() < 0.5:
        new = rng.choice(INSERTED)
        return text[:at] + new + " " + text[at:], at, f'"{new}" inserted before "{word.group()}"'
    gone = start + word.end() + (1 if text[start + word.end():start + word.end() + 1] == " " else 0)
    return text[:at] + text[gone:], at, f'"{word.group()}" deleted'


def edit_cite(text: str, rng: random.Random, keys: list[str]) -> tuple[str, int, str]:
    """A citation added at a random sentence end."""
    ends = []
    for start, end in paragraphs(text):
        ends += [start + m.start() for m in re.finditer(r"[a-z]\.(?= [A-Z])|[a-z]\.$", text[start:end])]
    at = rng.choice(ends) + 1
    key = rng.choice(keys)
    return text[:at] + f"[@{key}]" + text[at:], at, f"[@{key}] added"


def edit_move(text: str, rng: random.Random) -> tuple[str, int, str]:
    """A paragraph moved to another place in its chapter."""
    blocks = paragraphs(text)
    (start, end), (target, _) = rng.sample(blocks, 2)
    moved = text[start:end]
    without = text[:start] + text[end + 2:] if text[end:end + 2] == "\n\n" else text[:start] + text[end:]
    if target > start:
        target -= end - start + 2
    target = max(0, target)
    return without[:target] + moved + "\n\n" + without[target:], target, f"paragraph of line {line_of(text, start)} moved"


def check_pdf(pdf: Path, book) -> tuple[list[str], list[str]]:
    """Lost and separated notes, read from the named destinations of the PDF."""
    pages = destination_pages(PdfReader(pdf))
    lost, separated = [], []
    for chapter in book.chapters:
        for note in chapter.notes:
            call, body = pages.get("call-" + note.anchor), pages.get(note.anchor)
            if body is None:
                lost.append(note.anchor)
            elif call != body:
                separated.append(f"{note.anchor}: note on {body + 1}, call on {call + 1 if call is not None else '?'}")
    return lost, separated


def run_one(number: int, kind: str, pristine: Path, work: Path, rng: random.Random, keys: list[str],
            repair: bool = True) -> Result:
    """Make one edit on a fresh copy, build it and check the PDF."""
    source = work / "book"
    if source.exists():
        shutil.rmtree(source)
    shutil.copytree(pristine, source)
    chapters = sorted(p for p in source.glob("*.md") if paragraphs(p.read_text(encoding="utf-8")))
    weights = [len(p.read_text(encoding="utf-8")) for p in chapters]
    path = rng.choices(chapters, weights)[0]
    text = path.read_text(encoding="utf-8")
    if kind == "word":
        new, at, what = edit_word(text, rng)
    elif kind == "cite":
        new, at, what = edit_cite(text, rng, keys)
    else:
        new, at, what = edit_move(text, rng)
    path.write_text(new, encoding="utf-8")
    result = Result(number, kind, f"{path.name}:{line_of(new, at)}: {what}")
    out = work / "out"
    started = time.perf_counter()
    try:
        summary = build(source, out, html=False, edition="draft", repair=repair)
    except BookError as error:
        result.error = str(error).strip().splitlines()[0] if str(error).strip() else "failed"
        result.seconds = time.perf_counter() - started
        return result
    result.seconds = time.perf_counter() - started
    result.ok = True
    result.repairs, result.layouts = len(summary.repairs), summary.layouts
    result.chapter_layouts, result.relaid = summary.chapter_layouts, len(summary.relaid)
    result.repair_seconds = summary.repair_seconds
    book, _ = load_book(source, lint_names=False)
    result.lost, result.separated = check_pdf(summary.outputs[0], book)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--book", type=Path, default=HERE.parent / "chapters", help="the book to edit (a copy)")
    parser.add_argument("--synth", action="store_true", help="edit a synthetic book with dense notes instead")
    parser.add_argument("--chapters", type=int, default=10, help="synthetic book: chapters")
    parser.add_argument("--paragraphs", type=int, default=40, help="synthetic book: paragraphs per chapter")
    parser.add_argument("--words", type=int, default=200)
    parser.add_argument("--cites", type=int, default=50)
    parser.add_argument("--moves", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--minutes", type=float, default=60.0, help="start no edit after this long")
    parser.add_argument("--log", type=Path, help="write one JSON line per edit here")
    parser.add_argument("--no-repair", action="store_true", help="keep the engine's first layout (to compare)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="book-edits-"))
    if args.synth:
        pristine = write_book(work / "pristine", args.chapters, args.paragraphs, seed=args.seed)
    else:
        pristine = work / "pristine"
        shutil.copytree(args.book, pristine)
    book, _ = load_book(pristine, lint_names=False)
    keys = sorted(source.id for source in book.sources)
    rng = random.Random(args.seed)
    kinds = ["word"] * args.words + ["cite"] * args.cites + ["move"] * args.moves
    rng.shuffle(kinds)
    started, results = time.perf_counter(), []
    log = args.log.open("w", encoding="utf-8") if args.log else None
    for number, kind in enumerate(kinds, 1):
        if time.perf_counter() - started > args.minutes * 60:
            break
        result = run_one(number, kind, pristine, work, rng, keys, not args.no_repair)
        results.append(result)
        state = "ok" if result.ok else f"FAILED: {result.error}"
        print(f"{number:4d} {kind:4s} {result.where} -> {state}; lost {len(result.lost)}, separated "
              f"{len(result.separated)}, repairs {result.repairs}, layouts {result.layouts} + "
              f"{result.chapter_layouts} of {result.relaid} chapter(s), "
              f"{result.seconds:.1f} s (repairs {result.repair_seconds:.1f} s)", flush=True)
        if log:
            log.write(json.dumps(asdict(result)) + "\n")
            log.flush()
    shutil.rmtree(work, ignore_errors=True)
    summarise(results)


def summarise(results: list[Result]) -> None:
    """The totals, by kind of edit."""
    built = [r for r in results if r.ok]
    total = sum(r.seconds for r in built)
    repair = sum(r.repair_seconds for r in built)
    print(f"\n{len(results)} edits ({', '.join(f'{k} {sum(r.kind == k for r in results)}' for k in ('word', 'cite', 'move'))}): "
          f"{len(results) - len(built)} failed builds, {sum(len(r.lost) for r in built)} lost notes, "
          f"{sum(len(r.separated) for r in built)} notes off their call's page (checked in the PDF)")
    repaired = [r for r in built if r.repairs]
    print(f"builds needing repair: {len(repaired)}; repairs {sum(r.repairs for r in built)}; body layouts per "
          f"build: mean {sum(r.layouts for r in built) / max(1, len(built)):.2f}, max "
          f"{max((r.layouts for r in built), default=0)}; chapter layouts per build: mean "
          f"{sum(r.chapter_layouts for r in built) / max(1, len(built)):.1f}; repair time {repair:.0f} s of {total:.0f} s build time "
          f"({100 * repair / max(total, 1e-9):.0f} %); mean build {total / max(1, len(built)):.1f} s")


if __name__ == "__main__":
    main()
