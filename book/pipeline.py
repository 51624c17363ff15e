"""Book folder -> out/<slug>-print.pdf and out/<slug>.html: the stages in order, each run once.

    load_book -> render_body -> layout (once) -> anchors
      -> render_front (contents numbers written in) -> layout (small)
      -> index entries from the anchors -> render_index -> layout (small)
      -> join pages -> write (page labels) -> replace the old files
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import biblio, names
from .errors import BookError, Problem, Problems
from .finish import folio_labels, write_book, write_text
from .load import load_book
from .model import Book, IndexEntry, Layout, Location
from .render import (Urls, contents_entries, join_html, labels_for, render_blank, render_body,
                     render_front, render_index, STYLES)


@dataclass
class Summary:
    """What a build did, for the one-line report."""

    pages: int = 0
    """Pages in the joined book."""
    seconds: float = 0.0
    """Wall time of the build."""
    outputs: list[Path] = field(default_factory=list)
    """Files written."""
    warnings: list[str] = field(default_factory=list)
    """Warnings, formatted."""
    layout: Layout = field(default_factory=Layout)
    """Where every id landed in the joined book, and each page's folio."""
    front_pages: int = 0
    """Pages of front matter (roman folios), padding included."""
    index: list[IndexEntry] = field(default_factory=list)
    """The index of names as printed."""


@dataclass
class Reporter:
    """Receives progress: stage names and engine messages."""

    stage: Callable[[str], None] = lambda name: None
    """A new stage starts."""
    engine: Callable[[str], None] | None = None
    """The layout engine reports progress."""


def build(root: Path, out: Path, html: bool = True, strict: bool = False,
          reporter: Reporter | None = None) -> Summary:
    """Build the print PDF (and the HTML) of the book in root into out."""
    from .paginate import Refused

    try:
        return _build(root, out, html, strict, reporter or Reporter())
    except Refused as refused:
        raise BookError(refused_problems(refused.url, root)) from None


def refused_problems(url: str, root: Path) -> list[Problem]:
    """A refused fetch, pinned on the chapter whose HTML asks for it when we can tell."""
    from .load import load_book

    message = f"the book asks for {url}, outside the book folder; only files inside {root} are used"
    book, _ = load_book(root, lint_names=False)
    name = url.rsplit("/", 1)[-1]
    for chapter in book.chapters:
        if url in chapter.html or (name and name in chapter.html):
            return [Problem(Location(chapter.path), message)]
    return [Problem(Location(root / "book.yaml"), message)]


def _build(root: Path, out: Path, html: bool, strict: bool, reporter: Reporter) -> Summary:
    from .paginate import Engine, anchor_pages

    started = time.perf_counter()
    reporter.stage("Reading the chapters")
    book, problems = load_book(root)
    urls = Urls.for_book(root)
    engine = Engine([root, STYLES], reporter.engine)

    reporter.stage("Laying out the body")
    bibliography = biblio.entries(book)
    body_html = render_body(book, urls, bibliography)
    body = engine.layout(body_html, urls.base)
    body_at = anchor_pages(body.pages)

    reporter.stage("Front matter and index")
    labels = labels_for(book.manifest.language)
    index_first = len(body.pages) + 1 + (len(body.pages) % 2)
    back = [("bibliography", labels["bibliography"], str(body_at["bibliography"] + 1))] if bibliography else []
    if book.people:
        back.append(("index", labels["index"], str(index_first)))
    contents = contents_entries(book, {a: str(p + 1) for a, p in body_at.items()}, back)
    front_html = render_front(book, urls, contents, biblio.colophon_html(book))
    front = engine.layout(front_html, urls.base)
    blank = engine.layout(render_blank(book, urls), urls.base).pages[:1]
    front_pages = front.pages + blank * (len(front.pages) % 2)
    body_pages = body.pages + blank * (len(body.pages) % 2)

    pages = front_pages + body_pages
    index_html, entries = "", []
    if book.people:
        folios = folio_labels(len(front_pages), len(pages))
        placed = {**{a: p + len(front_pages) for a, p in body_at.items()}, **anchor_pages(front.pages)}
        entries = names.index_entries(book, placed, folios, problems)
        index_html = render_index(book, urls, entries, index_first)
        pages = pages + engine.layout(index_html, urls.base).pages

    at = anchor_pages(pages)
    check_notes(book, at, problems, strict)
    for message in engine.messages:
        problems.warn(Location(root / "book.yaml"), f"layout engine: {message}")
    problems.raise_if_errors()

    reporter.stage("Writing the PDF")
    slug = book.manifest.slug
    summary = Summary(pages=len(pages), front_pages=len(front_pages),
                      layout=Layout(at, tuple(folio_labels(len(front_pages), len(pages)))), index=entries)
    target = out / f"{slug}-print.pdf"
    write_book(front.copy(pages), target, len(front_pages))
    summary.outputs.append(target)
    if html:
        preview = out / f"{slug}.html"
        write_text(preview, join_html(front_html, body_html, *([index_html] if index_html else [])))
        summary.outputs.append(preview)
    summary.warnings = [str(p) for p in problems.warnings]
    summary.seconds = time.perf_counter() - started
    return summary


def check_notes(book: Book, at: dict[str, int], problems: Problems, strict: bool) -> None:
    """Every note must land on a page, and on the page of its call."""
    for chapter in book.chapters:
        for note in chapter.notes:
            call, body = at.get("call-" + note.anchor), at.get(note.anchor)
            where = note.origin or Location(chapter.path)
            if body is None:
                problems.error(where, f"note {note.number} was lost by the layout engine; shorten it or "
                               "move its call, then rebuild")
            elif call is not None and call != body:
                report = problems.error if strict else problems.warn
                report(where, f"note {note.number} is printed on page {body + 1}, its call on page "
                       f"{call + 1}; shorten the note or the paragraph")


def check(root: Path) -> tuple[Book, Problems]:
    """Validate everything without layout."""
    return load_book(root)
