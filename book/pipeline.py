"""Book folder -> out/<slug>-print.pdf and out/<slug>.html: the stages in order, each run once.

    load_book -> render_body -> layout (again, locally adjusted, while a note is off its call's page)
      -> anchors
      -> render_front (contents numbers written in) -> layout (small)
      -> index entries from the anchors -> lay_out_index (small)
      -> join pages -> write (page labels) -> replace the old files
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from .errors import BookError, Problem, Problems
from .layout import bibliography as biblio
from .layout import index as names
from .layout.measure import report_lines
from .layout.notes import check_notes
from .layout.render import (
    Urls,
    contents_entries,
    join_html,
    labels_for,
    render_blank,
    render_body,
    render_front,
)
from .markup.book import load_book
from .model import Book, IndexEntry, Layout, Location
from .output.finish import (
    Stamp,
    build_date,
    chain,
    folio_labels,
    label_runs,
    pad_to_multiple,
    page_labels,
    screen_finisher,
    write_pdf,
)
from .paths import STYLES, Staging, checkpoint, write_text

if TYPE_CHECKING:  # the engine's types, without importing it before a layout is needed
    from weasyprint.document import Document, Page

    from .layout.repair import Outcome


@dataclass
class Summary:
    """What a build did, for the one-line report."""

    pages: int = 0
    """Pages in the joined book."""
    seconds: float = 0.0
    """Wall time of the build."""
    outputs: list[Path] = field(default_factory=list)
    """Files written, the first edition's PDF first."""
    page_counts: dict[Path, int] = field(default_factory=dict)
    """Pages of each PDF written (the print edition padded to `page_multiple`, the cover one sheet)."""
    warnings: list[str] = field(default_factory=list)
    """Warnings, formatted."""
    notes: list[str] = field(default_factory=list)
    """Things worth knowing that are not problems (e.g. no title on a narrow spine)."""
    layout: Layout = field(default_factory=Layout)
    """Where every id landed in the joined book, and each page's folio."""
    front_pages: int = 0
    """Pages of front matter (roman folios), padding included."""
    index: list[IndexEntry] = field(default_factory=list)
    """The index of names as printed."""
    repairs: list[str] = field(default_factory=list)
    """One line per note the layout repaired (information, not warnings)."""
    layouts: int = 0
    """Layouts of the body (1 when no note needed repair)."""
    repair_seconds: float = 0.0
    """Time spent laying the body out again to repair notes."""
    relaid: list[str] = field(default_factory=list)
    """Chapters (anchors) laid out again, alone, to repair their notes."""
    chapter_layouts: int = 0
    """Layouts of a chapter alone while trying repairs."""
    first_layout: dict[str, int] = field(default_factory=dict)
    """Where every id of the body landed (0-based body page) before any repair."""
    chapters: list[tuple[str, str]] = field(default_factory=list)
    """(anchor, title) of every chapter, in reading order: the contents, for `book watch`'s report."""


@dataclass
class Reporter:
    """Receives progress: stage names and engine messages."""

    stage: Callable[[str], None] = lambda name: None
    """A new stage starts."""
    engine: Callable[[str], None] | None = None
    """The layout engine reports progress."""
    plan: Callable[[int], None] = lambda stages: None
    """Told once, before the first stage, how many stages the build has."""


def build(root: Path, out: Path, html: bool = True, strict: bool = False,
          reporter: Reporter | None = None, edition: str = "print", preflight: bool = True,
          repair: bool = True, adjust: bool = True) -> Summary:
    """Build the edition(s) of the book in root into out (and the HTML preview). With preflight
    (the default) a print PDF that fails preflight is not written. The draft edition is the print
    interior alone, without cover or preflight, for quick looks while writing. repair=False keeps
    the engine's first layout, misplaced notes and all (for tests and benchmarks); adjust=False
    repairs notes but leaves out the per-chapter adjustments of loose lines, grid and short pages
    (layout/adjust.py), for tests of the repair alone."""
    from .layout.paginate import Refused

    try:
        return _build(root, out, html, strict, reporter or Reporter(), edition, preflight, repair, adjust)
    except Refused as refused:
        raise BookError(refused_problems(refused.url, root)) from None
    except OSError as error:  # the output folder: read-only, full, a file, a dangling link
        raise BookError([output_problem(error, out)]) from None


def output_problem(error: OSError, out: Path) -> Problem:
    """What to tell the editor when a file cannot be written (or, rarely, read) during a build."""
    where = Path(error.filename) if error.filename else out
    reason = error.strerror or str(error)
    if where == out or out in where.parents or where in out.parents:
        return Problem(Location(where), f"cannot write the book there ({reason}); choose another --out, "
                       f"or make {out} a folder you can write to, with free space")
    return Problem(Location(where), f"cannot be read or written ({reason}); check the file and try again")


def refused_problems(url: str, root: Path) -> list[Problem]:
    """A refused fetch, pinned on the chapter whose HTML asks for it when we can tell."""
    message = f"the book asks for {url}, outside the book folder; only files inside {root} are used"
    book, _ = load_book(root, lint_names=False)
    name = url.rsplit("/", 1)[-1]
    for chapter in book.chapters:
        if url in chapter.html or (name and name in chapter.html):
            return [Problem(Location(chapter.path), message)]
    return [Problem(Location(root / "book.yaml"), message)]


EDITIONS = {"print": ("print", "cover"), "screen": ("screen",), "booklet": ("print", "cover", "booklet"),
            "web": ("web",), "epub": ("epub",),
            "all": ("print", "cover", "screen", "booklet", "web", "epub"), "draft": ("print",)}
"""What each --edition writes."""
REFLOWED = frozenset({"web", "epub"})
"""Editions made from the model without the page layout."""


@dataclass
class Laid:
    """The book laid out: the joined pages and where everything landed."""

    front: Document
    """The front-matter Document (its metadata serves the whole book)."""
    pages: list[Page]
    """Front matter, body and index pages, joined."""
    blank: list[Page]
    """One blank page, for padding."""
    front_count: int
    """Pages of front matter, padding included."""
    html: str
    """The joined HTML, for preview."""
    entries: list[IndexEntry]
    """The index of names."""
    body: Outcome
    """How the body was laid out: repairs, layouts, time."""
    front_outcome: Outcome
    """The same for the front matter (its chapters' notes are repaired too)."""


def _build(root: Path, out: Path, html: bool, strict: bool, reporter: Reporter,
           edition: str, preflight: bool, repair: bool = True, adjust: bool = True) -> Summary:
    started = time.perf_counter()
    reporter.plan(3 + len(EDITIONS[edition]))  # reading, body, front matter and index, each file
    reporter.stage("Reading the chapters")
    book, problems = load_book(root)
    checkpoint("loaded")
    staging = Staging(out)
    engine_temp, tempfile.tempdir = tempfile.tempdir, str(staging.temp)
    try:
        summary = _lay_out_and_write(book, problems, staging, html, strict, reporter, edition, preflight, repair,
                                     adjust)
    finally:
        tempfile.tempdir = engine_temp
        staging.discard()
    summary.seconds = time.perf_counter() - started
    return summary


def _lay_out_and_write(book: Book, problems: Problems, staging: Staging, html: bool, strict: bool,
                       reporter: Reporter, edition: str, preflight: bool, repair: bool = True,
                       adjust: bool = True) -> Summary:
    """Everything after the sources are read: written into the staging folder, then swapped in."""
    from .layout.paginate import Engine, anchor_pages, blank_pages

    root, out = book.manifest.root, staging.out
    wanted = EDITIONS[edition]
    if not set(wanted) - REFLOWED:  # the web edition and the EPUB need no page layout
        problems.raise_if_errors()
        job = Job(book, None, out, staging, None, None, Stamp(build_date(book), ""), strict, False)
        written = write_editions(job, wanted, reporter)
        staging.commit([w.target for w in written])
        return Summary(outputs=[w.target for w in written], warnings=[str(p) for p in problems.warnings])
    urls = Urls.for_book(root)
    engine = Engine([root, STYLES], reporter.engine)
    laid = lay_out(book, urls, engine, reporter, problems, repair, adjust)
    checkpoint("laid-out")
    at = anchor_pages(laid.pages)
    folios = tuple(folio_labels(laid.front_count, len(laid.pages)))
    check_notes(book, at, problems, strict, folios)
    typography = report_lines(book, laid.pages)
    for message in engine.messages:
        problems.warn(Location(root / "book.yaml"), f"layout engine: {message}")
    problems.raise_if_errors()
    vetted = preflight and edition != "draft"
    job = Job(book, laid, out, staging, engine, urls, Stamp(build_date(book), laid.html), strict, vetted)
    written = write_editions(job, wanted, reporter)
    if html:
        preview = out / f"{book.manifest.slug}.html"
        write_text(staging.path(preview), laid.html)
        written.append(Written(preview))
    checkpoint("written")
    staging.commit([w.target for w in written])
    checkpoint("swapped")
    outcomes = (laid.front_outcome, laid.body)
    return Summary(
        pages=len(laid.pages), front_pages=laid.front_count, index=laid.entries,
        outputs=[w.target for w in written],
        page_counts={w.target: w.pages for w in written if w.pages is not None},
        warnings=[str(p) for p in problems.warnings] + [x for w in written for x in w.warnings],
        notes=typography + [n for w in written for n in w.notes],
        layout=Layout(at, folios, blank_pages(laid.pages, laid.blank)),
        layouts=laid.body.layouts, first_layout=laid.body.first,
        repairs=[r.line(folios[at[r.note.anchor]]) for o in outcomes for r in o.repairs],
        repair_seconds=sum(o.repair_seconds for o in outcomes),
        relaid=sorted(laid.body.chapters | laid.front_outcome.chapters),
        chapter_layouts=sum(o.chapter_layouts for o in outcomes),
        chapters=[(chapter.anchor, chapter.title) for chapter in book.chapters])


def lay_out(book: Book, urls: Urls, engine, reporter: Reporter, problems: Problems, repair: bool = True,
            adjust_chapters: bool = True) -> Laid:
    """The body laid out (again, with local adjustments, while a note is off its call's page:
    layout/repair.py), then each chapter adjusted (layout/adjust.py: loose lines, the grid, short
    pages; only with repair); then the front matter and the index, small, from its anchors."""
    adjusted = repair and adjust_chapters
    from .layout.adjust import adjust
    from .layout.paginate import anchor_pages
    from .layout.repair import lay_out_body

    def layout(h):
        return engine.layout(h, urls.base)

    def anchors(d):
        return anchor_pages(d.pages)

    def laid_out(html: str, median: float | None = None):
        """html laid out, laid out again where a note needs repair, then each chapter adjusted (loose
        lines, the grid); and the median word space the adjustment measured against."""
        outcome = lay_out_body(book, html, layout, anchors, repair)
        return adjust(book, outcome, layout, anchors, median) if adjusted else (outcome, median)

    reporter.stage("Laying out the body")
    bibliography = biblio.entries(book)
    outcome, median = laid_out(render_body(book, urls, bibliography))
    body, body_html = outcome.document, outcome.html
    body_at = anchor_pages(body.pages)

    reporter.stage("Front matter and index")
    labels = labels_for(book.manifest.language)
    index_first = len(body.pages) + 1 + (len(body.pages) % 2)
    back = [("bibliography", labels["bibliography"], str(body_at["bibliography"] + 1))] if bibliography else []
    if book.people:
        back.append(("index", labels["index"], str(index_first)))
    contents = contents_entries(book, {a: str(p + 1) for a, p in body_at.items()}, back)
    front_html = render_front(book, urls, contents, biblio.colophon_html(book))
    front_outcome, _ = laid_out(front_html, median)
    front, front_html = front_outcome.document, front_outcome.html
    blank = engine.layout(render_blank(book, urls), urls.base).pages[:1]
    front_pages = front.pages + blank * (len(front.pages) % 2)
    pages = front_pages + body.pages + blank * (len(body.pages) % 2)
    index_html, entries = "", []
    if book.people:
        folios = folio_labels(len(front_pages), len(pages))
        placed = {**{a: p + len(front_pages) for a, p in body_at.items()}, **anchor_pages(front.pages)}
        entries = names.index_entries(book, placed, folios, problems)
        index_html, index_document = names.lay_out_index(engine, book, urls, entries, index_first)
        pages = pages + index_document.pages
    joined = join_html(front_html, body_html, *([index_html] if index_html else []))
    return Laid(front, pages, blank, len(front_pages), joined, entries, outcome, front_outcome)


@dataclass(frozen=True)
class Written:
    """One file (or folder) an edition wrote into the staging folder, for the report."""

    target: Path
    """Where it goes in out/."""
    pages: int | None = None
    """Its pages, for a PDF."""
    notes: tuple[str, ...] = ()
    """Things worth knowing (the cover's binding and spine)."""
    warnings: tuple[str, ...] = ()
    """Warnings found on the way (preflight's)."""


@dataclass(frozen=True)
class Job:
    """What every edition's writer gets: the book, its one layout (None for the reflowed editions
    alone), where to write, and how."""

    book: Book
    """The book."""
    laid: Laid | None
    """The layout all PDFs are written from."""
    out: Path
    """The output folder."""
    staging: Staging
    """Where files are written before they are swapped into out/ as a set."""
    engine: object
    """The layout engine (for the cover)."""
    urls: Urls | None
    """Base URL and stylesheet (for the cover)."""
    stamp: Stamp
    """The build's date and content ids, for reproducible files."""
    strict: bool
    """--strict: preflight's separated-note finding is an error."""
    vetted: bool
    """Whether the print edition is preflighted before it may replace the old one."""

    def target(self, suffix: str) -> Path:
        """out/<slug><suffix>."""
        return self.out / f"{self.book.manifest.slug}{suffix}"

    def print_pages(self) -> list:
        """The print edition's pages: the layout padded with blank pages to page_multiple."""
        pages, m = self.laid.pages, self.book.manifest
        return pages + self.laid.blank * pad_to_multiple(len(pages), m.page_multiple)


def write_editions(job: Job, wanted: tuple[str, ...], reporter: Reporter) -> list[Written]:
    """Write each edition asked for, in the order of the table, into the staging folder."""
    written: list[Written] = []
    for name in wanted:
        stage, writer = WRITERS[name]
        reporter.stage(stage)
        written += writer(job)
    return written


def _print(job: Job) -> list[Written]:
    from .output.press import PrintSetup, print_finisher
    from .preflight import report_path

    m, target = job.book.manifest, job.target("-print.pdf")
    setup = PrintSetup(bleed_mm=m.bleed, marks="crop" in m.marks)
    found: list[str] = []
    vet = (lambda written: found.extend(_preflight(written, target, job))) if job.vetted else None
    pages = job.print_pages()
    write_pdf(job.laid.front.copy(pages), job.staging.path(target),
              chain(print_finisher(setup), page_labels(job.laid.front_count)), "pdf/x-4", check=vet, stamp=job.stamp)
    report = [Written(report_path(target), warnings=tuple(found))] if job.vetted else []
    return [Written(target, len(pages)), *report]


def _cover(job: Job) -> list[Written]:
    from .output.cover import write_cover

    m, target = job.book.manifest, job.target("-cover.pdf")
    plan = write_cover(m, len(job.print_pages()), job.engine, job.urls, job.staging.path(target), stamp=job.stamp)
    notes = [plan.summary] + ([plan.note] if plan.note else [])
    if not m.isbn:
        notes.append("cover: book.yaml has no isbn; the barcode area is left empty for the publisher "
                     "and the imprint page says that no ISBN has been assigned")
    return [Written(target, 1, tuple(dict.fromkeys(notes)))]


def _screen(job: Job) -> list[Written]:
    """A screen has no versos: the blank pages that make chapters open on rectos are left out, and
    each page keeps the folio it carries in print."""
    from .layout.paginate import blank_pages

    laid, target = job.laid, job.target("-screen.pdf")
    folios = folio_labels(laid.front_count, len(laid.pages))
    blanks = set(blank_pages(laid.pages, laid.blank))  # what the layout left blank
    kept = [i for i in range(len(laid.pages)) if i not in blanks]
    opening = sum(1 for i in kept if i < TITLE_PAGE)
    write_pdf(laid.front.copy([laid.pages[i] for i in kept]), job.staging.path(target),
              chain(screen_finisher(opening), label_runs([folios[i] for i in kept])), "pdf/ua-1", stamp=job.stamp)
    return [Written(target, len(kept))]


def _booklet(job: Job) -> list[Written]:
    from .output.booklet import write_booklet

    target = job.target("-booklet.pdf")
    return [Written(target, write_booklet(job.staging.path(job.target("-print.pdf")), job.staging.path(target)))]


def _web(job: Job) -> list[Written]:
    from .output.web import write_web

    write_web(job.book, job.staging.path(job.target("-web")))
    return [Written(job.target("-web"))]


def _epub(job: Job) -> list[Written]:
    from .output.epub import write_epub

    write_epub(job.book, job.staging.path(job.target(".epub")))
    return [Written(job.target(".epub"))]


WRITERS: dict[str, tuple[str, Callable[[Job], list[Written]]]] = {
    "print": ("Writing the print edition", _print),
    "cover": ("Writing the cover", _cover),
    "screen": ("Writing the screen edition", _screen),
    "booklet": ("Writing the booklet", _booklet),
    "web": ("Writing the web edition", _web),
    "epub": ("Writing the EPUB", _epub),
}
"""Each edition's progress line and writer. The booklet is imposed from the print edition just
written, so it comes after it in every EDITIONS entry."""


TITLE_PAGE = 2
"""The title page's index: half-title, its blank verso, then the title page."""


def _preflight(written: Path, target: Path, job: Job) -> list[str]:
    """Check the print PDF just written (not yet in place): errors keep the old files (the old report
    too); the warnings are returned. The JSON report is staged to go beside the target."""
    from .preflight import preflight, report_path, write_report

    book = job.book
    root = book.manifest.root
    findings = preflight(written, root, "print", strict=job.strict, book=book)
    write_report(findings, job.staging.path(report_path(target)))
    findings = [f for f in findings if f.code != "note-separated"]  # the layout check reported these
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        raise BookError([Problem(f.location or Location(root / "book.yaml"), f.message) for f in errors])
    return [str(f) for f in findings]
