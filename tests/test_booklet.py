"""Booklet imposition: the order on folded paper, then pypdf and pdftoppm on booklets written from WeasyPrint interiors."""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from book.output.booklet import booklet_order, fit_trim, write_booklet

MM = 72 / 25.4
A4_LANDSCAPE = (297.0, 210.0)

MACHINE_WARNINGS = ("Using fontTools instead of HarfBuzz-Subset",)
"""Warnings about the machine, not the document (as in test_cite.py)."""

SADDLE_STITCH = {
    # 1-based (left, right) of every sheet side, in print order; None is a blank.
    8: [(8, 1), (2, 7), (6, 3), (4, 5)],
    10: [(None, 1), (2, None), (10, 3), (4, 9), (8, 5), (6, 7)],
    12: [(12, 1), (2, 11), (10, 3), (4, 9), (8, 5), (6, 7)],
    16: [(16, 1), (2, 15), (14, 3), (4, 13), (12, 5), (6, 11), (10, 7), (8, 9)],
}


class WarningCollector(logging.Handler):
    """Collects WeasyPrint warnings while an interior is written."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if not record.getMessage().startswith(MACHINE_WARNINGS):
            self.messages.append(record.getMessage())


def write_interior(target: Path, pages: int, size: str = "148mm 210mm", bleed: str | None = None,
                   extra: str = "") -> Path:
    """A WeasyPrint PDF of `pages` pages, each printing its number big; fails on any WeasyPrint warning."""
    from weasyprint import HTML

    bleed_rule = f"bleed: {bleed};" if bleed else ""
    css = f"""@page {{ size: {size}; margin: 15mm; {bleed_rule} background: rgb(255, 0, 0) }}
      section {{ break-before: page; font: 96pt serif; text-align: center }}"""
    body = "".join(f"<section>{number}{extra}</section>" for number in range(1, pages + 1))
    collector = WarningCollector()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    try:
        HTML(string=f"<html lang='en'><style>{css}</style>{body}</html>").write_pdf(target)
    finally:
        logger.removeHandler(collector)
    assert not collector.messages, collector.messages
    return target


def halves(reader: PdfReader, index: int) -> tuple[str, str]:
    """The text drawn on the left and on the right half of a sheet side, split by x position."""
    page = reader.pages[index]
    middle = float(page.mediabox.width) / 2
    left, right = [], []

    def visit(text, cm, tm, font, size):
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        if text.strip():
            (left if x < middle else right).append(text.strip())
    page.extract_text(visitor_text=visit)
    return " ".join(left), " ".join(right)


def one_based(sides):
    return [tuple(None if index is None else index + 1 for index in side) for side in sides]


# The order, on paper


@pytest.mark.parametrize("pages", sorted(SADDLE_STITCH))
def test_order_is_saddle_stitch(pages):
    assert one_based(booklet_order(pages)) == SADDLE_STITCH[pages]


@pytest.mark.parametrize("pages, sides", [(0, 0), (1, 2), (4, 2), (5, 4), (9, 6), (100, 50)])
def test_order_pads_to_a_multiple_of_four(pages, sides):
    order = booklet_order(pages)
    assert len(order) == sides
    printed = sorted(index for side in order for index in side if index is not None)
    assert printed == list(range(pages)), "every page exactly once"
    assert sum(index is None for side in order for index in side) == 2 * sides - pages


@pytest.mark.parametrize("pages", [4, 8, 12, 16, 40])
def test_folded_stack_reads_in_order(pages):
    """Nest the sheets (outer first), fold, and leaf through; turning a leaf over the short edge
    puts the back's left half behind the front's right half, so no side is rotated."""
    order = booklet_order(pages)
    sheets = [(order[i], order[i + 1]) for i in range(0, len(order), 2)]
    read = []
    for front, back in sheets:              # first half of the booklet: outside in
        read += [front[1], back[0]]         # a recto, then the verso printed behind it
    for front, back in reversed(sheets):    # second half: inside out
        read += [back[1], front[0]]
    assert read == list(range(pages))


def test_negative_page_count_is_refused():
    with pytest.raises(ValueError):
        booklet_order(-1)


# The booklet, read back with pypdf


@pytest.fixture(scope="module")
def booklets(tmp_path_factory):
    """Write an interior of n pages (with or without bleed) and its booklet once per module."""
    cache = {}

    def get(pages: int, bleed: str | None = None):
        if (pages, bleed) not in cache:
            folder = tmp_path_factory.mktemp(f"booklet-{pages}")
            interior = write_interior(folder / "interior.pdf", pages, bleed=bleed)
            target = folder / "out" / "book-booklet.pdf"
            sides = write_booklet(interior, target)
            cache[pages, bleed] = sides, PdfReader(target), PdfReader(interior)
        return cache[pages, bleed]
    return get


@pytest.mark.parametrize("bleed", [None, "3mm"])
@pytest.mark.parametrize("pages", sorted(SADDLE_STITCH))
def test_sides_are_a4_landscape_and_upright(booklets, pages, bleed):
    sides, booklet, _ = booklets(pages, bleed)
    assert sides == len(booklet.pages) == len(SADDLE_STITCH[pages])
    for page in booklet.pages:
        box = page.mediabox
        assert (float(box.left), float(box.bottom)) == (0, 0)
        assert float(box.width) / MM == pytest.approx(297.0, abs=0.1)
        assert float(box.height) / MM == pytest.approx(210.0, abs=0.1)
        assert page.rotation == 0, "short-edge flip: backs are printed upright"


@pytest.mark.parametrize("bleed", [None, "3mm"])
@pytest.mark.parametrize("pages", sorted(SADDLE_STITCH))
def test_halves_carry_the_saddle_stitch_pages(booklets, pages, bleed):
    _, booklet, _ = booklets(pages, bleed)
    found = [halves(booklet, index) for index in range(len(booklet.pages))]
    expected = [tuple("" if number is None else str(number) for number in side)
                for side in SADDLE_STITCH[pages]]
    assert found == expected


def test_each_page_is_clipped_to_its_trim(booklets):
    _, booklet, interior = booklets(8, "3mm")
    trim = interior.pages[0].trimbox
    assert interior.pages[0].mediabox.left < 0, "WeasyPrint writes the bleed at a negative origin"
    clip = [float(trim.left), float(trim.bottom), float(trim.width), float(trim.height)]
    for page in booklet.pages:
        operations = page.get_contents().operations
        clips = [[float(value) for value in operands]
                 for (operands, operator), (_, following) in zip(operations, operations[1:])
                 if operator == b"re" and following == b"W"]
        assert clips.count(clip) == 2, "one trim clip per half"


def test_links_are_dropped_and_text_stays_text(tmp_path):
    interior = write_interior(tmp_path / "interior.pdf", 4, extra='<a href="https://example.org">x</a>')
    assert "/Annots" in PdfReader(interior).pages[0]
    write_booklet(interior, tmp_path / "booklet.pdf")
    booklet = PdfReader(tmp_path / "booklet.pdf")
    assert all("/Annots" not in page for page in booklet.pages)
    assert halves(booklet, 0) == ("4 x", "1 x")
    assert not booklet.pages[0].images, "not rasterised"


def test_failed_write_keeps_the_last_booklet(tmp_path):
    target = tmp_path / "booklet.pdf"
    target.write_bytes(b"last good booklet")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"not a pdf")
    with pytest.raises(PdfReadError):
        write_booklet(broken, target)
    assert target.read_bytes() == b"last good booklet"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["booklet.pdf", "broken.pdf"], "no .part left"


# Placement: centred, scaled down only if too big, clipped to the trim (rendered with pdftoppm)


def test_a5_fits_half_of_a4_unscaled():
    transformation = fit_trim((0, 0, 148 * MM, 210 * MM), (148.5 * MM, 0, 148.5 * MM, 210 * MM))
    scale_x, _, _, scale_y, x, y = transformation.ctm
    assert (scale_x, scale_y) == (1, 1)
    assert x / MM == pytest.approx(148.75)
    assert y == pytest.approx(0)


def test_too_wide_trim_is_scaled_down_and_centred():
    transformation = fit_trim((-10, -10, 200 * MM, 100 * MM), (0, 0, 148.5 * MM, 210 * MM))
    scale_x, _, _, scale_y, x, y = transformation.ctm
    assert scale_x == scale_y == pytest.approx(148.5 / 200)
    assert (x + -10 * scale_x) / MM == pytest.approx(0)
    assert (y + -10 * scale_y) / MM == pytest.approx((210 - 100 * 148.5 / 200) / 2)


def red_boxes(pdf: Path, side: int, folder: Path) -> tuple[tuple, tuple]:
    """Render one sheet side at 72 dpi (1 px = 1 pt): the box of red pixels in each half, in mm."""
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    prefix = folder / f"side{side}"
    subprocess.run(["pdftoppm", "-r", "72", "-singlefile", "-png", "-f", str(side), "-l", str(side),
                    str(pdf), str(prefix)], check=True)
    red, green, blue = Image.open(f"{prefix}.png").convert("RGB").split()
    mask = ImageChops.multiply(red.point(lambda v: 255 if v > 200 else 0),
                               green.point(lambda v: 255 if v < 80 else 0))
    middle = mask.width // 2
    boxes = []
    for half, offset in ((mask.crop((0, 0, middle, mask.height)), 0),
                         (mask.crop((middle, 0, mask.width, mask.height)), middle)):
        left, top, right, bottom = half.getbbox()
        boxes.append(((left + offset) / MM, top / MM, (right + offset) / MM, bottom / MM))
    return boxes[0], boxes[1]


@pytest.mark.parametrize("size, trim_mm", [("105mm 148mm", (105, 148)), ("200mm 100mm", (148.5, 74.25))])
def test_rendered_page_fills_exactly_its_centred_trim(tmp_path, size, trim_mm):
    """The red page background runs into the 3 mm bleed; on the sheet only the trim is red."""
    interior = write_interior(tmp_path / "interior.pdf", 4, size=size, bleed="3mm")
    write_booklet(interior, tmp_path / "booklet.pdf")
    width, height = trim_mm
    x, y = (148.5 - width) / 2, (210 - height) / 2
    pixel = 1.5 / MM
    left, right = red_boxes(tmp_path / "booklet.pdf", 1, tmp_path)
    assert left == pytest.approx((x, y, x + width, y + height), abs=pixel)
    assert right == pytest.approx((148.5 + x, y, 148.5 + x + width, y + height), abs=pixel)
