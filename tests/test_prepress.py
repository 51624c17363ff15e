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
