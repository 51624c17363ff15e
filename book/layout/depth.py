"""A chapter laid out alone -> its pages that end short, and the adjustments that may fill them.

A page of a chapter, but its last, should end within one line of full depth (notes included). The
engine ends a page early when the next block cannot start there: a paragraph whose `orphans` lines
(with their notes) do not fit, a heading kept with the lines after it, a table row or a figure that
does not fit. What can be tried, from the laid-out boxes, is relaxing widows and orphans (data-fix
`loose`, book.css) on the block that was pushed to the next page, or on the block at the foot of the
short page. `badness` sums how many lines short each page is beyond the one allowed; adjust.py keeps
an adjustment that lowers it without moving a note off its call's page or adding a loose line.
"""

from __future__ import annotations

from .repair import _Blocks, last_text_page, shortfall

ALLOWED = 1.0
"""A page may end this many lines short of full depth."""

RELAX = "loose"
"""The data-fix token that relaxes widows and orphans to 1 (styled in book.css)."""


def short_pages(document) -> list[int]:
    """The pages, but the last with text, that end more than ALLOWED lines short."""
    last = last_text_page(document)
    return [i for i in range(last) if shortfall(document.pages[i]) > ALLOWED]


def badness(document) -> float:
    """How many lines short the pages but the last end, beyond ALLOWED each, summed."""
    last = last_text_page(document)
    return sum(max(0.0, shortfall(document.pages[i]) - ALLOWED) for i in range(last))


def candidates(document, page: int, chapter: str, blocks: _Blocks, fixes: dict[int, set[str]]) -> list[list[int]]:
    """The blocks to relax, tried in turn, for a short page: the first block of the next page (the
    one pushed off this page), the block at this page's foot, both."""
    here, there = blocks_on(document, page, chapter, blocks), blocks_on(document, page + 1, chapter, blocks)
    foot, after = (max(here) if here else None), (min(there) if there else None)
    out = []
    for chosen in ([after], [foot], [foot, after]):
        chosen = sorted({b for b in chosen if b is not None and RELAX not in fixes.get(b, set())})
        if chosen and chosen not in out:
            out.append(chosen)
    return out


def blocks_on(document, page: int, chapter: str, blocks: _Blocks) -> list[int]:
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
