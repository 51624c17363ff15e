"""Citations as notes: full form once per chapter, short after; notes on their call's page; bibliography."""

from __future__ import annotations


import pytest
from pypdf import PdfReader

from book.errors import BookError, Problems
from book.markup.book import load_book
from book.text import plain
from book.model import Book, Chapter, Location, Manifest, Note
from book.layout.notes import check_notes
from book.pipeline import build
from conftest import BOOKS, build_fixture

FULL = "Sergey Nikolaevich, “ALZHIR: A Prison for Mothers,” Qalam, 2023."


def note_texts(chapter) -> list[str]:
    return [" ".join(plain(note.html).split()) for note in chapter.notes]


def test_full_form_first_in_each_chapter_then_short():
    book, _ = load_book(BOOKS / "citations-repeat")
    first, second = book.chapters
    assert note_texts(first) == [
        FULL,
        "Nikolaevich, “ALZHIR,” 2.",
        "“ALZHIR - Remembering the Gulag,” Ersatz Expat (blog), May 30, 2013; Nikolaevich, “ALZHIR.”",
        "Both sources agree on this; see thehighasia, “Alzhir – a place of remembrance in Kazakhstan,” "
        "The High Asia.",
    ]
    assert note_texts(second) == [FULL, "Nikolaevich, “ALZHIR.”"]


def test_note_calls_and_notes_link_both_ways():
    book, _ = load_book(BOOKS / "citations-repeat")
    html = book.chapters[0].html
    for note in book.chapters[0].notes:
        assert f'<a class="call" id="call-{note.anchor}" href="#{note.anchor}">{note.number}</a>' in html
        assert f'<span class="fn" id="{note.anchor}"><a class="fn-num" href="#call-{note.anchor}">' in html
    assert "\n" not in "".join(note.html for note in book.chapters[0].notes)


@pytest.fixture(scope="module")
def repeat(tmp_path_factory):
    summary = build_fixture(BOOKS / "citations-repeat", tmp_path_factory.mktemp("repeat"))
    return summary, PdfReader(summary.outputs[0])


def test_bibliography_lists_each_cited_source_once_in_order(repeat):
    summary, reader = repeat
    page = summary.layout.pages["bibliography"]
    lines = [" ".join(line.split()) for line in reader.pages[page].extract_text().split("\n")]
    entries = [line for line in lines if line and line not in ("Bibliography",)]
    assert entries[:3] == [
        "“ALZHIR - Remembering the Gulag.” Ersatz Expat (blog). May 30, 2013.",
        "Nikolaevich, Sergey. “ALZHIR: A Prison for Mothers.” Qalam, 2023.",
        "thehighasia. “Alzhir – a place of remembrance in Kazakhstan.” The High Asia.",
    ]
    assert "Nobody" not in " ".join(lines)
    assert any('source "never-cited" is never cited' in w for w in summary.warnings)


def test_crowded_page_keeps_every_note_with_its_call(tmp_path):
    summary = build_fixture(BOOKS / "crowded-notes", tmp_path)
    reader = PdfReader(summary.outputs[0])
    at = summary.layout.pages
    calls = sorted(a for a in at if a.startswith("call-"))
    assert len(calls) == 15
    pages_with_notes = {at[c] for c in calls}
    assert len(pages_with_notes) <= 3, "the fixture must crowd a dozen notes onto few pages"
    for call in calls:
        assert at[call] == at[call[5:]], call
    for number in range(7, 19):
        anchor = f"ch-01-crowded-n{number - 6}"
        text = " ".join(reader.pages[at[anchor]].extract_text().split())
        assert f"Note {number}:" in text


def _one_note_book(tmp_path) -> Book:
    manifest = Manifest(root=tmp_path, title="T")
    note = Note(1, "ch-x-n1", "a note", Location(tmp_path / "x.md", 7, 12))
    return Book(manifest, (Chapter(tmp_path / "x.md", "ch-x", "X", "chapter", "", notes=(note,)),))


def test_separated_note_is_a_warning_or_with_strict_an_error(tmp_path):
    book = _one_note_book(tmp_path)
    problems = Problems()
    check_notes(book, {"call-ch-x-n1": 4, "ch-x-n1": 5}, problems, strict=False)
    assert [str(p) for p in problems.items] == [
        f"{tmp_path}/x.md:7:12: warning: note 1 is printed on PDF page 6, its call on PDF page 5; "
        "reword the paragraph or the next one so that the page breaks elsewhere"]
    problems = Problems()
    check_notes(book, {"call-ch-x-n1": 4, "ch-x-n1": 5}, problems, strict=True)
    assert problems.errors


def test_note_lost_by_the_engine_is_an_error(tmp_path):
    problems = Problems()
    check_notes(_one_note_book(tmp_path), {"call-ch-x-n1": 4}, problems, strict=False)
    assert [p.severity for p in problems.items] == ["error"]
    assert "was lost by the layout engine" in problems.items[0].message


def test_strict_build_fails_on_a_separated_note_the_layout_did_not_repair(tmp_path, fault):
    """The fixture reproduces the engine's fault (conftest.engine_fault), unrepaired."""
    summary = build(BOOKS / "note-separated", tmp_path / "a", repair=False)
    separated = [w for w in summary.warnings if "its call on page" in w]
    assert separated == [f"{BOOKS / 'note-separated'}/03-chapter.md:9:237: warning: note 2 is printed on "
                         "page 10 (PDF page 20), its call on page 9 (PDF page 19); reword the paragraph or "
                         "the next one so that the page breaks elsewhere"]
    with pytest.raises(BookError) as error:
        build(BOOKS / "note-separated", tmp_path / "b", strict=True, repair=False)
    assert "03-chapter.md:9:237: note 2 is printed on page 10 (PDF page 20)" in str(error.value)
    assert not (tmp_path / "b").exists() or not any((tmp_path / "b").iterdir())


def test_note_too_long_for_a_page_is_an_error(tmp_path):
    from conftest import CHAPTER, write_book, check_fails
    long_note = CHAPTER.replace("[^a]: The note.", "[^a]: " + "A very long note. " * 200)
    check_fails(write_book(tmp_path / "book", **{"01-one__md": long_note}),
                "01-one.md:5:57: note 1 is 3599 characters long, too long to sit at the foot of one page")
