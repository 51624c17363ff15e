"""Registry + mentions + the pages they landed on -> sorted index entries with joined page ranges.

Locators come only from the layout: the page each tagged span landed on
(a mention inside a note counts for the page of the note), printed in that
page's folio style. Variants whose sort position differs from their entry's
get "see" entries, and only for entries that have pages.

The index is set in two columns. The engine's column balancing lays the index out again and
again (about four body pages' time per index page), so `lay_out_index` splits the columns
itself: one layout in a single column of a column's width gives each heading's and entry's
height, `plan_columns` fills the columns page by page and balances the last page as the engine
would, and the second layout sets those columns side by side. Entries are never split between
columns and a letter heading never ends one. Should a planned column not fit (it cannot when
the fonts and the width are the same), the engine's own columns are used.
"""

from __future__ import annotations

import re

from dataclasses import dataclass

from ..errors import Problems
from ..model import Book, IndexEntry, Person
from ..text import number_range
from .collate import make_collator
from .render import Urls, index_items, render_index


def index_entries(book: Book, at: dict[str, int], folios: list[str], problems: Problems) -> list[IndexEntry]:
    """Index entries for every registry entry that was mentioned, plus see-references, collated."""
    pages: dict[str, dict[int, str]] = {}
    for chapter in book.chapters:
        for mention in chapter.mentions:
            page = at.get(mention.anchor)
            if page is None:
                problems.error(mention.origin, f'the layout did not place "{mention.text}"; '
                               "report this as a bug in book")
                continue
            pages.setdefault(mention.person, {}).setdefault(page, mention.anchor)
    collator = make_collator(book.manifest.language)
    entries: list[IndexEntry] = []
    for person in book.people:
        if person.id not in pages:
            continue
        locators = join_ranges(pages[person.id], folios, book.manifest.style.ranges)
        heading, role = display_heading(person.sort, person.role)
        entries.append(IndexEntry(sort=heading, label=collator.group(person.sort), role=role,
                                  pages=locators))
        for see in see_forms(person):
            entries.append(IndexEntry(sort=see, label=collator.group(see), see=heading))
    entries.sort(key=lambda e: (collator.key(e.sort), bool(e.see)))
    return entries


def join_ranges(pages: dict[int, str], folios: list[str], ranges: str = "full") -> tuple[tuple[str, str], ...]:
    """{page index: anchor} -> (printed text, anchor) pairs, consecutive pages joined: 34–36, 51
    (102–108, or 102–8 when the house abbreviates ranges)."""
    out: list[tuple[str, str]] = []
    ordered = sorted(pages)
    start = previous = None
    for page in ordered + [None]:
        if page is not None and previous is not None and page == previous + 1 and _same_style(folios, previous, page):
            previous = page
            continue
        if start is not None:
            text = folios[start] if start == previous else number_range(folios[start], folios[previous], ranges)
            out.append((text, pages[start]))
        start = previous = page
    return tuple(out)


def _same_style(folios: list[str], a: int, b: int) -> bool:
    return folios[a].isdigit() == folios[b].isdigit()


QUALIFIER = re.compile(r"\s*\(([^()]*)\)$")


def display_heading(sort: str, role: str) -> tuple[str, str]:
    """The heading and the role as printed: one pair of parentheses only. Parentheses inside the
    role become brackets (“Traitors [1990]”), and a qualifier in the sort form (“Pilnyak, Boris
    (son)”) joins the role, or gives way to it when the role already says it (“son of …”)."""
    role = role.replace("(", "[").replace(")", "]")
    qualifier = QUALIFIER.search(sort)
    if not qualifier or not role:
        return sort, role
    word = qualifier.group(1)
    merged = role if role.lower().startswith(word.lower()) else f"{word}; {role}"
    return sort[:qualifier.start()], merged


def see_forms(person: Person) -> list[str]:
    """Sort forms of the variants that differ from the entry's own (possessives excepted), except
    forms that would be filed under a given name (“Rachel Mikhailovna”): a reader looks a person
    up by surname, and the entry itself is found there."""
    explicit = dict(person.variant_sorts)
    given = set(person.sort.partition(",")[2].split())
    forms: list[str] = []
    for variant in person.variants:
        if variant.endswith(("'s", "’s")) and variant not in explicit:
            continue
        form = explicit.get(variant) or derive_sort(variant)
        lead = form.replace(",", " ").split()[:1]
        if len(form.split()) > 1 and lead and lead[0] in given:
            continue
        if form != person.sort and form not in forms:
            forms.append(form)
    return forms


def derive_sort(name: str) -> str:
    """'Gulzhamal Maylina' -> 'Maylina, Gulzhamal' (surname last); single words stay as they are."""
    words = name.split()
    if len(words) < 2:
        return name
    return f"{words[-1]}, {' '.join(words[:-1])}"


@dataclass(frozen=True)
class Item:
    """A letter heading or an entry of the index, as measured in one column."""

    height: float
    """Its border-box height (all its lines), in CSS pixels."""
    margin_top: float
    """Its top margin, as the style sets it."""
    margin_bottom: float
    """Its bottom margin, as the style sets it."""
    heading: bool
    """A letter heading, which must not end a column."""


def lay_out_index(engine, book: Book, urls: Urls, entries: list[IndexEntry], first_page: int):
    """The index laid out in two columns: (its HTML, the engine's Document)."""
    measured = engine.layout(render_index(book, urls, entries, first_page, measure=True), urls.base)
    items, first, rest = measure(measured.pages)
    kinds = index_items(entries)
    if len(items) == len(kinds):
        plan = plan_columns(items, first, rest)
        pages = [[kinds[a:b], kinds[b:c]] for a, b, c in plan]
        html = render_index(book, urls, entries, first_page, pages=pages)
        document = engine.layout(html, urls.base)
        if len(document.pages) == len(plan) and all(_fits(page) for page in document.pages):
            return html, document
    html = render_index(book, urls, entries, first_page)
    return html, engine.layout(html, urls.base)


def measure(pages) -> tuple[list[Item], float, float]:
    """From the single-column layout: the items in order, the height left for the columns on the
    first page (below the title) and on every later page."""
    fragments: dict[int, list] = {}
    order: list[int] = []
    first = rest = 0.0
    for number, page in enumerate(pages):
        box = page._page_box
        bottom = box.content_box_y() + box.height
        for letters in _boxes_with_class(box, "letters"):
            if number == 0:
                first = bottom - letters.content_box_y()
            elif not rest:
                rest = bottom - letters.content_box_y()
            for child in letters.children:
                key = id(child.element)
                if key not in fragments:
                    order.append(key)
                fragments.setdefault(key, []).append(child)
    items = [Item(height=sum(f.border_height() for f in fragments[key]),
                  margin_top=_margin(fragments[key][0], "margin_top"),
                  margin_bottom=_margin(fragments[key][-1], "margin_bottom"),
                  heading=fragments[key][0].element_tag == "h2") for key in order]
    return items, first, rest or box.height


def _margin(box, side: str) -> float:
    """A margin as the style sets it (the engine drops a margin at the top of a page)."""
    value = box.style[side]
    return value.value if getattr(value, "unit", None) == "px" else getattr(box, side) or 0


def _boxes_with_class(box, name: str):
    """Every box whose element has the class name, in tree order."""
    element = getattr(box, "element", None)
    if element is not None and name in (element.get("class") or "").split() and box.element_tag == "div":
        yield box
        return
    for child in getattr(box, "children", ()):
        yield from _boxes_with_class(child, name)


def _fits(page) -> bool:
    """True when every column on the page ends inside its content area."""
    box = page._page_box
    bottom = box.content_box_y() + box.height
    return all(col.position_y + col.margin_height() <= bottom + 0.5 for col in _boxes_with_class(box, "col"))


EPSILON = 0.01
"""Slack when comparing heights, in CSS pixels (the engine adds them up in floating point)."""


def plan_columns(items: list[Item], first: float, rest: float) -> list[tuple[int, int, int]]:
    """Items -> per page (a, b, c): the left column holds items a..b-1 and the right b..c-1.
    Columns are filled to the page's height (first: below the title, rest: a full page); the
    last page is balanced as the engine balances: the lowest columns that hold everything, the
    left one filled first."""
    heights = Heights(items)
    n, plan, start = len(items), [], 0
    while start < n:
        room = first if not plan else rest
        split = _balanced(items, heights, start, room)
        if split is not None:
            plan.append((start, split, n))
            break
        middle = _fill(items, heights, start, room)
        end = _fill(items, heights, middle, room) if middle < n else middle
        plan.append((start, middle, end))
        start = end
    return plan


class Heights:
    """Heights of runs of items set in one column, from running sums."""

    def __init__(self, items: list[Item]):
        self.sums, self.gaps = [0.0], [0.0, 0.0]
        for item in items:
            self.sums.append(self.sums[-1] + item.height)
        for before, after in zip(items, items[1:]):
            self.gaps.append(self.gaps[-1] + max(before.margin_bottom, after.margin_top))

    def column(self, a: int, b: int) -> float:
        """Height of items a..b-1 in one column (its first top and last bottom margins dropped)."""
        if b <= a:
            return 0.0
        return self.sums[b] - self.sums[a] + self.gaps[b] - self.gaps[a + 1]


def _balanced(items: list[Item], heights: Heights, a: int, room: float) -> int | None:
    """Where the left column ends when items a.. all fit on the page in two columns; None when
    they do not."""
    n = len(items)
    fits = {b: max(heights.column(a, b), heights.column(b, n)) for b in range(a + 1, n + 1)
            if not (items[b - 1].heading and b < n)}
    fits = {b: h for b, h in fits.items() if h <= room + EPSILON}
    if not fits:
        return None
    lowest = min(fits.values())
    return max(b for b, h in fits.items() if h <= lowest + EPSILON)


def _fill(items: list[Item], heights: Heights, a: int, room: float) -> int:
    """The end of a column filled from item a: as many items as fit, not ending in a heading,
    at least one."""
    b = a
    while b < len(items) and heights.column(a, b + 1) <= room + EPSILON:
        b += 1
    while b > a + 1 and items[b - 1].heading:
        b -= 1
    return max(b, a + 1)
