"""Book folder -> Book: the manifest and registries (source stage), every chapter parsed and
checked (markup stage), then the checks across chapters: ids, cross-references, order, use.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from ..errors import Problems, suggest
from ..model import KINDS, Book, Chapter, Location, Manifest
from ..policy import check_id
from ..text import house_dates_html
from ..source.load import (
    FRONT_MATTER,
    chapter_anchor,
    load_manifest,
    load_people,
    load_sources,
    read_file,
    split_front_matter,
)
from ..source.schema import Marked, as_text, check_fields, read_yaml
from .chapter import check_title, parse_chapter
from .check import Context, check_tokens
from .lint import check_date_forms, check_unused
from .parser import Locator, make_parser
from .writer import ChapterWriter


def load_book(root: Path, lint_names: bool = True, kept: dict | None = None) -> tuple[Book, Problems]:
    """Read and check the whole book; raises BookError listing every error found. kept: a session's
    chapters from its last build (book watch); a chapter whose file, and every other file of the
    book, is as it was then is not parsed again."""
    problems = Problems()
    manifest = load_manifest(root, problems)
    problems.raise_if_errors()
    before = len(problems.errors)
    people = load_people(manifest, problems)
    names_clean = len(problems.errors) == before
    sources = load_sources(manifest, problems)
    context = Context(manifest=manifest, people=people, sources=sources, names_complete=names_clean,
                      sources_complete=len(problems.errors) == before)
    if kept is None:
        chapters = tuple(c for c in (load_chapter(manifest, path, n, context, problems)
                                     for n, path in enumerate(manifest.contents)) if c)
    else:
        chapters = _load_kept(manifest, context, problems, kept)
    check_ids(chapters, problems)
    check_links(chapters, problems)
    check_order(chapters, problems)
    check_unlisted(manifest, problems)
    if lint_names and not problems.errors:
        # Only a clean book: a chapter stopped by an error has no citations or tags to count.
        check_unused(people, sources, chapters, problems)
        check_date_forms(manifest, chapters, problems)
    colophon = render_colophon(manifest, context, problems)
    problems.raise_if_errors()
    return Book(manifest, chapters, people, sources, colophon_html=colophon), problems


def render_colophon(manifest: Manifest, context: Context, problems: Problems) -> str:
    """book.yaml's colophon (Markdown) -> HTML, checked like a chapter's text."""
    if not manifest.colophon:
        return ""
    path = manifest.root / "book.yaml"
    lines = read_file(path, problems).split("\n")
    at = manifest.at("colophon")
    first = lines[at.line - 1] if 0 < at.line <= len(lines) else ""
    block_scalar = re.search(r"[|>][-+0-9]*\s*$", first) is not None  # the text starts on the next line
    loc = Locator(path, lines, at.line if block_scalar else max(at.line - 1, 0))
    md = make_parser(manifest.language)
    env: dict = {}
    tokens = md.parse(manifest.colophon, env)
    before = len(problems.errors)
    check_tokens(tokens, env, loc, context, problems)
    if len(problems.errors) > before:
        return ""
    html = ChapterWriter(md=md, anchor="colophon", ctx=context, loc=loc).render(tokens, env)
    return house_dates_html(html, manifest.style.ranges, manifest.style.uncertain)



def _load_kept(manifest: Manifest, context: Context, problems: Problems, kept: dict) -> tuple[Chapter, ...]:
    """The chapters, each parsed again only if its file or another file of the book changed since
    it was kept; what parsing it reported is reported again. kept ends holding this build's."""
    shared = shared_inputs(manifest)
    used = {}
    chapters = []
    for n, path in enumerate(manifest.contents):
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            digest = ""
        key = (str(path), n, digest, shared)
        if digest and key in kept:
            chapter, said = kept[key]
            problems.items.extend(said)
        else:
            before = len(problems.items)
            chapter = load_chapter(manifest, path, n, context, problems)
            said = problems.items[before:]
        if chapter is not None and not any(p.severity == "error" for p in said):
            used[key] = (chapter, said)
        if chapter is not None:
            chapters.append(chapter)
    kept.clear()
    kept.update(used)
    return tuple(chapters)


def shared_inputs(manifest: Manifest) -> str:
    """A digest of every file of the book folder but its chapters (book.yaml, the registries, data,
    images): what a chapter may read besides its own file. Hidden files and folders do not count."""
    chapters = {path.resolve() for path in manifest.contents}
    stamps = []
    for path in sorted(manifest.root.rglob("*")):
        relative = path.relative_to(manifest.root)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        if path.resolve() in chapters:
            continue
        stat = path.stat()
        stamps.append(f"{relative}\0{stat.st_mtime_ns}\0{stat.st_size}")
    return hashlib.sha256("\n".join(stamps).encode()).hexdigest()


def load_chapter(manifest: Manifest, path: Path, index: int, context: Context,
                 problems: Problems) -> Chapter | None:
    """One chapter file -> Chapter (front matter checked, Markdown parsed)."""
    before = len(problems.errors)
    text = read_file(path, problems)
    if len(problems.errors) > before:
        return None
    front = split_front_matter(text)
    if front is None:
        problems.error(Location(path, 1, 1),
                       "a chapter starts with YAML front matter between two '---' lines, with at least a title")
        return None
    meta = read_yaml(front[0], path, problems, line_offset=1)
    if meta is None and len(problems.errors) > before:
        meta = Marked(path, (1, 1))  # the YAML error is the one error; the body is still checked
    elif not check_fields(meta, FRONT_MATTER, problems, "the front matter", Location(path, 1, 1)):
        return None
    elif "title" in meta and not as_text(meta["title"]).strip():
        problems.error(meta.where("title", True), "the title is empty; give the chapter a title")
    kind = as_text(meta.get("kind", "chapter"))
    if kind not in KINDS:
        problems.error(meta.where("kind", True), f'unknown kind "{kind}"; {suggest(kind, sorted(KINDS))}')
    given = as_text(meta.get("id"))
    if meta.get("id") is not None and check_id(given):
        problems.error(meta.where("id", True), check_id(given))
        given = ""
    md = make_parser(manifest.language)
    titles = {}
    for key in ("title", "subtitle", "short_title"):
        # A title holding what a title cannot carry is one error; it is not checked again as text.
        ok = check_title(md, as_text(meta.get(key)), key, meta.where(key, True), problems)
        titles[key] = as_text(meta.get(key)) if ok else ""
    anchor = chapter_anchor(path, given)
    body_start = front[1]
    return parse_chapter(
        path=path, source=text, body_start=body_start, anchor=anchor, kind=kind,
        title=titles["title"], subtitle=titles["subtitle"],
        short_title=titles["short_title"], title_at=meta.where("title", True),
        context=context, problems=problems,
        places={key: meta.where(key, True) for key in ("subtitle", "short_title")})


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
                               + suggest(ref.target, sorted(known)).replace("known keys", "known ids"))
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


def check_unlisted(manifest: Manifest, problems: Problems) -> None:
    """A Markdown file in the book folder that contents does not list would be silently left out."""
    listed = set(manifest.contents)
    for path in sorted(manifest.root.glob("*.md")):
        if path not in listed and not path.name.startswith((".", "_")) and path.is_file():
            name = f"{manifest.root.name}/{path.name}"
            problems.warn(Location(path, 1, 1), f"{name} is not in book.yaml's contents; add it or move it "
                          "out of the folder")
