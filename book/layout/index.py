"""Registry + mentions + the pages they landed on -> sorted index entries with joined page ranges.

Locators come only from the layout: the page each tagged span landed on
(a mention inside a note counts for the page of the note), printed in that
page's folio style. Variants whose sort position differs from their entry's
get "see" entries, and only for entries that have pages.
"""

from __future__ import annotations

import re

from ..errors import Problems
from ..model import Book, IndexEntry, Person
from .collate import make_collator


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
        locators = join_ranges(pages[person.id], folios)
        heading, role = display_heading(person.sort, person.role)
        entries.append(IndexEntry(sort=heading, label=collator.group(person.sort), role=role,
                                  pages=locators))
        for see in see_forms(person):
            entries.append(IndexEntry(sort=see, label=collator.group(see), see=heading))
    entries.sort(key=lambda e: (collator.key(e.sort), bool(e.see)))
    return entries


def join_ranges(pages: dict[int, str], folios: list[str]) -> tuple[tuple[str, str], ...]:
    """{page index: anchor} -> (printed text, anchor) pairs, consecutive pages joined: 34–36, 51."""
    out: list[tuple[str, str]] = []
    ordered = sorted(pages)
    start = previous = None
    for page in ordered + [None]:
        if page is not None and previous is not None and page == previous + 1 and _same_style(folios, previous, page):
            previous = page
            continue
        if start is not None:
            text = folios[start] if start == previous else f"{folios[start]}–{folios[previous]}"
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
