"""A trial layout of a chapter made only where it can differ from an earlier one (an engine patch).

A chapter's adjustments (adjust.py) lay it out again and again, each time with a few `data-fix`
tokens changed on a few blocks; everything else in the HTML stays the same. The engine paginates
page by page, from a state it keeps between pages (`context.page_maker`: where the page resumes in
the box tree, which side it falls on, its counters), and the notes still to place. So:

- the pages before the first changed block cannot change, except the page before it (a block that
  no longer fits may pull a heading after it, or start a line earlier): a trial starts from the
  state the earlier layout had at the start of that page, and the pages before are the earlier
  layout's own;
- once every changed block is laid out, a page that starts where the earlier layout's page of the
  same number started, in the same state, with no note carried over, is followed by the same pages:
  the trial stops there, and the rest are the earlier layout's.

A layout is resumed only from an earlier one of the same HTML but for `data-fix` tokens, their
rules and the cross-reference numbers written in (`data-page` values; the "skeleton"), under the
same note holding (note_split.py), made in one pass with no running, fixed or floated content
carried across the pages concerned, never from or to a place inside a table cell, a flex box, a
bookmarked or string-setting box. A page may start between two
rows of a table: the engine lays each page of a table out from its skip stack alone, its column
widths worked out again from the whole table. A change inside a table counts as a change of the
whole table (its column widths may follow from any row): the trial starts before the table and
meets the earlier layout only after it. Anything else is laid out whole, by the engine, as before;
and a trial that wants a second pass falls back to a whole layout too.

`BOOK_RESUME_CHECK=1` in the environment lays every resumed trial out whole as well and fails when
the two differ anywhere (positions, sizes, text, anchors): tests/test_resume.py runs books that way.

Isolated like note_split.py: `install()` (from paginate.py's Engine) is the only way in; `trials()`
turns resuming on for the block it wraps (the chapters' adjustments), and `again()` for a part laid
out again with a number's other count of digits (layout/body.py), whose element counts as changed.
"""

from __future__ import annotations

import copy
import hashlib
import re
import weakref
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Iterator

import weasyprint.document as document_module
import weasyprint.layout as layout
import weasyprint.layout.page as page
from weasyprint.formatting_structure import boxes
from weasyprint.layout.background import layout_backgrounds

from .note_split import holding

CANDIDATES = 6
"""Earlier layouts of the same skeleton kept in view, the newest first, to resume from."""

_FIX = re.compile(r' data-fix="[^"]*"')
_PAGE = re.compile(r'( data-page=")[^"]*"')
_RULES = re.compile(r'<style>(?:\[data-fix~="[^"]+"\] \{[^{}]*\}\n)*</style>')

_ON: ContextVar[bool] = ContextVar("book_resume", default=False)
_SKELETON: ContextVar[str | None] = ContextVar("book_skeleton", default=None)
_SHAREABLE: ContextVar[bool] = ContextVar("book_shareable", default=False)
_SEEN: dict[str, list] = {}
"""skeleton -> weak references to the documents laid out with it, newest last."""
_TOUCHED: set[str] = set()
"""The skeletons laid out or looked up in the trials running now."""
_LAST: list = []
"""The record of the layout that just ended (take_record)."""
_SAVED: dict[str, object] = {}
STATS = {"resumed": 0, "whole": 0, "pages": 0, "skipped": 0}
"""Counts for benchmarks: layouts resumed and laid out whole, pages made and taken from earlier."""


def skeleton(html: str) -> str:
    """What two layouts of a chapter must share for one to be resumed from the other: all but the
    `data-fix` tokens, their rules, and the cross-reference numbers written in (`data-page`)."""
    return hashlib.sha256(_PAGE.sub(r'\1"', _FIX.sub("", _RULES.sub("", html))).encode()).hexdigest()


@contextmanager
def trials() -> Iterator[None]:
    """Resume layouts from earlier ones while the block runs (a chapter's adjustments). When it ends,
    the layouts it resumed from or made let go of what they kept for it (their records, and the
    styles restyle.py kept): the trials are over, and a chapter's pages are drawn and let go later."""
    outermost = not _ON.get()
    token = _ON.set(True)
    try:
        yield
    finally:
        _ON.reset(token)
        if outermost:
            release(_TOUCHED)


@contextmanager
def again() -> Iterator[None]:
    """Resume layouts from earlier ones while the block runs, outside a chapter's adjustments: a part
    laid out again because a cross-reference number it was given had the wrong count of digits
    (layout/body.py). What the earlier layouts keep to be resumed from stays theirs when it ends:
    the part's adjustments resume from its new layout, and release them (trials)."""
    if _ON.get():
        yield
        return
    token = _ON.set(True)
    touched = set(_TOUCHED)
    try:
        yield
    finally:
        _ON.reset(token)
        _TOUCHED.clear()
        _TOUCHED.update(touched)


@contextmanager
def laying_out(html: str, shareable: bool = False) -> Iterator[None]:
    """Around one layout of html (paginate.Engine.layout): its skeleton is known to the patch, and
    whether its sheets let a trial's styles be taken from an earlier layout (restyle.py)."""
    token = _SKELETON.set(skeleton(html))
    shared = _SHAREABLE.set(shareable)
    try:
        yield
    finally:
        _SHAREABLE.reset(shared)
        _SKELETON.reset(token)


def sharing() -> bool:
    """Whether the layout running now is a trial whose styles may come from an earlier layout."""
    return _ON.get() and _SHAREABLE.get() and _SKELETON.get() is not None


def newest():
    """The newest earlier layout of the running layout's skeleton still alive (None if none)."""
    _TOUCHED.add(_SKELETON.get())
    for ref in reversed(_SEEN.get(_SKELETON.get(), [])):
        document = ref()
        if document is not None:
            return document
    return None


@contextmanager
def whole() -> Iterator[None]:
    """Lay out whole while the block runs (the check's second layout)."""
    token = _ON.set(False)
    try:
        yield
    finally:
        _ON.reset(token)


def take_record():
    """The record of the layout that just ended (None if there is none)."""
    return _LAST.pop() if _LAST else None


def remember(document, record) -> None:
    """Keep document in view as a layout to resume from (its record travels with it)."""
    if record is None or not record.usable:
        return
    document._book_resume = record
    if _ON.get():
        _TOUCHED.add(record.skeleton)
    seen = _SEEN.setdefault(record.skeleton, [])
    for ref in seen:  # only the newest layout of a skeleton is restyled from (restyle.py): the others let go
        older = ref()
        if older is not None:
            older.__dict__.pop("_book_styles", None)
    seen[:] = [ref for ref in seen if ref() is not None][-(CANDIDATES - 1):] + [weakref.ref(document)]


def release(skeletons=None) -> None:
    """The layouts of these skeletons (of all, by default) let go of what they kept to be resumed
    and restyled from, and are no longer in view."""
    for name in list(_SEEN if skeletons is None else skeletons):
        for ref in _SEEN.pop(name, ()):
            document = ref()
            if document is not None:
                document.__dict__.pop("_book_resume", None)
                document.__dict__.pop("_book_styles", None)
    _TOUCHED.clear()


def forget() -> None:
    """Let go of every layout kept in view (a build starts)."""
    _SEEN.clear()
    _TOUCHED.clear()


@dataclass
class Record:
    """What a layout leaves for another to resume from it."""

    skeleton: str
    holding: str
    fixes: dict
    """Path in the box tree -> data-fix value of each element that has one."""
    states: list = field(default_factory=list)
    """Per page boundary (0: the start, i: the start of page i): (resume_at, next_page, right_page,
    page_state) as the engine's page_maker holds them."""
    clean: list = field(default_factory=list)
    """Per boundary: nothing carried over it (notes reported or held, broken floats, running elements)."""
    remaining: list = field(default_factory=list)
    """Per boundary: the indices of the notes not yet placed, in the document's list of notes."""
    string_set: dict = field(default_factory=dict)
    held: frozenset = frozenset()
    """The paragraphs whose notes the layout held (note_split.take_held)."""
    usable: bool = True


# --- paths -----------------------------------------------------------------------------------

def _path(skip) -> tuple | None:
    """A resume_at skip stack as a path of child indices (None: not one path, or the end)."""
    out = []
    while skip:
        if len(skip) != 1:
            return None
        (key, skip), = skip.items()
        out.append(key)
    return tuple(out)


def _along(root_box, path: tuple):
    """(depth, box) of each box path goes through, from the root: the last is the box at path (depth
    len(path)), or, where path goes on past the last box with such a child (an offset in its text,
    or no such box), that box."""
    box = root_box
    for depth, index in enumerate(path):
        yield depth, box
        children = getattr(box, "children", None)
        if not isinstance(box, boxes.ParentBox) or not children or index >= len(children):
            return
        box = children[index]
    yield len(path), box


def _box_at(root_box, path: tuple):
    """The box at path in the tree (None if there is none)."""
    depth, box = list(_along(root_box, path))[-1]
    return box if depth == len(path) else None


def _whole_tables(root_box, path: tuple) -> tuple:
    """A changed box's path, cut at the outermost table it lies in (the table's wrapper): a change
    in one row may change the column widths, and so every row, of the table."""
    for depth, box in _along(root_box, path):
        if getattr(box, "is_table_wrapper", False) or isinstance(box, boxes.TableBox):
            return path[:depth]
    return path


def _done(path: tuple, changed: tuple) -> bool:
    """Whether a resume path lies after the whole of the box at changed."""
    return path > changed and path[:len(changed)] != changed


def _before(path: tuple, changed: tuple) -> bool:
    """Whether a page that starts at path starts before the box at changed, or with it."""
    return path <= changed


def _fixes(root_box) -> dict:
    """Path -> data-fix of each element of the tree that has one, or a cross-reference number
    (data-page), the two joined where it has both (its outermost box)."""
    out: dict = {}
    seen: set = set()
    stack = [(root_box, ())]
    while stack:
        box, path = stack.pop()
        element = getattr(box, "element", None)
        if element is not None and id(element) not in seen and "::" not in (box.element_tag or ""):
            value, number = (element.get("data-fix"), element.get("data-page")) if hasattr(element, "get") else (None, None)
            if number is not None:
                value = f"{value or ''}\0{number}"
            if value is not None:
                seen.add(id(element))
                out[path] = value
        children = getattr(box, "children", None)
        if children and isinstance(box, boxes.ParentBox):
            stack.extend((child, path + (i,)) for i, child in reversed(list(enumerate(children))))
    return out


_UNSAFE = (boxes.TableCellBox, boxes.FlexContainerBox)


def _safe(root_box, path: tuple | None) -> bool:
    """Whether a page may start at path in a resumed layout: not inside a table cell, a flex box, a
    bookmarked box, a box that sets a string, or anything but blocks, table rows, lines and inline
    text."""
    if path is None:
        return False
    for depth, box in _along(root_box, path):
        if depth == len(path):  # the box the page starts with
            return not isinstance(box, boxes.TableCellBox)  # a page that starts at a cell splits its row
        if isinstance(box, _UNSAFE) or \
                getattr(box, "style", None) is not None and (
                    box.style["bookmark_level"] != "none" or box.style["string_set"] not in ("none", None)
                    or box.style["float"] != "none" or box.style["position"] not in ("static", "relative")
                    or box.style["column_width"] != "auto" or box.style["column_count"] != "auto"):
            return False
    return not isinstance(box, boxes.ParentBox)  # a text offset ends the path


# --- recording ---------------------------------------------------------------------------------

def _boundary(context, index: int) -> None:
    """Note what is carried over the start of page index (after the page before is made)."""
    bounds = context.__dict__.setdefault("_book_bounds", {})
    numbers = context.__dict__.get("_book_note_numbers", {})
    clean = (not context.reported_footnotes and not context.broken_out_of_flow
             and getattr(context, "_book_held", None) is None
             and not any(pages for pages in context.running_elements.values() if any(pages.values())))
    bounds[index] = (clean, tuple(numbers.get(id(note), -1) for note in context.footnotes))


def _observing(make_all_pages):
    """The engine's `make_all_pages` (or what stands in for it), each page's end noted, and its
    passes counted."""
    def observed(context, root_box, html, pages):
        context._book_passes = context.__dict__.get("_book_passes", 0) + 1
        for index, made in enumerate(make_all_pages(context, root_box, html, pages)):
            yield made
            _boundary(context, index + 1)  # the consumer asked for the next page: this one is done
    return observed


def _start(context) -> None:
    context._book_note_numbers = {id(note): i for i, note in enumerate(context.footnotes)}
    context._book_bounds = {0: (True, tuple(range(len(context.footnotes))))}


def _record(context, page_boxes, fixes) -> Record:
    """The record of a layout made whole."""
    record = Record(_SKELETON.get() or "", holding(), fixes)
    bounds = context._book_bounds
    record.usable = context.__dict__.get("_book_passes", 1) == 1 and all(
        not page_box.fixed_boxes for page_box in page_boxes) and len(context.page_maker) == len(page_boxes) + 1
    for i, entry in enumerate(context.page_maker):
        record.states.append(tuple(entry[:4]))
        clean, remaining = bounds.get(i, (False, ()))
        record.clean.append(clean)
        record.remaining.append(remaining)
    record.string_set = {name: {number: list(texts) for number, texts in pages.items()}
                         for name, pages in context.string_set.items()}
    return record


# --- layout --------------------------------------------------------------------------------------

def layout_document(html, root_box, context, max_loops=8):
    """The engine's `layout_document`, resumed from an earlier layout where it can be."""
    fixes = _fixes(root_box) if _SKELETON.get() is not None else {}
    _start(context)
    plan = _plan(root_box, fixes) if _ON.get() and _SKELETON.get() is not None else None
    if plan is not None:
        saved = {name: copy.copy(value) if isinstance(value, (list, dict, set)) else value
                 for name, value in context.__dict__.items()}  # the containers a layout fills, as they were
        try:
            made = _resumed(html, root_box, context, fixes, *plan)
        except _Whole:
            made = None
            context.__dict__.clear()
            context.__dict__.update(saved)
            _start(context)
        if made is not None:
            _RESUMED[:] = [True]
            yield from made[0]
            _LAST[:] = [made[1]]
            STATS["resumed"] += 1
            return
    inner = layout.make_all_pages
    layout.make_all_pages = _observing(inner)
    try:
        made = list(_SAVED["layout_document"](html, root_box, context, max_loops))
    finally:
        layout.make_all_pages = inner
    STATS["whole"] += 1
    STATS["pages"] += len(made)
    _LAST[:] = [_record(context, made, fixes)] if _SKELETON.get() is not None else []
    yield from made


_RESUMED: list = []
"""Set when a layout was resumed (resumed(): BOOK_RESUME_CHECK compares it with a whole one)."""


class _Whole(Exception):
    """The trial cannot be resumed after all: lay it out whole."""


def _plan(root_box, fixes):
    """(the record to resume from, its layout's page boxes, the page to start at, the changed paths,
    the record's page paths), or None when no earlier layout of the same skeleton is in view."""
    best = None
    _TOUCHED.add(_SKELETON.get())
    for ref in reversed(_SEEN.get(_SKELETON.get(), [])):
        document = ref()
        record = getattr(document, "_book_resume", None)
        if record is None or not (record.holding == holding() or
                                  record.holding == "" and holding() == repr(sorted(record.held))):
            continue
        changed = sorted({_whole_tables(root_box, path) for path in set(fixes) | set(record.fixes)
                          if fixes.get(path) != record.fixes.get(path)})
        if not changed:
            continue
        paths = [_path(state[0]) if i else () for i, state in enumerate(record.states)]
        start = _reach(record, paths, root_box, 0, changed[0])
        boxes_of = [getattr(each, "_page_box", None) for each in document.pages]
        if None in boxes_of or len(boxes_of) != len(record.states) - 1:
            continue  # its pages were let go (drawn), or are not the ones recorded
        if best is None or start > best[2]:
            best = (record, boxes_of, start, changed, paths)
    return best


def _reach(record: Record, paths: list, root_box, after: int, changed: tuple) -> int:
    """The last page of record's layout, from after on, that a layout may start from in the state
    record's had there when its first change is at the box changed: the page before the one that box
    starts on (a block that no longer fits may pull a heading after it, or start a line earlier),
    or earlier, where nothing is carried over the page's start. after when there is none."""
    first = max((i for i, p in enumerate(paths[:-1]) if i >= after and p is not None and p <= changed), default=after)
    page = first if _within_before(root_box, paths[first], changed) else max(first - 1, after)
    while page > after and not (record.clean[page] and _safe(root_box, paths[page])):
        page -= 1
    return page


AVOID = ("avoid", "avoid-page")


def _within_before(root_box, path: tuple | None, changed: tuple) -> bool:
    """Whether a page that starts at path starts inside a box D that comes before the box at changed,
    beside it in the tree, with a break allowed between D and the box after it. Then the page before
    ended inside D: the engine stopped there (a break inside D, or an earlier one) without reaching
    the changed box, and the changed box cannot change that page."""
    if not path or len(path) <= len(changed) or path[:len(changed) - 1] != changed[:-1] or \
            path[len(changed) - 1] >= changed[-1]:
        return False
    parent = _box_at(root_box, changed[:-1])
    children = getattr(parent, "children", None)
    index = path[len(changed) - 1]
    if not children or index + 1 >= len(children):
        return False
    before, after = children[index], children[index + 1]
    return before.style["break_after"] not in AVOID and after.style["break_before"] not in AVOID


def _take(context, record: Record, notes: list, at: int, to: int) -> None:
    """The state of record's layout from the start of page at to the start of page to, taken as
    this layout's own (the pages between are record's): the page maker, and the notes not yet placed."""
    del context.page_maker[at:]
    for resume_at, next_page, right_page, page_state in record.states[at:to + 1]:
        context.page_maker.append((resume_at, next_page, right_page, copy.deepcopy(page_state), {
            "content_changed": False, "pages_wanted": False, "anchors": [], "content_lookups": []}))
    context.footnotes = [notes[i] for i in record.remaining[to]]
    context._book_made = to - 1  # no note is carried over a page taken (note_split.remake_page)
    context._book_carried = {}
    for i in range(at, to + 1):
        context._book_bounds[i] = (record.clean[i], record.remaining[i])


def _resumed(html, root_box, context, fixes, record: Record, boxes_of: list, start: int, changed: list,
             paths: list):
    """(page boxes, record) of the trial laid out only where it may differ from record's layout:
    from the page start, up to where it meets that layout again in the same state, and again from
    before each later change to the next meeting; the pages between are record's."""
    notes = list(context.footnotes)
    context.page_maker = []
    context.rendered_notes = []
    context._book_root = root_box.element
    _take(context, record, notes, 0, start)
    out: list = list(boxes_of[:start])
    made: list[int] = []
    index = start
    last = len(record.states) - 1
    while True:
        context.page_maker[index][4].update(content_changed=False, pages_wanted=False, anchors=[], content_lookups=[])
        page_box, resume_at = page.remake_page(index, context, root_box, html)
        _boundary(context, index + 1)
        out.append(page_box)
        made.append(index)
        index += 1
        if resume_at is None and not context.reported_footnotes:
            break
        clean, remaining = context._book_bounds[index]
        path = _path(resume_at)
        if not (index < last and clean and record.clean[index] and remaining == record.remaining[index]
                and path is not None and tuple(context.page_maker[index][:4]) == record.states[index]
                and _safe(root_box, path)):
            continue
        ahead = [c for c in changed if not _done(path, c)]
        if not ahead:  # met for good: the rest is record's
            out.extend(boxes_of[index:])
            _take(context, record, notes, index, last)
            break
        if path < ahead[0] and path[:len(ahead[0])] != ahead[0]:
            to = _reach(record, paths, root_box, index, ahead[0])
            if to > index:  # met until just before the next change
                out.extend(boxes_of[index:to])
                _take(context, record, notes, index, to)
                index = to
    if any(context.page_maker[i][4]["content_changed"] or context.page_maker[i][4]["pages_wanted"] for i in made):
        raise _Whole
    if any(out[i].fixed_boxes for i in made) or any(child.missing_link for i in made for child in out[i].descendants()):
        raise _Whole
    # the string sets of the pages taken, then the end of the engine's layout_document for those made
    context.string_set.clear()
    mine = set(made)
    for name, pages in record.string_set.items():
        for number, texts in pages.items():
            if number - 1 not in mine:
                context.string_set[name][number] = list(texts)
    _finish(context, out, made)
    new = Record(record.skeleton, holding(), fixes)
    new.states = [tuple(entry[:4]) for entry in context.page_maker]
    new.clean = [context._book_bounds[i][0] for i in range(len(new.states))]
    new.remaining = [context._book_bounds[i][1] for i in range(len(new.states))]
    new.string_set = {name: {number: list(texts) for number, texts in pages.items()}
                      for name, pages in context.string_set.items()}
    new.usable = len(new.states) == len(out) + 1
    STATS["pages"] += len(made)
    STATS["skipped"] += len(out) - len(made)
    return out, new


def _finish(context, out: list, made: list[int]) -> None:
    """The engine's end of layout_document for the pages made (their indices in out): bookmarks,
    string sets, then margin boxes and backgrounds."""
    watch = {"": [], "::before": [], "::after": []}
    for i in made:
        page_box = out[i]
        for child in page_box.descendants():
            if child.bookmark_label:
                kind = "::before" if child.element_tag.endswith("::before") else \
                    "::after" if child.element_tag.endswith("::after") else ""
                if child.element in watch[kind]:
                    child.bookmark_label = ""
                else:
                    watch[kind].append(child.element)
            string_sets = child.string_set
            if string_sets and string_sets != "none":
                for string_name, text in string_sets:
                    context.string_set[string_name][i + 1].append(text)
    for i in made:
        page_box = out[i]
        root, footnote_area, note_area = page_box.children
        context.current_page = i + 1
        state = context.page_maker[i + 1][3]
        children = [root]
        if footnote_area.children:
            children.append(footnote_area)
        if note_area.children:
            children.append(note_area)
        children.extend(page.make_margin_boxes(context, page_box, state))
        page_box.children = tuple(children)
        layout_backgrounds(page_box, context.get_image_from_uri)


def resumed() -> bool:
    """Whether the layout that just ended was resumed from an earlier one (once)."""
    out = bool(_RESUMED)
    _RESUMED.clear()
    return out


def signature(document) -> list:
    """Everything a page shows and where, for comparing two layouts: each box's kind, element,
    place, size and text, and the page's anchors and links."""
    out = []
    for number, each in enumerate(document.pages):
        boxes_of = []
        for box in each._page_box.descendants():
            boxes_of.append((type(box).__name__, box.element_tag, round(box.position_x, 3), round(box.position_y, 3),
                             round(box.width, 3) if isinstance(box.width, (int, float)) else box.width,
                             round(box.height, 3) if isinstance(box.height, (int, float)) else box.height,
                             getattr(box, "text", None)))
        out.append((number, tuple(boxes_of), tuple(sorted(each.anchors.items())),
                    tuple((kind, target, tuple(round(v, 3) for v in rect)) for kind, target, rect, _ in each.links)))
    return out


class Mismatch(AssertionError):
    """A resumed layout differs from the whole one (BOOK_RESUME_CHECK)."""


def compare(resumed, whole) -> None:
    """Fail unless the two layouts show the same pages."""
    a, b = signature(resumed), signature(whole)
    if len(a) != len(b):
        raise Mismatch(f"resumed layout has {len(a)} pages, whole {len(b)}")
    for x, y in zip(a, b):
        if x != y:
            detail = next(((p, q) for p, q in zip(x[1], y[1]) if p != q), None)
            raise Mismatch(f"page {x[0] + 1} differs: {detail or (x[2:], y[2:])}")


def install() -> None:
    """Resume trials in every layout of this process."""
    if "layout_document" not in _SAVED:
        _SAVED["layout_document"] = document_module.layout_document
        document_module.layout_document = layout_document
