"""`book changes OLD.pdf NEW.pdf`: the pages that differ between two builds, as a print shop asks."""

from __future__ import annotations

import re
import shutil

import pytest
from click.testing import CliRunner

from book.cli import main
from book.preflight.changes import compare, page_signatures
from conftest import BOOKS, build_fixture

BOOK = "page-structure"


def build(source, out):
    return build_fixture(source, out, html=False, preflight=False, edition="draft")


def chapter_pages(summary, anchor: str, following: str) -> range:
    at = summary.layout.pages
    return range(at[anchor], at[following])


def edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    source = tmp_path_factory.mktemp("src") / BOOK
    shutil.copytree(BOOKS / BOOK, source)
    out = tmp_path_factory.mktemp("first")
    return source, build(source, out), out / "synthetic-print.pdf"


def test_two_builds_of_the_same_sources_differ_nowhere(first, tmp_path):
    source, _, pdf = first
    build(source, tmp_path)
    assert compare(page_signatures(pdf), page_signatures(tmp_path / "synthetic-print.pdf")) == []


def test_a_word_changes_only_the_pages_that_hold_it(first, tmp_path):
    source, summary, pdf = first
    chapter = source / "02-chapter.md"
    original = chapter.read_text(encoding="utf-8")
    try:
        edit(chapter, "Path quiet into with waited river", "Path quiet into with waited wide river")
        build(source, tmp_path)
    finally:
        chapter.write_text(original, encoding="utf-8")
    found = compare(page_signatures(pdf), page_signatures(tmp_path / "synthetic-print.pdf"))
    assert found, "a changed word must show"
    second = chapter_pages(summary, "ch-02-chapter", "ch-03-chapter")
    for change in found:
        assert change.kind == "changed", change
        assert change.first in second and change.last in second, (change, second)


def test_pages_pushed_on_are_told_apart_from_pages_changed(first, tmp_path):
    source, summary, pdf = first
    chapter = source / "01-chapter.md"
    original = chapter.read_text(encoding="utf-8")
    paragraphs = original.split("\n\n")
    plain = re.sub(r"\[\^[^\]]+\]|\[@[^\]]+\]|\[\[[^\]]+\]\]", "", paragraphs[4])
    try:
        chapter.write_text("\n\n".join(paragraphs[:5] + [plain] * 6 + paragraphs[5:]), encoding="utf-8")
        longer = build(source, tmp_path)
    finally:
        chapter.write_text(original, encoding="utf-8")
    old, new = page_signatures(pdf), page_signatures(tmp_path / "synthetic-print.pdf")
    shift = longer.layout.pages["ch-02-chapter"] - summary.layout.pages["ch-02-chapter"]
    assert shift >= 2, "the fixture edit must push the later chapters on"
    found = compare(old, new)
    kinds = {c.kind for c in found}
    assert "added" in kinds and "changed" in kinds
    third = summary.layout.pages["ch-03-chapter"]
    moved = [c for c in found if c.kind == "margins"]
    assert moved, "pages that only moved carry a new folio: reported as such"
    for change in moved:
        assert change.old_first is not None and change.first - change.old_first == shift
        for k in range(change.last - change.first + 1):
            assert old[change.old_first + k].body == new[change.first + k].body
    pushed = {c.old_first + k for c in moved for k in range(c.last - c.first + 1)}
    assert third + 1 in pushed, "a page inside the third chapter moved on unchanged"


def test_the_command_reports_and_refuses_what_is_not_a_pdf(first, tmp_path):
    _, _, pdf = first
    result = CliRunner().invoke(main, ["changes", str(pdf), str(pdf)])
    assert result.exit_code == 0 and "no page differs" in result.output
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7 truncated")
    result = CliRunner().invoke(main, ["changes", str(pdf), str(broken)])
    assert result.exit_code == 1
    assert f"{broken}: cannot be read as a PDF" in result.output and "Traceback" not in result.output
