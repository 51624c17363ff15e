"""Citation parsing and Chicago formatting, from the cases in fixtures/citations."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from conftest import read_fixture

from book.source import bibliography
from book.cite import (
    CitationError,
    CiteItem,
    bibliography_sort_text,
    format_bibliography_entry,
    format_note,
    parse_citation,
)
from book.model import HouseStyle, Location, Source

FIXTURES = Path(__file__).parent / "fixtures" / "citations"
FONTS = Path(__file__).parent.parent / "styles" / "fonts"
SOURCE_FIELDS = {"title", "publisher", "date", "url", "note"}


@dataclass(frozen=True)
class Case:
    """One fixture case: title / . / YAML input / . / expected / ."""

    title: str
    data: dict
    expected: str
    line: int


def read_cases(path: Path) -> list[Case]:
    """The cases of one fixture file, in order."""
    return [Case(title, yaml.safe_load(body), expected, line)
            for title, body, expected, line in read_fixture(path)]


def load_source(data: dict) -> Source:
    """A Source from a fixture mapping, as the loader would build it."""
    data = dict(data)
    authors = data.pop("author", ())
    fields = {k: str(data.pop(k)) for k in list(data) if k in SOURCE_FIELDS}
    key, kind = data.pop("id"), data.pop("type")
    return Source(
        id=key, type=kind, origin=Location(Path("sources.yaml"), 1),
        authors=(authors,) if isinstance(authors, str) else tuple(authors),
        extra=tuple((k, str(v)) for k, v in data.items()),
        **{"title": "", **fields},
    )


def cases_of(stem: str) -> list:
    """pytest params for every case in fixtures/citations/<stem>.txt."""
    cases = read_cases(FIXTURES / f"{stem}.txt")
    titles = [c.title for c in cases]
    assert len(titles) == len(set(titles)), f"{stem}.txt: duplicate case titles"
    return [pytest.param(c, id=c.title) for c in cases]


def outcome(run) -> str:
    """What a fixture expects: the result, or `error at N: message`."""
    try:
        return run()
    except CitationError as error:
        return f"error at {error.offset}: {error.message}"


def show_items(items: tuple[CiteItem, ...]) -> str:
    """Parsed items, one a line, as the parse fixtures write them."""
    return "\n".join(
        " | ".join(p for p in [f"@{i.key}", i.prefix and f"prefix: {i.prefix}",
                               i.locator and f"locator: {i.locator}",
                               f"offset: {i.offset}"] if p)
        for i in items)


@pytest.mark.parametrize("case", cases_of("parse"))
def test_parse(case: Case):
    assert outcome(lambda: show_items(parse_citation(case.data["cite"]))) \
        == case.expected


def house(data: dict) -> HouseStyle:
    """The house style a case asks for (`style:` as in book.yaml), US Chicago when it asks for none."""
    return HouseStyle(**data.pop("style", {}))


@pytest.mark.parametrize("case", cases_of("notes"))
def test_note(case: Case):
    data = dict(case.data)
    cite_text, seen, style = data.pop("cite"), frozenset(data.pop("seen")), house(data)
    sources = [load_source(s) for s in data.pop("sources", [data])]
    by_key = {s.id: s for s in sources}

    def run() -> str:
        note, now = format_note(parse_citation(cite_text), by_key, seen, style)
        assert now == seen | {i.key for i in parse_citation(cite_text)}
        return note

    assert outcome(run) == case.expected


@pytest.mark.parametrize("case", cases_of("bibliography"))
def test_bibliography_entry(case: Case):
    data = dict(case.data)
    style = house(data)
    assert format_bibliography_entry(load_source(data), style) == case.expected


@pytest.mark.parametrize("case", cases_of("notes") + cases_of("bibliography"))
def test_fixture_sources_declare_their_fields(case: Case):
    for source in case.data.get("sources", [case.data]):
        fields = set(source) - {"id", "type", "cite", "seen", "style"}
        kind = source["type"]
        assert set(bibliography.REQUIRED[kind]) <= fields, "a required field is missing"
        assert fields <= set(bibliography.REQUIRED[kind] + bibliography.OPTIONAL[kind])


def test_fields_are_declared_and_documented():
    assert set(bibliography.TYPES) == set(bibliography.REQUIRED) == set(bibliography.OPTIONAL)
    for kind in bibliography.TYPES:
        fields = bibliography.REQUIRED[kind] + bibliography.OPTIONAL[kind]
        assert len(fields) == len(set(fields)), kind
        assert set(fields) <= set(bibliography.FIELDS), kind
    used = {f for kind in bibliography.TYPES for f in bibliography.REQUIRED[kind] + bibliography.OPTIONAL[kind]}
    assert used == set(bibliography.FIELDS)


def make(kind: str, title: str = "", **fields) -> Source:
    """A source for the direct tests."""
    return load_source({"id": "x", "type": kind, "title": title, **fields})


@pytest.mark.parametrize("source, expected", [
    (make("book", "Swing Time", author="Zadie Smith"), "Smith, Zadie. Swing Time"),
    (make("web", "The Cobweb", author=["Jill Lepore", "Ann Roe"]),
     "Lepore, Jill, and Ann Roe. Cobweb"),
    (make("article", "“A Prison for Moms”"), "Prison for Moms"),
    (make("blog", "An *Example* Post"), "Example Post"),
    (make("film", "The Joe", director="John Patrick Shanley"),
     "Shanley, John Patrick. Joe"),
    (make("film", "Alzhir"), "Alzhir"),
    (make("document", genre="Operational Order", issuer="NKVD of the USSR",
          number="00486"), "NKVD of the USSR. Operational Order"),
    (make("document", "On Wives", genre="order", author="van der Berg, Anna"),
     "van der Berg, Anna. On Wives"),
    (make("web", "Tom & Jerry", author="thehighasia"), "thehighasia. Tom & Jerry"),
], ids=lambda v: v if isinstance(v, str) else v.title or v.get("genre"))
def test_bibliography_sort_text(source: Source, expected: str):
    assert bibliography_sort_text(source) == expected


def test_sort_text_orders_same_author_by_title():
    first = make("book", "Alpha", author="John Smith")
    second = make("book", "Beta", author="Johnny Smith")
    assert bibliography_sort_text(first) < bibliography_sort_text(second)


def test_error_carries_offset_and_message():
    with pytest.raises(CitationError) as caught:
        parse_citation("see @a;; @b")
    assert caught.value.offset == 7
    assert "semicolons" in caught.value.message
    assert str(caught.value).startswith("7: ")


def test_unknown_key_points_at_key_and_suggests():
    sources = {"qalam-2023": make("web", "T", publisher="P")}
    with pytest.raises(CitationError) as caught:
        format_note(parse_citation("see @qalam-2032, p. 2"), sources, frozenset())
    assert caught.value.offset == 5
    assert 'did you mean "qalam-2023"' in caught.value.message


def test_seen_carries_over_between_notes():
    sources = {"s": make("book", "Swing Time", author="Zadie Smith",
                         publisher="Penguin Press", date=2016)}
    first, seen = format_note(parse_citation("@s"), sources, frozenset())
    second, seen = format_note(parse_citation("@s, 3"), sources, seen)
    assert first.startswith("Zadie Smith, <i>Swing Time</i> (")
    assert second == "Smith, <i>Swing Time</i>, 3."
    assert seen == {"s"}


def test_output_is_escaped_and_on_one_line():
    source = make("web", "Tom <b>&\nJerry", author="A <b>", publisher="X\nY",
                  url="https://e.org/?a=1&b=<2>")
    note, _ = format_note(parse_citation("@x"), {"x": source}, frozenset())
    entry = format_bibliography_entry(source)
    for html in (note, entry):
        assert "\n" not in html and "<b>" not in html
        assert "Tom &lt;b&gt;&amp; Jerry" in html
    assert 'href="https://e.org/?a=1&amp;b=&lt;2&gt;"' in note


# -- URLs in a real layout ---------------------------------------------------

URL = "https://museum-alzhir.kz/ru/o-muzee/lichnosti-v-istorii-lagerya?x=1&y=2"
BREAK_BEFORE = set("/~.,-_?#%=&")


def book_font() -> Path | None:
    """The book's upright text face, if styles/fonts has one."""
    faces = sorted(FONTS.glob("*Regular*.ttf")) or sorted(FONTS.glob("*.ttf"))
    return faces[0] if faces else None


def render(body: str, width: str) -> tuple[str, set[str]]:
    """WeasyPrint lays body out in a narrow box; pypdf reads back text and fonts."""
    from pypdf import PdfReader
    from weasyprint import HTML

    font = book_font()
    face = f"@font-face {{ font-family: Book; src: url({font.as_uri()}) }}" \
        if font else ""
    css = f"""{face}
      @page {{ size: 80mm 120mm; margin: 5mm }}
      body {{ font: 10pt Book, serif; hyphens: auto }}
      p {{ width: {width}; margin: 0 }}
      a.url {{ hyphens: manual;
               color: inherit; text-decoration: none }}"""
    page = f'<html lang="en"><style>{css}</style><p>{body}</p></html>'
    pdf = io.BytesIO()
    HTML(string=page).write_pdf(pdf)
    first = PdfReader(pdf).pages[0]
    fonts = {f.get_object()["/BaseFont"].split("+")[-1]
             for f in first["/Resources"]["/Font"].values()}
    return first.extract_text(), fonts


MACHINE_WARNINGS = ("Using fontTools instead of HarfBuzz-Subset",)
"""Warnings about the machine, not the document: this one goes away once the
setup installs libharfbuzz-subset0 (HarfBuzz-Subset >= 4.1.0)."""


@pytest.fixture
def no_weasyprint_warnings(caplog):
    """Fail the test if WeasyPrint logs a warning (as assert_no_logs does)."""
    yield caplog
    warnings = [r for r in caplog.get_records("call")
                if r.name.startswith("weasyprint") and r.levelno >= logging.WARNING
                and not r.getMessage().startswith(MACHINE_WARNINGS)]
    assert not warnings, [r.getMessage() for r in warnings]


@pytest.mark.parametrize("width", ["22mm", "30mm", "45mm"])
def test_url_breaks_only_where_chicago_allows(width, no_weasyprint_warnings):
    source = make("web", "T", publisher="P", url=URL)
    note, _ = format_note(parse_citation("@x"), {"x": source}, frozenset())
    url_html = note[note.index("<a "):note.index("</a>") + 4]
    text, fonts = render(url_html, width)
    lines = text.splitlines()
    assert "".join(lines) == URL, "the text has junk or lost characters"
    if book_font():
        assert len(fonts) == 1, f"a fallback font was embedded: {fonts}"
    assert len(lines) > 1
    position = 0
    for line in lines[:-1]:
        position += len(line)
        before, after = URL[position - 1], URL[position]
        assert after in BREAK_BEFORE or URL[position - 2:position] == "//" \
            or before in "=&", f"bad break: {line!r} | {URL[position:]!r}"
