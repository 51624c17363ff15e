"""Book (+ page numbers from the body layout) -> HTML documents, through the Jinja2 templates in book/templates.

Three documents are rendered: the body (main chapters and bibliography, laid
out once), then the front matter (title pages, contents with the body's real
page numbers written in, front chapters) and the index of names, both small.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from .. import __version__
from ..model import Book, Chapter, IndexEntry
from ..paths import STYLES
from ..text import keep_last_words, normalize, plain
from .qr import qr_svg

"""The print CSS and its fonts (styles/ beside the package)."""

LABELS = {
    "en": dict(contents="Contents", bibliography="Bibliography", index="Index of names", see="see",
               edited_by="Edited by", printed_by="Printed by",
               no_isbn="No ISBN has been assigned to this edition yet.",
               typeface="Set in Literata (SIL Open Font License 1.1).",
               made_with="Typeset from Markdown sources with <i>book</i> and WeasyPrint."),
    "ru": dict(contents="Содержание", bibliography="Библиография", index="Указатель имён", see="см.",
               edited_by="Под редакцией", printed_by="Отпечатано:",
               no_isbn="Этому изданию ещё не присвоен ISBN.",
               typeface="Набрано шрифтом Literata (SIL Open Font License 1.1).",
               made_with="Свёрстано из исходных текстов Markdown программами <i>book</i> и WeasyPrint."),
    "kk": dict(contents="Мазмұны", bibliography="Библиография", index="Есімдер көрсеткіші", see="қ.",
               edited_by="Редакциясымен", printed_by="Басылған жері:",
               no_isbn="Бұл басылымға әлі ISBN берілмеген.",
               typeface="Literata қарпімен терілді (SIL Open Font License 1.1).",
               made_with="Markdown мәтіндерінен <i>book</i> және WeasyPrint бағдарламаларымен беттелді."),
}


def labels_for(language: str) -> dict[str, str]:
    """Printed labels in the book's language (English when we have none)."""
    return LABELS.get(language.split("-")[0].lower(), LABELS["en"])


@dataclass(frozen=True)
class Urls:
    """Where the HTML finds the book's files and the stylesheet."""

    base: str
    """file: URL of the book folder (images and data are relative to it)."""
    stylesheet: str
    """file: URL of styles/book.css."""
    grid: str = (STYLES / "grid.css").as_uri()
    """file: URL of styles/grid.css, loaded after book.css when the house style asks for the grid."""

    @classmethod
    def for_book(cls, root: Path) -> "Urls":
        """The URLs for a book folder."""
        return cls(root.resolve().as_uri() + "/", (STYLES / "book.css").as_uri())


TEMPLATES = Environment(loader=PackageLoader("book.layout", "templates"), autoescape=select_autoescape(["j2", "html"]),
                   undefined=StrictUndefined, trim_blocks=False, keep_trailing_newline=True)
TEMPLATES.filters["keep_last_words"] = lambda text: Markup(keep_last_words(text))
"""A display line (a title, a subtitle) whose last word never stands alone."""


CSS_ESCAPES = {"\\": "\\\\", '"': '\\"', "<": "\\3c ", ">": "\\3e ", "&": "\\26 ", "\n": " "}


def css_string(text: str) -> str:
    """A CSS string literal that is also safe inside an HTML <style> element."""
    return '"' + "".join(CSS_ESCAPES.get(ch, ch) for ch in text) + '"'


def page_css(book: Book, folio: str, first_page: int | None = None) -> Markup:
    """@page rules that depend on the book: size, verso head, folio style ('roman', 'arabic' or
    'none' for a page that carries nothing), first number."""
    m = book.manifest
    size = f"@page {{ size: {m.trim[0]:g}mm {m.trim[1]:g}mm; bleed: {m.bleed:g}mm; }}"
    if folio == "none":
        return Markup(size + "\n@page { @top-right { content: none } }")
    counter = "counter(page, lower-roman)" if folio == "roman" else "counter(page)"
    rules = [
        size,
        f"@page :left {{ @top-left {{ content: {css_string(m.title)} }} "
        f"@bottom-left {{ content: {counter}; font-size: 8pt }} }}",
        f"@page :right {{ @bottom-right {{ content: {counter}; font-size: 8pt }} }}",
    ]
    if first_page is not None:
        rules.append(f"@page :first {{ counter-reset: page {first_page} }}")
    return Markup("\n".join(rules))


def _common(book: Book, urls: Urls, part: str, folio: str, first_page: int | None = None) -> dict:
    return dict(m=book.manifest, urls=urls, part=part, version=__version__,
                labels=labels_for(book.manifest.language), page_css=page_css(book, folio, first_page))


def chapter_numbers(book: Book) -> dict[str, int]:
    """Chapter anchor -> its number, counting chapters of kind 'chapter' only."""
    numbers, n = {}, 0
    for chapter in book.chapters:
        if chapter.kind == "chapter":
            n += 1
            numbers[chapter.anchor] = n
    return numbers


def _chapters(book: Book, front: bool) -> list[Chapter]:
    titles = section_titles(book)
    return [replace(c, html=number_classes(quote_title_xrefs(c.html, titles))) for c in book.chapters
            if c.front == front]


_NUMBER = re.compile(r'<a class="fn-num" (href="[^"]*">)(\d{1,2})</a>')


def number_classes(html: str) -> str:
    """Each note number of one or two digits gets its class (n1 … n99): book.css pads it to the
    width of the box it starts the note with (styles/make_note_numbers.py)."""
    return _NUMBER.sub(r'<a class="fn-num n\2" \1\2</a>', html)


_HEADING = re.compile(r'<h[1-6] id="([^"]+)">(.*?)</h[1-6]>', re.S)
_XREF = re.compile(r'<a class="xref( in-parens)?" href="#([^"]+)">(.*?)</a>', re.S)


def _comparable(html: str) -> str:
    return normalize(plain(html).replace("\u00ad", "")).casefold().strip(" .,")


def section_titles(book: Book) -> dict[str, set[str]]:
    """id -> the titles a reference to it may name: its heading's, and its chapter's."""
    titles: dict[str, set[str]] = {}
    for chapter in book.chapters:
        own = _comparable(chapter.title_html or chapter.title)
        titles[chapter.anchor] = {own}
        for ident, text in _HEADING.findall(chapter.html):
            titles[ident] = {_comparable(text), own}
    return titles


OPENING_QUOTES = ("“", "‘", '"', "«", "„")
"""Quotation marks a reference's text may open with, when the editor set the title in quotes."""


def quote_title_xrefs(html: str, titles: dict[str, set[str]]) -> str:
    """A cross-reference whose text is the title of the section it points at is a title, set the house
    way: in quotation marks (the CSS adds them around the text, before the page number)."""
    def mark(m: re.Match) -> str:
        parens, target, text = m.groups()
        if plain(text).strip().startswith(OPENING_QUOTES):  # the editor quoted it already
            return m.group()
        if _comparable(text) in titles.get(target, set()):
            return f'<a class="xref{parens or ""} title" href="#{target}">{text}</a>'
        return m.group()
    return _XREF.sub(mark, html)


def render_body(book: Book, urls: Urls, bibliography: list[dict]) -> str:
    """The body document: main chapters, then the bibliography."""
    return TEMPLATES.get_template("body.html.j2").render(
        chapters=_chapters(book, False), numbers=chapter_numbers(book), bibliography=bibliography,
        **_common(book, urls, "body", "arabic"))


def render_front(book: Book, urls: Urls, contents: list[dict], colophon: str) -> str:
    """The front matter: title pages, colophon, dedication, contents, front chapters."""
    return TEMPLATES.get_template("front.html.j2").render(
        chapters=_chapters(book, True), numbers={}, contents=contents, colophon=Markup(colophon),
        qr=qr_svg(book.manifest.web_url) if book.manifest.web_url else "",
        **_common(book, urls, "front", "roman"))


def render_index(book: Book, urls: Urls, entries: list[IndexEntry], first_page: int,
                 pages: list | None = None, measure: bool = False) -> str:
    """The index of names, numbered from first_page: in two columns the engine balances, or, with
    pages (from index.plan_columns: per page, two columns of items), in the columns given; with
    measure, in one column of a column's width, so that each item's height can be read."""
    return TEMPLATES.get_template("index.html.j2").render(
        items=index_items(entries), pages=pages, measure=measure,
        **_common(book, urls, "index", "arabic", first_page))


def index_items(entries: list[IndexEntry]) -> list[tuple[str, object]]:
    """The index as it is read: ("group", letter) before the first entry of each letter group,
    then ("entry", entry) for each entry."""
    items: list[tuple[str, object]] = []
    for entry in entries:
        if not items or items[-1][0] == "entry" and items[-1][1].label != entry.label:
            items.append(("group", entry.label))
        items.append(("entry", entry))
    return items


def render_blank(book: Book, urls: Urls) -> str:
    """One empty page of the book's size."""
    return TEMPLATES.get_template("blank.html.j2").render(**_common(book, urls, "blank", "none"))


NARRATIVE = frozenset({"chapter", "prologue", "epilogue"})
"""Chapter kinds that are part of the story: set in the contents like chapters (numbered or not),
not like back matter."""


def contents_entries(book: Book, body_labels: dict[str, str], back: list[tuple[str, str, str]]) -> list[dict]:
    """Contents lines: front chapters (numbered by the front layout itself), main chapters with their
    printed page, then back-matter sections given as (anchor, title, page)."""
    numbers = chapter_numbers(book)
    entries = []
    for chapter in book.chapters:
        entries.append(dict(anchor=chapter.anchor, title=Markup(chapter.title_html), roman=chapter.front,
                            page=body_labels.get(chapter.anchor, ""), number=numbers.get(chapter.anchor),
                            cls="front" if chapter.front else ("main" if chapter.kind in NARRATIVE else "back")))
    for anchor, title, page in back:
        entries.append(dict(anchor=anchor, title=title, roman=False, page=page, number=None, cls="back"))
    first_back = next((e for e in entries if e["cls"] == "back"), None)
    if first_back:
        first_back["cls"] = "back first-back"
    return entries


def join_html(*documents: str) -> str:
    """One HTML file holding the bodies of several rendered documents, for preview."""
    head = documents[0].split("<body", 1)[0]
    bodies = [d.split("<body", 1)[1].split(">", 1)[1].rsplit("</body>", 1)[0] for d in documents]
    return head + "<body>\n" + "\n".join(bodies) + "</body>\n</html>\n"
