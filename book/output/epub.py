"""Book -> out/<slug>.epub: EPUB 3 with a navigation document, footnotes, the index of names
as linked entries, embedded fonts and metadata; it passes epubcheck.

Chapters are reflowed as for the web edition (reflow.py), written as XHTML with each note an
`<aside epub:type="footnote">` at the end of its chapter and each call an `epub:type="noteref"`
link, so reading systems show the note in a pop-up. The zip has `mimetype` first and stored, and
every entry carries one fixed date, so two builds of the same sources are byte-identical.
"""

from __future__ import annotations

import time
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from ..layout import bibliography as biblio
from ..layout.render import TEMPLATES
from ..model import Book
from ..paths import STYLES, replacing
from ..text import plain
from .finish import build_date
from .web import FONTS, IMAGES, grouped, name_entries, prepare

MEDIA_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml",
               ".ttf": "font/ttf", ".css": "text/css", ".xhtml": "application/xhtml+xml"}
"""Media type of each kind of file the EPUB holds."""
CONTAINER = """<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
<rootfiles><rootfile full-path="EPUB/package.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>
"""


@dataclass(frozen=True)
class Item:
    """One file of the publication, as the package lists it."""

    href: str
    """Path inside EPUB/."""
    data: bytes
    """Its content."""
    properties: str = ""
    """Package properties (nav, svg)."""
    spine: bool = False
    """True for a document read in order."""

    @property
    def id(self) -> str:
        """An XML name for the manifest."""
        return "i-" + "".join(ch if ch.isalnum() else "-" for ch in self.href)

    @property
    def media_type(self) -> str:
        """The file's media type."""
        return MEDIA_TYPES[Path(self.href).suffix.lower()]


def identifier(book: Book) -> str:
    """A stable URN for the book: the same title, slug and edition give the same identifier."""
    m = book.manifest
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"book:{m.slug}:{m.title}:{m.edition}:{m.year}"))


def epub_items(book: Book) -> list[Item]:
    """Every file of the publication but the package and the container, in reading order."""
    m = book.manifest
    e = prepare(book, ".xhtml", epub=True)
    labels, chapters, bibliography, toc, numbers = e.labels, e.chapters, e.bibliography, e.toc, e.numbers
    common = dict(m=m, labels=labels)

    def page(name: str, title: str, **values) -> bytes:
        return TEMPLATES.get_template(f"epub/{name}.xhtml.j2").render(page_title=title, **common, **values).encode()

    items = [Item("nav.xhtml", page("nav", labels["contents"], toc=toc), "nav"),
             Item("title.xhtml", page("title", m.title, colophon=Markup(biblio.colophon_html(book))), spine=True)]
    for flowed in chapters:
        data = page("chapter", plain(flowed.chapter.title_html or flowed.chapter.title), c=flowed.chapter,
                    body=Markup(flowed.html), notes=flowed.notes, number=numbers.get(flowed.chapter.anchor))
        items.append(Item(flowed.file, data, "svg" if flowed.svg else "", spine=True))
    if bibliography:
        items.append(Item("bibliography.xhtml", page("bibliography", labels["bibliography"], entries=bibliography),
                          spine=True))
    if book.people:
        items.append(Item("names.xhtml", page("names", labels["index"], groups=grouped(name_entries(book, chapters))),
                          spine=True))
    items.append(Item("style.css", (STYLES / "web" / "epub.css").read_bytes()))
    items.extend(Item(f"fonts/{name}", (STYLES / "fonts" / name).read_bytes()) for name in FONTS)
    for src in e.images:
        items.append(Item(f"{IMAGES}/{src}", (m.root / src).read_bytes()))
    return items


def write_epub(book: Book, target: Path) -> Path:
    """Write the EPUB to target (replacing it only when complete)."""
    m = book.manifest
    stamp = int(build_date(book).timestamp())  # the date every edition carries
    items = epub_items(book)
    modified = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(stamp))
    package = TEMPLATES.get_template("epub/package.opf.j2").render(
        m=m, items=items, identifier=identifier(book), modified=modified,
        date=str(m.year) if m.year else modified[:10]).encode()
    date_time = max(time.gmtime(stamp)[:6], (1980, 1, 1, 0, 0, 0))
    files = [("mimetype", b"application/epub+zip"), ("META-INF/container.xml", CONTAINER.encode()),
             ("EPUB/package.opf", package), *((f"EPUB/{item.href}", item.data) for item in items)]
    with replacing(target) as temporary, zipfile.ZipFile(temporary, "w") as archive:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time)
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return target
