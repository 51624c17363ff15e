"""The web edition (out/<slug>-web/): reflowed chapters, links that all resolve, accessible pages,
the index of names. Built from tests/books/web-edition and, for the link checker, the ALZHIR book."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from book.errors import BookError
from book.pipeline import build
from conftest import BOOKS, ROOT


class Page(HTMLParser):
    """What the tests need from one HTML page: links, ids, elements."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []  # (attribute, value)
        self.ids: set[str] = set()
        self.tags: list[tuple[str, dict]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if "id" in a:
            self.ids.add(a["id"])
        for key in ("href", "src"):
            if key in a:
                self.links.append((key, a[key]))

    def find(self, tag: str, **attrs) -> list[dict]:
        return [a for t, a in self.tags if t == tag and all(
            v in (a.get(k.rstrip("_")) or "").split() for k, v in attrs.items())]


def site_of(source: Path, out: Path) -> Path:
    summary = build(source, out, edition="web")
    site = summary.outputs[0]
    assert site.is_dir() and summary.pages == 0  # no page layout for the web edition alone
    return site


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return site_of(BOOKS / "web-edition", tmp_path_factory.mktemp("web"))


def pages(site: Path) -> dict[str, Page]:
    return {p.name: Page(p.read_text(encoding="utf-8")) for p in sorted(site.glob("*.html"))}


def check_links(site: Path) -> int:
    """Every href and src of every page is relative and points at a file of the site and, when it
    has a fragment, at an id of that file. Returns how many links were checked."""
    parsed = pages(site)
    checked = 0
    for name, page in parsed.items():
        for attribute, value in page.links:
            parts = urlsplit(value)
            assert not parts.scheme and not parts.netloc and not value.startswith("/"), f"{name}: {value}"
            target = (site / name).parent / unquote(parts.path) if parts.path else site / name
            assert target.resolve().is_relative_to(site.resolve()), f"{name}: {value} leaves the site"
            assert target.is_file(), f"{name}: {attribute}={value}: no such file"
            if parts.fragment:
                assert target.name in parsed, f"{name}: {value}: fragment into a non-page"
                assert parts.fragment in parsed[target.name].ids, f"{name}: {value}: no such id"
            checked += 1
    return checked


def test_every_link_of_the_fixture_site_resolves(site):
    assert check_links(site) > 40


def test_every_link_of_the_alzhir_site_resolves(tmp_path):
    assert check_links(site_of(ROOT / "chapters", tmp_path)) > 500


def test_one_page_per_chapter_plus_title_bibliography_and_names(site):
    names = sorted(p.name for p in site.glob("*.html"))
    assert names == ["00-about.html", "01-arrival.html", "02-registry.html", "03-dates.html",
                     "bibliography.html", "index.html", "names.html"]
    fonts = sorted(p.name for p in (site / "fonts").iterdir())
    assert "Literata-Regular.ttf" in fonts and "OFL.txt" in fonts
    css = (site / "web.css").read_text(encoding="utf-8")
    assert "http" not in css and 'url("fonts/Literata-Regular.ttf")' in css


def test_every_page_has_lang_one_h1_viewport_and_a_skip_link(site):
    for name, page in pages(site).items():
        html = page.find("html")[0]
        assert html.get("lang") == "en", name
        assert len(page.find("h1")) == 1, name
        assert any(a.get("name") == "viewport" for a in page.find("meta")), name
        skip = page.find("a", class_="skip")
        assert skip and skip[0]["href"] == "#main" and "main" in page.ids, name
        for figure_at, (tag, _) in enumerate(page.tags):
            if tag == "figure":
                assert any(t == "figcaption" for t, _ in page.tags[figure_at:]), name
        assert all(img.get("alt") for img in page.find("img")), name


def test_notes_become_endnotes_linked_both_ways(site):
    page = Page((site / "01-arrival.html").read_text(encoding="utf-8"))
    assert not page.find("span", class_="fn"), "the print note markup stayed in the text"
    calls = page.find("a", class_="call")
    backs = page.find("a", class_="back")
    assert len(calls) == len(backs) == 4
    for call, back in zip(calls, backs):
        note = call["href"][1:]
        assert note in page.ids and call["id"] == f"call-{note}"
        assert back["href"] == f"#call-{note}"
    text = (site / "01-arrival.html").read_text(encoding="utf-8")
    notes = text[text.index('class="endnotes"'):]
    assert "Anna Orlova" in notes and "Memories of the Steppe" in notes  # a tag and a citation inside a note


def test_cross_references_name_their_section_instead_of_a_page(site):
    arrival = (site / "01-arrival.html").read_text(encoding="utf-8")
    # the link text already names the chapter: only the section is added
    assert '<a class="xref" href="02-registry.html#registry">the registry</a> (“Writing the names”)' in arrival
    # inside parentheses: a comma, not nested parentheses
    assert '<a class="xref" href="03-dates.html#dates">the dates</a>, “Dates”, in “Chronology”)' in arrival
    registry = (site / "02-registry.html").read_text(encoding="utf-8")
    assert '<a class="xref" href="01-arrival.html#arrival">The first night</a> (in “The arrival”)' in registry
    assert "p. " not in Page(registry).ids


def test_the_chronology_table_labels_its_cells_for_narrow_screens(site):
    page = Page((site / "03-dates.html").read_text(encoding="utf-8"))
    labels = [td.get("data-label") for td in page.find("td")]
    assert labels == ["Date", "Event"] * 3


def test_the_index_of_names_links_every_tagged_name(site):
    page = Page((site / "names.html").read_text(encoding="utf-8"))
    people = page.find("li", class_="person")
    assert [p["id"] for p in people] == ["jaksybekova-aigul", "muller-erna", "orlova-anna", "tsvetkova-irina"]
    forms = {p["id"]: p["data-names"].split("|") for p in people}
    assert "Айгүл Жақсыбекова" in forms["jaksybekova-aigul"] and "Erna Mueller" in forms["muller-erna"]
    from book.markup.book import load_book
    book, _ = load_book(BOOKS / "web-edition")
    wanted = {f"{c.path.stem}.html#{m.anchor}" for c in book.chapters for m in c.mentions}
    linked = {value for key, value in page.links if key == "href" and "#" in value and ".html#" in value}
    assert wanted <= linked and len(wanted) == 10  # 1 + 5 (one in a note) + 2 + 2 in the table


def test_a_failed_build_leaves_the_last_good_site(tmp_path, copy_book):
    source = copy_book("web-edition")
    site = site_of(source, tmp_path / "out")
    before = (site / "01-arrival.html").read_text(encoding="utf-8")
    chapter = source / "01-arrival.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\n[[Nobody Known]]\n", encoding="utf-8")
    with pytest.raises(BookError):
        build(source, tmp_path / "out", edition="web")
    assert (site / "01-arrival.html").read_text(encoding="utf-8") == before
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["webtest-web"]


def test_fonts_are_cut_to_what_the_site_shows_and_a_visitor_types(site):
    from fontTools.ttLib import TTFont
    original = TTFont(ROOT / "styles" / "fonts" / "Literata-Regular.ttf").getBestCmap()
    cut = TTFont(site / "fonts" / "Literata-Regular.ttf").getBestCmap()
    shown = {ord(ch) for p in site.glob("*.html") for ch in p.read_text(encoding="utf-8")}
    assert {c for c in shown if c in original} <= set(cut)
    assert all(ord(ch) in cut for ch in "ЖжҚқӘәіЁёŠšÉéüÜ")  # typed into the search box
    italic = TTFont(site / "fonts" / "Literata-Italic.ttf").getBestCmap()
    assert ord("Щ") not in italic and ord("Щ") in cut  # only the regular face keeps what is not shown
    size = sum(f.stat().st_size for f in (site / "fonts").glob("*.ttf"))
    assert size < sum((ROOT / "styles" / "fonts" / f.name).stat().st_size for f in (site / "fonts").glob("*.ttf")) / 2


def test_chapter_files_never_take_the_names_of_the_editions_own_pages(copy_book, tmp_path):
    source = copy_book("web-edition")
    (source / "01-arrival.md").rename(source / "index.md")
    (source / "02-registry.md").rename(source / "names.md")
    manifest = source / "book.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("01-arrival.md", "index.md")
                        .replace("02-registry.md", "names.md"), encoding="utf-8")
    site = site_of(source, tmp_path)
    assert sorted(p.name for p in site.glob("*.html")) == [
        "00-about.html", "03-dates.html", "bibliography.html", "chapter-index.html", "chapter-names.html",
        "index.html", "names.html"]
    assert "<h1>Web Test</h1>" in (site / "index.html").read_text(encoding="utf-8")
    assert check_links(site) > 40


def test_two_builds_write_identical_sites(site, tmp_path):
    again = site_of(BOOKS / "web-edition", tmp_path)
    files = sorted(p.relative_to(site) for p in site.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    different = [str(f) for f in files if (site / f).read_bytes() != (again / f).read_bytes()]
    assert not different


def test_a_book_without_names_or_sources_links_to_neither(tmp_path):
    site = site_of(BOOKS / "narrow-measure", tmp_path)
    assert sorted(p.name for p in site.glob("*.html")) == ["01-words.html", "index.html"]
    assert check_links(site) > 5
