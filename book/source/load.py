"""chapters/book.yaml, names.yaml and sources.yaml, and each chapter's front matter -> validated records.

Reads only files inside the book's folder; every problem is collected with its
file:line:col. The Markdown of the chapters is read by `markup`.
"""

from __future__ import annotations

import re
from dataclasses import MISSING, fields
from pathlib import Path

from ..errors import Problems, suggest
from ..model import HOUSE_STYLES, HouseStyle, Location, Manifest, Person, Source
from ..paths import inside
from .bibliography import OPTIONAL, REQUIRED, TYPES
from .hyphenation import parse_exceptions
from .registry import check_registry
from .schema import (
    Field,
    Marked,
    MarkedList,
    as_text,
    as_texts,
    check_fields,
    parse_length,
    parse_size,
    read_yaml,
)

MANIFEST = {
    "title": Field("str", True, "the book's title"),
    "subtitle": Field("str"),
    "slug": Field("str", False, "base name of the output files, e.g. alzhir"),
    "authors": Field("strlist"),
    "editors": Field("strlist"),
    "language": Field("str", False, "a BCP 47 tag such as en"),
    "edition": Field("str"),
    "year": Field("int"),
    "publisher": Field("str"),
    "trim": Field("size", False, "width and height, e.g. 148mm 210mm"),
    "bleed": Field("length"),
    "paper_caliper": Field("length"),
    "names": Field("str", False, "the names registry, relative to book.yaml"),
    "sources": Field("str", False, "the bibliography, relative to book.yaml"),
    "contents": Field("list", True, "the chapter files in reading order"),
    "dedication": Field("str"),
    "colophon": Field("str"),
    "description": Field("str"),
    "keywords": Field("strlist"),
    "marks": Field("strlist", False, "crop, to have crop marks drawn outside the bleed"),
    "page_multiple": Field("int", False, "pad the print edition to a multiple of this many pages"),
    "safety_margin": Field("length"),
    "back_text": Field("str"),
    "isbn": Field("str", False, "the ISBN-13 the publisher assigned, e.g. 978-3-16-148410-0"),
    "printer": Field("str", False, "the printer's name and place, for the imprint page"),
    "copyright": Field("str", False, "holder and year for the imprint page, e.g. 2026 The Memorial"),
    "binding": Field("str", False, "perfect (glued, with a spine) or saddle (stapled)"),
    "cover_image": Field("str", False, "an image for the front cover, relative to book.yaml"),
    "style": Field("map", False, "house style, e.g. {dates: day-month-year, quotes: logical}"),
    "hyphenation": Field("str", False, "the hyphenation exceptions file, relative to book.yaml"),
    "back_quote": Field("str", False, "a short quotation for the back cover, with its source"),
}

BINDINGS = ("perfect", "saddle")
"""The bindings a cover can be made for."""
HYPHENATION_FILE = "hyphenation.txt"
"""The exceptions file read when book.yaml names none."""

FRONT_MATTER = {
    "title": Field("str", True, "the chapter's title"),
    "subtitle": Field("str"),
    "short_title": Field("str", False, "a shorter title for the running head"),
    "kind": Field("str", False, "chapter, foreword, about, afterword, chronology, appendix, …"),
    "id": Field("str", False, "the chapter's anchor for cross-references"),
}

PERSON = {
    "id": Field("str", True, "a short unique id such as ryskulova-aziza"),
    "name": Field("str", True, "the name as displayed"),
    "sort": Field("str", True, "the sort form, Surname, Given Patronymic"),
    "variants": Field("strlist"),
    "variant_sorts": Field("map"),
    "role": Field("str"),
    "dates": Field("str"),
    "native": Field("str"),
    "ambiguous": Field("strlist"),
}

SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
ID = re.compile(r"^[A-Za-z][A-Za-z0-9_.:-]*$")


def load_manifest(root: Path, problems: Problems) -> Manifest:
    """book.yaml -> Manifest; unknown keys, bad lengths and missing files are reported."""
    path = root / "book.yaml"
    if not path.is_file():
        problems.error(Location(path), "there is no book.yaml here; pass --source with the book's folder")
        return Manifest(root=root, title="")
    data = read_yaml(read_file(path, problems), path, problems)
    if not check_fields(data, MANIFEST, problems, "book.yaml", Location(path, 1, 1)):
        return Manifest(root=root, title="")
    slug = as_text(data.get("slug", "book"))
    if not SLUG.match(slug):
        problems.error(data.where("slug", True),
                       f'slug "{slug}" must be lower-case letters, digits and hyphens; it names the output files')
    contents = []
    items = data.get("contents") if isinstance(data.get("contents"), MarkedList) else MarkedList(path, (1, 1))
    for i, item in enumerate(items):
        file = inside(root, as_text(item), items.where(i), problems, "chapter file")
        if file is not None:
            contents.append(file)
    if not items and isinstance(data.get("contents"), list):
        problems.error(data.where("contents", True), "contents is empty; list the chapter files in reading order")
    values = {key: _value(key, data) for key in MANIFEST if key in data and key not in PATHS + OWN_READERS}
    values.update(root=root, slug=slug, contents=tuple(contents),
                  where=tuple((key, data.where(key, True)) for key in data))
    for mark in as_texts(data.get("marks")):
        if mark not in ("crop",):
            problems.error(data.where("marks", True), f'unknown mark "{mark}"; the only mark drawn is crop')
    for key in ("names", "sources", "cover_image"):
        if key in data and data[key]:
            values[key] = inside(root, as_text(data[key]), data.where(key, True), problems, f"{key} file")
    values["isbn"] = check_isbn(values.get("isbn", ""), data.where("isbn", True), problems)
    if values.get("binding", "perfect") not in BINDINGS:
        problems.error(data.where("binding", True), f'unknown binding "{values["binding"]}"; write perfect or saddle')
    values["style"] = load_style(data, problems)
    values["hyphenation"] = load_hyphenation(root, data, problems)
    return Manifest(**values)


def check_isbn(isbn: str, where: Location, problems: Problems) -> str:
    """An ISBN-13 as written, after checking its digits and check digit; empty when not usable."""
    if not isbn:
        return ""
    digits = "".join(ch for ch in isbn if ch.isdigit())
    if len(digits) != 13 or any(ch not in "0123456789- " for ch in isbn):
        problems.error(where, f'ISBN "{isbn}" must be 13 digits (ISBN-13, hyphens allowed); '
                       "copy it as the publisher's ISBN agency assigned it")
        return ""
    if not digits.startswith(("978", "979")):
        problems.error(where, f'ISBN "{isbn}" must start with 978 or 979; check the number')
        return ""
    if ean13_check_digit(digits[:12]) != digits[12]:
        problems.error(where, f'ISBN "{isbn}" has a wrong check digit (expected {ean13_check_digit(digits[:12])}); '
                       "check the number with the publisher")
        return ""
    return isbn


def ean13_check_digit(first12: str) -> str:
    """The EAN-13 (ISBN-13) check digit of twelve digits."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return str((10 - total % 10) % 10)


def load_style(data: Marked, problems: Problems) -> HouseStyle:
    """book.yaml `style` -> HouseStyle; unknown keys and values are errors."""
    given = data.get("style")
    if not isinstance(given, Marked):
        return HouseStyle()
    values = {}
    for key in given:
        if key not in HOUSE_STYLES:
            problems.error(given.where(key), f"unknown key `{key}` in style; {suggest(key, HOUSE_STYLES)}")
            continue
        value = as_text(given[key])
        if value not in HOUSE_STYLES[key]:
            problems.error(given.where(key, True), f'style {key} "{value}" is not known; write '
                           + " or ".join(HOUSE_STYLES[key]))
            continue
        values[key] = value
    return HouseStyle(**values)


def load_hyphenation(root: Path, data: Marked, problems: Problems) -> tuple:
    """The hyphenation exceptions (book.yaml `hyphenation`, else hyphenation.txt if the book has one)."""
    if data.get("hyphenation"):
        path = inside(root, as_text(data["hyphenation"]), data.where("hyphenation", True), problems,
                      "hyphenation file")
    else:
        path = root / HYPHENATION_FILE if (root / HYPHENATION_FILE).is_file() else None
    if path is None:
        return ()
    entries, bad = parse_exceptions(read_file(path, problems).split("\n"))
    for line, col, message in bad:
        problems.error(Location(path, line, col), message)
    return tuple(entries)


PATHS = ("contents", "names", "sources", "cover_image")
"""book.yaml keys that name files; they are resolved inside the book folder."""
OWN_READERS = ("style", "hyphenation")
"""book.yaml keys read by a function of their own (load_style, load_hyphenation)."""
CONVERT = {"str": as_text, "strlist": as_texts, "length": parse_length, "size": parse_size,
           "int": lambda v: v if isinstance(v, int) and not isinstance(v, bool) else None}
"""A checked YAML value of each kind -> the Manifest's value."""


def _value(key: str, data: Marked):
    """book.yaml's value of key as the Manifest holds it; Manifest's own default where the value is
    unusable (check_fields has already reported why)."""
    value = CONVERT[MANIFEST[key].kind](data[key])
    return value if value is not None else MANIFEST_DEFAULTS[key]


MANIFEST_DEFAULTS = {f.name: f.default for f in fields(Manifest) if f.default is not MISSING}
"""The defaults, declared once: on the Manifest dataclass."""



def read_file(path: Path, problems: Problems) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problems.error(Location(path), f"not UTF-8 text (byte {exc.start}); save the file as UTF-8")
    except OSError as exc:
        problems.error(Location(path), f"cannot be read ({exc.strerror})")
    return ""


def load_list(path: Path | None, problems: Problems, what: str) -> MarkedList:
    """A YAML file that must hold a list of mappings."""
    if path is None:
        return MarkedList(Path("."), (0, 0))
    data = read_yaml(read_file(path, problems), path, problems)
    if data is None:
        return MarkedList(path, (1, 1))
    if not isinstance(data, MarkedList):
        problems.error(Location(path, 1, 1), f"{what} must be a YAML list of entries, each starting with '- id:'")
        return MarkedList(path, (1, 1))
    return data


def load_people(manifest: Manifest, problems: Problems) -> tuple[Person, ...]:
    """names.yaml -> Persons; duplicate ids and variants shared by two entries are errors."""
    items = load_list(manifest.names, problems, "names.yaml")
    people: list[Person] = []
    ids: set[str] = set()
    for i, item in enumerate(items):
        if not check_fields(item, PERSON, problems, "a names.yaml entry", items.where(i)):
            continue
        pid = as_text(item.get("id"))
        if pid in ids:
            problems.error(item.where("id", True), f'id "{pid}" is used twice in names.yaml; make it unique')
        elif pid and not ID.match(pid):
            problems.error(item.where("id", True), f'id "{pid}" must be letters, digits and hyphens')
        ids.add(pid)
        sorts = item.get("variant_sorts") or {}
        people.append(Person(
            id=pid, name=as_text(item.get("name")), sort=as_text(item.get("sort")),
            origin=items.where(i), variants=as_texts(item.get("variants")),
            variant_sorts=tuple((as_text(k), as_text(v)) for k, v in sorts.items()),
            role=as_text(item.get("role")), dates=as_text(item.get("dates")),
            native=as_text(item.get("native")), ambiguous=as_texts(item.get("ambiguous"))))
    check_registry(people, problems)
    return tuple(people)


def load_sources(manifest: Manifest, problems: Problems) -> tuple[Source, ...]:
    """sources.yaml -> Sources; unknown types, missing fields and duplicate ids are errors."""
    items = load_list(manifest.sources, problems, "sources.yaml")
    sources: list[Source] = []
    ids: set[str] = set()
    for i, item in enumerate(items):
        fields = source_fields(item.get("type") if isinstance(item, dict) else None)
        if not check_fields(item, fields, problems, "a sources.yaml entry", items.where(i)):
            continue
        kind, sid = as_text(item.get("type")), as_text(item.get("id"))
        if kind not in TYPES:
            problems.error(item.where("type", True),
                           f'unknown source type "{kind}"; {suggest(kind, TYPES)}')
            continue
        if sid in ids:
            problems.error(item.where("id", True), f'id "{sid}" is used twice in sources.yaml; make it unique')
            continue
        ids.add(sid)
        known = {"id", "type", "title", "author", "publisher", "date", "url", "note"}
        sources.append(Source(
            id=sid, type=kind, title=as_text(item.get("title")), origin=items.where(i),
            authors=as_texts(item.get("author")), publisher=as_text(item.get("publisher")),
            date=as_text(item.get("date")), url=as_text(item.get("url")), note=as_text(item.get("note")),
            extra=tuple((k, as_text(v)) for k, v in item.items() if k not in known)))
    return tuple(sources)


def source_fields(kind) -> dict[str, Field]:
    """The declared fields of a sources.yaml entry of this type (bibliography.py says which are required)."""
    required = REQUIRED.get(kind, ())
    optional = OPTIONAL.get(kind, ("author", "publisher", "date", "url"))
    fields = {"id": Field("str", True, "the citation key"),
              "type": Field("str", True, "one of " + ", ".join(sorted(TYPES))),
              "note": Field("str")}
    for name in (*required, *optional):
        fields.setdefault(name, Field("strlist" if name == "author" else "str", name in required,
                                      f"required for a source of type {kind}"))
    return fields


FRONT = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(\n|\Z)", re.S)


def split_front_matter(text: str) -> tuple[str, int] | None:
    """A chapter's text -> (the YAML between its two '---' lines, index of the first body line),
    or None when it does not start with front matter."""
    match = FRONT.match(text)
    if not match:
        return None
    return match.group(1) or "", match.group(0).count("\n")


def chapter_anchor(path: Path, given: str = "") -> str:
    """A chapter's id: the front matter's `id`, else ch-<file stem>."""
    return given or "ch-" + re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")
