"""names.yaml entries -> the registry's own errors (a name or variant carried by two people, or too
short to be looked for in the text)."""

from __future__ import annotations

from ..errors import Problems
from ..model import Person
from ..text import normalize


def check_registry(people: tuple[Person, ...] | list[Person], problems: Problems) -> None:
    """A name or variant carried by two entries is an error unless both mark it ambiguous."""
    owners: dict[str, list[Person]] = {}
    for person in people:
        for form in (person.name, *person.variants):
            if len(normalize(form)) < 2:
                problems.error(person.origin, f'"{form}" ({person.id}) is too short to be a name: it would be '
                               "found everywhere in the text; remove it or write the whole form")
        for form in {normalize(f) for f in (person.name, *person.variants)}:
            owners.setdefault(form, []).append(person)
    for form, who in owners.items():
        if len(who) > 1 and not all(form in p.ambiguous for p in who):
            ids = ", ".join(p.id for p in who)
            problems.error(who[1].origin, f'"{form}" belongs to several entries ({ids}); make the variants '
                           f"differ, or list it under `ambiguous:` in each entry")
