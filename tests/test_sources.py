"""Bibliographies in sources.yaml, CSL-JSON, CSL-YAML and BibTeX: the same notes and bibliography,
and the same kind of located errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from book.errors import BookError
from book.layout.bibliography import entries
from book.markup.book import load_book
from conftest import BOOKS

THREE = BOOKS / "sources-three-formats"


def expected(name: str) -> list[str]:
    """The lines of a fixture's expected.txt, comments left out."""
    lines = (BOOKS / name / "expected.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("#")]


def messages(root: Path) -> list[str]:
    """Every problem `book check` reports for a book, paths relative to the book's folder."""
    with pytest.raises(BookError) as caught:
        load_book(root)
    return [str(p).replace(f"{root}/", "") for p in caught.value.problems]


def with_sources(tmp_path: Path, name: str, sources: str) -> Path:
    """A copy of a fixture book whose book.yaml names another bibliography file."""
    target = tmp_path / sources.replace(".", "-").replace(",", "")
    shutil.copytree(BOOKS / name, target)
    manifest = target / "book.yaml"
    lines = manifest.read_text(encoding="utf-8").splitlines()
    manifest.write_text("\n".join(f"sources: {sources}" if line.startswith("sources:") else line
                                  for line in lines) + "\n", encoding="utf-8")
    return target


def notes_and_bibliography(root: Path) -> tuple[list[str], list[dict]]:
    book, problems = load_book(root)
    assert not problems.warnings, [str(w) for w in problems.warnings]
    return [note.html for chapter in book.chapters for note in chapter.notes], entries(book)


@pytest.mark.parametrize("sources", ["sources.json", "sources.bib", "[sources.bib]"])
def test_csl_json_and_bibtex_give_the_notes_and_bibliography_of_sources_yaml(tmp_path, sources):
    ours = notes_and_bibliography(THREE)
    theirs = notes_and_bibliography(with_sources(tmp_path, "sources-three-formats", sources))
    assert len(ours[0]) == 10 and len(ours[1]) == 5
    assert theirs == ours


def test_csl_yaml_under_references_reads_like_csl_json(tmp_path):
    root = with_sources(tmp_path, "sources-three-formats", "sources.yml")
    import json
    import yaml
    items = json.loads((root / "sources.json").read_text(encoding="utf-8"))
    (root / "sources.yml").write_text(yaml.safe_dump({"references": items}, allow_unicode=True),
                                      encoding="utf-8")
    assert notes_and_bibliography(root) == notes_and_bibliography(THREE)


def test_sources_split_over_several_files_of_different_formats(tmp_path):
    root = with_sources(tmp_path, "sources-three-formats", "[part.yaml, sources.bib]")
    import yaml
    ours = yaml.safe_load((root / "sources.yaml").read_text(encoding="utf-8"))
    (root / "part.yaml").write_text(yaml.safe_dump(ours[:2], allow_unicode=True), encoding="utf-8")
    bib = (root / "sources.bib").read_text(encoding="utf-8")
    rest = bib[bib.index("@online{ersatz"):]
    (root / "sources.bib").write_text(rest, encoding="utf-8")
    assert notes_and_bibliography(root) == notes_and_bibliography(THREE)


def test_mistakes_in_csl_and_bibtex_are_located_and_explained():
    assert messages(BOOKS / "sources-mistakes") == expected("sources-mistakes")


def test_a_films_author_is_its_director_and_a_documents_publisher_its_issuer():
    book, problems = load_book(BOOKS / "sources-promised-fields")
    assert not problems.warnings
    film, order = book.sources
    assert (film.authors, film.get("director")) == ((), "Dana Example")
    assert (order.publisher, order.get("issuer"), order.get("genre")) == ("", "Ministry of Examples", "")
    notes = [note.html for chapter in book.chapters for note in chapter.notes]
    printed = [html.replace("\u00a0", " ") for html in notes + [e["html"] for e in entries(book)]]  # ties aside
    assert printed == expected("sources-promised-fields")


def test_a_document_needs_a_title_or_a_genre(tmp_path):
    root = with_sources(tmp_path, "sources-promised-fields", "sources.yaml")
    path = root / "sources.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  title: On the Camp's Closing\n", ""),
                    encoding="utf-8")
    assert messages(root) == ["sources.yaml:6:3: a sources.yaml entry of type document needs `title` or "
                              "`genre` to say what it is; add one"]


def test_a_film_with_author_and_director_is_told_to_keep_one(tmp_path):
    root = with_sources(tmp_path, "sources-promised-fields", "sources.yaml")
    path = root / "sources.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "  author: Dana Example\n", "  author: Dana Example\n  director: Dana Example\n"), encoding="utf-8")
    assert messages(root) == ["sources.yaml:4:3: a film has `author` and `director`; keep one "
                              "(a film's author is its director)"]


@pytest.mark.parametrize("sources", ["sources.json", "sources.bib"])
def test_the_alzhir_book_prints_the_same_notes_from_csl_json_and_bibtex(tmp_path, sources):
    """All the ALZHIR chapters' notes and bibliography, from the fixture's CSL-JSON and .bib copies
    of chapters/sources.yaml (update them when a printed field of chapters/sources.yaml changes)."""
    chapters = THREE.parent.parent.parent / "chapters"
    ours = notes_and_bibliography(chapters)
    copy = tmp_path / "chapters"
    shutil.copytree(chapters, copy)
    shutil.copy(THREE / sources, copy / sources)
    manifest = copy / "book.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("sources: sources.yaml",
                                                                      f"sources: {sources}"), encoding="utf-8")
    (copy / "sources.yaml").unlink()
    theirs = notes_and_bibliography(copy)
    assert len(ours[0]) > 300 and len(ours[1]) == 5
    assert theirs == ours


def test_csl_yaml_without_references_is_told_where_the_list_goes(tmp_path):
    root = with_sources(tmp_path, "sources-promised-fields", "csl.yaml")
    (root / "csl.yaml").write_text("- id: film\n  type: motion_picture\n  title: T\n  issued: 1999\n"
                                   "- id: order\n  type: report\n  title: O\n  issued: 1953\n", encoding="utf-8")
    hint = "this entry is written in CSL-YAML; put the list under `references:` to read the file as CSL-YAML"
    assert messages(root) == [f"csl.yaml:1:3: {hint}", f"csl.yaml:5:3: {hint}"]
