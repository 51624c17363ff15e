"""BibTeX/BibLaTeX `.bib` files -> entries in sources.yaml's terms, located at the entry's line.

Parsed by bibtexparser 2 (a maintained parser that keeps each entry's and field's line); LaTeX in
values (accents, braces, `--`) is turned into Unicode by pylatexenc, except in URLs. Each entry
becomes a `Marked` mapping of our field names; the loader checks and builds it like a
sources.yaml entry.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ..errors import Problems, suggest
from ..model import Location
from .bibliography import OPTIONAL, REQUIRED
from .csl import failed, given_first, unknown_hint
from .schema import Marked

TYPES: dict[str, str] = {
    "article": "article", "periodical": "article", "inproceedings": "article",
    "online": "web", "www": "web", "electronic": "web",
    "interview": "interview",
    "book": "book", "mvbook": "book", "booklet": "book",
    "unpublished": "memoir",
    "video": "film", "movie": "film",
    "letter": "document", "report": "document", "techreport": "document", "manual": "document",
    "legal": "document", "legislation": "document", "jurisdiction": "document",
}
"""BibTeX/BibLaTeX entry type -> our source type (@misc with a url is a web page, an @online with
`entrysubtype = {blog}` a blog post)."""

FIELDS: dict[str, str] = {
    "title": "title", "shorttitle": "short", "author": "author", "journal": "publisher",
    "journaltitle": "publisher", "publisher": "publisher", "organization": "publisher",
    "institution": "issuer", "date": "date", "year": "date", "url": "url", "urldate": "accessed",
    "volume": "volume", "number": "number", "issue": "issue", "pages": "pages", "edition": "edition",
    "editor": "editor", "translator": "translator", "director": "director",
    "interviewer": "interviewer", "recipient": "recipient", "address": "place", "location": "place",
    "note": "note", "annote": "note", "annotation": "note", "type": "genre",
    "howpublished": "medium", "archive": "container",
}
"""BibTeX field -> our field."""

IGNORED = frozenset("""
abstract addendum booktitle chapter crossref doi eprint eprintclass eprinttype file isbn issn
keywords langid language month pagetotal series timestamp owner urlseen entrysubtype subtitle
titleaddon eventtitle venue version
""".split())
"""Fields the book does not print (month is read with year): accepted and left out."""

FAILURES = {
    "DuplicateBlockKeyBlock": "this key is used by an entry above too; make it unique",
    "DuplicateFieldKeyBlock": "a field is given twice in this entry; keep one of them",
}
"""bibtexparser's failed blocks that are not syntax errors -> what to say."""

NAMES = ("author", "editor", "translator", "director", "interviewer", "recipient")
"""Fields holding names separated by `and`."""
MONTHS = {m: i + 1 for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())}


def read_bib(text: str, path: Path, problems: Problems) -> list[Marked]:
    """A .bib file's text -> one Marked mapping per entry, in our field names; problems located at
    the entry's line (bibtexparser gives lines, not columns)."""
    import bibtexparser
    from bibtexparser.middlewares import MonthIntMiddleware

    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    library = bibtexparser.parse_string(text, append_middleware=[MonthIntMiddleware(True)])
    entries = []
    for block in library.failed_blocks:
        what = FAILURES.get(type(block).__name__, "this entry cannot be read (a brace, quote or comma is "
                            "missing); fix it")
        if getattr(block, "duplicate_keys", None):
            what = what.replace("a field", " and ".join(f"`{k}`" for k in sorted(block.duplicate_keys)))
        problems.error(Location(path, block.start_line + 1, 1), what)
        entry = getattr(block, "ignore_error_block", None)
        if getattr(entry, "key", None) and type(block).__name__ != "DuplicateBlockKeyBlock":
            entries.append(failed(entry.key, path, (block.start_line + 1, 1)))
    for entry in library.entries:
        item = _to_entry(entry, path, problems)
        if item is not None:
            entries.append(item)
    return entries


def _to_entry(entry, path: Path, problems: Problems) -> Marked | None:
    at = Location(path, entry.start_line + 1, 1)
    values = {f.key.lower(): f for f in entry.fields}
    bib_type = entry.entry_type.lower()
    kind = TYPES.get(bib_type)
    subtype = _text(values["entrysubtype"].value).lower() if "entrysubtype" in values else ""
    if bib_type == "misc" and "url" in values:
        kind = "web"
    if kind == "web" and subtype == "blog":
        kind = "blog"
    if kind is None:
        hint = ("a @misc entry is read as a web page when it has a `url`; otherwise use @book, "
                "@article, @online, @unpublished, @video or @report" if bib_type == "misc"
                else suggest(bib_type, sorted(TYPES)).replace("known keys", "known entry types"))
        problems.error(at, f"unknown entry type @{entry.entry_type}; {hint}")
        return failed(entry.key, path, (at.line, 1))
    before = len(problems.errors)
    out = Marked(path, (at.line, 1))
    _put(out, "id", entry.key, at.line)
    _put(out, "type", kind, at.line)
    allowed = set(REQUIRED[kind]) | set(OPTIONAL[kind])
    for key, field in values.items():
        line = (field.start_line or entry.start_line) + 1
        if key in IGNORED or key == "month":
            continue
        if key not in FIELDS:
            problems.error(Location(path, line, 1), f"unknown BibTeX field `{field.key}` in @{entry.key}; "
                           + unknown_hint(key, sorted(set(FIELDS) | IGNORED), "BibTeX fields"))
            continue
        target = FIELDS[key]
        if target == "number" and kind == "article":
            target = "issue"
        if target not in allowed or target in out:
            continue
        value = _value(key, field.value, values)
        if value:
            _put(out, target, value, line)
    return out if len(problems.errors) == before else failed(entry.key, path, (at.line, 1))


def spelled(kind: str) -> dict[str, str]:
    """Our field -> the BibTeX field that fills it in an entry of our type `kind`, for messages."""
    names = {field: name for name, field in reversed(FIELDS.items())}
    names["publisher"] = {"article": "journaltitle", "web": "organization", "blog": "organization"}.get(
        kind, "publisher")
    names["date"] = "date"
    names["issue" if kind == "article" else "number"] = "number"
    return names


def _put(out: Marked, field: str, value, line: int) -> None:
    out[field] = value
    out.key_at[field] = out.value_at[field] = (line, 1)


def _value(key: str, raw, values: dict):
    """A field's value as our field holds it: LaTeX decoded (URLs as written), names split on `and`,
    year and month joined into 2013-05."""
    if key == "url":
        return str(raw).strip()
    if key in NAMES:
        from bibtexparser.middlewares.names import split_multiple_persons_names

        names = [_text(n) for n in split_multiple_persons_names(str(raw))]
        return names if key == "author" else " and ".join(given_first(n) for n in names)
    text = _text(raw)
    if key == "year" and "month" in values:
        month = values["month"].value
        if isinstance(month, int) or str(month).isdigit():
            text = f"{text}-{int(month):02d}"
        elif str(month).lower()[:3] in MONTHS:
            text = f"{text}-{MONTHS[str(month).lower()[:3]]:02d}"
    return text


def _text(raw) -> str:
    """LaTeX -> Unicode text: accents, {protected} words, -- and --- as dashes."""
    from pylatexenc.latex2text import LatexNodes2Text

    return " ".join(LatexNodes2Text().latex_to_text(str(raw)).split())
