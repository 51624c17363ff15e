"""Laid-out pages -> the body's lines as a typesetter checks them: baselines, word spaces, hyphens.

WeasyPrint breaks lines greedily, one at a time, and has no
`hyphenate-limit-lines`, so what the CSS cannot promise is measured here after
layout, from the engine's boxes: loose justified lines (word spaces more than
twice the book's median), runs of more than two hyphenated lines, baselines
off the grid, and how far each page ends above full depth. The build reports
the lines at the chapter's file:line; the tests hold the numbers.
"""

from __future__ import annotations

import re
import statistics
import weakref
from dataclasses import dataclass
from functools import lru_cache

from ..model import Book, Location
from ..paths import STYLES

LOOSE = 2.0
"""A justified line is loose when its word space exceeds this many times the book's median."""
MAX_HYPHEN_RUN = 2
"""No more than this many consecutive lines may end in a hyphen."""


@dataclass(frozen=True)
class Line:
    """One line of running text in a chapter, as laid out."""

    page: int
    """0-based index of the page in the document measured."""
    chapter: str
    """id of the chapter section it belongs to."""
    text: str
    """The line's text (soft hyphens and zero-width spaces removed, the printed hyphen kept)."""
    baseline: float
    """y of the baseline, in CSS px from the page top."""
    top: float
    """y of the line box's top."""
    height: float
    """Height of the line box."""
    word_space: float
    """Width of one word space in pt (natural space + justification), 0 when the line has none."""
    justified: bool
    """True when the engine stretched the line's spaces (every justified line but a paragraph's last)."""
    hyphenated: bool
    """True when the line ends in an inserted hyphen."""
    paragraph: int
    """Identity of the paragraph (block) the line belongs to."""
    natural: float = 0.0
    """The font's own word space in pt at the line's size (what word_space is when nothing stretches
    or tightens it)."""
    source: int = 0
    """Identity of the paragraph's element: the same on both sides of a page break, where `paragraph`
    (its box on the page) is not."""


PX_TO_PT = 0.75


def body_lines(pages) -> list[Line]:
    """Every line of running text (paragraphs, quotes, list items) inside a chapter section."""
    out: list[Line] = []
    for index, page in enumerate(pages):
        if not hasattr(page, "_page_box"):  # a page laid out in a helper process (layout/body.py)
            continue
        for box, chapter in _blocks(page._page_box, ""):
            for line in box.children:
                if type(line).__name__ != "LineBox":
                    continue
                made = _line(index, chapter, box, line)
                if made is not None:
                    out.append(made)
    return out


def block_lines(pages, first_block: dict[str, int]) -> list[tuple[int, Line]]:
    """Every line of running text, as body_lines, with the index of the chapter's top-level block it
    belongs to (first_block: chapter id -> index of its first top-level block, as repair.Blocks
    counts them), for adjustments written on that block."""
    out: list[tuple[int, Line]] = []
    for index, page in enumerate(pages):
        for section in _sections(page._page_box):
            chapter = section.element.get("id", "")
            if chapter not in first_block:
                continue
            children = list(section.element)
            for child in section.children:
                element = getattr(child, "element", None)
                if element is None or element not in children:
                    continue
                block = first_block[chapter] + children.index(element)
                for box, _ in _blocks(child, chapter):
                    for line in box.children:
                        made = _line(index, chapter, box, line) if type(line).__name__ == "LineBox" else None
                        if made is not None:
                            out.append((block, made))
    return out


def _sections(box):
    """The boxes of chapter sections on a page."""
    if getattr(box, "element_tag", "") == "section" and "chapter" in _classes(box):
        yield box
        return
    for child in getattr(box, "children", []):
        yield from _sections(child)


def _blocks(box, chapter: str):
    """(paragraph-like block, chapter id) pairs in document order, footnotes and headers left out."""
    element = getattr(box, "element", None)
    tag = getattr(box, "element_tag", "")
    classes = element.get("class", "").split() if element is not None and hasattr(element, "get") else []
    if tag == "section" and "chapter" in classes:
        if {"bibliography", "index"} & set(classes):
            return
        chapter = element.get("id", "")
    if box.is_footnote() or tag in ("header", "figure", "table", "svg", "nav") or \
            {"fn", "table-caption"} & set(classes):
        return
    children = getattr(box, "children", [])
    if tag in ("p", "li") and chapter and any(type(c).__name__ == "LineBox" for c in children):
        yield box, chapter
        return
    for child in children:
        yield from _blocks(child, chapter)


def _texts(box):
    for child in getattr(box, "children", []):
        if type(child).__name__ == "TextBox":
            yield child
        elif child.is_footnote() or "fn" in _classes(child):
            continue
        else:
            yield from _texts(child)


def _classes(box) -> list[str]:
    element = getattr(box, "element", None)
    return element.get("class", "").split() if element is not None and hasattr(element, "get") else []


_WRITTEN = 0
"""How many times text already laid out has been written over (`text_written`): part of the key a line
box keeps its measure under."""


def text_written() -> None:
    """Laid-out text was written over (body.stamp_numbers writes the real page numbers over the
    zeros): every measure a line box keeps is taken again."""
    global _WRITTEN
    _WRITTEN += 1


def _line(page: int, chapter: str, block, line) -> Line | None:
    """The Line a line box of a block makes. A build measures most line boxes more than once (a
    trial takes the pages before its first change from an earlier layout; the adjustments measure a
    layout once per question): the line box keeps its measure, with the page, chapter, its own place
    (depth.justify moves boxes on copies of a page, copying what they keep), the count of texts
    written over, and its block (weakly: a copy of the line under another block is measured anew)."""
    key = (page, chapter, line.position_y, _WRITTEN)
    kept = line.__dict__.get("_book_line")
    if kept is not None and kept[0] == key and kept[1]() is block:
        return kept[2]
    made = _measured(page, chapter, block, line)
    line._book_line = (key, weakref.ref(block), made)
    return made


def _measured(page: int, chapter: str, block, line) -> Line | None:
    """_line's work."""
    texts = list(_texts(line))
    if not texts:
        return None
    body = [t for t in texts if "call" not in _classes_of_parent(t)]
    main = max(body or texts, key=lambda t: t.style["font_size"])
    text = "".join(t.text for t in texts).replace("\u00ad", "").replace("\u200b", "")
    spacing = max((getattr(t, "justification_spacing", 0) or 0) for t in texts)
    spaces = text.count(" ") + text.count("\u00a0")
    size_pt = main.style["font_size"] * PX_TO_PT
    extra = sum(main.style[name] if isinstance(main.style[name], (int, float)) else 0
                for name in ("word_spacing", "letter_spacing"))  # a tightened paragraph (layout/tighten.py)
    word_space = (space_em() * size_pt + (spacing + extra) * PX_TO_PT) if spaces else 0.0
    last = texts[-1]
    hyphen = last.style["hyphenate_character"]
    return Line(page=page, chapter=chapter, text=text.strip(), baseline=main.position_y + main.baseline,
                top=line.position_y, height=line.height, word_space=word_space,
                justified=spacing > 0.01, hyphenated=bool(hyphen) and last.text.endswith(hyphen)
                and not last.text.endswith((" " + hyphen, "-" + hyphen)), paragraph=id(block),
                natural=space_em() * size_pt, source=id(block.element))


def _classes_of_parent(text_box) -> list[str]:
    element = getattr(text_box, "element", None)
    return element.get("class", "").split() if element is not None and hasattr(element, "get") else []


@lru_cache(maxsize=1)
def space_em() -> float:
    """The body face's word space, in ems (from the font file the print CSS names first)."""
    from fontTools.ttLib import TTFont

    font = TTFont(STYLES / "fonts" / "Literata-Regular.ttf", lazy=True)
    glyph = font.getBestCmap()[ord(" ")]
    return font["hmtx"][glyph][0] / font["head"].unitsPerEm


def loose_lines(lines: list[Line], factor: float = LOOSE) -> tuple[float, list[Line]]:
    """The median word space of the justified lines, and the lines whose spaces exceed factor × it."""
    spaces = [line.word_space for line in lines if line.justified and line.word_space]
    if not spaces:
        return 0.0, []
    median = statistics.median(spaces)
    return median, [line for line in lines if line.justified and line.word_space > factor * median]


def hyphen_runs(lines: list[Line], longest: int = MAX_HYPHEN_RUN) -> list[list[Line]]:
    """Runs of more than `longest` consecutive hyphenated lines within one paragraph."""
    runs: list[list[Line]] = []
    current: list[Line] = []
    for line in lines + [None]:
        if line is not None and line.hyphenated and (not current or current[-1].paragraph == line.paragraph):
            current.append(line)
            continue
        if len(current) > longest:
            runs.append(current)
        current = [line] if line is not None and line.hyphenated else []
    return runs


def source_location(book: Book, line: Line) -> Location:
    """Where a laid-out line is written: the chapter file and the line holding its first words."""
    chapter = next((c for c in book.chapters if c.anchor == line.chapter), None)
    if chapter is None:
        return Location(book.manifest.root / "book.yaml")
    words = _words(line.text.replace("\u2010", ""))
    try:
        source = chapter.path.read_text(encoding="utf-8").split("\n")
    except OSError:
        return Location(chapter.path)
    flat = [" ".join(_words(_plain_source(s))) for s in source]
    for take in (4, 3, 2):
        probe = " ".join(words[:take])
        if len(words) >= take:
            for number, text in enumerate(flat, 1):
                if probe in text:
                    return Location(chapter.path, number, max(source[number - 1].find(words[0]), 0) + 1)
    return Location(chapter.path)


def _words(text: str) -> list[str]:
    """The words of a text, numbers and punctuation left out."""
    return [w for w in re.findall(r"[^\W\d_][\w’'-]*", text) if len(w) > 1]


def _plain_source(text: str) -> str:
    """A Markdown line with name tags, emphasis and citations reduced to their words."""
    text = re.sub(r"\[\[([^|\]]*)(?:\|[^\]]*)?\]\]", r"\1", text)
    text = re.sub(r"\[@[^\]]*\]|\[\^[^\]]*\]", "", text)
    text = re.sub(r"\[([^\]]*)\]\(#[^)]*\)", r"\1", text)
    return " ".join(text.replace("*", "").replace("'", "’").split())


def grid_offsets(lines: list[Line], step: float) -> list[tuple[Line, float]]:
    """Lines whose baseline is off the page's grid (the first body line's baseline + n × step),
    with the offset in pt; step in pt."""
    off = []
    first: dict[int, float] = {}
    for line in lines:
        origin = first.setdefault(line.page, line.baseline)
        delta = (line.baseline - origin) * PX_TO_PT
        remainder = delta % step
        miss = min(remainder, step - remainder)
        if miss > 0.2:
            off.append((line, miss))
    return off


def page_gaps(pages, lines: list[Line]) -> dict[int, float]:
    """Page index -> the space in pt between its last running-text line, table or figure and where the
    text area ends (the top of the notes when the page has notes, else the bottom margin): 0 on a full
    page."""
    bottom_of: dict[int, float] = {}
    for line in lines:
        bottom_of[line.page] = max(bottom_of.get(line.page, 0.0), line.top + line.height)
    for index in bottom_of:  # a table or a figure below the last line of text fills the page too
        root = pages[index]._page_box.children[0] if pages[index]._page_box.children else None
        for box in root.descendants() if root is not None else ():
            if getattr(box, "element_tag", "") in ("table", "figure") and not box.is_footnote():
                bottom_of[index] = max(bottom_of[index], box.position_y + box.margin_top + box.border_height())
    gaps = {}
    for index, last in bottom_of.items():
        box = pages[index]._page_box
        floor = box.content_box_y() + box.height
        for child in box.children:
            if type(child).__name__ == "FootnoteAreaBox" and child.children:
                floor = min(floor, child.position_y)
        gaps[index] = max(0.0, (floor - last) * PX_TO_PT)
    return gaps


def report_lines(book: Book, lines: list[Line]) -> list[str]:
    """Loose justified lines and runs of more than two hyphenated lines, each as
    `path:line:col: what; what to do` at the chapter line that holds it (the engine breaks lines
    greedily and cannot avoid them itself). The build prints them as notes, not warnings: they
    are for the editor's judgement, and a strict build does not fail on them."""
    lines = sorted(lines, key=lambda line: line.page)
    median, loose = loose_lines(lines)
    out = []
    for line in loose:
        out.append(f"{source_location(book, line)}: loose line on PDF page {line.page + 1}: word spaces of "
                   f"{line.word_space:.1f}pt, over {LOOSE:g}× the book's {median:.1f}pt (\"{_excerpt(line.text)}\"); "
                   "reword, or move a long word or name, so that the line breaks better")
    for run in hyphen_runs(lines):
        out.append(f"{source_location(book, run[0])}: {len(run)} hyphenated lines in a row on PDF page "
                   f"{run[0].page + 1} (\"{_excerpt(run[0].text)}\"); at most 2 are allowed: add one of the "
                   "words to hyphenation.txt without hyphens")
    return out


def report_filled(book: Book, lines: list[Line], filled: list[tuple[str, str, int, int, float]]) -> list[str]:
    """Each page the build justified vertically (layout/depth.py `fill`), as `path:line:col: what;
    what to do` at a chapter line near the page's foot. filled: (chapter id, that line's text, how
    many of the chapter's lines before it read the same, blank lines added, lines short), as the
    adjustments record them. The line is quoted as printed: its cross-references' numbers written in,
    where the adjustments saw the zeros a part is laid out with."""
    lines = sorted(lines, key=lambda line: (line.page, line.top))
    out = []
    for chapter, text, before, added, short in filled:
        same = [x for x in lines if x.chapter == chapter and zero_figures(x.text) == zero_figures(text)]
        if len(same) <= before:
            continue
        line = same[before]
        out.append(f"{source_location(book, line)}: PDF page {line.page + 1} (\"{_excerpt(line.text)}\") would end "
                   f"{short:.1f} lines short: {added} blank line{'s' if added > 1 else ''} above its headings and "
                   "between its paragraphs fill it, because the next lines do not fit with their notes; shorten a "
                   "paragraph or a note on this page or the next to bring them back")
    return out


def zero_figures(text: str) -> str:
    """A line's text with every figure a 0: a part is laid out with zeros where its cross-references'
    page numbers go (layout/body.py), which are written in after."""
    return re.sub(r"\d", "0", text)


def _excerpt(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "…"
