"""Book -> reflowable chapters for the web edition and the EPUB: notes moved to the end of each
chapter, cross-references that name their section, no print-only markup.

The chapter HTML from markup is written for the page: each note is a `<span class="fn">` at its
call (floated to the page foot by the print CSS), cross-references get their page number from
the CSS. Here that
HTML is parsed again (html.parser) and written out as well-formed markup that is both HTML and
XHTML: the notes are collected into endnotes linked both ways, each cross-reference points at the
file that holds its target and says which section that is, and every id stays as it was, so the
index of names can link to each tagged name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser

from ..model import Book, Chapter
from ..text import plain

VOID = frozenset({"br", "img", "hr", "wbr"})
"""Elements without content, written self-closed."""
DROP_ATTRS = frozenset({"data-running"})
"""Attributes that only the print layout reads."""


@dataclass(frozen=True)
class Endnote:
    """A note moved to the end of its chapter."""

    anchor: str
    """id of the note; its call is 'call-' + anchor."""
    number: int
    """Number within the chapter."""
    html: str
    """The note's text, without its number."""


@dataclass(frozen=True)
class Place:
    """Where an id of the book is, for links from other files."""

    file: str
    """The file (of the edition) that holds it."""
    section: str
    """Title of the section it is in (or that it is: a heading, a figure's caption)."""
    chapter: str
    """Title of its chapter."""
    own: bool = False
    """True when the id is the section itself (a heading, a chapter, a figure)."""


@dataclass
class Reflowed:
    """One chapter, rewritten for a reflowable edition."""

    chapter: Chapter
    """The chapter it comes from."""
    file: str
    """Its file name in the edition."""
    html: str = ""
    """The body, notes taken out."""
    notes: list[Endnote] = field(default_factory=list)
    """The notes, in call order."""
    sections: dict[str, str] = field(default_factory=dict)
    """Every id in the chapter -> the title of the section it is in."""
    svg: bool = False
    """True when the body holds inline SVG (EPUB declares it)."""
    images: list[str] = field(default_factory=list)
    """Image paths (relative to the book folder) that the body shows."""


RESERVED = frozenset({"index", "names", "bibliography", "title", "nav", "web", "search", "notes", "style"})
"""File names the editions use for pages and assets of their own."""


def chapter_files(book: Book, suffix: str) -> list[str]:
    """The edition's file for each chapter: its source file's name with the edition's suffix, made
    unique, and never one of the names the edition gives its own pages."""
    files: list[str] = []
    for chapter in book.chapters:
        stem = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in chapter.path.stem) or "chapter"
        stem = f"chapter-{stem}" if stem.lower() in RESERVED else stem
        name, n = stem, 1
        while f"{name}{suffix}".lower() in (f.lower() for f in files):
            n += 1
            name = f"{stem}-{n}"
        files.append(f"{name}{suffix}")
    return files


def reflow_book(book: Book, suffix: str, epub: bool, image_dir: str,
                back: dict[str, Place] | None = None) -> list[Reflowed]:
    """Every chapter of the book rewritten; `back` places the ids of pages that are not chapters
    (the bibliography, the index of names)."""
    places: dict[str, Place] = dict(back or {})
    files = chapter_files(book, suffix)
    for chapter, file in zip(book.chapters, files):
        scan = _Rewriter(chapter, {}, epub, image_dir)
        scan.run()
        title = plain(chapter.title_html or chapter.title)
        places[chapter.anchor] = Place(file, title, title, own=True)
        for ident, section in scan.sections.items():
            places[ident] = Place(file, section, title, own=ident in scan.titled)
    out = []
    for chapter, file in zip(book.chapters, files):
        writer = _Rewriter(chapter, places, epub, image_dir, file)
        writer.run()
        out.append(Reflowed(chapter, file, "".join(writer.out), writer.notes, writer.sections,
                            writer.svg, writer.images))
    return out


def where_text(place: Place, link_text: str, here: str) -> str:
    """What a cross-reference says instead of a page number: the section it points at (when the
    link text does not already say it) and the chapter, when that is another file."""
    parts = []
    if _norm(link_text) != _norm(place.section):
        parts.append(_quoted(place.section))
    if place.file != here and _norm(place.chapter) not in (_norm(place.section), _norm(link_text)):
        parts.append(f"in {_quoted(place.chapter)}")
    return ", ".join(parts)


def _quoted(title: str) -> str:
    return title if title.startswith(("“", "‘", "«", "„")) else f"“{title}”"


def _norm(text: str) -> str:
    return " ".join(text.replace("\u00ad", "").replace("“", "").replace("”", "").split()).casefold()


class _Rewriter(HTMLParser):
    """Parses one chapter's HTML and writes it out again, for a reflowable edition."""

    def __init__(self, chapter: Chapter, places: dict[str, Place], epub: bool, image_dir: str,
                 file: str = ""):
        super().__init__(convert_charrefs=True)
        self.chapter, self.places, self.epub, self.image_dir, self.file = chapter, places, epub, image_dir, file
        self.out: list[str] = []
        self.buffers: list[list[str]] = []  # the open note's text goes to buffers[-1]
        self.stack: list[tuple[str, str]] = []  # (tag, what to write at its end tag)
        self.notes: list[Endnote] = []
        self.note_ids: list[str] = []
        self.sections: dict[str, str] = {}
        self.titled: set[str] = set()  # ids that are a section's own heading or caption
        self.section = plain(chapter.title_html or chapter.title)
        self.heading: tuple[str, list[str]] | None = None  # (id, text so far)
        self.caption: list[str] | None = None
        self.figure_id = ""
        self.table_id = ""
        self.table_caption = ""
        self.columns: list[str] = []
        self.column = 0
        self.th: list[str] | None = None
        self.skip_number = False  # inside the note's own number link
        self.xref: tuple[str, list[str]] | None = None
        self.svg_depth = 0
        self.svg = False
        self.images: list[str] = []

    def run(self) -> None:
        self.feed(self.chapter.html)
        self.close()

    # --- output ----------------------------------------------------------------------

    def write(self, text: str) -> None:
        (self.buffers[-1] if self.buffers else self.out).append(text)

    def tag(self, name: str, attrs: list[tuple[str, str | None]], close: bool = False) -> str:
        text = "".join(f' {k}="{escape(v or "", quote=True)}"' for k, v in attrs if k not in DROP_ATTRS)
        return f"<{name}{text}{' /' if close else ''}>"

    # --- parser callbacks ------------------------------------------------------------

    def handle_starttag(self, name, attrs):
        if self.svg_depth or name == "svg":
            self._svg_start(name, attrs)
            return
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if a.get("id"):
            self.sections[a["id"]] = self.section
        end = "" if self.skip_number else self._print_markup(name, a, classes)
        if end is not None:
            self.stack.append((name, end))
            return
        attrs = self._structure(name, attrs, a, classes)
        self.write(self.tag(name, attrs, close=name in VOID))
        if name not in VOID:
            self.stack.append((name, f"</{name}>"))

    def _print_markup(self, name: str, a: dict, classes: list[str]) -> str | None:
        """Rewrite the print edition's own elements (notes, calls, cross-references, links out); returns what to do at the end tag, or None for any other element."""
        if name == "span" and "fn" in classes:
            self.buffers.append([])
            self.note_ids.append(a.get("id") or "")
            return "\0note"
        if name == "a" and "fn-num" in classes:
            self.skip_number = True
            return "\0number"
        if name == "a" and "call" in classes:
            extra = [("epub:type", "noteref")] if self.epub else [("role", "doc-noteref")]
            self.write(self.tag("a", [("class", "call"), ("id", a.get("id")), ("href", a.get("href"))] + extra))
            return "</a>"
        if name == "a" and "xref" in classes:
            target = (a.get("href") or "#")[1:]
            place = self.places.get(target)
            href = f"#{target}" if place is None or place.file == self.file else f"{place.file}#{target}"
            self.write(self.tag("a", [("class", "xref"), ("href", href)]))
            self.xref = (target, [], "in-parens" in classes)
            return "\0xref"
        if name == "a":  # a link out of the book: its text, and the address after it
            self.xref = ("", [], False)
            return f"\0url{a.get('href') or ''}"
        return None

    def _structure(self, name: str, attrs: list, a: dict, classes: list[str]) -> list:
        """Note headings, captions and table columns as they open; the attributes to write."""
        ident = a.get("id")
        if name in ("h2", "h3", "h4") and ident:
            self.heading = (ident, [])
        elif name == "figure":
            self.figure_id = ident or ""
            if not self.epub and "chart" in classes:  # it may scroll sideways: the keyboard must reach it
                attrs = attrs + [("tabindex", "0")]
        elif name == "table":
            self.table_id, self.columns = ident or "", []
            if self.table_id and self.table_caption:
                self.sections[self.table_id] = self.table_caption
                self.titled.add(self.table_id)
        elif name == "th":
            self.th = []
        elif name == "tr":
            self.column = 0
        elif name == "td":
            label = self.columns[self.column] if self.column < len(self.columns) else ""
            self.column += 1
            attrs = attrs + [("data-label", label)] if label else attrs
        elif name == "img":
            src = a.get("src") or ""
            self.images.append(src)
            attrs = [(k, f"{self.image_dir}/{src}" if k == "src" else v) for k, v in attrs]
        if name == "figcaption" or (name == "p" and "table-caption" in classes):
            self.caption = []
        return attrs

    def handle_startendtag(self, name, attrs):
        if self.svg_depth:
            self.write(self.get_starttag_text())
            return
        self.handle_starttag(name, attrs)
        if name not in VOID:
            self.handle_endtag(name)

    def handle_endtag(self, name):
        if self.svg_depth:
            self.svg_depth -= 1
            self.write(f"</{name}>")
            return
        if name in VOID or not self.stack:
            return
        _, end = self.stack.pop()
        if end == "\0number":
            self.skip_number = False
        elif end == "\0note":
            body = "".join(self.buffers.pop()).strip()
            self.notes.append(Endnote(self.note_ids.pop(), len(self.notes) + 1, body))
        elif end == "\0xref":
            target, text, in_parens = self.xref
            self.xref = None
            self.write("</a>")
            place = self.places.get(target)
            where = where_text(place, "".join(text), self.file) if place else ""
            if where:
                self.write(f", {escape(where)}" if in_parens else f" ({escape(where)})")
        elif end.startswith("\0url"):
            href = end[4:]
            text = "".join(self.xref[1]) if self.xref else ""
            self.xref = None
            if href and href != text.strip():
                self.write(f' <span class="url">({escape(href)})</span>')
        else:
            self.write(end)
        if name in ("h2", "h3", "h4") and self.heading is not None:
            ident, text = self.heading
            self.section = "".join(text).strip()
            self.sections[ident] = self.section
            self.titled.add(ident)
            self.heading = None
        if name in ("figcaption", "p") and self.caption is not None:
            caption = "".join(self.caption).strip()
            self.caption = None
            if name == "figcaption" and self.figure_id:
                self.sections[self.figure_id] = caption
                self.titled.add(self.figure_id)
            elif name == "p":
                self.table_caption = caption
        if name == "table":
            self.table_caption = ""
        if name == "th" and self.th is not None:
            self.columns.append("".join(self.th).strip())
            self.th = None

    def handle_data(self, data):
        data = data.replace("\u00ad", "")  # the print edition's soft hyphens: a screen hyphenates itself
        if self.svg_depth:
            self.write(escape(data, quote=False))
            return
        if self.skip_number:
            return
        if self.buffers and not "".join(self.buffers[-1]) and not data.strip():
            return  # the space after the note's number
        for sink in (self.caption, self.th, self.xref[1] if self.xref else None,
                     self.heading[1] if self.heading else None):
            if sink is not None:
                sink.append(data)
        self.write(escape(data, quote=False))

    def _svg_start(self, name, attrs):
        if name == "svg" and not self.svg_depth:
            self.svg = True
        raw = self.get_starttag_text() or ""
        self.write(raw)
        if not raw.endswith("/>"):
            self.svg_depth += 1
