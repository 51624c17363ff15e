"""chapters/book.yaml, names.yaml and sources.yaml, and each chapter's front matter -> validated records.

Reads only files inside the book's folder; every problem is collected with its
file:line:col. The Markdown of the chapters is read by `markup`.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import MISSING, fields
from pathlib import Path

from ..errors import Problems, suggest
from ..model import HOUSE_STYLES, HouseStyle, Location, Manifest, Person, Source
from ..paths import inside
from ..policy import check_href, check_id
from ..text import house_dates
from . import bibtex, csl
from .bibliography import ONE_OF, OPTIONAL, REQUIRED, SAME_AS, TYPES
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
    show,
)

MANIFEST = {
    "title": Field("str", True, "the book's title"),
    "subtitle": Field("str", False, "the subtitle, on the title page and the cover"),
    "slug": Field("str", False, "base name of the output files, e.g. alzhir"),
    "authors": Field("strlist", False, "the authors, on the title page and the cover"),
    "editors": Field("strlist", False, "the editors, when the book has editors rather than authors"),
    "language": Field("str", False, "a BCP 47 tag such as en; sets hyphenation, the index's order and"
                      " the labels (Contents, Index)"),
    "edition": Field("str", False, "edition statement for the colophon, e.g. First edition"),
    "year": Field("int", False, "year of publication", minimum=1, maximum=9999),
    "publisher": Field("str", False, "the publisher's name"),
    "trim": Field("size", False, "width and height, e.g. 148mm 210mm", minimum=50, maximum=500),
    "bleed": Field("length", False, "paper beyond the trim on every side, for the printer, e.g. 3mm",
                   minimum=0, maximum=10),
    "paper_caliper": Field("length", False, "thickness of one leaf, for the spine width, e.g. 0.1mm",
                           minimum=0.03, maximum=1),
    "names": Field("str", False, "the names registry, relative to book.yaml"),
    "sources": Field("strlist", False, "the bibliography: sources.yaml, CSL-JSON (.json), CSL-YAML or"
                     " BibTeX (.bib), or a list of several, relative to book.yaml"),
    "contents": Field("list", True, "the chapter files in reading order"),
    "dedication": Field("str", False, "text of the dedication page; none when absent"),
    "colophon": Field("str", False, "Markdown for the colophon: how the book was made"),
    "description": Field("str", False, "a short description: the PDF's subject, the back cover"),
    "keywords": Field("strlist", False, "keywords for the PDF's metadata"),
    "marks": Field("strlist", False, "crop, to have crop marks drawn outside the bleed"),
    "page_multiple": Field("int", False, "pad the print edition to a multiple of this many pages",
                           choices=(1, 2, 4, 8, 16, 32)),
    "safety_margin": Field("length", False, "how far text must keep from the trim (preflight), e.g. 5mm",
                           minimum=0, maximum=30),
    "back_text": Field("str", False, "text for the back cover"),
    "web_url": Field("str", False, "the web edition's address, e.g. https://example.org/book/, for a QR code"),
    "date": Field("str", False, "publication date, YYYY-MM-DD: the PDFs' dates, for reproducible builds"),
    "isbn": Field("str", False, "the ISBN-13 the publisher assigned, e.g. 978-3-16-148410-0"),
    "printer": Field("str", False, "the printer's name and place, for the imprint page"),
    "copyright": Field("str", False, "holder and year for the imprint page, e.g. 2026 The Memorial"),
    "binding": Field("str", False, "perfect (glued, with a spine) or saddle (stapled)",
                     choices=("perfect", "saddle")),
    "cover_image": Field("str", False, "an image for the front cover, relative to book.yaml"),
    "style": Field("map", False, "house style, e.g. {dates: day-month-year, quotes: logical, "
                                 "ranges: full, uncertain: about} (see House style)"),
    "hyphenation": Field("str", False, "the hyphenation exceptions file, relative to book.yaml"),
    "back_quote": Field("str", False, "a short quotation for the back cover, with its source"),
}

HYPHENATION_FILE = "hyphenation.txt"
"""The exceptions file read when book.yaml names none."""

FRONT_MATTER = {
    "title": Field("str", True, "the chapter's title"),
    "subtitle": Field("str", False, "a subtitle under the title"),
    "short_title": Field("str", False, "a shorter title for the running head"),
    "kind": Field("str", False, "chapter, foreword, about, afterword, chronology, appendix, …"),
    "id": Field("str", False, "the chapter's anchor for cross-references"),
}

PERSON = {
    "id": Field("str", True, "a short unique id such as ryskulova-aziza"),
    "name": Field("str", True, "the name as displayed"),
    "sort": Field("str", True, "the sort form, Surname, Given Patronymic"),
    "variants": Field("strlist", False, "other forms that may be tagged directly: spellings, a"
                      " possessive, the name with a patronymic"),
    "variant_sorts": Field("map", False, "variant: its sort form, for the variant's 'see' entry in"
                           " the index when the automatic Surname, Given is wrong"),
    "role": Field("str", False, "a short neutral description, printed after the name in the index"),
    "dates": Field("str", False, "birth and death as known, e.g. 1901–1980 or b. 1937 (not printed)"),
    "native": Field("str", False, "the name in its own script, e.g. Cyrillic (not printed)"),
    "ambiguous": Field("strlist", False, "names or variants this person shares with another entry;"
                       " such a tag must name the id"),
}

SLUG = re.compile(r"\A[a-z0-9-]+\Z")


def load_manifest(root: Path, problems: Problems) -> Manifest:
    """book.yaml -> Manifest; unknown keys, bad lengths and missing files are reported."""
    path = root / "book.yaml"
    if not path.is_file():
        problems.error(Location(path), "there is no book.yaml here; pass --source with the book's folder")
        return Manifest(root=root, title="")
    if path.is_symlink() and not path.resolve().is_relative_to(root.resolve()):
        problems.error(Location(path), f"book.yaml lies outside the book folder (it is a link to {path.resolve()}); "
                       f"keep every file inside {root}")
        return Manifest(root=root, title="")
    before = len(problems.errors)
    data = read_yaml(read_file(path, problems), path, problems)
    if data is None and len(problems.errors) > before:
        return Manifest(root=root, title="")
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
    url = values.get("web_url", "")
    if url and (not url.startswith(("https://", "http://")) or len(url.split()) != 1):
        problems.error(data.where("web_url", True),
                       f'web_url "{url}" is not a web address; write it in full, e.g. https://example.org/{slug}/')
    if values.get("date"):
        try:
            datetime.date.fromisoformat(values["date"])
        except ValueError:
            problems.error(data.where("date", True), f'date "{values["date"]}" is not a date; write it as '
                           "YYYY-MM-DD, e.g. 2025-05-31")
    if data.get("names"):
        values["names"] = inside(root, as_text(data["names"]), data.where("names", True), problems, "names file")
    files = (inside(root, name, data.where("sources", True), problems, "sources file")
             for name in as_texts(data.get("sources")) if name)
    values["sources"] = tuple(f for f in files if f is not None)
    if data.get("cover_image"):
        values["cover_image"] = inside(root, as_text(data["cover_image"]), data.where("cover_image", True), problems,
                                       "cover image")
    values["isbn"] = check_isbn(values.get("isbn", ""), data.where("isbn", True), problems)
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



MAX_FILE_BYTES = 5_000_000
"""The largest chapter or YAML file read: 5 MB, about ten books' worth of text."""


def read_file(path: Path, problems: Problems) -> str:
    """A text file of the book as UTF-8 with \\n line ends (a byte-order mark at its start is
    dropped); "" after reporting why it cannot be read."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            problems.error(Location(path), f"the file is larger than {MAX_FILE_BYTES // 1_000_000} MB; "
                           "split it into smaller files")
            return ""
        data = path.read_bytes().removeprefix(b"\xef\xbb\xbf")
        return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")  # as read_text() does
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = len(data[data.rfind(b"\n", 0, exc.start) + 1:exc.start].decode("utf-8", "replace")) + 1
        problems.error(Location(path, line, col), "this is not UTF-8 text; save the file as UTF-8 "
                       "(in a text editor: Save As, encoding UTF-8)")
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
    ranges_and_uncertain = (manifest.style.ranges, manifest.style.uncertain)  # printed as the house writes dates
    people: list[Person] = []
    ids: set[str] = set()
    for i, item in enumerate(items):
        if not check_fields(item, PERSON, problems, "a names.yaml entry", items.where(i)):
            continue
        pid = as_text(item.get("id"))
        if pid in ids:
            problems.error(item.where("id", True), f'id "{pid}" is used twice in names.yaml; make it unique')
        elif pid and check_id(pid):
            problems.error(item.where("id", True), check_id(pid))
        ids.add(pid)
        sorts = item.get("variant_sorts") if isinstance(item.get("variant_sorts"), dict) else {}  # else reported
        people.append(Person(
            id=pid, name=as_text(item.get("name")), sort=as_text(item.get("sort")),
            origin=items.where(i), variants=as_texts(item.get("variants")),
            variant_sorts=tuple((as_text(k), as_text(v)) for k, v in sorts.items()),
            role=house_dates(as_text(item.get("role")), *ranges_and_uncertain),
            dates=house_dates(as_text(item.get("dates")), *ranges_and_uncertain),
            native=as_text(item.get("native")), ambiguous=as_texts(item.get("ambiguous"))))
    check_registry(people, problems)
    return tuple(people)


def load_sources(manifest: Manifest, problems: Problems) -> tuple[Source, ...]:
    """The bibliography files named in book.yaml -> Sources; unknown types and fields, missing fields
    and ids used twice (in one file or across files) are errors at file:line:col."""
    sources: dict[str, Source] = {}
    for path in manifest.sources:
        for item, where, what, spelled in read_entries(path, problems):
            failed = getattr(item, "failed", False)
            source = None if failed else make_source(item, where, what, spelled, problems)
            if source is None:
                key = as_text(item.get("id")) if isinstance(item, Marked) else ""
                if key and key not in sources:  # its citations are not unknown sources
                    sources[key] = Source(id=key, type="web", title=key, origin=where)
                continue
            if source.id in sources:
                first = sources[source.id].origin
                problems.error(item.where("id", True), f'id "{source.id}" is used twice (first at '
                               f"{first.path.name}:{first.line}); make it unique")
                continue
            sources[source.id] = source
    return tuple(sources.values())


def read_entries(path: Path, problems: Problems):
    """(entry in our field names, its location, what to call it in messages, how the file spells our
    fields) for each entry of one bibliography file. The format is told by the file's ending: .bib
    is BibTeX, .json CSL-JSON; YAML is ours, or CSL-YAML when the list is under `references:`."""
    text = read_file(path, problems).lstrip("\ufeff")
    if path.suffix.lower() == ".bib":
        for item in bibtex.read_bib(text, path, problems):
            yield item, item.where(), "a .bib entry", bibtex.spelled
        return
    data = (csl.read_json(text, path, problems) if path.suffix.lower() == ".json"
            else read_yaml(text, path, problems))
    if path.suffix.lower() == ".json" or (isinstance(data, Marked) and "references" in data):
        items = csl.csl_items(data, path, problems)
        for i, raw in enumerate(items):
            item = csl.to_entry(raw, items.where(i), problems)
            if item is not None:
                yield item, items.where(i), "a CSL item", csl.spelled
        return
    if data is None:
        return
    if not isinstance(data, MarkedList):
        problems.error(Location(path, 1, 1), "sources.yaml must be a YAML list of entries, each "
                       "starting with '- id:' (or CSL-YAML with the list under `references:`)")
        return
    for i, item in enumerate(data):
        if isinstance(item, Marked) and CSL_ONLY & set(item):
            problems.error(data.where(i), "this entry is written in CSL-YAML; put the list "
                           "under `references:` to read the file as CSL-YAML")
            item = csl.failed(as_text(item.get("id")), path, item.at)
        yield item, data.where(i), "a sources.yaml entry", None


CSL_ONLY = frozenset({"issued", "container-title"})
"""Keys that only a CSL item has: a sources.yaml written in CSL-YAML without `references:`."""


def make_source(item, where: Location, what: str, spelled, problems: Problems) -> Source | None:
    """One entry, in our field names -> a Source, after checking its fields against its type.
    spelled(type), when given, names our fields as the file's format does, for messages."""
    given = item.get("type") if isinstance(item, Marked) else None
    if isinstance(item, Marked) and "type" in item and (not isinstance(given, str) or given not in TYPES):
        # The type decides the fields; an entry without a known one is reported once, here.
        if isinstance(given, str):
            problems.error(item.where("type", True), f'unknown source type "{given}"; '
                           + suggest(given, TYPES).replace("known keys", "known types"))
        else:
            problems.error(item.where("type", True), f"`type` must be one word, one of "
                           f"{', '.join(TYPES)}; it is {show(given)}")
        return None
    kind = as_text(given) if given is not None else None
    ours = spelled(kind) if spelled else {}
    if not check_fields(item, source_fields(kind, ours), problems, what, where) or kind not in TYPES:
        return None
    sid = as_text(item.get("id"))
    if kind in ONE_OF and not any(item.get(f) for f in ONE_OF[kind]):
        fields = " or ".join(f"`{ours.get(f, f)}`" for f in ONE_OF[kind])
        problems.error(item.where(), f"{what} of type {kind} needs {fields} to say what it is; add one")
        return None
    values = dict(item)
    for (of, name), means in SAME_AS.items():
        if kind == of and name in values:
            if means in values:
                problems.error(item.where(name), f"a {kind} has `{ours.get(name, name)}` and "
                               f"`{ours.get(means, means)}`; keep one (a {kind}'s {name} is its {means})")
                return None
            values[means] = values.pop(name)
    url = as_text(values.get("url"))
    if url and (url.startswith("#") or check_href(url)):
        problems.error(item.where("url", True), f'{ours.get("url", "url")} "{url}" is not allowed; give an '
                       "http(s) address (or mailto:), or leave it out")
        return None
    known = {"id", "type", "title", "author", "publisher", "date", "url", "note"}
    return Source(
        id=sid, type=kind, title=as_text(values.get("title")), origin=where,
        authors=as_texts(values.get("author")), publisher=as_text(values.get("publisher")),
        date=as_text(values.get("date")), url=as_text(values.get("url")), note=as_text(values.get("note")),
        extra=tuple((k, as_text(v)) for k, v in values.items() if k not in known))


def source_fields(kind, spelled: dict[str, str] | None = None) -> dict[str, Field]:
    """The declared fields of a bibliography entry of this type (bibliography.py says which are
    required); `spelled` gives a field's name in the file's own format, for the message."""
    required = REQUIRED.get(kind, ())
    optional = OPTIONAL.get(kind, ("author", "publisher", "date", "url"))
    fields = {"id": Field("str", True, "the citation key"),
              "type": Field("str", True, "one of " + ", ".join(sorted(TYPES))),
              "note": Field("str")}
    for name in (*required, *optional):
        written = f"; in this file it is `{spelled[name]}`" if spelled and spelled.get(name, name) != name else ""
        fields.setdefault(name, Field("strlist" if name == "author" else "str", name in required,
                                      f"required for a source of type {kind}{written}"))
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
