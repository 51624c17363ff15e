"""The document model: frozen dataclasses every stage reads and returns.

Nothing here does work; the stages in load, markup, names, render, paginate and
finish take these values and return new ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

PT_PER_MM = 72 / 25.4
"""PDF points in a millimetre."""


@dataclass(frozen=True, order=True)
class Location:
    """A place in a source file, for messages an editor can act on."""

    path: Path
    """The file, as given (relative paths stay relative)."""
    line: int = 0
    """1-based line, 0 when the whole file is meant."""
    col: int = 0
    """1-based column, 0 when the whole line is meant."""

    def __str__(self) -> str:
        parts = [str(self.path)]
        if self.line:
            parts.append(str(self.line))
            if self.col:
                parts.append(str(self.col))
        return ":".join(parts)


@dataclass(frozen=True)
class Manifest:
    """chapters/book.yaml, validated."""

    root: Path
    """The folder holding book.yaml; every file the book reads lies inside it."""
    title: str
    """The book's title."""
    subtitle: str = ""
    """Subtitle, or empty."""
    slug: str = "book"
    """Base name of the output files."""
    authors: tuple[str, ...] = ()
    """Authors, in the order given."""
    editors: tuple[str, ...] = ()
    """Editors, when the book has editors rather than authors."""
    language: str = "en"
    """BCP 47 language tag; drives hyphenation, collation and labels."""
    edition: str = ""
    """Edition statement for the colophon."""
    year: int | None = None
    """Year of publication."""
    publisher: str = ""
    """Publisher's name."""
    trim: tuple[float, float] = (148.0, 210.0)
    """Trim width and height in millimetres."""
    bleed: float = 3.0
    """Bleed on every side, in millimetres."""
    paper_caliper: float = 0.1
    """Thickness of one leaf, in millimetres, for the spine."""
    names: Path | None = None
    """The names registry, if the book has one."""
    sources: tuple[Path, ...] = ()
    """The bibliography files (sources.yaml, CSL-JSON, CSL-YAML, .bib), in the order given."""
    contents: tuple[Path, ...] = ()
    """Chapter files in reading order."""
    dedication: str = ""
    """Text of the dedication page, or empty for none."""
    colophon: str = ""
    """Extra Markdown for the colophon (how the book was made), or empty."""
    description: str = ""
    """Short description: PDF subject, back cover."""
    keywords: tuple[str, ...] = ()
    """PDF keywords."""
    marks: tuple[str, ...] = ()
    """Printer's marks wanted in the print edition (e.g. crop); none by default."""
    page_multiple: int = 4
    """The print edition's page count is padded with blank pages to a multiple of this (1: never)."""
    safety_margin: float = 5.0
    """Millimetres inside the trim that text must keep clear of (checked by preflight)."""
    back_text: str = ""
    """Text for the back cover; the description when empty."""
    web_url: str = ""
    """Address of the web edition; when set, the imprint page and the back cover carry a QR code to it."""
    date: str = ""
    """Publication date (YYYY-MM-DD) written into the PDFs, so that builds are reproducible; empty: the
    newest source file's time (SOURCE_DATE_EPOCH overrides both)."""
    isbn: str = ""
    """ISBN-13 as written (hyphens kept), check digit verified; empty when the book has none yet."""
    printer: str = ""
    """Printer's name and place, for the imprint page."""
    copyright: str = ""
    """Copyright holder(s) and year for the imprint page, e.g. "2026 The Memorial"."""
    binding: str = "perfect"
    """perfect (glued, the cover has a spine) or saddle (stapled, no spine)."""
    cover_image: Path | None = None
    """An image for the front cover, inside the book folder."""
    back_quote: str = ""
    """A short quotation for the back cover (with its source), or empty."""
    style: "HouseStyle" = field(default_factory=lambda: HouseStyle())
    """How dates and quotation punctuation are written in notes, bibliography and apparatus."""
    hyphenation: tuple[tuple[str, tuple[int, ...]], ...] = ()
    """Hyphenation exceptions: words (lower case) and where they may break (none: never)."""
    where: tuple[tuple[str, "Location"], ...] = ()
    """Where each key is written in book.yaml, for messages about its value."""

    def at(self, key: str) -> "Location":
        """Where key is written in book.yaml, or book.yaml itself."""
        return dict(self.where).get(key, Location(self.root / "book.yaml"))


@dataclass(frozen=True)
class HouseStyle:
    """book.yaml `style`: one choice for the whole book (text, notes, bibliography, index)."""

    dates: str = "month-day-year"
    """day-month-year (30 May 2013) or month-day-year (May 30, 2013, US Chicago)."""
    quotes: str = "american"
    """logical (commas and periods outside closing quotes unless quoted) or american (always inside)."""
    grid: str = "none"
    """baseline: every line, heading, quotation and list on one baseline grid (styles/grid.css)."""
    ranges: str = "full"
    """full (1938–1953, pp. 123–128) or abbreviated (1938–53, pp. 123–28, as CMOS 9.61): years and pages."""
    uncertain: str = "about"
    """How an uncertain date is printed: about (about 2023), circa (c. 2023) or query ([2023?])."""


HOUSE_STYLES = {"dates": ("day-month-year", "month-day-year"), "quotes": ("logical", "american"),
                "grid": ("baseline", "none"), "ranges": ("full", "abbreviated"),
                "uncertain": ("about", "circa", "query")}
"""The values each `style` key accepts."""


@dataclass(frozen=True)
class Source:
    """One entry of sources.yaml."""

    id: str
    """Citation key, as written after @."""
    type: str
    """article, web, blog, interview, book, film, document or memoir."""
    title: str
    """Title as published."""
    origin: Location
    """Where the entry starts in sources.yaml."""
    authors: tuple[str, ...] = ()
    """Authors (or the issuing body of a document), display form."""
    publisher: str = ""
    """Publisher, periodical or site."""
    date: str = ""
    """Date as written: a year, year-month or a full date."""
    url: str = ""
    """Where it can be read."""
    note: str = ""
    """Editorial note (not printed in citations unless the formatter uses it)."""
    extra: tuple[tuple[str, str], ...] = ()
    """Further declared fields (e.g. accessed, director, number), as key/value pairs."""

    def get(self, key: str, default: str = "") -> str:
        """A field from extra, or default."""
        return dict(self.extra).get(key, default)


@dataclass(frozen=True)
class Person:
    """One entry of names.yaml."""

    id: str
    """Registry id, used in [[text|id]] tags."""
    name: str
    """Display name."""
    sort: str
    """Sort form, "Surname, Given Patronymic"."""
    origin: Location
    """Where the entry starts in names.yaml."""
    variants: tuple[str, ...] = ()
    """Other spellings and forms that may be tagged."""
    variant_sorts: tuple[tuple[str, str], ...] = ()
    """Explicit sort forms for variants, as (variant, sort) pairs."""
    role: str = ""
    """Short neutral description shown in the index."""
    dates: str = ""
    """Life dates, as written."""
    native: str = ""
    """The name in its own script."""
    ambiguous: tuple[str, ...] = ()
    """Variants knowingly shared with another entry."""


@dataclass(frozen=True)
class Note:
    """A footnote: an editorial note or a citation, numbered within its chapter."""

    number: int
    """1-based number within the chapter."""
    anchor: str
    """id of the note body in the HTML; the call's id is 'call-' + anchor."""
    html: str
    """The note's text as inline HTML (no raw newlines)."""
    origin: Location
    """Where the call is written."""


@dataclass(frozen=True)
class Mention:
    """A tagged name in the text."""

    person: str
    """Registry id."""
    anchor: str
    """id of the span in the HTML."""
    text: str
    """The text as printed."""
    origin: Location
    """Where the tag is written."""


@dataclass(frozen=True)
class CrossRef:
    """A link to an id elsewhere in the book, printed with its page."""

    target: str
    """The id pointed at."""
    origin: Location
    """Where the link is written."""


@dataclass(frozen=True)
class Chapter:
    """One chapter file, parsed."""

    path: Path
    """The chapter file."""
    anchor: str
    """id of the chapter's section in the HTML."""
    title: str
    """Title from the front matter (plain text)."""
    kind: str
    """chapter, foreword, afterword, chronology, …"""
    html: str
    """The chapter body as HTML, notes placed at their calls."""
    subtitle: str = ""
    """Subtitle from the front matter."""
    title_html: str = ""
    """Title as inline HTML (typographic quotes, emphasis)."""
    short_title: str = ""
    """Title for the running head, if shorter than the title."""
    notes: tuple[Note, ...] = ()
    """Notes in call order."""
    mentions: tuple[Mention, ...] = ()
    """Tagged names in reading order."""
    xrefs: tuple[CrossRef, ...] = ()
    """Cross-references in reading order."""
    ids: tuple[str, ...] = ()
    """Every id this chapter defines (headings with {#id}, figures)."""
    cited: tuple[str, ...] = ()
    """Source ids cited, in order of first citation."""

    @property
    def front(self) -> bool:
        """True for chapters that belong to the front matter (roman folios)."""
        return self.kind in FRONT_KINDS


FRONT_KINDS = frozenset({"foreword", "preface", "about", "introduction-front"})
"""Chapter kinds set in the front matter, before the first arabic page."""

KINDS = frozenset({
    "chapter", "foreword", "preface", "about", "prologue", "epilogue",
    "afterword", "chronology", "appendix", "sources",
})
"""Every chapter kind an editor may write."""


@dataclass(frozen=True)
class Book:
    """Everything the book says, validated; no layout yet."""

    manifest: Manifest
    """book.yaml."""
    chapters: tuple[Chapter, ...]
    """Chapters in reading order."""
    people: tuple[Person, ...] = ()
    """The names registry."""
    sources: tuple[Source, ...] = ()
    """The bibliography."""
    warnings: tuple[str, ...] = ()
    """Problems that do not stop the build, already formatted."""
    colophon_html: str = ""
    """book.yaml's `colophon` (Markdown) as checked HTML, or empty."""


@dataclass(frozen=True)
class IndexEntry:
    """One line of the index of names."""

    sort: str
    """Sort form as printed."""
    label: str
    """Letter group it belongs to."""
    role: str = ""
    """Role in parentheses, or empty."""
    pages: tuple[tuple[str, str], ...] = ()
    """Locators as (printed text, anchor to link to) pairs, ranges already joined."""
    see: str = ""
    """For a cross-reference entry, the sort form it points at."""


@dataclass(frozen=True)
class Layout:
    """Where things landed after the single body layout."""

    pages: dict[str, int] = field(default_factory=dict)
    """Anchor id -> 0-based page index in the joined book."""
    labels: tuple[str, ...] = ()
    """Printed folio of each page of the joined book ('' for none)."""
    blanks: tuple[int, ...] = ()
    """0-based pages left blank on purpose: versos the engine inserted before a recto opening, and
    the padding pages after the front matter and the body."""
