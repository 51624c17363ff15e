"""`book new DIR`: a small complete book that checks without a warning and builds at once."""

from __future__ import annotations

from click.testing import CliRunner
from pypdf import PdfReader

from book.cli import main
from book.markup.book import load_book
from conftest import build_fixture


def test_new_book_checks_clean_and_builds(tmp_path):
    folder = tmp_path / "Village Book"
    result = CliRunner().invoke(main, ["new", str(folder)])
    assert result.exit_code == 0, result.output
    written = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert written == {"book.yaml", "01-the-mill.md", "02-the-flood.md", "names.yaml", "sources.yaml",
                       "data/events.yaml"}
    book, problems = load_book(folder)
    assert [str(w) for w in problems.warnings] == []
    assert book.manifest.slug == "village-book" and len(book.chapters) == 2
    html = "".join(c.html for c in book.chapters)
    assert '<table class="data"' in html and '<figure class="chart"' in html
    assert {p.id for p in book.people} == {"example-ana", "example-tomas"} and len(book.sources) == 2

    summary = build_fixture(folder, tmp_path / "out")
    assert summary.warnings == []
    reader = PdfReader(tmp_path / "out" / "village-book-print.pdf")
    assert len(reader.pages) == summary.page_counts[summary.outputs[0]] and len(reader.pages) % 4 == 0
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "The Mill by the River" in text and "Index" in text and "Example, Ana" in text


def test_new_refuses_a_folder_that_holds_anything(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(main, ["new", str(tmp_path)])
    assert result.exit_code == 1
    assert "this folder is not empty; `book new` writes only into a new or empty folder" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
