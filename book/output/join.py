"""PDF pieces laid out apart (front matter, chapters, bibliography, index) -> one book PDF.

WeasyPrint's Documents cannot leave the process that laid them out, so parts of the book laid
out in worker processes come back as PDFs ("pieces"), all written by WeasyPrint 70 with the same
variant: the print edition's "pdf/x-4" through press.print_finisher, or the screen edition's
"pdf/ua-1". join() makes them one document, with pikepdf (qpdf), which copies each page with
everything it uses:

- pages in order, with their boxes as written;
- every piece's named destinations in one /Dests name tree (the first piece naming an id wins);
- links across pieces: a piece cannot resolve a link to an id laid out in another piece, so such
  links are written as `book-anchor:ID` (LINK_SCHEME; WeasyPrint emits them as /URI actions) and
  become links to the named destination ID here, as links inside a piece are (/Dest);
- one outline: the pieces' outlines one after another;
- page labels from the folio of every page (finish.label_ranges);
- from the first piece: Info, XMP metadata (its document id stamped for the target), the output
  intent (the ICC profile once), /Lang, /MarkInfo, /ViewerPreferences, /PageMode, /OpenAction;
- for tagged pieces (PDF/UA): one StructTreeRoot whose Document element holds every piece's top
  elements in order, /StructParents and /StructParent renumbered into one /ParentTree, role maps
  merged;
- each identical font program stored once, and cut down once to the glyphs every piece drew: the
  pieces embed their fonts whole (write_piece), because cutting each piece's down costs as much
  as drawing it, and the glyph ids stay the font's, so one subset serves every piece;
- one glyph-to-text map (ToUnicode) per font across the pieces. WeasyPrint records the text of a
  glyph where it first draws it, and a ligature first drawn across a soft hyphen ("dif-ferent")
  gets no text at all, so the same "ff" reads as "ff" in one piece and as nothing in another. The
  pieces' subsets keep the font's glyph ids, so their maps can be merged, non-empty text first.

The same pieces give the same bytes: the trailer /ID is derived from the content.
"""

from __future__ import annotations

import hashlib
import io
import re
import time
import warnings
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence
from urllib.parse import unquote

import pikepdf
import pydyf
from pikepdf import Array, Dictionary, Name, String

from ..paths import replacing
from .finish import XMP_ID, Stamp, chain, label_ranges, ligature_text
from .glyph_runs import install as install_glyph_runs

LINK_SCHEME = "book-anchor:"
"""An href written as book-anchor:ID points at the id ID in another piece of the book."""
VARIANT_MARKS = {"pdf/x-4": b"pdfxid:GTS_PDFXVersion", "pdf/ua-1": b"pdfuaid:part"}
"""What the XMP metadata of a piece written with each variant says about it."""
FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")


class JoinError(ValueError):
    """The pieces cannot make one book (a program error, not an editor's: the pipeline made them)."""


def anchor_href(anchor: str) -> str:
    """The href of a link to an id laid out in another piece."""
    return LINK_SCHEME + anchor


PIECE_LEVEL = 6
"""The zlib level of a piece's streams. pydyf compresses at 9: on a page's content that takes three
times as long as 6 for 4 % fewer bytes, and on the ICC profile, which every piece carries (the join
keeps the first one), four times as long for 0.1 %."""

FONT_LEVEL = 1
"""The zlib level of a piece's font programs, which the join decompresses, cuts down and compresses
again (_subset_fonts): five times faster than 9 (2 against 11 ms a face)."""


def write_piece(document, finisher, variant: str, stamp: Stamp | None = None, full_fonts: bool = False) -> bytes:
    """A laid-out part of the book as a piece to join: the edition's finisher and variant, ligatures
    with their text (finish.ligature_text), and the build's dates (the stamp), so that pieces, and
    so the joined book, are the same from build to build. A piece has no file identifier: the
    variant would have pydyf serialize and compress every object twice, once to hash it, and the
    join gives the book its own (pikepdf's, from the content)."""
    from ..layout.font_subset import deferred

    install_glyph_runs()  # a line's glyphs read from Pango at once (glyph_runs.py)
    if stamp is not None:
        document.metadata.created = document.metadata.modified = stamp.iso
    with deferred(), _deflating(PIECE_LEVEL):  # the join cuts each font down once, for all the pieces
        return document.write_pdf(finisher=chain(finisher, ligature_text, _quick_fonts), pdf_variant=variant,
                                  full_fonts=full_fonts, pdf_identifier=False)


class _Zlib:
    """zlib, but for the level of the compressors pydyf asks for."""

    def __init__(self, level: int):
        self.level = level

    def compressobj(self, level: int = -1, *args, **kwargs):
        return zlib.compressobj(self.level, *args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(zlib, name)


@contextmanager
def _deflating(level: int) -> Iterator[None]:
    """pydyf's streams compressed at level (PIECE_LEVEL) while a piece is written."""
    original = pydyf.zlib
    pydyf.zlib = _Zlib(level)
    try:
        yield
    finally:
        pydyf.zlib = original


def _quick_fonts(document, pdf) -> None:
    """A piece's finisher step: its font programs compressed at FONT_LEVEL (the join writes them again)."""
    for obj in pdf.objects:
        if isinstance(obj, pydyf.Stream) and obj.compress and len(obj.stream) == 1 and \
                isinstance(obj.stream[0], bytes) and ("Length1" in obj.extra or obj.extra.get("Subtype") == "/OpenType"):
            obj.stream = [zlib.compress(obj.stream[0], FONT_LEVEL)]
            obj.extra["Filter"] = "/FlateDecode"
            obj.compress = False


@dataclass
class Joined:
    """What a join did, for reports and benchmarks."""

    pages: int = 0
    """Pages in the joined PDF."""
    destinations: int = 0
    """Named destinations in the joined PDF."""
    cross_links: int = 0
    """book-anchor: links turned into links to named destinations."""
    shared_streams: int = 0
    """Font programs found in several pieces and stored once."""
    subset_fonts: int = 0
    """Font programs cut down to the glyphs the pieces drew."""
    glyph_maps: int = 0
    """Fonts whose glyph-to-text maps (ToUnicode) were merged across pieces."""
    duplicate_ids: list[str] = field(default_factory=list)
    """Ids named by more than one piece (the first piece's destination is kept)."""
    seconds: float = 0.0
    """Wall time of the join, writing included."""


def join(pieces: Sequence[Path | bytes], target: Path, *, labels: Sequence[str], variant: str,
         stamp: Stamp | None = None, check: Callable[[Path], None] | None = None) -> Joined:
    """Join the pieces, in order, into target (atomically; check(temporary path) may raise to keep
    the old file). labels: the printed folio of every page of the joined book, in order. variant:
    the pdf_variant every piece was written with; a piece written otherwise is refused. With a
    stamp, the XMP document id is derived from it and target's name."""
    started = time.perf_counter()
    sources = [pikepdf.open(io.BytesIO(p) if isinstance(p, bytes) else p) for p in pieces]
    try:
        if not sources:
            raise JoinError("no pieces to join")
        for number, source in enumerate(sources):
            _check_variant(source, variant, number)
        out, report = _joined(sources, labels, stamp, target.name)
        with replacing(target) as temporary:
            # object streams, as WeasyPrint writes them: the dictionaries (links, destinations) compressed
            out.save(temporary, deterministic_id=True, min_version=max(s.pdf_version for s in sources),
                     object_stream_mode=pikepdf.ObjectStreamMode.generate)
            out.close()
            for source in sources:  # the check (preflight) reads the file in the memory these held
                source.close()
            if check is not None:
                check(temporary)
    finally:
        for source in sources:
            source.close()
    report.seconds = time.perf_counter() - started
    return report


def _check_variant(source: pikepdf.Pdf, variant: str, number: int) -> None:
    """Every piece is written with the variant asked for."""
    if variant not in VARIANT_MARKS:
        raise JoinError(f"cannot join pieces written as {variant!r}; only {', '.join(VARIANT_MARKS)}")
    metadata = source.Root.get("/Metadata")
    if metadata is None or VARIANT_MARKS[variant] not in metadata.read_bytes():
        raise JoinError(f"piece {number + 1} was not written as {variant}")
    if (variant == "pdf/ua-1") != ("/StructTreeRoot" in source.Root):
        raise JoinError(f"piece {number + 1} is {'not ' if variant == 'pdf/ua-1' else ''}tagged, unlike {variant}")


@dataclass
class _Piece:
    """One source PDF and where its pages landed in the joined one."""

    source: pikepdf.Pdf
    """The piece as read."""
    first: int
    """Index of its first page in the joined PDF."""
    pages: dict[tuple[int, int], pikepdf.Object] = field(default_factory=dict)
    """Its page objects (by object number and generation) -> the joined PDF's copies."""


def _joined(sources: list[pikepdf.Pdf], labels: Sequence[str], stamp: Stamp | None, name: str):
    out = pikepdf.new()
    report = Joined()
    pieces = []
    for source in sources:
        piece = _Piece(source, len(out.pages))
        with warnings.catch_warnings():  # it says that named destinations are not copied: _destinations does
            warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
            out.pages.extend(source.pages)
        for i, page in enumerate(source.pages):
            piece.pages[page.obj.objgen] = out.pages[piece.first + i].obj
        pieces.append(piece)
    report.pages = len(out.pages)
    if len(labels) != report.pages:
        raise JoinError(f"{len(labels)} page labels for {report.pages} pages")
    names = _destinations(out, pieces, report)
    report.cross_links = _resolve_cross_links(out, names)
    _outline(out, pieces)
    _catalog(out, pieces[0], stamp, name)
    _page_labels(out, labels)
    if "/StructTreeRoot" in sources[0].Root:
        _structure(out, pieces)
    report.shared_streams = _share_identical_streams(out)
    report.subset_fonts = _subset_fonts(out)
    report.glyph_maps = _merge_glyph_maps(out)
    return out, report


def _destinations(out: pikepdf.Pdf, pieces: list[_Piece], report: Joined) -> dict[str, Array]:
    """Every piece's named destinations, pointed at the joined pages, in one flat sorted name tree."""
    names: dict[str, Array] = {}
    for piece in pieces:
        for key, destination in _leaves(piece.source.Root.get("/Names", {}).get("/Dests")):
            key = str(key)
            if key in names:
                report.duplicate_ids.append(key)
                continue
            names[key] = _destination(destination, piece)
    flat = Array()
    for key in sorted(names, key=lambda k: bytes(String(k))):  # a name tree is sorted by the keys' bytes
        flat.append(String(key))
        flat.append(names[key])
    out.Root.Names = Dictionary(Dests=Dictionary(Names=flat))
    report.destinations = len(names)
    return names


def _leaves(node, entries: str = "/Names") -> list[tuple[object, pikepdf.Object]]:
    """(key, value) pairs of a name tree (entries /Names) or a number tree (/Nums), leaves in order."""
    if node is None:
        return []
    pairs, flat = [], node.get(entries)
    if flat is not None:
        pairs += [(flat[i], flat[i + 1]) for i in range(0, len(flat) - 1, 2)]
    for kid in node.get("/Kids", []):
        pairs += _leaves(kid, entries)
    return pairs


def _destination(destination, piece: _Piece) -> Array:
    """A piece's explicit destination ([page /XYZ x y z], or {/D [...]}) as one of the joined PDF."""
    if isinstance(destination, Dictionary):
        destination = destination.D
    page = piece.pages[destination[0].objgen]
    return Array([page, *list(destination)[1:]])


def _resolve_cross_links(out: pikepdf.Pdf, names: dict[str, Array]) -> int:
    """book-anchor:ID links -> links to the named destination ID. An id no piece names is an error."""
    count, missing = 0, set()
    for page in out.pages:
        for annotation in page.obj.get("/Annots", []):
            action = annotation.get("/A")
            if action is None or action.get("/S") != "/URI" or not str(action.URI).startswith(LINK_SCHEME):
                continue
            anchor = unquote(str(action.URI)[len(LINK_SCHEME):])
            if anchor not in names:
                missing.add(anchor)
                continue
            del annotation["/A"]
            annotation.Dest = String(anchor)
            if "/Contents" in annotation:  # tagged: the link's text alternative is its target, as inside a piece
                annotation.Contents = String(anchor)
            count += 1
    if missing:
        raise JoinError(f"links to ids no piece has: {', '.join(sorted(missing))}")
    return count


def _outline(out: pikepdf.Pdf, pieces: list[_Piece]) -> None:
    """The pieces' outlines one after another, under one root."""
    root = out.make_indirect(Dictionary(Type=Name.Outlines))
    tops, visible = [], 0
    for piece in pieces:
        outlines = piece.source.Root.get("/Outlines")
        if outlines is None or "/First" not in outlines:
            continue
        visible += int(outlines.get("/Count", 0))
        item = out.copy_foreign(outlines.First)
        while item is not None:
            tops.append(item)
            item = item.get("/Next")
    if not tops:
        return
    for previous, item in zip([None, *tops], tops):
        item.Parent = root
        if previous is None:
            _drop(item, "/Prev")
        else:
            item.Prev, previous.Next = previous, item
    _drop(tops[-1], "/Next")
    root.First, root.Last, root.Count = tops[0], tops[-1], visible
    out.Root.Outlines = root


def _drop(dictionary, key: str) -> None:
    """Remove key from a PDF dictionary if it is there."""
    if key in dictionary:
        del dictionary[key]


def _catalog(out: pikepdf.Pdf, first: _Piece, stamp: Stamp | None, name: str) -> None:
    """Info, metadata, output intent, language, viewer settings and opening page of the first piece."""
    root = first.source.Root
    out.trailer.Info = out.make_indirect(_copied(out, first.source.trailer.get("/Info", Dictionary())))
    for key in ("/Lang", "/MarkInfo", "/ViewerPreferences", "/PageMode", "/OutputIntents"):
        if key in root:
            out.Root[key] = _copied(out, root[key])
    if "/OpenAction" in root and isinstance(root.OpenAction, Array):
        out.Root.OpenAction = _destination(root.OpenAction, first)
    if "/Metadata" in root:
        xmp = root.Metadata.read_bytes()
        if stamp is not None:
            xmp = XMP_ID.sub(f"xmp.did:{stamp.document_id(name)}".encode(), xmp)
        out.Root.Metadata = out.make_stream(xmp, Type=Name.Metadata, Subtype=Name.XML)


def _copied(out: pikepdf.Pdf, obj):
    """A foreign object as one of out's: indirect ones through qpdf's copier, direct ones rebuilt."""
    if getattr(obj, "is_indirect", False):
        return out.copy_foreign(obj)
    if isinstance(obj, Dictionary):
        return Dictionary({key: _copied(out, value) for key, value in obj.items()})
    if isinstance(obj, Array):
        return Array([_copied(out, value) for value in obj])
    return obj


def _page_labels(out: pikepdf.Pdf, labels: Sequence[str]) -> None:
    """/PageLabels giving every page its folio."""
    numbers = Array()
    for index, style, start in label_ranges(list(labels)):
        numbers.append(index)
        numbers.append(Dictionary(S=Name(style), St=start))
    out.Root.PageLabels = Dictionary(Nums=numbers)


def _structure(out: pikepdf.Pdf, pieces: list[_Piece]) -> None:
    """One structure tree: a Document element over every piece's top elements, one parent tree."""
    root = out.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    document = out.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, P=root, K=Array()))
    parents, role_map, offset = Array(), Dictionary(), 0
    for piece in pieces:
        tree = piece.source.Root.get("/StructTreeRoot")
        if tree is None:
            raise JoinError("a piece of a tagged book is not tagged")
        documents, settled = set(), set()
        for kid in _kids(tree):
            if kid.get("/S") == "/Document":
                documents.add(out.copy_foreign(kid).objgen)
                elements = _kids(kid)
            else:
                elements = [kid]
            for element in elements:
                copied = out.copy_foreign(element)
                copied.P = document
                document.K.append(copied)
        for key, value in tree.get("/RoleMap", {}).items():
            role_map[key] = value
        pairs = [(int(key), value) for key, value in _leaves(tree.get("/ParentTree"), "/Nums")]
        for key, value in pairs:
            value = _copied(out, value)
            parents.append(key + offset)
            parents.append(value)
            _adopt(value, documents, document, settled)
        _renumber(out, piece, offset)
        offset += max((key for key, _ in pairs), default=-1) + 1
    root.K = Array([document])
    root.ParentTree = out.make_indirect(Dictionary(Nums=parents))
    root.ParentTreeNextKey = offset
    if len(role_map):
        root.RoleMap = role_map
    out.Root.StructTreeRoot = root


def _adopt(elements, documents: set, document, settled: set) -> None:
    """Elements whose parent chain ends at a piece's Document element are hung from the joined one.
    (WeasyPrint tags the page-margin boxes, folios and running heads, under the Document element
    without listing them among its kids; they must not keep the piece's tree alive.) settled: the
    elements whose chain is done, so that each chain is walked once."""
    for element in elements if isinstance(elements, Array) else [elements]:
        while isinstance(element, Dictionary) and "/P" in element and element.objgen not in settled:
            settled.add(element.objgen)
            parent = element.P
            if parent.objgen in documents:
                element.P = document
                break
            element = parent


def _kids(element) -> list:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


def _renumber(out: pikepdf.Pdf, piece: _Piece, offset: int) -> None:
    """A piece's pages' /StructParents and their annotations' /StructParent moved up by offset."""
    for i in range(len(piece.source.pages)):
        page = out.pages[piece.first + i].obj
        if "/StructParents" in page:
            page.StructParents = int(page.StructParents) + offset
        for annotation in page.get("/Annots", []):
            if "/StructParent" in annotation:
                annotation.StructParent = int(annotation.StructParent) + offset


def _share_identical_streams(out: pikepdf.Pdf) -> int:
    """Font programs with the same bytes stored once; returns how many copies went."""
    first: dict[bytes, pikepdf.Object] = {}
    dropped = set()
    for page in out.pages:
        for font in _page_fonts(page.obj):
            for descriptor in _descriptors(font):
                for key in FONT_FILES:
                    stream = descriptor.get(key)
                    if stream is None:
                        continue
                    digest = _digest(stream)
                    kept = first.setdefault(digest, stream)
                    if kept.objgen != stream.objgen:
                        descriptor[key] = kept
                        dropped.add(stream.objgen)
    return len(dropped)


def _subset_fonts(out: pikepdf.Pdf) -> int:
    """Each TrueType or OpenType font program cut down to the glyphs drawn with it in any piece (the
    glyph ids the fonts that use it list widths or text for), as the engine cuts a font for one
    document (font_subset.subset_program: the glyph ids stay the font's); returns how many were."""
    from ..layout.font_subset import subset_program

    streams: dict[tuple[int, int], pikepdf.Object] = {}
    glyphs: dict[tuple[int, int], set[int]] = {}
    seen: set[tuple[int, int]] = set()
    for page in out.pages:
        for font in _page_fonts(page.obj):
            if font.get("/Subtype") != "/Type0" or font.objgen in seen:  # a piece's fonts are on each of its pages
                continue
            seen.add(font.objgen)
            used = set(_glyph_map(font.ToUnicode)) if "/ToUnicode" in font else set()
            for descendant in font.get("/DescendantFonts", []):
                used |= _widths_listed(descendant.get("/W", []))
                descriptor = descendant.get("/FontDescriptor")
                stream = descriptor.get("/FontFile2") if descriptor is not None else None
                if stream is None and descriptor is not None and "/FontFile3" in descriptor \
                        and descriptor.FontFile3.get("/Subtype") == "/OpenType":
                    stream = descriptor.FontFile3
                if stream is not None:
                    streams[stream.objgen] = stream
                    glyphs.setdefault(stream.objgen, set()).update(used)
    cut = 0
    for key, stream in streams.items():
        whole = stream.read_bytes()
        try:
            data = subset_program(whole, glyphs[key] | {0}, notdef_outline=True)
        except Exception:  # a font fontTools cannot read stays as the engine wrote it
            continue
        if len(data) < len(whole):
            stream.write(zlib.compress(data), filter=Name.FlateDecode)
            if "/Length1" in stream:
                stream.Length1 = len(data)
            cut += 1
    return cut


def _widths_listed(widths) -> set[int]:
    """The glyph ids a CIDFont's /W array gives widths for (`c [w1 w2 ...]` and `c1 c2 w`)."""
    found: set[int] = set()
    items = list(widths)
    i = 0
    while i + 1 < len(items):
        first = int(items[i])
        if isinstance(items[i + 1], pikepdf.Array):
            found.update(range(first, first + len(items[i + 1])))
            i += 2
        else:
            found.update(range(first, int(items[i + 1]) + 1))
            i += 3
    return found


def _page_fonts(page) -> list:
    """The fonts of a page's resources (WeasyPrint puts them all there; forms share them)."""
    fonts = page.get("/Resources", {}).get("/Font", {})
    return [fonts[key] for key in fonts.keys()]


def _descriptors(font) -> list:
    """The font descriptors of a font (a Type0 font's are in its descendant fonts)."""
    found = [font.FontDescriptor] if "/FontDescriptor" in font else []
    for descendant in font.get("/DescendantFonts", []):
        if "/FontDescriptor" in descendant:
            found.append(descendant.FontDescriptor)
    return found


def _digest(stream) -> bytes:
    """A stream's stored bytes and the keys that say how to read them."""
    digest = hashlib.sha256(stream.read_raw_bytes())
    for key in ("/Filter", "/Length1", "/Subtype", "/DecodeParms"):
        digest.update(repr(stream.get(key)).encode())
    return digest.digest()


BFCHAR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>")
"""One glyph -> text entry of a ToUnicode CMap as WeasyPrint writes it (bfchar, hex)."""


def _merge_glyph_maps(out: pikepdf.Pdf) -> int:
    """Fonts of the same name (the same face and variations, so the same glyph ids) given one
    ToUnicode map: every piece's entries, the first non-empty text of each glyph. Returns how many
    fonts' maps changed."""
    fonts: dict[str, list] = {}
    seen = set()
    for page in out.pages:
        for font in _page_fonts(page.obj):
            if font.objgen not in seen and "/ToUnicode" in font and font.get("/Subtype") == "/Type0":
                seen.add(font.objgen)
                fonts.setdefault(str(font.BaseFont), []).append(font)
    changed = 0
    for group in fonts.values():
        maps = [_glyph_map(font.ToUnicode) for font in group]
        merged: dict[int, str] = {}
        for glyphs in maps:
            for glyph, text in glyphs.items():
                if not merged.get(glyph):
                    merged[glyph] = text
        if all(glyphs == merged for glyphs in maps):
            continue
        stream = out.make_stream(_cmap(merged))
        for font, glyphs in zip(group, maps):
            if glyphs != merged:
                font.ToUnicode = stream
                changed += 1
    return changed


def _glyph_map(stream) -> dict[int, str]:
    """A ToUnicode CMap's bfchar entries: glyph id -> text."""
    return {int(glyph, 16): bytes.fromhex(text.decode()).decode("utf-16-be", "replace")
            for glyph, text in BFCHAR.findall(stream.read_bytes())}


def _cmap(glyphs: dict[int, str]) -> bytes:
    """A ToUnicode CMap as WeasyPrint writes one, for these glyphs."""
    lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap",
             b"/CIDSystemInfo", b"<< /Registry (Adobe)", b"/Ordering (UCS)", b"/Supplement 0", b">> def",
             b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def",
             b"1 begincodespacerange", b"<0000> <ffff>", b"endcodespacerange"]
    items = sorted(glyphs.items())
    for start in range(0, len(items), 100):
        batch = items[start:start + 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        lines += [f"<{glyph:04x}> <{text.encode('utf-16-be').hex()}>".encode() for glyph, text in batch]
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)
