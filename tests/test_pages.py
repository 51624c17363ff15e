"""Page structure of a built book: anchors from the layout, then pypdf on the written PDF."""

from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

BOOK = "page-structure"
CHAPTERS = ["ch-01-chapter", "ch-02-chapter", "ch-03-chapter"]


@pytest.fixture(scope="module")
def book(built):
    summary, pdf = built(BOOK)
    return summary, PdfReader(pdf)


def text_of(reader: PdfReader, index: int) -> str:
    return reader.pages[index].extract_text() or ""


def margins(reader: PdfReader, index: int) -> tuple[str, str]:
    """Text printed in the top margin (running head) and bottom margin (folio) of a page."""
    page = reader.pages[index]
    trim_top, trim_bottom = float(page.trimbox.top), float(page.trimbox.bottom)
    top, bottom = [], []

    def visit(text, cm, tm, font, size):
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        if text.strip() and y > trim_top - 17 * 72 / 25.4:
            top.append(text.strip())
        elif text.strip() and y < trim_bottom + 12 * 72 / 25.4:
            bottom.append(text.strip())
    page.extract_text(visitor_text=visit)
    return " ".join(top), " ".join(bottom)


def test_page_count_and_front_matter(book):
    summary, reader = book
    # i half-title, ii blank, iii title, iv colophon, v dedication, vi blank,
    # vii contents, viii blank, ix About, x blank
    assert summary.front_pages == 10
    assert summary.pages == 25
    assert len(reader.pages) == 28  # the print edition is padded to a multiple of 4
    at = summary.layout.pages
    assert at["contents"] == 6
    assert at["ch-00-about"] == 8


def test_chapters_open_on_rectos(book):
    summary, _ = book
    at = summary.layout.pages
    openings = [at[c] for c in ["ch-00-about", *CHAPTERS, "bibliography", "index"]]
    assert openings == sorted(openings)
    assert all(index % 2 == 0 for index in openings), openings  # 0-based even = odd physical page
    body_start = at[CHAPTERS[0]]
    assert body_start == summary.front_pages


def test_page_labels_roman_then_arabic(book):
    summary, reader = book
    labels = list(reader.page_labels)
    assert labels[:10] == ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"]
    assert labels[10:] == [str(n) for n in range(1, len(labels) - 9)]
    assert labels[:25] == list(summary.layout.labels)


def test_blank_versos_carry_nothing(book):
    """The blank pages are the ones the layout left blank (found from the engine's pages, not from
    the PDF's text): each is a verso before a recto opening, or padding, and prints nothing at all,
    no running head and no folio."""
    summary, reader = book
    at = summary.layout.pages
    openings = {at[c] for c in ["ch-00-about", *CHAPTERS, "bibliography", "index"]}
    blanks = summary.layout.blanks
    inserted = [i for i in blanks if i + 1 in openings]
    assert inserted, "a blank verso must precede some chapter opening"
    for index in blanks:
        assert index % 2 == 1, index  # a verso
        assert margins(reader, index) == ("", ""), index
        assert not text_of(reader, index).strip(), index
    anchored = {page for page in at.values()}
    assert not anchored & set(blanks), "nothing the book placed landed on a blank page"


def test_running_heads_and_folios(book):
    summary, reader = book
    at, labels = summary.layout.pages, summary.layout.labels
    openings = {at[c] for c in ["contents", "ch-00-about", *CHAPTERS, "bibliography", "index"]}
    checked = 0
    for index in range(at["contents"], len(reader.pages)):
        head, folio = margins(reader, index)
        if index in openings or not text_of(reader, index).strip():
            assert (head, folio) == ("", ""), (index, head, folio)
            continue
        assert folio == labels[index], (index, folio)
        if index % 2:
            assert head.lower() == "synthetic book", (index, head)
        else:
            chapter = max((at[c], c) for c in openings_by_name(at) if at[c] <= index)[1]
            assert head.lower() == RUNNING[chapter].lower(), (index, head)
        checked += 1
    assert checked >= 8


RUNNING = {"contents": "Contents", "ch-00-about": "About This Book", "ch-01-chapter": "Chapter Title 1",
           "ch-02-chapter": "Chapter Title 2", "ch-03-chapter": "Chapter Title 3",
           "bibliography": "Bibliography", "index": "Index of names"}


def openings_by_name(at):
    return [c for c in RUNNING if c in at]


def test_contents_numbers_are_page_labels(book):
    summary, reader = book
    at, labels = summary.layout.pages, summary.layout.labels
    text = text_of(reader, at["contents"])
    expected = {"About This Book": labels[at["ch-00-about"]], "Chapter Title 1": labels[at[CHAPTERS[0]]],
                "Chapter Title 2": labels[at[CHAPTERS[1]]], "Chapter Title 3": labels[at[CHAPTERS[2]]],
                "Bibliography": labels[at["bibliography"]], "Index of names": labels[at["index"]]}
    for title, label in expected.items():
        match = re.search(re.escape(title) + r"[ .]*?([0-9ivxlc]+)\s*$", text, re.M)
        assert match, (title, text)
        assert match.group(1) == label, (title, match.group(1), label)
    assert expected["About This Book"] == "ix" and expected["Chapter Title 1"] == "1"


def test_cross_reference_prints_the_target_page(book):
    summary, reader = book
    at, labels = summary.layout.pages, summary.layout.labels
    page = at["ch-03-chapter"]
    text = " ".join(text_of(reader, page).split())
    assert f"the second section (p. {labels[at['second-section']]})" in text


def test_outline(book):
    summary, reader = book
    at = summary.layout.pages
    top = [item for item in reader.outline if not isinstance(item, list)]
    titles = [item.title for item in top]
    assert titles == ["Contents", "About This Book", "Chapter Title 1", "Chapter Title 2", "Chapter Title 3",
                      "Bibliography", "Index of names"]
    targets = [reader.get_destination_page_number(item) for item in top]
    assert targets == [at[a] for a in ["contents", "ch-00-about", *CHAPTERS, "bibliography", "index"]]


def test_metadata_and_language(book):
    _, reader = book
    meta = reader.metadata
    assert meta.title == "Synthetic Book: For Measuring"
    assert meta.author == "Test Author"
    assert meta.subject == "A synthetic book for the page-structure tests."
    assert meta["/Keywords"] == "testing, books"
    assert meta.creator.startswith("book ")
    assert reader.trailer["/Root"]["/Lang"] == "en"


def test_notes_sit_on_the_page_of_their_call(book):
    summary, _ = book
    at = summary.layout.pages
    calls = [a for a in at if a.startswith("call-")]
    assert len(calls) == 35
    for call in calls:
        assert at[call] == at[call[len("call-"):]], call


def test_note_numbers_restart_in_each_chapter(book):
    summary, _ = book
    at = summary.layout.pages
    for chapter in CHAPTERS:
        numbers = sorted(int(a.rsplit("-n", 1)[1]) for a in at if a.startswith(f"call-{chapter}-n"))
        assert numbers == list(range(1, len(numbers) + 1))


def test_only_our_fonts_are_embedded(book):
    _, reader = book
    fonts = set()
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, font["/BaseFont"]
            fonts.add(font["/BaseFont"].split("+", 1)[1])
    assert fonts and all(name.startswith("Literata") for name in fonts), fonts
    assert {"Literata", "Literata-Italic"} <= fonts
