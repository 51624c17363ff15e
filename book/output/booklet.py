"""Interior PDF -> out/<slug>-booklet.pdf: trim-size pages two-up on A4 landscape, saddle-stitch order.

Print the booklet duplex, "flip on short edge", fold the stack in half and
staple on the fold. No second layout: every interior page is placed on its
half sheet with a pypdf Transformation, so the text stays real text (it can
be selected and searched, and prints sharp). Links and other annotations are
dropped: their targets are pages of the interior, which the booklet no longer
has, and a folded paper copy cannot click anyway.

Order (1-based, n pages padded with blanks to a multiple of 4). One sheet
carries four pages, two on each side. Lay the stack flat, outside of the
outer sheet up: after folding, the right half of that side is the front
cover (page 1) and the left half the back cover (page n). Turn the sheet
over like a page of a book: behind page 1 is the left half of the back, so
it holds page 2, and behind page n is the right half, page n-1 - the two
outer pages of the first spread and the last. The next sheet sits inside
and does the same with the pages that remain:

    side 1 = (n, 1)    side 2 = (2, n-1)    outer sheet, front and back
    side 3 = (n-2, 3)  side 4 = (4, n-3)    next sheet in
    ...                                     the innermost back is the centre spread (n/2, n/2+1)

Flip. A landscape sheet's short edges are its left and right sides. A
printer set to "flip on short edge" (binding on the short edge) prints the
back so that it reads upright when the sheet is turned over about the
vertical axis, left to right like a book page - exactly how a folded sheet
is turned. So the backs are NOT rotated 180 degrees: every side is
written upright, and the back's left half lands behind the front's right
half, as the order above needs. (Rotated backs would be right only for
"flip on long edge", where the sheet turns over top to bottom.)

Boxes. Each page is placed by its TrimBox, clipped to it (a bleed never
reaches the neighbouring half), centred in its half of the sheet and scaled
down, keeping its proportions, only if the trim does not fit (A5 fits half
of A4 with 0.25 mm to spare at each side). WeasyPrint writes a bleed as a
MediaBox with a negative origin, e.g. [-8.5 -8.5 428 603.8] around the
TrimBox [0 0 419.5 595.3]; the TrimBox origin is taken into account.
"""

from __future__ import annotations

from pathlib import Path

from pypdf import PageObject, PdfReader, PdfWriter, Transformation, apply_configuration

from ..model import PT_PER_MM
from ..paths import replacing

POINTS_PER_MM = PT_PER_MM

Side = tuple[int | None, int | None]
"""One side of a sheet: the 0-based interior pages on its (left, right) half; None is blank."""

Box = tuple[float, float, float, float]
"""A rectangle in points: left, bottom, width, height."""


def booklet_order(pages: int) -> list[Side]:
    """Sheet sides in print order, front then back of each sheet, outer sheet first; see the module docstring."""
    if pages < 0:
        raise ValueError(f"a booklet needs a page count, not {pages}")
    padded = -(-pages // 4) * 4
    sides: list[Side] = []
    for sheet in range(padded // 4):
        first, last = 2 * sheet, padded - 1 - 2 * sheet
        sides.append((last, first))
        sides.append((first + 1, last - 1))
    return [(blank_beyond(left, pages), blank_beyond(right, pages)) for left, right in sides]


def blank_beyond(index: int, pages: int) -> int | None:
    """The page index itself, or None for a padding page past the end of the interior."""
    return index if index < pages else None


def write_booklet(interior: Path, target: Path, sheet: tuple[float, float] = (297.0, 210.0)) -> int:
    """Read the interior PDF, write the booklet atomically to target; return the number of sheet sides."""
    reader = PdfReader(interior)
    width, height = (size * POINTS_PER_MM for size in sheet)
    writer = PdfWriter()
    sides = booklet_order(len(reader.pages))
    with apply_configuration(page_merge_box="trimbox"):  # pypdf clips a merged page to this box
        for left, right in sides:
            side = writer.add_blank_page(width, height)
            for index, cell in ((left, (0.0, 0.0, width / 2, height)),
                                (right, (width / 2, 0.0, width / 2, height))):
                if index is not None:
                    place_page(side, reader.pages[index], cell)
            side.compress_content_streams()
    with replacing(target) as temporary:
        writer.write(temporary)
    return len(sides)


def place_page(side: PageObject, page: PageObject, cell: Box) -> None:
    """Merge page into its cell of a sheet side, clipped to its trim, without its annotations."""
    if "/Annots" in page:
        del page["/Annots"]
    trim = page.trimbox
    box = (float(trim.left), float(trim.bottom), float(trim.width), float(trim.height))
    side.merge_transformed_page(page, fit_trim(box, cell))


def fit_trim(trim: Box, cell: Box) -> Transformation:
    """The transformation that centres the trim in the cell, scaled down to fit if it is too big."""
    trim_left, trim_bottom, trim_width, trim_height = trim
    cell_left, cell_bottom, cell_width, cell_height = cell
    scale = min(1.0, cell_width / trim_width, cell_height / trim_height)
    x = cell_left + (cell_width - trim_width * scale) / 2 - trim_left * scale
    y = cell_bottom + (cell_height - trim_height * scale) / 2 - trim_bottom * scale
    return Transformation().scale(scale).translate(x, y)
