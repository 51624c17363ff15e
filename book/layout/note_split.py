"""A long note runs over to the foot of the next page, as in Chicago and TeX (an engine patch).

WeasyPrint 70 never splits a note. When the line holding a call fits on the page but its note does
not, `footnote-policy: line` moves the line (and, for widows and orphans, more) to the next page,
and the page ends short (issue 14, item 2). Here, at that moment (`_linebox_layout` asks
`overflows_page` right after `layout_footnote` has added the note), the page's footnote area is laid
out in the room the line leaves. If the new note breaks there with at least its orphans lines on
this page and its widows lines carried over (two at least of each), the line stays; the area is cut
there (every later layout of this page's area stops at the same place); and the rest of the note is
reported to the next page as a continuation: a copy of the note box that remembers where the note
stopped (the cut layout's `resume_at`), carries no id (the note's id and its link stay on the
call's page), and is laid out first in that page's area, under the area's own rule and spacing.

In any other case nothing changes: the engine's checks run as before, and a page whose notes fit is
laid out as it was. A split is undone whenever the engine takes the call's line back (widows,
orphans, a block pushed whole) or moves the note whole to the next page.

The same patch keeps a note from leaving its call's page when a paragraph's second line does not
fit at the foot (report_footnote): the engine would move the page's notes away to fit it; they are
held, and the paragraph starts the next page. Each layout names the paragraphs it held (take_held),
and a chapter's adjustments hold only at those (holding_only).

Isolated like footnote_area.py: `install()` (from paginate.py's Engine) is the only way in, and
dropping this module restores the engine's behaviour.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from math import inf, isfinite

import weasyprint.layout as layout
import weasyprint.layout.page as page
from weasyprint.formatting_structure import boxes, build
from weasyprint.layout import LayoutContext
from weasyprint.layout.block import _linebox_layout, block_container_layout
from weasyprint.layout.block import block_level_layout as _block_level_layout

from . import footnote_area

MIN_LINES = 2
"""A note is split only with this many of its lines, at least, on each page (more when its own
orphans or widows ask for more)."""

_LINE_CHECK = _linebox_layout.__code__
"""The engine function whose note check a split answers."""

_CONTAINER = block_container_layout.__code__
"""The engine function that lays out a block's children."""

FORCED = ("page", "left", "right", "recto", "verso")
"""Values of break-before that start a new page."""

HOLD = True
"""Whether a paragraph's line is never fitted at the foot of a page by moving the page's notes away
(see report_footnote). Tests turn it off to reproduce the engine's fault that repair.py repairs."""

_ONLY: frozenset | None = None
"""While set (holding_only), notes are held only for these paragraphs (take_held of a first layout);
elsewhere the engine moves them, as without HOLD."""

_KEYS: list = []
"""The paragraphs held since take_held was last called (paragraph_key)."""

_HELD = object()
"""Stands in the reported notes for the notes held aside (see report_footnote)."""

_SAVED: dict[str, object] = {}
"""The engine's own functions, while the patch is installed."""


def _engine(name: str):
    """The engine's (or footnote_area's) function the patch stands in for."""
    return _SAVED[name]


# --- the split ------------------------------------------------------------------------------

def layout_footnote(self: LayoutContext, footnote) -> bool:
    """The engine's `layout_footnote`; the note is then pending: the next `overflows_page` (the
    line's check) may split it."""
    _release(self)
    overflow = _engine("layout_footnote")(self, footnote)
    self._book_pending = None if hasattr(footnote, "_book_skip") else footnote
    return overflow


def overflows_page(self: LayoutContext, bottom_space, position_y) -> bool:
    """The engine's check; when it finds that the line just given a note overflows, the note is
    split if it can be, and the line checked again."""
    if self._book_held is not None:
        _release(self, checked=True)
    overflow = _engine("overflows_page")(self, bottom_space, position_y)
    note, self._book_pending = self._book_pending, None
    if overflow and note is not None and _split(self, note, bottom_space, position_y, sys._getframe(1)):
        return _engine("overflows_page")(self, bottom_space, position_y)
    return overflow


def _split(context: LayoutContext, note, bottom_space, position_y, frame) -> bool:
    """Split the note just added (`_cut`) in the room its call's line leaves, when the line is the
    one that calls it and the split keeps the paragraph's orphans and has a page to run on to;
    False (nothing changed) otherwise."""
    area, notes = context.current_footnote_area, context.current_page_footnotes
    if (context.in_column or context.reported_footnotes or not notes or notes[-1] is not note
            or area.max_height != inf or getattr(area, "_book_split", None) is not None
            or not isfinite(bottom_space)):
        return False
    if frame.f_code is not _LINE_CHECK or frame.f_locals.get("footnote") is not note:
        return False  # not the check of the line that calls the note
    line, paragraph, placed = frame.f_locals["line"], frame.f_locals["box"], frame.f_locals["new_children"]
    if line.resume_at is None and not _runs_on(frame):
        return False  # nothing follows on the next page that the rest of the note could sit under
    if len(placed) + 1 < paragraph.style["orphans"]:
        return False  # the engine would then move the note whole to keep the paragraph's orphans
    return _cut(context, note, area.position_y - position_y - bottom_space)


def _cut(context: LayoutContext, note, room: float) -> bool:
    """Cut the page's footnote area, whose last note is note, where room (from the area's top) ends,
    and report the rest of the note to the next page, if the note breaks there with enough lines on
    each page; False (nothing changed) otherwise."""
    area, notes = context.current_footnote_area, context.current_page_footnotes
    index = len(notes) - 1
    trial = build.create_anonymous_boxes(area.deepcopy())
    trial._book_cut = room
    laid, resume = _area_layout(context, trial, -inf, None, area.page)[:2]
    if (laid is None or not resume or list(resume) != [index] or resume[index] is None
            or laid.margin_height() > room * (1 + 1e-9) or len(laid.children) != index + 1):
        return False
    rest = _continuation(note, resume[index])
    if (_lines(laid.children[index]) < max(MIN_LINES, note.style["orphans"])
            or _lines(_alone(context, area, rest)) < max(MIN_LINES, note.style["widows"])):
        return False
    area._book_cut, area._book_split = room, (note, rest)
    context._update_footnote_area()
    context.reported_footnotes.append(rest)
    return True


def _runs_on(frame) -> bool:
    """Whether, after the block whose lines `frame` (of `_linebox_layout`) lays out, the flow goes on
    to the next page: the block or one of its ancestors has a following sibling in the flow, with no
    forced break before it (a new chapter), whose lines keep orphans of 2 or more (with orphans of 1
    the engine moves the notes above to the next page to fit such a block's first line)."""
    frame = frame.f_back
    while frame is not None:
        if frame.f_code is _CONTAINER and frame.f_locals.get("index") is not None:
            box, index = frame.f_locals["box"], frame.f_locals["index"]
            following = [child for child in box.children[index + 1:] if child.is_in_normal_flow()]
            if following:
                box = following[0]
                while True:
                    if box.style["break_before"] in FORCED or box.style["orphans"] < MIN_LINES:
                        return False
                    children = getattr(box, "children", None)
                    if not children or not isinstance(children[0], boxes.BlockLevelBox):
                        return True
                    box = children[0]
        frame = frame.f_back
    return False


def _continuation(note, skip):
    """The rest of a note for the next page: the note box resumed at skip, without its id."""
    rest = note.copy()
    rest.style = note.style.copy()
    rest.style["anchor"] = None
    rest._book_skip = skip
    return rest


def _alone(context: LayoutContext, area, note):
    """A note laid out alone in a copy of the area, as the engine lays out the area."""
    copy = area.copy()
    copy.children, copy._book_cut = [note], None
    copy = build.create_anonymous_boxes(copy.deepcopy())
    return _area_layout(context, copy, -inf, None, area.page)[0].children[0]


def _lines(box) -> int:
    """How many lines a laid-out note has."""
    return sum(1 for child in box.descendants() if isinstance(child, boxes.LineBox))


def _undo(context: LayoutContext, note) -> None:
    """If note is split on this page, join it again: no cut, no continuation reported."""
    area = context.current_footnote_area
    split = getattr(area, "_book_split", None)
    if area is not None and split is not None and split[0] is note:
        area._book_cut = area._book_split = None
        if split[1] in context.reported_footnotes:
            context.reported_footnotes.remove(split[1])


def unlayout_footnote(self: LayoutContext, footnote) -> None:
    """The engine's `unlayout_footnote`, a split of the note undone first."""
    self._book_pending = None
    _release(self)
    _undo(self, footnote)
    _engine("unlayout_footnote")(self, footnote)


def report_footnote(self: LayoutContext, footnote) -> None:
    """The engine's `report_footnote` (the note moves whole to the next page), a split undone first;
    but never to fit a paragraph's line under the notes.

    When a paragraph's second line does not fit at the foot of the page, and the paragraph cannot
    keep its orphans there without it, the engine moves the page's notes to the next page, last
    first, until the line fits (upstream #2432): a note whose call stays on this page is then
    printed on the next one. Here the page's notes are only held aside at the first such report
    (the engine's loop ends: the page has no notes left; the room they take stays reserved, so the
    line still does not fit) and the engine breaks the paragraph as its orphans ask: the paragraph
    starts the next page, its notes with it, and every note stays on its call's page. The held notes
    are given back to the page at the next call into the patch. A continuation (the rest of a split
    note, first on its page) is never moved on either: with HOLD off, the engine reports the page's
    other notes, and then the continuation is held the same way. The engine's other reports (a note
    that does not fit moves with its line; notes carried over that do not fit the next page either)
    are its own."""
    self._book_pending = None
    _release(self)
    caller = sys._getframe(1)
    if HOLD and caller.f_code is _LINE_CHECK and "reported_footnotes" in caller.f_locals and \
            _holds(self, caller.f_locals["box"].element):
        held = list(self.current_page_footnotes)
    elif hasattr(footnote, "_book_skip") and footnote is self.current_page_footnotes[0]:
        held = [footnote]  # a continuation is never moved on (with HOLD off, the engine reports the rest)
    else:
        _undo(self, footnote)
        _engine("report_footnote")(self, footnote)
        return
    del self.current_page_footnotes[:len(held)]  # the area's list too: the area's room is not re-measured
    self.reported_footnotes.append(_HELD)  # the engine counts what it reported, to reorder it
    self._book_held = [held, False]


def _release(context: LayoutContext, checked: bool = False) -> None:
    """Give held notes back to the top of the page's notes; when called from the line check that
    follows the holding (checked), only note that the check is done."""
    held = context._book_held
    if held is None:
        return
    if checked and not held[1]:
        held[1] = True
        return
    context._book_held = None
    context.current_page_footnotes[:0] = held[0]
    context.reported_footnotes.remove(_HELD)


# --- laying out an area that holds a continuation or is cut ----------------------------------

def block_level_layout(context, box, bottom_space, skip_stack, containing_block, page_is_empty=True,
                       absolute_boxes=None, fixed_boxes=None, adjoining_margins=None,
                       first_letter_style=None, first_line_style=None, discard=False, max_lines=None):
    """The engine's `block_level_layout`; a footnote area by `_area_layout`."""
    if isinstance(box, boxes.FootnoteAreaBox):
        return _area_layout(context, box, bottom_space, skip_stack, containing_block, page_is_empty,
                            absolute_boxes, fixed_boxes, adjoining_margins, first_letter_style,
                            first_line_style, discard, max_lines)
    return _block_level_layout(context, box, bottom_space, skip_stack, containing_block, page_is_empty,
                               absolute_boxes, fixed_boxes, adjoining_margins, first_letter_style,
                               first_line_style, discard, max_lines)


def _area_layout(context, box, bottom_space, skip_stack, containing_block, page_is_empty=True, *args):
    """A footnote area laid out: from where its first note stopped on the previous page, if that
    note is a continuation (the area's rule and padding kept, as on every page); and, if the area is
    cut, stopping where its room ends (measured from the area's top, wherever the engine lays it)."""
    if context._book_held is not None:  # the page's area copied while its notes were held
        box.children[:0] = [build.create_anonymous_boxes(note.deepcopy()) for note in context._book_held[0]]
        _release(context)
    first = box.children[0] if box.children else None
    if skip_stack is None and getattr(first, "_book_skip", None) is not None:
        skip_stack = {0: first._book_skip}
        box.style = box.style.copy()
        box.style["box_decoration_break"] = "clone"
    room = getattr(box, "_book_cut", None)
    if room is None:
        return _block_level_layout(context, box, bottom_space, skip_stack, containing_block, page_is_empty, *args)
    # A note's line that overflows the cut must not make the engine report the page's notes to fit it
    # (as it does for the body's lines): the engine reports only while the page has notes.
    notes, context.current_page_footnotes = context.current_page_footnotes, []
    try:
        return _block_level_layout(context, box, context.page_bottom - (box.position_y + room), skip_stack,
                                   containing_block, page_is_empty, *args)
    finally:
        context.current_page_footnotes = notes


# --- continuations the engine would lose when it re-makes a page ------------------------------

def remake_page(index, context, root_box, html):
    """The engine's `remake_page`. In a repagination pass the engine reuses pages whose content has
    not changed, and a page it makes again after a reused one starts with the notes reported by the
    last page it made, not by the page before: here such a page starts with the continuations the
    page before reported when it was made (and with no other page's)."""
    carried = context.__dict__.setdefault("_book_carried", {})
    if context.__dict__.get("_book_made") != index - 1:
        others = [note for note in context.reported_footnotes if not hasattr(note, "_book_skip")]
        context.reported_footnotes[:] = carried.get(index, []) + others
    result = _engine("remake_page")(index, context, root_box, html)
    _release(context)
    carried[index + 1] = [note for note in context.reported_footnotes if hasattr(note, "_book_skip")]
    context._book_made = index
    return result


def make_all_pages(context, root_box, html, pages):
    """The engine's `make_all_pages`, each pass starting with no page made."""
    context._book_made = None
    context._book_root = root_box.element  # to name a held paragraph by its place (paragraph_key)
    yield from _engine("make_all_pages")(context, root_box, html, pages)


# --- which paragraphs are held -----------------------------------------------------------------

def paragraph_key(root, element) -> tuple[str, int] | None:
    """A paragraph named by its place, the same in every layout of its chapter whatever data-fix
    tokens its blocks carry: (the id of its chapter's section, its rank among the section's elements)."""
    for section in root.iter("section"):
        if "chapter" in section.get("class", "").split():
            for rank, each in enumerate(section.iter()):
                if each is element:
                    return section.get("id", ""), rank
    return None


def _holds(context: LayoutContext, element) -> bool:
    """Whether the paragraph's notes are held: always, the paragraph recorded for take_held; inside
    holding_only, where its keys say."""
    if _ONLY is not None and not _ONLY:
        return False
    root = context._book_root
    key = paragraph_key(root, element) if root is not None and element is not None else None
    if _ONLY is not None:
        return key in _ONLY
    if key is not None:
        _KEYS.append(key)
    return True


def take_held() -> frozenset:
    """The paragraphs held since the last call (Engine.layout keeps them with each document)."""
    keys = frozenset(_KEYS)
    _KEYS.clear()
    return keys


def holding() -> str:
    """Where notes are held in the layouts now (part of the key a kept layout is found by)."""
    return "" if _ONLY is None else repr(sorted(_ONLY))


@contextmanager
def holding_only(keys) -> Iterator[None]:
    """Hold notes only for these paragraphs while the block runs: a chapter's adjustments are tried
    with the breaks its first layout took (the trials' other faults make them fail, as they did)."""
    global _ONLY
    before, _ONLY = _ONLY, frozenset(keys)
    try:
        yield
    finally:
        _ONLY = before


# --- installing ----------------------------------------------------------------------------

_METHODS = ("layout_footnote", "unlayout_footnote", "report_footnote", "overflows_page")
"""LayoutContext methods the patch stands in for."""


def install() -> None:
    """Split long notes in every layout of this process (after footnote_area.install())."""
    if _SAVED:
        return
    for name in _METHODS:
        _SAVED[name] = getattr(LayoutContext, name)
    _SAVED["remake_page"], _SAVED["make_all_pages"] = page.remake_page, layout.make_all_pages
    LayoutContext._book_pending = LayoutContext._book_held = LayoutContext._book_root = None
    LayoutContext.layout_footnote = layout_footnote
    LayoutContext.unlayout_footnote = unlayout_footnote
    LayoutContext.report_footnote = report_footnote
    LayoutContext.overflows_page = overflows_page
    page.remake_page, layout.make_all_pages = remake_page, make_all_pages
    for module in (layout, page, footnote_area):
        module.block_level_layout = block_level_layout


def uninstall() -> None:
    """Back to the engine's own behaviour: notes never split (for tests that compare the two)."""
    if not _SAVED:
        return
    for name in _METHODS:
        setattr(LayoutContext, name, _SAVED[name])
    del LayoutContext._book_pending, LayoutContext._book_held, LayoutContext._book_root
    page.remake_page, layout.make_all_pages = _SAVED["remake_page"], _SAVED["make_all_pages"]
    for module in (layout, page, footnote_area):
        module.block_level_layout = _block_level_layout
    _SAVED.clear()
