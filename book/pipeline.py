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
from contextlib import contextmanager
from dataclasses import dataclass, field
from dataclasses import replace as dc_replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from .errors import BookError, Problem, Problems
from .layout import bibliography as biblio
from .layout import index as names
from .layout.measure import body_lines, report_filled, report_lines
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
    fresh: list[str] = field(default_factory=list)
    """Parts of the body (anchors) the engine laid out in this build; in a session, the others were
    kept from its last build."""
    helped: list[str] = field(default_factory=list)
    """Parts of the body a helper process laid out and drew, at the same time as this one."""


@dataclass
class Session:
    """What `book watch` keeps from one build to the next."""

    engine: object = None
    """The layout engine, keeping every layout of the last build by its HTML (and its fonts)."""
    numbers: dict[str, str] = field(default_factory=dict)
    """Where the body's cross-reference targets landed last time (id -> folio): the first guesses."""
    pieces: dict = field(default_factory=dict)
    """The print edition's PDF pieces of the last build, by what they print."""
    chapters: dict = field(default_factory=dict)
    """The chapters as parsed in the last build, by their file's and the book's other files' contents."""


@dataclass
class Reporter:
    """Receives progress: stage names and engine messages."""

    stage: Callable[[str], None] = lambda name: None
    """A new stage starts."""
    engine: Callable[[str], None] | None = None
    """The layout engine reports progress."""
    plan: Callable[[int], None] = lambda stages: None
    """Told once, before the first stage, how many stages the build has."""


GC_YOUNG = 20000
"""New container objects between two collections of the youngest generation during a build, against
Python's 700 (gc.set_threshold). A build makes and drops some hundred laid-out documents beside the
ones it keeps, and what of them dies in reference cycles waits for a collection; each full one walks
everything kept. Fewer young collections mean fewer full ones. Since a dropped page is freed at once
(layout/page_link.py), little waits, so the pace costs almost no memory. On issue 17's 204-page
corpus, one process: 0.96 s of collecting and no full collection but the one before the join
(give_back_memory), against 1.5 s and 3 full ones at 5,000; peak 230 MB against 227. On
ALZHIR's one-process build, 0.77 s against 0.9 s, peak 194 MB for both. Past 20,000 a young
collection walks more survivors and the total no longer falls (0.97 s at 40,000, peak 233 MB)."""


@contextmanager
def collecting_less():
    """Python's cyclic garbage collector paced for a build while the block runs (GC_YOUNG), as it was
    after (book watch builds again and again in one process)."""
    import gc

    before = gc.get_threshold()
    gc.set_threshold(max(before[0], GC_YOUNG), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def build(root: Path, out: Path, html: bool = True, strict: bool = False,
          reporter: Reporter | None = None, edition: str = "print", preflight: bool = True,
          repair: bool = True, session: Session | None = None, jobs: int | None = None,
          adjust: bool = True) -> Summary:
    """Build the edition(s) of the book in root into out (and the HTML preview). With preflight
    (the default) a print PDF that fails preflight is not written. The draft edition is the print
    interior alone, without cover or preflight, for quick looks while writing. repair=False keeps
    the engine's first layout, misplaced notes and all (for tests and benchmarks). A session (book
    watch) keeps the layouts of one build for the next: only what changed is laid out again. jobs:
    processes laying out the body at once (default: the cores; 1 in a session, and for the screen
    edition, whose pages are tagged as one document). adjust=False repairs notes but leaves out the
    per-chapter adjustments of loose lines, grid and short pages (layout/adjust.py): book watch's
    quick draft, and tests of the repair alone."""
    from .layout.paginate import Refused

    try:
        with collecting_less():
            return _build(root, out, html, strict, reporter or Reporter(), edition, preflight, repair, session, jobs,
                          adjust)
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
    numbers: dict[str, str] = field(default_factory=dict)
    """Folio of every cross-reference target in the body (a session's next build starts from them)."""
    segments: list = field(default_factory=list)
    """The pages in runs drawn as one PDF piece each (output/pieces.py): the front matter, each part
    of the body with the blank verso after it, the index."""
    at: dict[str, int] = field(default_factory=dict)
    """Where every id landed (0-based page of the joined book), parts laid out by a helper included."""
    drawn: dict[str, bytes] = field(default_factory=dict)
    """The pieces the helper drew, by part."""
    lines: list = field(default_factory=list)
    """The body's lines as laid out in the helper (layout.measure.Line, pages of the joined book)."""


def _build(root: Path, out: Path, html: bool, strict: bool, reporter: Reporter,
           edition: str, preflight: bool, repair: bool = True, session: Session | None = None,
           jobs: int | None = None, adjust: bool = True) -> Summary:
    started = time.perf_counter()
    reporter.plan(3 + len(EDITIONS[edition]))  # reading, body, front matter and index, each file
    reporter.stage("Reading the chapters")
    book, problems = load_book(root, kept=session.chapters if session is not None else None, out=out)
    checkpoint("loaded")
    staging = Staging(out)
    engine_temp, tempfile.tempdir = tempfile.tempdir, str(staging.temp)
    try:
        summary = _lay_out_and_write(book, problems, staging, html, strict, reporter, edition, preflight, repair,
                                     session, jobs, adjust)
    finally:
        tempfile.tempdir = engine_temp
        staging.discard()
    summary.seconds = time.perf_counter() - started
    return summary


def _lay_out_and_write(book: Book, problems: Problems, staging: Staging, html: bool, strict: bool,
                       reporter: Reporter, edition: str, preflight: bool, repair: bool = True,
                       session: Session | None = None, jobs: int | None = None, adjust: bool = True) -> Summary:
    """Everything after the sources are read: written into the staging folder, then swapped in."""
    from .layout.paginate import Engine

    root, out = book.manifest.root, staging.out
    wanted = EDITIONS[edition]
    if not set(wanted) - REFLOWED:  # the web edition and the EPUB need no page layout
        problems.raise_if_errors()
        job = Job(book, None, out, staging, None, None, Stamp(build_date(book), ""), strict, False)
        written = write_editions(job, wanted, reporter)
        staging.commit([w.target for w in written])
        return Summary(outputs=[w.target for w in written], warnings=[str(p) for p in problems.warnings])
    urls = Urls.for_book(root)
    if session is None:
        engine = Engine([root, STYLES], reporter.engine)
    else:
        if session.engine is None or session.engine.roots != [root, STYLES]:
            session.engine = Engine([root, STYLES], keep=True)
        engine = session.engine
        engine.on_progress = reporter.engine
        engine.begin()
    helper = _helper(book, engine, wanted, session, jobs)
    if helper is None:
        return _write_laid(book, problems, staging, html, strict, reporter, edition, preflight, repair, session,
                           adjust, engine, urls, None)
    if "cover" in wanted:  # before the helper is forked: it draws the cover while this process joins the print PDF
        from .output.cover import write_cover

        helper.commands["cover"] = lambda pages, target, stamp: write_cover(book.manifest, pages, engine, urls,
                                                                            target, stamp=stamp)
    try:
        return _write_laid(book, problems, staging, html, strict, reporter, edition, preflight, repair, session,
                           adjust, engine, urls, helper)
    finally:
        helper.close()  # after the last edition: the cover may be on its way


def _write_laid(book: Book, problems: Problems, staging: Staging, html: bool, strict: bool, reporter: Reporter,
                edition: str, preflight: bool, repair: bool, session: Session | None, adjust: bool,
                engine, urls: Urls, helper) -> Summary:
    """The book laid out (with the helper, if any, which then draws the cover) and its editions written."""
    from .layout.paginate import blank_pages

    root, out, wanted = book.manifest.root, staging.out, EDITIONS[edition]
    cover = None
    try:
        laid = lay_out(book, urls, engine, reporter, problems, repair, session.numbers if session else None, helper,
                       adjust)
        stamp = Stamp(build_date(book), laid.html)
        if helper is not None:
            _receive_drawn(laid, helper)
            engine.messages += helper.messages
            if "cover" in helper.commands and helper.process is not None:  # forked: the body had parts
                helper.send("cover", len(laid.pages) + _padding(laid, book.manifest),
                            staging.path(_target(book, out, "-cover.pdf")), stamp)
                cover = helper.receive
    finally:
        engine.end()
    if session is not None:
        session.numbers = laid.numbers
    checkpoint("laid-out")
    at = laid.at
    folios = tuple(folio_labels(laid.front_count, len(laid.pages)))
    check_notes(book, at, problems, strict, folios)
    lines = body_lines(laid.pages) + laid.lines  # the helper's parts are stand-ins here: their lines came back
    typography = report_lines(book, lines) + report_filled(book, lines, laid.front_outcome.filled + laid.body.filled)
    for message in engine.messages:
        problems.warn(Location(root / "book.yaml"), f"layout engine: {message}")
    problems.raise_if_errors()
    vetted = preflight and edition != "draft"
    blanks = blank_pages(laid.pages, laid.blank)
    job = Job(book, laid, out, staging, engine, urls, stamp, strict, vetted,
              session.pieces if session is not None else None,
              release=session is None and set(wanted) <= {"print", "cover"}, cover=cover)
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
        layout=Layout(at, folios, blanks),
        layouts=laid.body.layouts, first_layout=laid.body.first,
        repairs=[r.line(folios[at[r.note.anchor]]) for o in outcomes for r in o.repairs],
        repair_seconds=sum(o.repair_seconds for o in outcomes),
        relaid=sorted(laid.body.chapters | laid.front_outcome.chapters),
        chapter_layouts=sum(o.chapter_layouts for o in outcomes),
        chapters=[(chapter.anchor, chapter.title) for chapter in book.chapters], fresh=laid.body.fresh,
        helped=laid.body.helped)


def _helper(book: Book, engine, wanted: tuple[str, ...], session: Session | None, jobs: int | None):
    """A helper process for a cold build of the print edition on a machine with cores to spare."""
    from .layout.helper import Helper, cores

    if session is not None or "screen" in wanted or (jobs if jobs is not None else cores()) < 2:
        return None
    from .output.pieces import piece_of

    finisher = _print_finisher(book)
    return Helper(draw=lambda document, pages: piece_of(document, pages, finisher, "pdf/x-4"),
                  said=lambda: engine.messages, quiet=lambda: setattr(engine, "on_progress", None),
                  finisher=finisher,
                  draws_front=set(wanted) <= {"print", "cover"})  # no other edition reads the front matter's pages


def _print_finisher(book: Book):
    """The print edition's treatment (boxes, bleed, marks, CMYK, output intent) for this book."""
    from .output.press import PrintSetup, print_finisher

    m = book.manifest
    return print_finisher(PrintSetup(bleed_mm=m.bleed, marks="crop" in m.marks))


def _receive_drawn(laid: Laid, helper) -> None:
    """The pieces the helper drew, and its parts' lines placed in the joined book."""
    if not helper.pending:  # every part was laid out here
        return
    starts = {segment.part: segment.start for segment in laid.segments if segment.part}
    for anchor, data, lines in helper.receive():
        laid.drawn[anchor] = data
        laid.lines += [dc_replace(line, page=line.page + starts[anchor]) for line in lines]


def lay_out(book: Book, urls: Urls, engine, reporter: Reporter, problems: Problems, repair: bool = True,
            guess: dict[str, str] | None = None, helper=None, adjust: bool = True) -> Laid:
    """The body laid out part by part (layout/body.py), each part's misplaced notes repaired; then
    the front matter and the index, small, from where the body's anchors landed. With a helper
    (layout/helper.py), another process lays out and draws about half of the body's parts. With
    adjust (and repair), each chapter's loose lines, grid and short pages are adjusted too
    (layout/adjust.py)."""
    from .layout.body import StandIn, lay_out_parts
    from .layout.paginate import anchor_pages, blank_pages
    from .output.pieces import Segment, piece_of

    fresh: set[int] = set()
    """ids of the documents the engine laid out in this build (not kept from a session's last one)."""

    def layout(html: str):
        before = engine.layouts
        document = engine.layout(html, urls.base)
        if engine.layouts > before:
            fresh.add(id(document))
        return document

    blank = layout(render_blank(book, urls)).pages[:1]
    reporter.stage("Laying out the body")
    bibliography = biblio.entries(book)

    def front(median, body_at: dict[str, int], index_first: int) -> Back:
        return _front(book, urls, layout, repair, adjust, bool(bibliography), median, body_at, index_first)

    def in_helper(median, body_at: dict[str, int], index_first: int) -> Back:
        """In the helper: the front matter laid out and drawn; sent back without its pages. Its piece
        carries the build's dates (Stamp.iso); the join writes the ids derived from the content."""
        made = front(median, body_at, index_first)
        pages = made.front.pages + blank * (len(made.front.pages) % 2)
        made.drawn = piece_of(made.front, pages, helper.finisher, "pdf/x-4", Stamp(build_date(book), ""))
        made.blanks = blank_pages(pages, blank)  # with the verso that pads it
        made.lines = body_lines(made.front.pages)
        made.front = None  # a laid-out Document cannot leave the process that made it
        made.outcome = dc_replace(made.outcome, document=None)
        return made

    sent = helper is not None and helper.draws_front
    if sent:
        helper.commands["front"] = in_helper  # before the helper is forked (lay_out_parts starts it)

    def send_front(laid_body, count: int) -> None:  # the helper lays out the front matter before drawing its parts
        helper.send("front", laid_body.median, laid_body.at, count + 1 + count % 2)

    laid_body = lay_out_parts(book, render_body(book, urls, bibliography), layout, blank[0], guess, repair, helper,
                              adjust, send_front if sent else None)
    outcome = laid_body.outcome
    outcome.fresh = [part.anchor for part in laid_body.parts
                     if id(getattr(part.document, "justified_from", part.document)) in fresh or part.document is None]
    outcome.helped = [part.anchor for part in laid_body.parts if part.document is None]
    body, body_html = outcome.document, outcome.html
    body_at = laid_body.at or anchor_pages(body.pages)

    reporter.stage("Front matter and index")
    index_first = len(body.pages) + 1 + (len(body.pages) % 2)
    drawn: dict[str, bytes] = {}
    if sent:  # this process draws its parts meanwhile
        drawn = _draw_parts(laid_body, body, helper.finisher)
        back = helper.receive()
        drawn[FRONT] = back.drawn
    else:
        back = front(laid_body.median, body_at, index_first)
    front_pages = back.front.pages + blank * (len(back.front.pages) % 2) if back.front is not None else \
        [StandIn(FRONT, i, i in back.blanks) for i in range(back.count)]
    pages = front_pages + body.pages + blank * (len(body.pages) % 2)
    placed = {**{a: p + len(front_pages) for a, p in body_at.items()}, **back.at}
    index_html, entries = "", []
    if book.people:
        folios = folio_labels(len(front_pages), len(pages))
        entries = names.index_entries(book, placed, folios, problems)
        index_html, index_document = names.lay_out_index(engine, book, urls, entries, index_first)
        for ident, page in anchor_pages(index_document.pages).items():
            placed.setdefault(ident, page + len(pages))
        pages = pages + index_document.pages
    joined = join_html(back.html, body_html, *([index_html] if index_html else []))
    segments = segments_of(laid_body, body, back.front, len(front_pages),
                           len(pages) - len(front_pages) - len(body.pages))
    if index_html:
        segments.append(Segment(segments[-1].end, len(pages), ("index", id(index_document)), (index_document,),
                                INDEX if sent else ""))
        if sent:  # drawn now, while the helper still draws its parts, instead of after them
            drawn[INDEX] = piece_of(body, pages[segments[-1].start:], helper.finisher, "pdf/x-4")
    if sent:
        segments[0] = dc_replace(segments[0], part=FRONT)
    laid = Laid(back.front or body, pages, blank, len(front_pages), joined, entries, outcome, back.outcome,
                laid_body.numbers, segments, placed)
    laid.drawn, laid.lines = drawn, back.lines  # the helper's parts come after (_receive_drawn)
    return laid


FRONT = " front"
"""The front matter's piece among the pieces drawn apart (not an id: ids have no spaces)."""
INDEX = " index"
"""The index's piece among them: with a helper, this process draws it as soon as it is laid out,
while the helper is still drawing its parts (the print edition then only joins the pieces)."""


@dataclass
class Back:
    """The front matter, laid out from where the body's ids landed."""

    front: object
    """Its Document (None once sent from the helper)."""
    html: str
    """Its HTML, with its adjustments."""
    outcome: object
    """How it was laid out (its notes repaired, its lines adjusted)."""
    count: int
    """Its pages, with the blank verso that pads it to an even count."""
    at: dict[str, int]
    """Where its ids landed."""
    blanks: tuple[int, ...] = ()
    """Sent from the helper: its pages the engine left blank, and the verso that pads it."""
    drawn: bytes = b""
    """In a helper: its PDF piece."""
    lines: list = field(default_factory=list)
    """In a helper: its lines of running text, for the typography report."""


def _front(book: Book, urls: Urls, layout, repair: bool, adjust: bool, bibliography: bool, median,
           body_at: dict[str, int], index_first: int) -> Back:
    """The front matter, its contents from where the body's parts landed, laid out; its notes
    repaired and its lines adjusted as the body's (repair, adjust)."""
    from .layout.adjust import adjust as adjust_chapters
    from .layout.paginate import anchor_pages
    from .layout.repair import Blocks, lay_out_body, with_numbers

    labels = labels_for(book.manifest.language)
    back = [("bibliography", labels["bibliography"], str(body_at["bibliography"] + 1))] if bibliography else []
    if book.people:
        back.append(("index", labels["index"], str(index_first)))
    folio_of = {a: str(p + 1) for a, p in body_at.items()}
    contents = contents_entries(book, folio_of, back)
    front_html = render_front(book, urls, contents, biblio.colophon_html(book))
    front_html = with_numbers(front_html, Blocks(front_html), {}, folio_of)  # references into the body
    outcome = lay_out_body(book, front_html, layout, lambda d: anchor_pages(d.pages), repair)
    if adjust and repair:
        outcome, _ = adjust_chapters(book, outcome, layout, lambda d: anchor_pages(d.pages), median)
    front = outcome.document
    return Back(front, outcome.html, outcome, len(front.pages) + len(front.pages) % 2, anchor_pages(front.pages))


def _draw_parts(laid_body, body, finisher) -> dict[str, bytes]:
    """The PDF pieces of the body's parts laid out in this process, cut as segments_of cuts them
    (each with the blank verso after it), drawn as output/pieces.py draws them."""
    from .output.pieces import piece_of

    mine = {part.anchor for part in laid_body.parts if part.document is not None}  # not the helper's
    return {segment.part: piece_of(body, body.pages[segment.start:segment.end], finisher, "pdf/x-4")
            for segment in segments_of(laid_body, body, None, 0, 0) if segment.part in mine}


def segments_of(laid_body, body, front, front_count: int, after: int) -> list:
    """The front matter, then each part of the body with the blank verso after it, and the blank
    before the index, as segments of the joined book. after: pages after the body (the index and the
    blank before it)."""
    from .output.pieces import Segment

    segments = [Segment(0, front_count, ("front", id(front), front_count), (front,))]
    parts = laid_body.parts
    if not parts:
        return segments + [Segment(front_count, front_count + len(body.pages), ("body", id(body)), (body,))]
    for i, part in enumerate(parts):
        start = laid_body.starts[part.anchor]
        end = laid_body.starts[parts[i + 1].anchor] if i + 1 < len(parts) else len(body.pages)
        numbers = tuple(sorted((t, laid_body.numbers.get(t, "")) for t in part.numbers))
        segments.append(Segment(front_count + start, front_count + end,
                                ("part", part.anchor, id(part.document), start, numbers, end - start),
                                (part.document,), part.anchor))
    if after and len(body.pages) % 2:  # the verso before the index
        end = front_count + len(body.pages)
        segments.append(Segment(end, end + 1, ("blank",)))
    return segments


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
    pieces: dict | None = None
    """A session's PDF pieces of its last build, by what they print (output/pieces.py)."""
    release: bool = False
    """Whether the print edition may let the laid-out pages' boxes go once it has drawn them (no
    edition written after it reads them, and no session keeps them): the PDF is joined and
    preflighted in the memory they took."""
    cover: Callable[[], object] | None = None
    """Returns the cover's plan (output/cover.py) once the helper has written the cover into the staging
    folder; None: the cover is laid out and written here."""

    def target(self, suffix: str) -> Path:
        """out/<slug><suffix>."""
        return _target(self.book, self.out, suffix)

    def print_pages(self) -> list:
        """The print edition's pages: the layout padded with blank pages to page_multiple."""
        return self.laid.pages + self.laid.blank * _padding(self.laid, self.book.manifest)


def _target(book: Book, out: Path, suffix: str) -> Path:
    """out/<slug><suffix>."""
    return out / f"{book.manifest.slug}{suffix}"


def _padding(laid: Laid, manifest) -> int:
    """Blank pages the print edition adds after the layout to make up page_multiple."""
    return pad_to_multiple(len(laid.pages), manifest.page_multiple)


def write_editions(job: Job, wanted: tuple[str, ...], reporter: Reporter) -> list[Written]:
    """Write each edition asked for, in the order of the table, into the staging folder."""
    written: list[Written] = []
    for name in wanted:
        stage, writer = WRITERS[name]
        reporter.stage(stage)
        written += writer(job)
    return written


def _print(job: Job) -> list[Written]:
    from .output.join import join
    from .output.pieces import Segment, draw_pieces
    from .preflight import report_path

    target = job.target("-print.pdf")
    found: list[str] = []
    vet = (lambda written: found.extend(_preflight(written, target, job))) if job.vetted else None
    pages = job.print_pages()
    segments = list(job.laid.segments)
    if len(pages) > segments[-1].end:  # blank pages to make up the page multiple
        segments.append(Segment(segments[-1].end, len(pages), ("pad", len(pages) - segments[-1].end)))
    pieces = draw_pieces(job.laid.front, pages, segments, _print_finisher(job.book), "pdf/x-4", job.stamp,
                         job.pieces, job.laid.drawn)
    if job.release:  # the pages, and those of the documents they were stamped from
        kept = [page for segment in segments for document in segment.keep for page in getattr(document, "pages", ())]
        for page in pages + job.laid.front.pages + kept:
            if hasattr(page, "_page_box"):
                page._page_box = None
        give_back_memory()
    join(pieces, job.staging.path(target), labels=folio_labels(job.laid.front_count, len(pages)), variant="pdf/x-4",
         stamp=job.stamp, check=vet)
    report = [Written(report_path(target), warnings=tuple(found))] if job.vetted else []
    return [Written(target, len(pages)), *report]


def give_back_memory() -> None:
    """Collect what is unreachable and hand the C heap's free memory back to the system (glibc's
    malloc_trim), so that what comes next (pikepdf joining the pieces, preflight reading the file)
    grows into it instead of on top of it. Nothing where the C library has no malloc_trim."""
    import ctypes
    import ctypes.util
    import gc

    gc.collect()
    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _cover(job: Job) -> list[Written]:
    from .output.cover import write_cover

    m, target = job.book.manifest, job.target("-cover.pdf")
    plan = job.cover() if job.cover is not None else \
        write_cover(m, len(job.print_pages()), job.engine, job.urls, job.staging.path(target), stamp=job.stamp)
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
    findings = preflight(written, root, "print", strict=job.strict, book=book, anchors=job.laid.at)
    write_report(findings, job.staging.path(report_path(target)))
    findings = [f for f in findings if f.code != "note-separated"]  # the layout check reported these
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        raise BookError([Problem(f.location or Location(root / "book.yaml"), f.message) for f in errors])
    return [str(f) for f in findings]
