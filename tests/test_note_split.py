"""A long note runs over to the foot of the next page (book/layout/note_split.py), so that its call's
page ends at full depth; without the patch the engine moves the call's line and the page ends short."""

from __future__ import annotations

import random
from contextlib import contextmanager, nullcontext

import pytest
from pypdf import PdfReader

from book.errors import Problems
from book.layout import measure, note_split
from book.layout.paginate import Engine
from book.layout.render import Urls
from book.markup.book import load_book
from book.paths import STYLES
from book.pipeline import Reporter, lay_out
from conftest import BOOKS, build_fixture, engine_fault
from test_note_repair import assert_every_note_on_its_calls_page

LONG = BOOKS / "long-notes"
"""A chapter whose 12-line note is called five lines above the foot of its page, mid-paragraph, and
whose next page holds a cross-reference."""

LAST_WORDS = "These are the last words of the long note."
LINE = 13.4
"""The book's line, in pt: a page may end this much short of full depth."""


@contextmanager
def engine_alone():
    """Within the block, layouts by a new Engine do not split notes (the engine's own behaviour)."""
    engine = Engine([LONG, STYLES])
    note_split.uninstall()
    try:
        yield engine
    finally:
        note_split.install()


def laid_out(engine=None):
    """The fixture book laid out by the engine as the build does, without its repairs and adjustments
    (so that only the engine and its patches decide where the pages break)."""
    book, problems = load_book(LONG)
    laid = lay_out(book, Urls.for_book(LONG), engine or Engine([LONG, STYLES]), Reporter(), problems, False)
    return book, laid


def note_area(page):
    """A laid-out page's footnote area, or None."""
    return next((c for c in page._page_box.children if type(c).__name__ == "FootnoteAreaBox"), None)


def text_of(box) -> str:
    """The text of a laid-out box."""
    return " ".join(b.text for b in box.descendants() if isinstance(getattr(b, "text", None), str))


@pytest.fixture(scope="module")
def split():
    return laid_out()


@pytest.fixture(scope="module")
def whole():
    with engine_alone() as engine:
        return laid_out(engine)


def call_page(book, laid) -> tuple[str, int]:
    note = book.chapters[0].notes[0].anchor
    return note, next(i for i, page in enumerate(laid.pages) if "call-" + note in page.anchors)


def test_the_long_note_starts_on_its_calls_page_and_ends_on_the_next(split):
    book, laid = split
    note, page = call_page(book, laid)
    gaps = measure.page_gaps(laid.pages, measure.body_lines(laid.pages))
    assert gaps[page] <= LINE  # the call's page ends within a line of full depth
    assert note in laid.pages[page].anchors and note not in laid.pages[page + 1].anchors
    here, there = note_area(laid.pages[page]), note_area(laid.pages[page + 1])
    first = text_of(here.children[-1])
    assert first.startswith("1 ") and LAST_WORDS not in first  # its number and first lines here
    rest = text_of(there.children[0])
    assert rest.endswith(LAST_WORDS) and not rest.startswith("1 ")  # the rest first there, unnumbered
    lines = [sum(1 for b in box.descendants() if type(b).__name__ == "LineBox")
             for box in (here.children[-1], there.children[0])]
    assert min(lines) >= note_split.MIN_LINES and sum(lines) >= 12


def test_without_the_patch_the_calls_page_ends_short(whole):
    book, laid = whole
    note, page = call_page(book, laid)
    gaps = measure.page_gaps(laid.pages, measure.body_lines(laid.pages))
    before = page - 1  # the engine moved the call's line to the next page; the page before ends short
    assert gaps[before] > 3 * LINE
    assert LAST_WORDS in text_of(note_area(laid.pages[page]).children[-1])


def test_the_note_area_on_both_pages_is_ruled_and_as_tall_as_its_notes(split):
    book, laid = split
    _, page = call_page(book, laid)
    areas = [note_area(laid.pages[i]) for i in (page, page + 1)]
    other = next(note_area(p) for i, p in enumerate(laid.pages) if i not in (page, page + 1) and note_area(p))
    for area in areas:
        assert abs(area.height - sum(child.margin_height() for child in area.children)) < 0.01
        assert (area.border_top_width, area.padding_top, area.margin_top) == \
            (other.border_top_width, other.padding_top, other.margin_top) != (0, 0, 0)
        bottom = area.page.content_box_y() + area.page.height
        assert abs(area.position_y + area.margin_height() - bottom) < 0.01  # at the foot of the page


def test_the_built_book_keeps_every_note_on_its_calls_page(tmp_path):
    summary = build_fixture(LONG, tmp_path, strict=True, preflight=False, edition="draft")
    pdf = summary.outputs[0]
    assert_every_note_on_its_calls_page(pdf, LONG)
    texts = [page.extract_text() for page in PdfReader(pdf).pages]
    split_at = next(i for i, text in enumerate(texts) if "Here the long note is called." in text)
    assert LAST_WORDS not in texts[split_at] and LAST_WORDS in texts[split_at + 1]


# --- synthetic pages: where a split happens, and what it leaves alone -----------------------------

WORDS = "camp steppe letter winter station archive mother wagon barrack order".split()


def _html(before: int, note_words: int, reference: bool = False) -> str:
    """Paragraphs on A5 with book.css; a note of note_words words called after `before` words of its
    paragraph; with reference, a cross-reference to the last paragraph's page just after the call's
    paragraph (the engine lays out its page again once it knows where that is)."""
    rng = random.Random(5)

    def words(n):
        return " ".join(rng.choice(WORDS) for _ in range(n))
    note = (f'<a class="call" id="call-n" href="#n">1</a><span class="fn" id="n"><a class="fn-num" '
            f'href="#call-n">1</a> {words(note_words)} {LAST_WORDS}</span>')
    ref = '<p>See page <a class="ref" href="#end"></a>.</p>' if reference else ""
    body = "".join(f"<p>{words(70)}.</p>" for _ in range(3))
    body += f"<p>{words(before)} {note} {words(90)}.</p>{ref}"
    body += "".join(f"<p>{words(70)}.</p>" for _ in range(6)) + '<p id="end">The end.</p>'
    return (f'<html><head><link rel="stylesheet" href="{(STYLES / "book.css").as_uri()}"><style>@page '
            '{ size: A5 } a.ref::after { content: target-counter(attr(href), page) }</style></head>'
            f"<body><section class='chapter'>{body}</section></body></html>")


def _pages(html: str, split: bool = True, hold: bool = True):
    """The pages of html: with the patch (split) or as the engine lays them out; hold=False: with the
    split but the engine's own moving of notes to fit a paragraph's line (note_split.HOLD off)."""
    engine = Engine([STYLES])
    if not split:
        note_split.uninstall()
    try:
        with nullcontext() if hold else engine_fault():
            return engine.layout(html, STYLES.as_uri() + "/").pages
    finally:
        note_split.install()


def _boxes(page) -> list[tuple]:
    """Every box of a laid-out page: its kind, place, size and text."""
    return [(type(b).__name__, round(b.position_x, 3), round(b.position_y, 3), round(b.width, 3),
             round(b.height, 3), getattr(b, "text", None)) for b in page._page_box.descendants()]


@pytest.mark.parametrize("before", range(40, 260, 20))
def test_a_split_keeps_the_notes_rules_and_leaves_the_other_pages_alone(before):
    """Wherever the call falls, the note is split with at least two lines on each page, its id on its
    call's page, or not at all (and then every page is as the engine lays it out); the pages before
    the call's page are as the engine lays them out; a page with a split ends within a line of full
    depth. (The split alone: the notes held at the foot of a page are tested below.)"""
    html = _html(before, 190)
    ours, theirs = _pages(html, hold=False), _pages(html, split=False)
    call = next(i for i, page in enumerate(ours) if "call-n" in page.anchors)
    for a, b in zip(ours[:call], theirs[:call]):
        assert _boxes(a) == _boxes(b)
    if "n" not in ours[call].anchors or LAST_WORDS in text_of(note_area(ours[call]).children[-1]):
        assert [_boxes(p) for p in ours] == [_boxes(p) for p in theirs]  # not split: as the engine does it
        return
    last = note_area(ours[call]).children[-1]
    rest = note_area(ours[call + 1]).children[0]
    assert LAST_WORDS in text_of(rest) and "n" not in ours[call + 1].anchors
    for part in (last, rest):
        assert sum(1 for b in part.descendants() if type(b).__name__ == "LineBox") >= note_split.MIN_LINES
    lines = [b for b in ours[call]._page_box.children[0].descendants() if type(b).__name__ == "LineBox"]
    assert note_area(ours[call]).position_y - max(l.position_y + l.height for l in lines) <= LINE / 0.75


def test_a_note_too_short_to_split_moves_its_line_as_before():
    """A note of three lines cannot leave two on each page: the engine's behaviour, unchanged."""
    for before in range(40, 260, 20):
        html = _html(before, 30)
        assert [_boxes(p) for p in _pages(html, hold=False)] == [_boxes(p) for p in _pages(html, split=False)]


@pytest.mark.parametrize("note_words", [30, 190])
def test_a_note_stays_on_its_calls_page_when_the_next_paragraph_cannot_keep_its_orphans(note_words):
    """Wherever the call falls, its note (or the note's first part) is printed on the call's page;
    where the engine moves the note to the next page to fit the next paragraph's second line, that
    paragraph starts the next page instead, and the pages before are as the engine lays them out."""
    moved = 0
    for before in range(20, 260, 10):
        html = _html(before, note_words)
        ours, theirs = _pages(html), _pages(html, hold=False)
        call = next(i for i, page in enumerate(ours) if "call-n" in page.anchors)
        assert "n" in ours[call].anchors, before
        engine_call = next(i for i, page in enumerate(theirs) if "call-n" in page.anchors)
        if "n" not in theirs[engine_call].anchors:
            moved += 1
            assert call == engine_call and [_boxes(p) for p in ours[:call]] == [_boxes(p) for p in theirs[:call]]
            lines = [b for b in ours[call]._page_box.children[0].descendants() if type(b).__name__ == "LineBox"]
            assert note_area(ours[call]).position_y - max(l.position_y + l.height for l in lines) <= 2 * LINE / 0.75
    assert moved, "the engine never moves the note here: the test proves nothing"


def test_a_continuation_survives_the_engine_laying_its_page_out_again():
    """The continuation's page holds a cross-reference the engine resolves in a second pass, laying
    that page out again while reusing the call's page: the continuation is still there."""
    splits = 0
    for before in range(40, 260, 20):
        pages = _pages(_html(before, 190, reference=True))
        call = next(i for i, page in enumerate(pages) if "call-n" in page.anchors)
        if LAST_WORDS in text_of(note_area(pages[call]).children[-1]):
            continue
        splits += 1
        assert any(LAST_WORDS in text_of(note) for note in note_area(pages[call + 1]).children)
        assert sum(LAST_WORDS in text_of(note_area(p)) for p in pages if note_area(p)) == 1
    assert splits

