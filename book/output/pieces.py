"""The laid-out book, in segments (front matter, each part of the body, the index) -> PDF pieces,
joined into one edition by join.py.

A segment's piece is kept, by what its pages print, for the next build of a session (`book watch`):
an edit to one chapter draws that chapter's pages again, not the book's. Only the first piece's
metadata reaches the joined PDF (join.py), so only it carries the build's date.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Sequence

from .join import anchor_href, write_piece

FULL_FONTS = False
"""Pieces list widths and text only for the glyphs they draw (the join merges their glyph-to-text
maps); their font programs are embedded whole all the same (join.write_piece) and cut down once,
at the join, for every piece."""


@dataclass(frozen=True)
class Segment:
    """A run of the joined book's pages drawn as one piece."""

    start: int
    """Index of its first page in the joined book."""
    end: int
    """Index after its last page."""
    key: tuple
    """What its pages print: the documents they come from (kept alive by `keep`), their folios and
    stamped numbers. Equal keys, equal pages."""
    keep: tuple = ()
    """The documents the key names by id, held so that no other document can take their ids."""
    part: str = ""
    """The part of the body it holds, if it is one."""


def crossing(pages: Sequence) -> list:
    """Copies of the pages whose links to ids laid out on other pages than these point there by
    name (join.py turns `book-anchor:` links into links to the named destination)."""
    here = {name for page in pages for name in page.anchors}
    out = []
    for page in pages:
        if any(kind == "internal" and target not in here for kind, target, _, _ in page.links):
            page = copy.copy(page)
            page.links = [("external", anchor_href(target), rectangle, box)
                          if kind == "internal" and target not in here else (kind, target, rectangle, box)
                          for kind, target, rectangle, box in page.links]
        out.append(page)
    return out


def piece_of(document, pages: Sequence, finisher, variant: str, stamp=None) -> bytes:
    """The pages as a PDF piece to join (document lends its metadata)."""
    return write_piece(document.copy(crossing(pages)), finisher, variant, stamp, FULL_FONTS)


def draw_pieces(document, pages: Sequence, segments: Sequence[Segment], finisher, variant: str, stamp,
                kept: dict | None = None, drawn: dict[str, bytes] | None = None) -> list[bytes]:
    """Each segment of pages as a PDF piece, written with the edition's finisher (document lends
    its metadata). A piece in kept (key -> (bytes, documents)) is not drawn again;
    kept is left holding the pieces of this build only. drawn: the pieces of parts a helper process
    laid out and drew (their pages here are stand-ins), by part."""
    fresh: dict = {}
    pieces = []
    for number, segment in enumerate(segments):
        key = (variant, number == 0 and stamp.iso, segment.key)
        if drawn and segment.part in drawn:
            data = drawn[segment.part]
        elif kept is not None and key in kept:
            data = kept[key][0]
        else:
            data = piece_of(document, pages[segment.start:segment.end], finisher, variant,
                            stamp if number == 0 else None)
        fresh[key] = (data, segment.keep)
        pieces.append(data)
    if kept is not None:
        kept.clear()
        kept.update(fresh)
    return pieces
