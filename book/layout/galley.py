"""Paragraphs of a chapter, each with several spacings -> how each came out, from one small layout.

A paragraph's line breaks depend only on its own text, its width, its spacing and the rules that
style it, not on the page it falls on (WeasyPrint breaks lines greedily and moves a whole line, never
re-breaks it, when a note or a page break pushes it). So the spacings tried on a paragraph with a
loose line (layout/tighten.py) need not be tried by laying its whole chapter out once per spacing:
the galley holds, in one copy of the chapter's section, every paragraph to try with every spacing,
each after a hidden, empty copy of the block that comes before it in the chapter (its tag and
attributes, so that `h2 + p`, `header + p` and the like select it as in the book), the notes left out (their calls stay; a note
takes no room in its call's line: its element is cut out of the galley's HTML, which gives the same
boxes as a note not displayed, and spares the engine parsing and styling its text). One layout of the galley then tells, for each paragraph and
spacing, how many lines it has, how many are loose and whether it has a run of hyphens: what the
chapter's layouts told before, at a fraction of the cost (`tests/test_galley.py` compares them).
"""

from __future__ import annotations

import re

from .measure import Line, _blocks, _line
from .repair import VOID, Blocks, _splice

GALLEY_STYLE = ("<style>[data-galley=hide], .fn, section.chapter > header { display: none !important } "
                "[data-galley] { break-before: auto !important; break-after: auto !important }</style>")
"""What the galley changes of the book's styles: hidden copies, no notes, no chapter opening, and no
page breaks asked for by an adjustment (they change no line)."""

TALL = "3000mm"
"""The galley's page height: the page keeps the book's width, and its trials fit on one or two pages
(a page costs the engine more than its lines do)."""

_SIZE = re.compile(r"@page\s*\{\s*size:\s*([\d.]+\w+)\s")

_ID = re.compile(r'(<[A-Za-z][^<>]*?)\sid="[^"]*"')


def galley_html(html: str, blocks: Blocks, chapter: str, trials: list[tuple[int, dict[int, set[str]]]],
                numbers: dict[str, str]) -> str:
    """One document holding each (block index, the chapter's fixes for that trial) of the chapter, in
    order: the block with its data-fix tokens from the fixes, after a hidden copy of the block before
    it; cross-reference numbers written in from numbers (id -> folio); every id left out."""
    from .repair import _fix_inserts

    start, end = blocks.spans[chapter]
    opening = html[start:html.index(">", start) + 1]
    pages = {offset: f' data-page="{numbers[target]}"' for offset, target in blocks.xrefs
             if start <= offset < end and target in numbers}
    body = html.index(">", html.index("<body")) + 1  # what the document holds before its chapters is left out
    size = _SIZE.search(html, 0, body)
    tall = f"<style>@page {{ size: {size.group(1)} {TALL} }}</style>" if size else ""
    out = [html[:body].replace("</head>", GALLEY_STYLE + tall + "</head>", 1), opening]
    for k, (index, fixes) in enumerate(trials):
        inserts = dict(pages)
        if index - 1 >= blocks.first_block[chapter]:  # its tag and attributes, which sibling selectors see
            a = html.rindex("<", 0, blocks.blocks[index - 1])
            tag = html[a + 1:blocks.blocks[index - 1]]
            opened = html[a:html.index(">", a) + 1].rstrip("/>").rstrip()
            out.append(f'{opened} data-galley="hide">' + ("" if tag in VOID else f"</{tag}>"))
        fix = _fix_inserts(blocks, {index: fixes[index]} if fixes.get(index) else {})
        offset = blocks.blocks[index]
        a, b = _span(html, blocks, index, end)
        out.append(without_notes(_splice(html, a, b, {**inserts, offset: fix.get(offset, "") + f' data-galley="{k}"'})))
    out.append("</section></body></html>")
    return _ID.sub(r"\1", "".join(out))


_NOTE = '<span class="fn"'
_SPAN = re.compile(r"<span\b|</span>")


def without_notes(fragment: str) -> str:
    """fragment with each note element (`<span class="fn">` and all it holds, nested spans included)
    cut out; what is around it stays as it was."""
    start = fragment.find(_NOTE)
    if start < 0:
        return fragment
    out, at = [], 0
    while start >= 0:
        out.append(fragment[at:start])
        depth, end = 0, len(fragment)
        for match in _SPAN.finditer(fragment, start):
            depth += 1 if match.group() != "</span>" else -1
            if depth == 0:
                end = match.end()
                break
        at = end
        start = fragment.find(_NOTE, at)
    out.append(fragment[at:])
    return "".join(out)


def _span(html: str, blocks: Blocks, index: int, end: int) -> tuple[int, int]:
    """(offset of '<', offset of its end) of a top-level block; end: its chapter's end."""
    a = html.rindex("<", 0, blocks.blocks[index])
    nxt = index + 1
    if nxt < len(blocks.blocks) and blocks.chapter_of_block[nxt] == blocks.chapter_of_block[index]:
        b = html.rindex("<", 0, blocks.blocks[nxt])
    else:
        b = html.rindex("</section>", 0, end)
    return a, b


def galley_lines(document) -> dict[int, list[Line]]:
    """Trial number -> the lines of its block, in order, from a laid-out galley."""
    out: dict[int, list[Line]] = {}
    for index, page in enumerate(document.pages):
        for box in _trial_boxes(page._page_box):
            k = int(box.element.get("data-galley"))
            for block, _ in _blocks(box, "galley"):
                for line in block.children:
                    made = _line(index, "galley", block, line) if type(line).__name__ == "LineBox" else None
                    if made is not None:
                        out.setdefault(k, []).append(made)
    return out


def _trial_boxes(box):
    element = getattr(box, "element", None)
    if element is not None and hasattr(element, "get") and (element.get("data-galley") or "hide") != "hide" \
            and getattr(box, "element_tag", "") not in ("", None) and not type(box).__name__.endswith(("LineBox", "TextBox")):
        yield box
        return
    for child in getattr(box, "children", []):
        yield from _trial_boxes(child)
