"""A box's used margins, paddings, borders and sizes, worked out once per style values and containing
block (an engine patch).

Before it lays a box out, WeasyPrint 70 sets the box's used values from its style
(`layout.percent.resolve_percentages`): each margin, padding and border width, the width, the
height and their limits, percentages taken of the containing block, then the content box narrowed
by `box-sizing`. It does so for every box on every layout pass: a paragraph pushed to the next page
is resolved again there, each note again whenever the footnote area is measured, and a build lays
the same kinds of box out in document after document. On ALZHIR's one-process build that is some
76,000 calls and 1.2 s of 17, for a few hundred different answers.

The answer depends only on what the engine reads: the values of the style properties in
`PROPERTIES`, the containing block's width and height, and whether the box is a page. Here it is
kept, keyed by exactly those, and set on the box again when they recur. What the key cannot hold is
left to the engine's own function: a value with `calc()` and the like (a list of tokens, which may
read the font size), and a box with collapsed borders (the engine keeps the border widths the
table's border resolution set on the box).

Isolated like line_memo.py: `install()` is the only way in, and `uninstall()` (tests) or dropping
this module (and its call in paginate.py) restores the engine's behaviour.
"""

from __future__ import annotations

from operator import itemgetter

from weasyprint.formatting_structure import boxes
from weasyprint.layout import percent

from .rebind import rebind

_ENGINE = percent.resolve_percentages
"""The engine's own function."""

PROPERTIES = (
    "margin_left", "margin_right", "margin_top", "margin_bottom",
    "padding_left", "padding_right", "padding_top", "padding_bottom",
    "width", "min_width", "max_width", "height", "min_height", "max_height",
    "border_top_width", "border_right_width", "border_bottom_width", "border_left_width",
    "box_sizing", "border_collapse",
)
"""Every style property the engine's resolve_percentages reads (adjust_box_sizing included);
tests/test_used_values.py checks the list against the engine's source."""

USED = PROPERTIES[:18]
"""Every attribute of the box it sets."""

LIMIT = 20_000
"""Answers kept at most; the memo starts afresh when it is full (ALZHIR's cold build makes a few
hundred)."""

_values = itemgetter(*PROPERTIES)
_memo: dict = {}

hits = misses = 0
"""Answers given back, and answers the engine worked out, since the process started (tests read them)."""


def resolve_percentages(box, containing_block):
    """The engine's resolve_percentages, its answer given back when the style's values, the
    containing block and the kind of box recur."""
    global hits, misses
    values = _values(box.style)
    if values[-1] == "collapse":
        return _ENGINE(box, containing_block)
    key = _key(values, containing_block, box)
    try:
        used = _memo.get(key)
    except TypeError:  # a value with calc() (a list of tokens): the engine's own
        return _ENGINE(box, containing_block)
    if used is not None:
        hits += 1
        box.__dict__.update(used)
        return None
    misses += 1
    _ENGINE(box, containing_block)
    if len(_memo) >= LIMIT:
        _memo.clear()
    _memo[key] = {name: getattr(box, name) for name in USED}
    return None


def _key(values: tuple, containing_block, box) -> tuple:
    """What the answer depends on: the style's values, the containing block's width and height,
    and whether the box is a page."""
    if isinstance(containing_block, boxes.Box):
        return (values, containing_block.width, containing_block.height, isinstance(box, boxes.PageBox))
    width, height = containing_block
    return (values, width, height, isinstance(box, boxes.PageBox))


def install() -> None:
    """Keep used values in every layout of this process."""
    rebind("resolve_percentages", resolve_percentages, _ENGINE)


def uninstall() -> None:
    """Back to the engine's own function (for tests that compare the two)."""
    rebind("resolve_percentages", _ENGINE, resolve_percentages)
