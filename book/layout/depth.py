"""A chapter laid out alone -> its pages that end short, and the adjustments that may fill them.

A page of a chapter, but its last, should end within one line of full depth (notes included). The
engine ends a page early when the next block cannot start there: a paragraph whose `orphans` lines
(with their notes) do not fit, a heading kept with the lines after it, a table row or a figure that
does not fit. What can be tried, from the laid-out boxes: relaxing widows and orphans (data-fix
`loose`, book.css) on the block that was pushed to the next page, or on the block at the foot of the
short page; and letting the table row pushed to the next page break across the pages (`split`).
`shortness` counts the short pages and sums how many lines short they end beyond the one allowed;
adjust.py keeps an adjustment that lowers it without moving a note off its call's page.
"""

from __future__ import annotations

import statistics

from .measure import PX_TO_PT, body_lines, page_gaps
from .repair import Blocks

ALLOWED = 1.0
"""A page may end this many lines short of full depth."""

RELAX = "loose"
"""The data-fix token that relaxes widows and orphans to 1 (styled in book.css)."""

SPLIT = "split"
"""The data-fix token that lets a table row break across pages (styled in book.css)."""


def gaps(document) -> dict[int, float]:
    """Page index -> how many lines short of full depth it ends, for the pages but the last that carry
    running text (measured as the tests measure it: measure.page_gaps, in lines of the body)."""
    lines = body_lines(document.pages)
    if not lines:
        return {}
    pitch = statistics.median(line.height for line in lines) * PX_TO_PT
    last = max(line.page for line in lines)
    return {page: gap / pitch for page, gap in page_gaps(document.pages, lines).items() if page < last}


def short_pages(document) -> list[int]:
    """The pages, but the last with text, that end more than ALLOWED lines short."""
    return sorted(page for page, short in gaps(document).items() if short > ALLOWED)


def shortness(document) -> tuple[int, float]:
    """The pages, but the last, that end short, and how many lines short they end beyond ALLOWED
    each, summed (compared as a pair: fewer short pages first)."""
    over = [short - ALLOWED for short in gaps(document).values() if short > ALLOWED]
    return len(over), round(sum(over), 2)


def candidates(document, page: int, chapter: str, blocks: Blocks, fixes: dict[int, set[str]]) -> list[list[int]]:
    """The blocks to relax, tried in turn, for a short page: the first block of the next page (the
    one pushed off this page), the block at this page's foot, both."""
    here, there = blocks_on(document, page, chapter, blocks), blocks_on(document, page + 1, chapter, blocks)
    foot, after = (max(here) if here else None), (min(there) if there else None)
    out = []
    for chosen in ([after], [foot], [foot, after]):
        chosen = sorted({b for b in chosen if b is not None and RELAX not in fixes.get(b, set())})
        if chosen and chosen not in out:
            out.append(relaxed(fixes, chosen))
    row = first_row(document, page + 1, after, blocks) if after is not None else None
    if row is not None and SPLIT not in fixes.get(row, set()):
        out.insert(0, {**{i: set(v) for i, v in fixes.items()}, row: fixes.get(row, set()) | {SPLIT}})
    return out


def first_row(document, page: int, table: int, blocks: Blocks) -> int | None:
    """The key (ROW + index in blocks.rows) of the first body row on a page of a top-level table, if
    the table has rows there."""
    from .repair import ROW

    keys = [ROW + r for r, t in enumerate(blocks.row_table) if t == table]
    elements = None
    for box in document.pages[page]._page_box.descendants():
        element = getattr(box, "element", None)
        if elements is None and getattr(box, "element_tag", "") == "table":
            elements = [e for e in element.iter() if str(e.tag).endswith("tr")]
        elif elements is not None and getattr(box, "element_tag", "") == "tr" and element in elements \
                and any(str(cell.tag).endswith("td") for cell in element):  # a body row, not the head
            index = elements.index(element)
            return keys[index] if index < len(keys) else None
    return None


def blocks_on(document, page: int, chapter: str, blocks: Blocks) -> list[int]:
    """Indices in blocks of the chapter's top-level blocks that have a box on a laid-out page."""
    if page >= len(document.pages) or chapter not in blocks.first_block:
        return []
    for box in document.pages[page]._page_box.descendants():
        element = getattr(box, "element", None)
        if element is not None and element.get("id") == chapter and hasattr(box, "children"):
            children = list(element)
            return [blocks.first_block[chapter] + children.index(child.element) for child in box.children
                    if getattr(child, "element", None) is not None and child.element in children]
    return []


def relaxed(fixes: dict[int, set[str]], chosen: list[int]) -> dict[int, set[str]]:
    """fixes with widows and orphans relaxed on the chosen blocks."""
    out = {i: set(v) for i, v in fixes.items()}
    for block in chosen:
        out.setdefault(block, set()).add(RELAX)
    return out
