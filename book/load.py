"""chapters/book.yaml, names.yaml, sources.yaml and *.md -> Book (validated, every problem collected).

Reads only files inside the book's folder. Markdown is handed to `markup`;
what it finds (notes, citations, names, cross-references) is checked here
against the registry, the bibliography and the other chapters.
"""

from __future__ import annotations

import re
from pathlib import Path

from . import cite, lint
from .errors import Problems
from .markup import Context, parse_chapter
from .model import KINDS, Book, Chapter, Location, Manifest, Person, Source
from .schema import (Field, Marked, MarkedList, as_text, as_texts, check_fields,
                     parse_length, parse_size, read_yaml, suggest)

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
}

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


def load_book(root: Path, lint_names: bool = True) -> tuple[Book, Problems]:
    """Read and check the whole book; raises BookError listing every error found."""
    problems = Problems()
    manifest = load_manifest(root, problems)
    problems.raise_if_errors()
    people = load_people(manifest, problems)
    sources = load_sources(manifest, problems)
    context = Context(manifest=manifest, people=people, sources=sources)
    chapters = tuple(c for c in (load_chapter(manifest, path, n, context, problems)
                                 for n, path in enumerate(manifest.contents)) if c)
    check_ids(chapters, problems)
    check_links(chapters, problems)
    check_order(chapters, problems)
    if lint_names:
        lint.check_unused(people, sources, chapters, problems)
    problems.raise_if_errors()
    return Book(manifest, chapters, people, sources), problems


def load_manifest(root: Path, problems: Problems) -> Manifest:
    """book.yaml -> Manifest; unknown keys, bad lengths and missing files are reported."""
    path = root / "book.yaml"
    if not path.is_file():
        problems.error(Location(path), "there is no book.yaml here; pass --source with the book's folder")
        return Manifest(root=root, title="")
    data = read_yaml(_read(path, problems), path, problems)
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
    values = dict(
        root=root, title=as_text(data.get("title")), subtitle=as_text(data.get("subtitle")), slug=slug,
        authors=as_texts(data.get("authors")), editors=as_texts(data.get("editors")),
        language=as_text(data.get("language", "en")), edition=as_text(data.get("edition")),
        year=data.get("year") if isinstance(data.get("year"), int) else None,
        publisher=as_text(data.get("publisher")), contents=tuple(contents),
        dedication=as_text(data.get("dedication")), colophon=as_text(data.get("colophon")),
        description=as_text(data.get("description")), keywords=as_texts(data.get("keywords")),
        marks=as_texts(data.get("marks")), back_text=as_text(data.get("back_text")),
        page_multiple=data.get("page_multiple", 4) if isinstance(data.get("page_multiple", 4), int) else 4,
        safety_margin=parse_length(data.get("safety_margin", "5mm")) or 5.0,
        trim=parse_size(data.get("trim", "148mm 210mm")) or (148.0, 210.0),
        bleed=parse_length(data.get("bleed", "3mm")) or 0.0,
        paper_caliper=parse_length(data.get("paper_caliper", "0.1mm")) or 0.1,
    )
    for mark in as_texts(data.get("marks")):
        if mark not in ("crop",):
            problems.error(data.where("marks", True), f'unknown mark "{mark}"; the only mark drawn is crop')
    for key in ("names", "sources"):
        if key in data and data[key]:
            values[key] = inside(root, as_text(data[key]), data.where(key, True), problems, f"{key} file")
    return Manifest(**values)


def inside(root: Path, name: str, where: Location, problems: Problems, what: str) -> Path | None:
    """A relative path inside root that exists, or None after reporting why not."""
    if not name or Path(name).is_absolute() or "://" in name:
        problems.error(where, f'{what} "{name}" must be a path relative to the book folder')
        return None
    path = root / name
    try:
        real = path.resolve()
    except OSError:
        real = path
    if not real.is_relative_to(root.resolve()):
        problems.error(where, f'{what} "{name}" lies outside the book folder; keep every file inside {root}')
        return None
    if not path.is_file():
        near = suggest(name, sorted(p.name for p in path.parent.glob("*")) if path.parent.is_dir() else [])
        problems.error(where, f'{what} "{name}" does not exist; {near}')
        return None
    return path


def _read(path: Path, problems: Problems) -> str:
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
    data = read_yaml(_read(path, problems), path, problems)
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
    lint.check_registry(people, problems)
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
        if kind not in cite.TYPES:
            problems.error(item.where("type", True),
                           f'unknown source type "{kind}"; {suggest(kind, cite.TYPES)}')
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
    """The declared fields of a sources.yaml entry of this type (cite.py says which are required)."""
    required = cite.REQUIRED.get(kind, ())
    optional = cite.OPTIONAL.get(kind, ("author", "publisher", "date", "url"))
    fields = {"id": Field("str", True, "the citation key"),
              "type": Field("str", True, "one of " + ", ".join(sorted(cite.TYPES))),
              "note": Field("str")}
    for name in (*required, *optional):
        fields.setdefault(name, Field("strlist" if name == "author" else "str", name in required,
                                      f"required for a source of type {kind}"))
    return fields


FRONT = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(\n|\Z)", re.S)


def load_chapter(manifest: Manifest, path: Path, index: int, context: Context,
                 problems: Problems) -> Chapter | None:
    """One chapter file -> Chapter (front matter checked, Markdown parsed)."""
    text = _read(path, problems)
    match = FRONT.match(text)
    if not match:
        problems.error(Location(path, 1, 1),
                       "a chapter starts with YAML front matter between two '---' lines, with at least a title")
        return None
    meta = read_yaml(match.group(1) or "", path, problems, line_offset=1) or Marked(path, (1, 1))
    if not check_fields(meta, FRONT_MATTER, problems, "the front matter", Location(path, 1, 1)):
        return None
    kind = as_text(meta.get("kind", "chapter"))
    if kind not in KINDS:
        problems.error(meta.where("kind", True), f'unknown kind "{kind}"; {suggest(kind, sorted(KINDS))}')
    anchor = as_text(meta.get("id")) or "ch-" + re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")
    body_start = match.group(0).count("\n")
    return parse_chapter(
        path=path, source=text, body_start=body_start, anchor=anchor, kind=kind,
        title=as_text(meta.get("title")), subtitle=as_text(meta.get("subtitle")),
        short_title=as_text(meta.get("short_title")), title_at=meta.where("title", True),
        context=context, problems=problems)


def check_ids(chapters: tuple[Chapter, ...], problems: Problems) -> None:
    """Two chapters may not share an anchor, nor any id."""
    seen: dict[str, Path] = {}
    for chapter in chapters:
        for ident in (chapter.anchor, *chapter.ids):
            if ident in seen and seen[ident] != chapter.path:
                problems.error(Location(chapter.path, 1, 1),
                               f'id "{ident}" is also used in {seen[ident]}; give one of them another id')
            seen.setdefault(ident, chapter.path)


def check_links(chapters: tuple[Chapter, ...], problems: Problems) -> None:
    """Every cross-reference points at an id that exists and can carry a page number."""
    front = {i for c in chapters if c.front for i in (c.anchor, *c.ids)}
    known = {i for c in chapters for i in (c.anchor, *c.ids)}
    for chapter in chapters:
        for ref in chapter.xrefs:
            if ref.target not in known:
                problems.error(ref.origin, f'cross-reference to "#{ref.target}", which no heading has; '
                               f'{suggest(ref.target, sorted(known))}')
            elif ref.target in front and not chapter.front:
                problems.error(ref.origin, f'"#{ref.target}" is in the front matter, whose pages are numbered '
                               "after the main text is laid out; name that section in words instead")


def check_order(chapters: tuple[Chapter, ...], problems: Problems) -> None:
    """Front-matter chapters (about, foreword, preface) must come before the first main chapter."""
    main_seen = None
    for chapter in chapters:
        if not chapter.front:
            main_seen = main_seen or chapter
        elif main_seen is not None:
            problems.error(Location(chapter.path, 1, 1),
                           f'a "{chapter.kind}" belongs to the front matter but comes after {main_seen.path.name} '
                           "in contents; move it up in book.yaml")
