"""The one escaping policy (book/policy.py): hostile markup in chapters, titles, ids, book.yaml and
sources.yaml is refused at file:line:col, and what is allowed is written back from its parse."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from book import policy
from book.errors import BookError
from book.markup.book import load_book
from conftest import read_fixture
from conftest import MANIFEST, NAMES, SOURCES, write_book

FIXTURES = Path(__file__).parent / "fixtures" / "markup"


@dataclass
class Case:
    title: str
    chapter: str
    expected: list[str]


def read_cases(path: Path) -> list:
    return [pytest.param(Case(title, body + "\n", expected.splitlines()), id=title)
            for title, body, expected, _ in read_fixture(path)]


@pytest.mark.parametrize("case", read_cases(FIXTURES / "html.txt"))
def test_markup_case(tmp_path, case):
    book = write_book(tmp_path / "book", **{"01-one__md": case.chapter})
    errors = [e[len("error "):] for e in case.expected if e.startswith("error ")]
    if errors:
        with pytest.raises(BookError) as raised:
            load_book(book)
        shown = [str(p) for p in raised.value.problems]
        for expected in errors:
            assert any(s.startswith(f"{book / '01-one.md'}:{expected}") for s in shown), shown
        return
    loaded, _ = load_book(book)
    chapter = loaded.chapters[0]
    for line in case.expected:
        kind, _, text = line.partition(" ")
        if kind == "html":
            assert text in chapter.html, chapter.html
        elif kind == "absent":
            assert text not in chapter.html
        elif kind == "title":
            assert chapter.title_html == text
        else:
            raise AssertionError(f"unknown expectation {line!r}")


def test_colophon_style_is_refused_at_its_line(tmp_path):
    manifest = MANIFEST + "colophon: |\n  Made by hand.\n  <style>body{display:none}</style>\n"
    book = write_book(tmp_path / "book", book__yaml=manifest)
    with pytest.raises(BookError) as raised:
        load_book(book)
    assert f"{book / 'book.yaml'}:10:3: raw HTML blocks are not allowed" in str(raised.value)


def test_colophon_markdown_is_rendered_through_the_policy(tmp_path):
    manifest = MANIFEST + "colophon: Set in *Literata*, <small>by hand</small> & care.\n"
    loaded, _ = load_book(write_book(tmp_path / "book", book__yaml=manifest))
    assert '<em>Literata</em>' in loaded.colophon_html
    assert "<small>by hand</small> &amp; care" in loaded.colophon_html


@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "JaVaScRiPt:x", "data:text/html,x",
                                 "#ch-one", "//evil.example/x"])
def test_source_url_outside_the_allowlist_is_refused(tmp_path, url):
    sources = SOURCES + f"  url: '{url}'\n"
    book = write_book(tmp_path / "book", sources__yaml=sources)
    with pytest.raises(BookError) as raised:
        load_book(book)
    assert f"{book / 'sources.yaml'}:5:8: url \"{url}\" is not allowed" in str(raised.value)


def test_source_url_on_the_allowlist_is_a_link(tmp_path):
    sources = SOURCES + "  url: https://example.org/a?b=1&c=2\n"
    loaded, _ = load_book(write_book(tmp_path / "book", sources__yaml=sources))
    assert 'href="https://example.org/a?b=1&amp;c=2"' in loaded.chapters[0].html


def test_person_id_must_be_lower_case(tmp_path):
    names = "- id: Ryskulova_Aziza\n  name: Aziza Ryskulova\n  sort: Ryskulova, Aziza\n"
    book = write_book(tmp_path / "book", names__yaml=names)
    with pytest.raises(BookError) as raised:
        load_book(book)
    assert f'{book / "names.yaml"}:1:7: id "Ryskulova_Aziza" must be lower-case letters, digits and hyphens; ' \
           'write "ryskulova-aziza"' in str(raised.value)


@pytest.mark.parametrize("raw, written", [
    ('<span class="a">', '<span class="a">'),
    ("<SPAN CLASS=a>", '<span class="a">'),
    ('<span title="&lt;b&gt;">', '<span title="&lt;b&gt;">'),
    ("</em>", "</em>"),
    ("<br />", "<br>"),
    ("<!-- <script> -->", ""),
    ("<script>", ""),
    ("<img src=x onerror=alert(1)>", ""),
    ("<![CDATA[x]]>", ""),
    ("<?php x ?>", ""),
])
def test_raw_html_is_written_back_from_its_parse(raw, written):
    assert policy.render_html(raw) == written


@pytest.mark.parametrize("href, ok", [
    ("https://example.org", True), ("http://x.org/a", True), ("mailto:a@b.org", True), ("#arrival", True),
    ("#Arrival", False), ("javascript:alert(1)", False), (" javascript:x", False), ("java\nscript:x", False),
    ("file:///etc/passwd", False), ("data:text/html,x", False), ("vbscript:x", False), ("mailto:", False),
    ("", False), ("#", False), ("ftp://x.org", False),
])
def test_link_schemes_are_an_allowlist(href, ok):
    assert (policy.check_href(href) is None) == ok


def test_hostile_yaml_fields_reach_the_output_as_text(tmp_path):
    """Every book.yaml, names.yaml and sources.yaml field printed somewhere is escaped, never markup."""
    evil = "<script>x</script><style>body{display:none}</style>"
    manifest = MANIFEST.replace("title: Small Book", f"title: '{evil}'") + "".join(
        f"{key}: '{evil}'\n" for key in ("subtitle", "publisher", "edition", "dedication", "description",
                                          "back_text")) + f"authors: ['{evil}']\nkeywords: ['{evil}']\n"
    names = NAMES.replace("role: test entry", f"role: '{evil}'").replace("Ryskulova, Aziza", f"'Ryskulova, {evil}'")
    sources = SOURCES.replace("title: A Prison for Mothers", f"title: '{evil}'") + f"  author: '{evil}'\n"
    book = write_book(tmp_path / "book", book__yaml=manifest, names__yaml=names, sources__yaml=sources)
    from book.pipeline import build
    summary = build(book, tmp_path / "out", preflight=False)
    html = (tmp_path / "out" / "small.html").read_text(encoding="utf-8")
    assert "<script" not in html and "<style>body" not in html
    assert html.count("&lt;script&gt;") >= 8
    assert summary.pages > 4
