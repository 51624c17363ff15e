"""WeasyPrint 70's footnote area sized from each note's height, measured once a page (an engine patch).

To learn the height of a page's footnote area, the engine lays out the whole area again each time a
note is added to the page (`LayoutContext._update_footnote_area`): a page of n notes lays out
n(n+1)/2 notes. Here each note is laid out alone once per page, and the area's height is the sum of
its notes' heights, as the engine's block layout stacks them. That holds only where the notes are
blocks without vertical margins (book.css: `footnote-display: block`, no margins on `.fn`) in an
area without min- or max-height, outside columns, not cut inside a note by note_split.py (whose cut
only a layout of the whole area applies); anywhere else the engine's own method runs.

Isolated on purpose: `install()` is the only way in, and dropping this module (and its one call in
paginate.py) restores the engine's behaviour when upstream makes the relayout incremental.
"""

from __future__ import annotations

from math import inf

from weasyprint.formatting_structure import build
from weasyprint.layout import LayoutContext
from weasyprint.layout.block import block_level_layout

_ENGINE = LayoutContext._update_footnote_area
"""The engine's own method."""


def _stackable(note) -> bool:
    """A note whose height in the area does not depend on its neighbours."""
    style = note.style
    return (style["footnote_display"] == "block" and getattr(style["margin_top"], "value", None) == 0
            and getattr(style["margin_bottom"], "value", None) == 0)


def _alone(context: LayoutContext, area, note) -> tuple[float, float]:
    """The note's margin height laid out alone in a copy of the area, and the area's own margins,
    borders and padding (as the engine lays it out: a deep copy with anonymous boxes)."""
    children = area.children
    area.children = [note]
    try:
        laid = block_level_layout(context, build.create_anonymous_boxes(area.deepcopy()), -inf, None,
                                  area.page)[0]
    finally:
        area.children = children
    return laid.children[0].margin_height(), laid.margin_height() - laid.height


def update_footnote_area(self: LayoutContext) -> bool:
    """`_update_footnote_area` from per-note heights; the engine's own where they cannot be summed."""
    area, notes = self.current_footnote_area, self.current_page_footnotes
    if (self.in_column or not notes or area.min_height not in (0, "auto") or area.max_height != inf
            or getattr(area, "_book_cut", None) is not None or not all(_stackable(note) for note in notes)):
        return _ENGINE(self)
    heights = area.__dict__.setdefault("_book_heights", {})
    for note in notes:
        if id(note) not in heights:
            heights[id(note)] = (note, *_alone(self, area, note))
    if area.height != "auto":
        self.page_bottom += area.margin_height()
    area.children = notes
    area.height = sum(heights[id(note)][1] for note in notes)
    self.page_bottom -= area.height + heights[id(notes[0])][2]
    return False


def install() -> None:
    """Use the per-note heights in every layout of this process."""
    LayoutContext._update_footnote_area = update_footnote_area


def uninstall() -> None:
    """Back to the engine's own relayout (for tests that compare the two)."""
    LayoutContext._update_footnote_area = _ENGINE
