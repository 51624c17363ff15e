"""CSL-JSON and CSL-YAML bibliographies (Zotero, Pandoc, Quarto) -> entries in sources.yaml's terms.

CSL-JSON is read with the standard json module and walked again to learn where each entry, key
and value starts, so every message points at file:line:col as it does for our YAML. Each CSL item
becomes a `Marked` mapping of our field names (bibliography.py) that remembers where the CSL
variable was written; the loader then checks and builds it like a sources.yaml entry.
"""

from __future__ import annotations

import bisect
import json
import re
from pathlib import Path
from typing import Any

from ..errors import Problems, suggest
from ..model import Location
from .bibliography import OPTIONAL, REQUIRED
from .schema import Marked, MarkedList, as_text

TYPES: dict[str, str] = {
    "article": "article", "article-journal": "article", "article-magazine": "article",
    "article-newspaper": "article", "review": "article", "review-book": "article",
    "entry-encyclopedia": "article", "entry-dictionary": "article", "paper-conference": "article",
    "webpage": "web", "post": "web",
    "post-weblog": "blog",
    "interview": "interview",
    "book": "book",
    "manuscript": "memoir",
    "motion_picture": "film",
    "document": "document", "legal_case": "document", "legislation": "document", "bill": "document",
    "regulation": "document", "treaty": "document", "report": "document", "letter": "document",
    "personal_communication": "document", "hearing": "document", "standard": "document",
}
"""CSL item type -> our source type."""

UNSUPPORTED_TYPES = ("broadcast", "chapter", "classic", "collection", "dataset", "event", "figure",
                     "graphic", "map", "musical_score", "pamphlet", "patent", "performance",
                     "periodical", "software", "song", "speech", "thesis")
"""CSL types (CSL 1.0.2) that have no equivalent among ours."""

FIELDS: dict[str, str] = {
    "title": "title", "title-short": "short", "shortTitle": "short", "URL": "url", "note": "note",
    "volume": "volume", "issue": "issue", "page": "pages", "edition": "edition", "genre": "genre",
    "number": "number", "medium": "medium", "publisher-place": "place", "event-place": "place",
    "archive": "container", "accessed": "accessed", "issued": "date", "author": "author",
    "editor": "editor", "translator": "translator", "director": "director",
    "interviewer": "interviewer", "recipient": "recipient", "authority": "issuer",
    "container-title": "publisher", "publisher": "publisher",
}
"""CSL variable -> our field (container-title is the periodical, site or blog; see `_target`)."""

IGNORED = frozenset("""
abstract annote archive_collection archive_location archive-place call-number categories
chapter-number citation-key citation-label citation-number collection-number collection-title
container-title-short custom dimensions division DOI event event-title event-date
first-reference-note-number ISBN ISSN journalAbbreviation jurisdiction keyword language license
locator number-of-pages number-of-volumes original-date original-publisher original-publisher-place
original-title page-first part-number part-title PMCID PMID printing-number references
reviewed-genre reviewed-title scale section source status submitted supplement-number version
volume-title volume-title-short year-suffix available-date chair collection-editor compiler composer
container-author contributor curator editorial-director editor-translator executive-producer guest
host illustrator narrator organizer original-author performer producer reviewed-author
script-writer series-creator
""".split())
"""CSL variables the book does not print: accepted and left out."""

NAMES = ("author", "editor", "translator", "director", "interviewer", "recipient")
"""Name variables: lists of {family, given} or {literal}."""
DATES = ("issued", "accessed")
"""Date variables: {date-parts: [[y, m, d]]}, {raw: …} or {literal: …}."""


def read_json(text: str, path: Path, problems: Problems) -> Any:
    """JSON text -> Marked/MarkedList values that know their line and column; None on a syntax
    error (reported where it is)."""
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        problems.error(Location(path, exc.lineno, exc.colno),
                       f"not valid JSON ({exc.msg}); export the file again or fix it here")
        return None
    return _Walker(text, path, problems).value(0)[0]


class _Walker:
    """Walks valid JSON text once more, building values with positions."""

    SPACE = re.compile(r"[ \t\n\r]*")

    def __init__(self, text: str, path: Path, problems: Problems):
        self.text, self.path, self.problems = text, path, problems
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.decoder = json.JSONDecoder()

    def at(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def skip(self, i: int) -> int:
        return self.SPACE.match(self.text, i).end()

    def value(self, i: int) -> tuple[Any, int]:
        i = self.skip(i)
        if self.text[i] == "{":
            out, i = Marked(self.path, self.at(i)), self.skip(i + 1)
            while self.text[i] != "}":
                key_at = self.at(i)
                key, i = self.decoder.raw_decode(self.text, i)
                i = self.skip(self.skip(i) + 1)  # past the colon
                if key in out:
                    self.problems.error(Location(self.path, *key_at), f"`{key}` is given twice; keep one")
                out.key_at[key], out.value_at[key] = key_at, self.at(i)
                out[key], i = self.value(i)
                i = self.skip(i)
                i = self.skip(i + 1) if self.text[i] == "," else i
            return out, i + 1
        if self.text[i] == "[":
            items, i = MarkedList(self.path, self.at(i)), self.skip(i + 1)
            while self.text[i] != "]":
                items.item_at.append(self.at(self.skip(i)))
                item, i = self.value(i)
                items.append(item)
                i = self.skip(i)
                i = self.skip(i + 1) if self.text[i] == "," else i
            return items, i + 1
        return self.decoder.raw_decode(self.text, i)


def csl_items(data: Any, path: Path, problems: Problems) -> MarkedList:
    """The item list of a CSL file: a JSON/YAML list, or the `references:` list of a YAML mapping."""
    if isinstance(data, Marked) and "references" in data:
        data = data["references"]
    if isinstance(data, MarkedList):
        return data
    if data is not None:
        problems.error(Location(path, 1, 1), "a CSL file must hold a list of items (or `references:` "
                       "with the list); export it again as CSL JSON")
    return MarkedList(path, (1, 1))


def to_entry(item: Any, where: Location, problems: Problems) -> Marked | None:
    """One CSL item -> a Marked mapping in sources.yaml's terms, or None after reporting why.
    Unknown variables and types are errors; known variables the book does not print are left out."""
    if not isinstance(item, Marked):
        problems.error(where, "a CSL item must be a mapping of variables to values")
        return None
    if "type" not in item or "id" not in item:
        missing = "type" if "id" in item else "id"
        problems.error(item.where(), f"a CSL item has no `{missing}`; add it")
        return None
    csl_type = as_text(item["type"])
    kind = TYPES.get(csl_type)
    if kind is None:
        known = ", ".join(sorted(TYPES))
        message = (f'CSL type "{csl_type}" has no equivalent in this book; use one of {known}'
                   if csl_type in UNSUPPORTED_TYPES else
                   f'unknown CSL type "{csl_type}"; {suggest(csl_type, sorted(TYPES))}')
        problems.error(item.where("type", True), message.replace("known keys", "known types"))
        return failed(as_text(item["id"]), item.path, item.at)
    before = len(problems.errors)
    out = Marked(item.path, item.at)
    _put(out, "id", as_text(item["id"]), item, "id")
    _put(out, "type", kind, item, "type")
    allowed = set(REQUIRED[kind]) | set(OPTIONAL[kind])
    for key, value in item.items():
        if key in ("id", "type") or key in IGNORED:
            continue
        if key not in FIELDS:
            problems.error(item.where(key), f"unknown CSL variable `{key}`; " + unknown_hint(
                key, sorted(set(FIELDS) | IGNORED), "CSL variables"))
            continue
        field = _target(key, kind)
        if field not in allowed or field in out:
            continue
        converted = _value(key, value, item, problems)
        if converted not in (None, "", []):
            _put(out, field, converted, item, key)
    return out if len(problems.errors) == before else failed(out["id"], item.path, item.at)


def failed(key: str, path: Path, at: tuple[int, int]) -> Marked:
    """What is left of an entry whose mistakes were reported: its id alone, marked `failed`, so that
    the loader neither reports its missing fields nor its citations as unknown sources."""
    out = Marked(path, at)
    out["id"] = key
    out.failed = True
    return out


def spelled(kind: str) -> dict[str, str]:
    """Our field -> the CSL variable that fills it in an item of our type `kind`, for messages."""
    names = {field: name for name, field in reversed(FIELDS.items())}
    if kind in ("book", "memoir", "film", "document"):
        names["publisher"] = "publisher"
    if kind in ("memoir", "document"):
        names["container"] = "archive"
    return names


def unknown_hint(word: str, known: list[str], what: str) -> str:
    """'did you mean …?', or where the known words are listed when there are too many to print."""
    hint = suggest(word, known)
    if hint.startswith("known keys"):
        return f"check the spelling; docs/editing.md lists the {what} the book reads"
    return hint


def _target(key: str, kind: str) -> str:
    """Our field for a CSL variable in an item of our type `kind`: container-title is the
    periodical, site, blog or programme, and for memoirs and documents the collection holding them."""
    if key == "container-title" and kind in ("memoir", "document"):
        return "container"
    return FIELDS[key]


def _put(out: Marked, field: str, value: Any, item: Marked, key: str) -> None:
    out[field] = value
    out.key_at[field], out.value_at[field] = item.key_at.get(key, item.at), item.value_at.get(key, item.at)


def _value(key: str, value: Any, item: Marked, problems: Problems) -> Any:
    """A CSL value as our field holds it: names as 'Family, Given', dates as written or ISO."""
    if key in NAMES:
        names = [_name(v) for v in (value if isinstance(value, list) else [value])]
        if any(n is None for n in names):
            problems.error(item.where(key, True), f"`{key}` must be a list of names, each with `family` "
                           "and `given`, or `literal`")
            return None
        return names if key == "author" else " and ".join(given_first(n) for n in names)
    if key in DATES:
        date = _date(value)
        if date is None:
            problems.error(item.where(key, True), f'`{key}` must be a CSL date such as '
                           '{"date-parts": [[2013, 5, 30]]} or {"literal": "spring 1938"}')
        return date
    if isinstance(value, (dict, list)):
        problems.error(item.where(key, True), f"`{key}` must be a text or a number")
        return None
    return as_text(value)


def _name(value: Any) -> str | None:
    """A CSL name -> 'Family, Given' (our form that fixes the split), or the literal name."""
    if isinstance(value, str):
        return value
    if not isinstance(value, dict):
        return None
    if "literal" in value:
        return as_text(value["literal"])
    family = " ".join(as_text(value.get(k)) for k in ("non-dropping-particle", "family") if value.get(k))
    given = " ".join(as_text(value.get(k)) for k in ("given", "dropping-particle") if value.get(k))
    if not family:
        return None
    suffix = f", {as_text(value['suffix'])}" if value.get("suffix") else ""
    return f"{family}, {given}{suffix}" if given else family


def given_first(name: str) -> str:
    """'Family, Given' -> 'Given Family', the display form of an editor or translator."""
    family, _, given = name.partition(", ")
    return f"{given} {family}" if given else family


def _date(value: Any) -> str | None:
    """A CSL date -> '2013', '2013-05', '2013-05-30', a range '1938–1946', or the literal text;
    an uncertain (circa) date is bracketed with a question mark, '[2023?]'."""
    if isinstance(value, (str, int)):
        return as_text(value)
    if not isinstance(value, dict):
        return None
    if "literal" in value or "raw" in value:
        return as_text(value.get("literal", value.get("raw")))
    parts = value.get("date-parts")
    if not isinstance(parts, list) or not parts or not all(isinstance(p, list) and p for p in parts):
        return None
    try:
        dates = ["-".join(f"{int(n):02d}" if i else str(int(n)) for i, n in enumerate(p[:3])) for p in parts[:2]]
    except (TypeError, ValueError):
        return None
    text = "–".join(dates)
    return f"[{text}?]" if value.get("circa") else text
