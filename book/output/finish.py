"""Laid-out Documents -> PDFs in out/: page labels, the screen edition's boxes and opening, atomic writes.

The joined book is front matter (roman, padded to an even count), the body
(arabic from 1), a blank page if the index would otherwise start on a verso,
and the index. WeasyPrint writes no /PageLabels, so a finisher adds them.
Both editions are written from the same laid-out pages: the print edition
through press.print_finisher, the screen edition cropped to the trim,
tagged, opening on the title page with the outline shown.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

import pydyf

from ..errors import BookError
from ..model import Location
from ..paths import replacing
from .glyph_runs import install as install_glyph_runs


def page_labels(front_count: int):
    """A finisher writing /PageLabels: lower-roman for the front matter, arabic from 1 after it."""
    def finisher(document, pdf) -> None:
        numbers = []
        if front_count:
            numbers += [0, pydyf.Dictionary({"S": "/r"})]
        numbers += [front_count, pydyf.Dictionary({"S": "/D", "St": 1})]
        pdf.catalog["PageLabels"] = pydyf.Dictionary({"Nums": pydyf.Array(numbers)})
    return finisher


def label_runs(folios: list[str]):
    """A finisher writing /PageLabels for pages whose printed folios are given one by one (roman or
    arabic), as in the screen edition, where blank versos are left out and numbers jump."""
    def finisher(document, pdf) -> None:
        numbers = []
        for index, style, start in label_ranges(folios):
            numbers += [index, pydyf.Dictionary({"S": style, "St": start})]
        pdf.catalog["PageLabels"] = pydyf.Dictionary({"Nums": pydyf.Array(numbers)})
    return finisher


def label_ranges(folios: list[str]) -> list[tuple[int, str, int]]:
    """Printed folios (roman or arabic), one per page -> the /PageLabels ranges that give them:
    (first page index, style /r or /D, number of that first page)."""
    ranges, previous = [], None
    for index, folio in enumerate(folios):
        style, value = ("/D", int(folio)) if folio.isdigit() else ("/r", from_roman(folio))
        if previous != (style, value - 1):
            ranges.append((index, style, value))
        previous = (style, value)
    return ranges


def from_roman(text: str) -> int:
    """'xiv' -> 14."""
    values = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
    total = 0
    for i, ch in enumerate(text):
        value = values[ch]
        total += -value if i + 1 < len(text) and values[text[i + 1]] > value else value
    return total


def pages_of(pdf) -> list:
    """The page dictionaries of a PDF being written."""
    return [obj for obj in pdf.objects if isinstance(obj, pydyf.Dictionary) and obj.get("Type") == "/Page"]


def chain(*finishers):
    """One finisher running several in turn."""
    def finisher(document, pdf) -> None:
        for step in finishers:
            step(document, pdf)
    return finisher


def screen_finisher(opening_page: int):
    """Crop every page to its trim (no bleed, no marks); open on opening_page with bookmarks shown."""
    def finisher(document, pdf) -> None:
        pages = pages_of(pdf)
        for page in pages:
            trim = pydyf.Array(list(page.get("TrimBox", page["MediaBox"])))
            page["MediaBox"] = page["TrimBox"] = trim
            page.pop("BleedBox", None)
        pdf.catalog["PageMode"] = "/UseOutlines"
        if pages:
            target = pages[min(opening_page, len(pages) - 1)]
            pdf.catalog["OpenAction"] = pydyf.Array([target.reference, "/Fit"])
    return finisher


def folio_labels(front_count: int, total: int) -> list[str]:
    """The printed folio of every page of the joined book, as the page labels give it."""
    return [roman(i + 1) for i in range(front_count)] + [str(i + 1) for i in range(total - front_count)]


def roman(number: int) -> str:
    """1 -> 'i', 14 -> 'xiv'."""
    out = ""
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                           (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        count, number = divmod(number, value)
        out += letters * count
    return out


@dataclass(frozen=True)
class Stamp:
    """What makes two builds of the same sources byte-identical: one date, ids from the content."""

    when: datetime.datetime
    """The build date written as CreationDate, ModDate and the XMP dates (UTC)."""
    content: str
    """Text the XMP document ids are derived from (the book's HTML)."""

    @property
    def iso(self) -> str:
        """The date as W3C/ISO text."""
        return self.when.strftime("%Y-%m-%dT%H:%M:%S+00:00")

    def document_id(self, name: str) -> uuid.UUID:
        """A stable id for one written file."""
        return uuid.UUID(bytes=hashlib.sha256(f"{name}\n{self.content}".encode()).digest()[:16], version=4)


def build_date(book) -> datetime.datetime:
    """SOURCE_DATE_EPOCH when set; else book.yaml's `date`; else the newest source file's time."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        if not epoch.isdigit():
            raise BookError(f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds since 1970; fix or unset it",
                            Location(Path("SOURCE_DATE_EPOCH")))
        return datetime.datetime.fromtimestamp(min(int(epoch), 253402300799), datetime.timezone.utc)
    m = book.manifest
    if m.date:
        day = datetime.date.fromisoformat(m.date)
        return datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.timezone.utc)
    files = [m.root / "book.yaml", *m.contents, *m.sources, *([m.names] if m.names else [])]
    newest = max(int(p.stat().st_mtime) for p in files if p.exists())
    return datetime.datetime.fromtimestamp(newest, datetime.timezone.utc)


XMP_ID = re.compile(rb"xmp\.did:[0-9a-f-]{36}")


def _stamped(stamp: Stamp, name: str):
    """A finisher replacing the engine's random XMP document id with one derived from the content."""
    def finisher(document, pdf) -> None:
        reference = pdf.catalog.get("Metadata")
        if reference is None:
            return
        stream = referenced(pdf, reference)
        new = f"xmp.did:{stamp.document_id(name)}".encode()
        stream.stream = [XMP_ID.sub(new, part) if isinstance(part, bytes) else part for part in stream.stream]
    return finisher


def referenced(pdf, reference):
    """The object of a PDF being written that a reference ("12 0 R", as text or bytes) points at."""
    return pdf.objects[int(reference.split()[0])]


def ligature_text(document, pdf) -> None:
    """A finisher giving ligatures back their text. WeasyPrint maps a glyph to the text of the place
    where it first draws it, and a ligature first drawn across a soft hyphen ("dif-ferent", "ff")
    gets no text at all: the word then reads, searches and is spoken as "dierent" everywhere in the
    file. Such glyphs get the text of their components, from the font's own ligature table."""
    fonts = {font.name: font for font in document.fonts.values()}
    for obj in pdf.objects:
        if not (isinstance(obj, pydyf.Dictionary) and obj.get("Type") == "/Font" and "ToUnicode" in obj):
            continue
        font = fonts.get(obj.get("BaseFont"))
        lost = font and [glyph for glyph, text in font.to_unicode.items() if not text]
        if not lost:
            continue
        texts = _ligature_texts(font)
        found = {f"<{glyph:04x}> <>".encode(): f"<{glyph:04x}> <{texts[glyph].encode('utf-16-be').hex()}>".encode()
                 for glyph in lost if glyph in texts}
        stream = referenced(pdf, obj["ToUnicode"])
        stream.stream = [found.get(line, line) for line in stream.stream]


def _ligature_texts(font) -> dict[int, str]:
    """Glyph id -> text of the ligatures of a WeasyPrint font (its whole file, before subsetting)."""
    import io

    from fontTools.ttLib import TTFont
    from weasyprint.text.fonts import get_hb_object_data

    face = TTFont(io.BytesIO(get_hb_object_data(font.hb_face)), fontNumber=font.index, lazy=True)
    if "GSUB" not in face:
        return {}
    text = {name: chr(point) for point, name in sorted(face.getBestCmap().items(), reverse=True)}
    found: dict[int, str] = {}
    for lookup in face["GSUB"].table.LookupList.Lookup:
        for table in lookup.SubTable:
            kind = lookup.LookupType
            if kind == 7:  # an extension: the real subtable is inside
                kind, table = table.ExtensionLookupType, table.ExtSubTable
            if kind != 4:  # ligature substitution
                continue
            for first, ligatures in table.ligatures.items():
                for ligature in ligatures:
                    parts = [first, *ligature.Component]
                    if all(part in text for part in parts):
                        found.setdefault(face.getGlyphID(ligature.LigGlyph), "".join(text[p] for p in parts))
    return found


def write_pdf(document, target: Path, finisher, variant: str | None = None, check=None,
              stamp: Stamp | None = None) -> None:
    """Write a Document atomically; check(temporary path) may raise to keep the old file. With a stamp,
    the dates and ids are fixed, so the same sources give the same bytes. Ligatures keep their text
    (ligature_text)."""
    install_glyph_runs()  # a line's glyphs read from Pango at once (glyph_runs.py)
    finisher = chain(finisher, ligature_text)
    if stamp is not None:
        document.metadata.created = document.metadata.modified = stamp.iso
        finisher = chain(finisher, _stamped(stamp, target.name))
    with replacing(target) as temporary:
        document.write_pdf(temporary, finisher=finisher, pdf_variant=variant)
        if check is not None:
            check(temporary)


def pad_to_multiple(count: int, multiple: int) -> int:
    """How many blank pages make count a multiple of multiple (1 or less: none)."""
    return 0 if multiple <= 1 else -count % multiple
