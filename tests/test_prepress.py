"""Prepress: no DeviceRGB anywhere in the print edition (groups, colours, shadings), black in figures
K only, checked with Ghostscript's ink coverage; preflight finds RGB blending and rich black."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject, IndirectObject
from weasyprint import HTML

from book.preflight.checks import check_colour, destination_pages
from conftest import BOOKS, build_fixture

BOOK = "figure-colour"


@pytest.fixture(scope="module")
def editions(tmp_path_factory):
    out = tmp_path_factory.mktemp("prepress")
    summary = build_fixture(BOOKS / BOOK, out, edition="all")
    return summary, out / "figure-print.pdf", out / "figure-screen.pdf"


def colour_spaces(path) -> list[tuple[str, str]]:
    """(what, colour space) of every transparency group, image and shading in a PDF."""
    reader, found, seen = PdfReader(path), [], set()

    def walk(obj):
        if isinstance(obj, IndirectObject):
            if obj.idnum in seen:
                return
            seen.add(obj.idnum)
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            if "/Group" in obj:
                found.append(("group", str(obj["/Group"].get_object().get("/CS"))))
            if obj.get("/Subtype") == "/Image":
                found.append(("image", str(obj.get("/ColorSpace"))))
            if "/ShadingType" in obj:
                found.append(("shading", str(obj.get("/ColorSpace"))))
            for key, value in obj.items():
                if key != "/Parent":
                    walk(value)
        elif isinstance(obj, list):
            for value in obj:
                walk(value)
    for page in reader.pages:
        walk(page)
    return found


def test_print_edition_has_no_device_rgb(editions):
    _, printed, screen = editions
    spaces = colour_spaces(printed)
    assert ("group", "/DeviceCMYK") in spaces
    assert not [s for s in spaces if "RGB" in s[1]]
    assert [s for s in colour_spaces(screen) if "RGB" in s[1]]  # the screen edition stays RGB


def test_preflight_finds_rgb_blending_and_says_where(editions):
    summary, printed, screen = editions
    reader = PdfReader(screen)
    assert {f.code for f in check_colour(PdfReader(printed), _no_sources(), [])} == set()
    findings = check_colour(reader, _no_sources(), [])
    codes = {f.code for f in findings}
    assert "rgb-blend" in codes and "rgb-colour" in codes
    blend = next(f for f in findings if f.code == "rgb-blend")
    assert f"on page {blend.page} " in blend.message and "form" in blend.message


def test_preflight_reads_each_content_stream_once(editions, monkeypatch):
    """The colour check takes what the scan of the pages found (its text, images and colours in one
    walk): no page's or figure's content stream is parsed twice, and the findings are as before."""
    from book.preflight import checks, pdfscan

    _, printed, screen = editions
    before = {f.message for f in checks.check_colour(PdfReader(screen), _no_sources(), [])}
    parsed = []
    real = pdfscan.read_operations
    monkeypatch.setattr(pdfscan, "read_operations", lambda data: (parsed.append(id(data)), real(data))[1])
    reader = PdfReader(screen)
    scan = checks.Scan(reader)
    assert {f.message for f in checks.check_colour(reader, _no_sources(), [], scan)} == before
    assert len(parsed) == len(set(parsed)) > len(reader.pages)  # the pages' streams and the figures' forms


def test_preflight_finds_rich_black_text(tmp_path):
    pdf = tmp_path / "rich.pdf"
    HTML(string='<p style="color: device-cmyk(.6 .5 .5 1)">Rich black text.</p>'
                '<p style="color: device-cmyk(0 0 0 1)">K only.</p>').write_pdf(pdf)
    findings = check_colour(PdfReader(pdf), _no_sources(), [])
    assert [f.code for f in findings] == ["rich-black"]
    assert "0.6 0.5 0.5 1 k" in findings[0].message


def test_figure_pages_print_in_black_ink_only(editions):
    if shutil.which("gs") is None:
        pytest.skip("Ghostscript is not installed (.ci/run installs it)")
    _, printed, screen = editions
    def coverage(path):
        page = destination_pages(PdfReader(path))["fig-line"] + 1
        out = subprocess.run(["gs", "-q", "-o", "-", "-sDEVICE=inkcov", f"-dFirstPage={page}",
                              f"-dLastPage={page}", str(path)], capture_output=True, text=True, check=True).stdout
        return [float(v) for v in out.split()[:4]]
    c, m, y, k = coverage(printed)
    assert k > 0.001 and c == m == y == 0.0
    assert min(coverage(screen)[:3]) > 0  # the RGB screen edition would separate into four colours


def _no_sources():
    class Nothing:
        chapters: list = []
    return Nothing()


# --- raster images: RGB files converted for print -----------------------------------------------

IMAGES = "print-rgb-images"
"""A photograph (RGB JPEG: a red field, a blue band), a drawing (RGB PNG: green and yellow stripes)
and a grey picture stored in RGB (PNG, R = G = B), each opening its own chapter; the photograph is
also the cover image."""


@pytest.fixture(scope="module")
def pictures(tmp_path_factory):
    out = tmp_path_factory.mktemp("pictures")
    summary = build_fixture(BOOKS / IMAGES, out, edition="all")
    return summary, out / "rgb-images-print.pdf", out / "rgb-images-screen.pdf"


def pictures_in(path) -> dict:
    """{(filter, colour space): the picture as Pillow decodes it} for every image object of a PDF."""
    import pikepdf
    from pikepdf import PdfImage

    with pikepdf.open(path) as pdf:
        return {(str(o.get("/Filter")), str(o.ColorSpace)): PdfImage(o).as_pil_image() for o in pdf.objects
                if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"}


def ink(path, page: int) -> list[float]:
    """Ghostscript's coverage of C, M, Y and K on a 1-based page (share of the page each ink touches)."""
    out = subprocess.run(["gs", "-q", "-o", "-", "-sDEVICE=inkcov", f"-dFirstPage={page}", f"-dLastPage={page}",
                          str(path)], capture_output=True, text=True, check=True).stdout
    return [float(v) for v in out.split()[:4]]


def test_print_edition_converts_rgb_images_and_screen_keeps_them(pictures):
    import pikepdf

    summary, printed, screen = pictures
    spaces = colour_spaces(printed)
    assert not [s for s in spaces if "RGB" in s[1]], spaces
    assert {s for s in spaces if s[0] == "image"} == {("image", "/DeviceCMYK"), ("image", "/DeviceGray")}
    with pikepdf.open(printed) as pdf:  # a second reader, over every object of the file
        assert not [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary | pikepdf.Stream)
                    and (o.get("/ColorSpace") == "/DeviceRGB" or "/DeviceRGB" in str(o.get("/Group", "")))]
    assert {s for s in colour_spaces(screen) if s[0] == "image"} == {("image", "/DeviceRGB")}
    cover = printed.with_name("rgb-images-cover.pdf")  # its front carries the photograph (cover_image)
    assert set(pictures_in(cover)) == {("/DCTDecode", "/DeviceCMYK")}


def test_colour_goes_through_fogra39_and_grey_stays_grey(pictures):
    _, printed, _ = pictures
    found = pictures_in(printed)
    assert set(found) == {("/DCTDecode", "/DeviceCMYK"), ("/FlateDecode", "/DeviceCMYK"),
                          ("/FlateDecode", "/DeviceGray")}  # a JPEG stays a JPEG; a PNG is lossless
    photo = found["/DCTDecode", "/DeviceCMYK"]  # Adobe CMYK, read as the /Decode [1 0 …] tells a reader
    c, m, y, k = (v / 255 for v in photo.getpixel((700, 200)))  # the red field, (220, 20, 30) in sRGB
    assert c < 0.05 and m > 0.85 and y > 0.8 and k < 0.2, (c, m, y, k)  # FOGRA39 red: no cyan
    c, m, y, k = (v / 255 for v in photo.getpixel((700, 650)))  # the blue band, (30, 60, 200)
    assert c > 0.8 and m > 0.6 and y < 0.1, (c, m, y, k)
    drawing = found["/FlateDecode", "/DeviceCMYK"]
    c, m, y, k = (v / 255 for v in drawing.getpixel((50, 50)))  # a yellow stripe, (240, 220, 40)
    assert y > 0.8 and c < 0.2 and m < 0.2, (c, m, y, k)
    grey = found["/FlateDecode", "/DeviceGray"]
    assert grey.mode == "L" and grey.getpixel((10, 10)) == 128 and grey.getpixel((700, 350)) == 40


def test_image_pages_separate_as_expected(pictures):
    if shutil.which("gs") is None:
        pytest.skip("Ghostscript is not installed (.ci/run installs it)")
    summary, printed, _ = pictures
    at = summary.layout.pages
    c, m, y, k = ink(printed, at["ch-01-photograph"] + 1)
    assert m > 0.1 and y > 0.1 and 0 < c < 0.5 * m  # cyan only under the blue band, not the red field
    c, m, y, k = ink(printed, at["ch-02-drawing"] + 1)
    assert min(c, m, y) > 0.1
    c, m, y, k = ink(printed, at["ch-03-grey"] + 1)
    assert c == m == y == 0.0 and k > 0.1  # the grey picture prints in black ink alone


def test_print_edition_with_rgb_images_passes_preflight(pictures):
    from book.preflight import preflight

    _, printed, _ = pictures
    assert preflight(printed, BOOKS / IMAGES) == []
