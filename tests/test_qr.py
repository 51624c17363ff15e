"""The QR code to the web edition (web_url in book.yaml): its modules are segno's, it decodes from
the printed imprint page and the back cover, and it prints in black ink (K) only."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest
import segno
from pypdf.generic import ContentStream

from book.errors import BookError
from book.layout.qr import QUIET, qr_svg
from conftest import BOOKS, build_fixture

URL = "https://example.org/webtest/"


def modules_of(svg: str) -> list[list[bool]]:
    """The dark modules an SVG from qr_svg draws, read back from its path (runs of unit squares)."""
    side = int(re.search(r'viewBox="0 0 (\d+) \1"', svg).group(1))
    grid = [[False] * side for _ in range(side)]
    for x, y, width in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\3z", svg):
        for dx in range(int(width)):
            grid[int(y)][int(x) + dx] = True
    return grid


@pytest.mark.parametrize("url", [URL, "https://alzhir.example/names.html#ryskulova-aziza"])
def test_the_drawn_modules_are_segnos_matrix(url):
    drawn = modules_of(str(qr_svg(url)))
    code = segno.make(url, error="m", micro=False, boost_error=False)
    expected = [[bool(v) for v in row] for row in code.matrix]
    inner = [row[QUIET:-QUIET] for row in drawn[QUIET:-QUIET]]
    assert inner == expected
    assert not any(drawn[i][j] for i in range(len(drawn)) for j in range(len(drawn))
                   if min(i, j) < QUIET or max(i, j) >= len(drawn) - QUIET), "the quiet zone must stay white"


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    out = tmp_path_factory.mktemp("qr")
    build_fixture(BOOKS / "web-edition", out, edition="print")
    return out / "webtest-print.pdf", out / "webtest-cover.pdf"


def page_with(pdf: Path, text: str) -> int:
    """0-based index of the first page whose text holds text."""
    for i, page in enumerate(pypdf.PdfReader(pdf).pages):
        if text in page.extract_text():
            return i
    raise AssertionError(f"{text} is on no page of {pdf}")


def decode(pdf: Path, index: int, tmp_path: Path) -> list[str]:
    """Render one page at 300 dpi and read every QR code on it."""
    zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp (pip) decodes the rendered code")
    from PIL import Image
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) renders the page")
    stem = tmp_path / f"{pdf.stem}-{index}"
    subprocess.run(["pdftoppm", "-r", "300", "-f", str(index + 1), "-l", str(index + 1), "-singlefile", "-png",
                    str(pdf), str(stem)], check=True)
    return [r.text for r in zxingcpp.read_barcodes(Image.open(f"{stem}.png"))]


def test_the_imprint_page_carries_a_code_that_decodes_to_web_url(printed, tmp_path):
    pdf, _ = printed
    index = page_with(pdf, URL)
    assert index == 3, "the imprint page is the verso of the title page"
    assert decode(pdf, index, tmp_path) == [URL]


def test_the_back_cover_carries_a_code_that_decodes_to_web_url(printed, tmp_path):
    _, cover = printed
    assert URL in pypdf.PdfReader(cover).pages[0].extract_text()
    assert decode(cover, 0, tmp_path) == [URL]


def fills(pdf: Path, index: int) -> list[tuple[str, tuple[float, ...], int]]:
    """(colour operator, operands, closed subpaths) of every fill on a page, its forms included."""
    reader = pypdf.PdfReader(pdf)
    page = reader.pages[index]
    streams = [ContentStream(page.get_contents(), reader)]
    for xobject in (page["/Resources"].get("/XObject") or {}).values():
        xobject = xobject.get_object()
        if xobject.get("/Subtype") == "/Form":
            streams.append(ContentStream(xobject, reader))
    found, colour, closed = [], ("", ()), 0
    for stream in streams:
        for operands, operator in stream.operations:
            op = operator.decode()
            if op in ("k", "g", "rg", "sc", "scn"):
                colour = (op, tuple(round(float(v), 4) for v in operands))
            elif op == "h":
                closed += 1
            elif op in ("f", "f*", "F", "B", "b"):
                found.append((*colour, closed))
                closed = 0
            elif op == "n":
                closed = 0
    return found


@pytest.mark.parametrize("which", ["interior", "cover"])
def test_the_code_prints_in_black_ink_only(printed, which):
    pdf = printed[0] if which == "interior" else printed[1]
    index = page_with(pdf, URL)
    every = fills(pdf, index)
    assert every and all(op in ("k", "g") for op, _, _ in every), every
    qr = [(op, values) for op, values, closed in every if closed > 50]  # the one path of many squares
    assert qr == [("k", (0.0, 0.0, 0.0, 1.0))]


def test_web_url_must_be_a_web_address(copy_book, tmp_path):
    source = copy_book("web-edition")
    manifest = source / "book.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(URL, "example.org/webtest"), encoding="utf-8")
    with pytest.raises(BookError) as error:
        build_fixture(source, tmp_path / "out", edition="web")
    assert 'book.yaml:10:10: web_url "example.org/webtest" is not a web address' in str(error.value)
