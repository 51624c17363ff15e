"""Preflight: each problem caught in its own fixture book (or in a built PDF spoilt on purpose with
pypdf), with the code, severity, page and source place it reports."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, RectangleObject

from book.model import Location
from book.model import PT_PER_MM as MM
from book.preflight import exit_code, preflight, report_path, write_report
from book.preflight.checks import destination_pages

BOOKS = Path(__file__).resolve().parent / "books"
def check(built, name: str, **options):
    """Build a fixture book once; preflight its PDF. -> (findings, 1-based first page of the chapter, chapter).
    The layout is the engine's own (repair=False, and with its fault: conftest.engine_fault), so that
    the note-separated fixture keeps its note on the next page for preflight to find."""
    summary, pdf = built(f"preflight-{name}", fault=True, preflight=False, repair=False)
    root = BOOKS / f"preflight-{name}"
    return preflight(pdf, root, **options), summary.layout.pages["ch-01-chapter"] + 1, root / "01-chapter.md"


def coded(findings, code: str) -> list:
    return [f for f in findings if f.code == code]


def spoilt(built, tmp_path: Path, change) -> Path:
    """The clean book's PDF, changed by change(writer), written to a new file."""
    _, pdf = built("preflight-clean", preflight=False)
    writer = PdfWriter(clone_from=pdf)
    change(writer)
    target = tmp_path / "spoilt.pdf"
    with open(target, "wb") as handle:
        writer.write(handle)
    return target


CLEAN = BOOKS / "preflight-clean"
CALL = Location(CLEAN / "01-chapter.md", 7, 128)
"""Where the clean book's only note is called."""


# --- a clean book ---------------------------------------------------------------------------

def test_clean_book_has_nothing_to_report(built):
    findings, _, _ = check(built, "clean")
    assert findings == []


# --- tofu -------------------------------------------------------------------------------------

def test_character_in_no_bundled_font_is_found_in_the_chapter(built):
    findings, page, chapter = check(built, "tofu")
    cjk = next(f for f in coded(findings, "tofu") if "U+4E2D" in f.message)
    assert cjk.severity == "error"
    assert cjk.page == page
    assert cjk.location == Location(chapter, 7, 34)
    assert "CJK UNIFIED IDEOGRAPH-4E2D" in cjk.message
    assert f"{chapter}:9:41" in cjk.message  # the second place it is written


def test_character_printed_from_a_system_font_is_tofu_too(built):
    findings, page, chapter = check(built, "tofu")
    face = next(f for f in coded(findings, "tofu") if "U+1F600" in f.message)
    assert (face.page, face.location) == (page, Location(chapter, 9, 15))
    assert "GRINNING FACE" in face.message
    assert len(coded(findings, "tofu")) == 2  # nothing else on those pages is reported


# --- images -------------------------------------------------------------------------------------

def test_low_resolution_image_is_located_at_its_markdown(built):
    findings, page, chapter = check(built, "low-dpi")
    [low] = coded(findings, "image-low-dpi")
    assert (low.severity, low.page, low.location) == ("error", page, Location(chapter, 7, 1))
    assert "96 dpi" in low.message  # 20 px over 15 pt: WeasyPrint places a pixel at 1/96 in
    assert coded(findings, "image-rgb") == []  # the grey image is fine for print


def test_rgb_image_is_an_error_in_print_only(built):
    findings, _, _ = check(built, "rgb-image")
    assert coded(findings, "image-rgb") == []  # the build converts it for print (test_prepress.py)
    # A PDF with the RGB picture, as another tool (or the screen edition) writes it, checked for print:
    summary, screen = built("preflight-rgb-image", preflight=False, repair=False, edition="screen")
    root = BOOKS / "preflight-rgb-image"
    [rgb] = coded(preflight(screen, root, edition="print"), "image-rgb")
    page = destination_pages(PdfReader(screen))["ch-01-chapter"] + 1
    assert (rgb.severity, rgb.page, rgb.location) == ("error", page, Location(root / "01-chapter.md", 7, 1))
    assert not coded(preflight(screen, root, edition="screen"), "image-rgb")


# --- notes --------------------------------------------------------------------------------------

def test_note_moved_to_the_next_page_is_tied_to_its_call(built):
    summary, _ = built("preflight-note-separated", fault=True, preflight=False, repair=False)
    at = summary.layout.pages
    assert at["ch-01-chapter-n1"] == at["call-ch-01-chapter-n1"] + 1  # the fixture still does what it says
    findings, page, chapter = check(built, "note-separated")
    [note] = coded(findings, "note-separated")
    assert (note.severity, note.page, note.location) == ("warning", page, Location(chapter, 9, 437))
    assert "page 8" in note.message and "page 7" in note.message
    [strict] = coded(check(built, "note-separated", strict=True)[0], "note-separated")
    assert strict.severity == "error"


def test_note_separation_is_read_from_the_named_destinations(built, tmp_path):
    def move_note_body(writer: PdfWriter) -> None:
        names = writer._root_object["/Names"]["/Dests"]["/Names"]
        i = list(names).index("ch-01-chapter-n1")
        destination = names[i + 1].get_object()
        here = next(k for k, p in enumerate(writer.pages) if p.indirect_reference == destination[0])
        destination[0] = writer.pages[here + 1].indirect_reference

    findings = preflight(spoilt(built, tmp_path, move_note_body), CLEAN)
    [note] = coded(findings, "note-separated")
    assert note.location == CALL
    assert note.page == built("preflight-clean")[0].layout.pages["call-ch-01-chapter-n1"] + 1


def test_the_layouts_anchors_are_the_pdfs_named_destinations(built):
    """A build hands preflight the page of every id from its layout instead of letting it read the
    named destinations back from the file: they are the same fact, so the findings are the same."""
    from pypdf import PdfReader

    from book.preflight.checks import destination_pages

    summary, pdf = built("preflight-note-separated", fault=True, preflight=False, repair=False)
    root = BOOKS / "preflight-note-separated"
    read = destination_pages(PdfReader(pdf))
    assert read and {k: summary.layout.pages[k] for k in read} == read
    assert "call-ch-01-chapter-n1" in read and "ch-01-chapter-n1" in read
    given = preflight(pdf, root, anchors=summary.layout.pages)
    assert coded(given, "note-separated") and given == preflight(pdf, root)


# --- placement on the page -------------------------------------------------------------------------

def test_text_near_the_trim_is_a_warning_at_its_line(built):
    findings, page, chapter = check(built, "safety-margin")
    [near] = coded(findings, "safety-margin")
    assert (near.severity, near.page, near.location) == ("warning", page, Location(chapter, 7, 1))
    assert "right edge" in near.message and "4.0 mm" in near.message
    assert coded(findings, "overflow") == []


def test_safety_margin_comes_from_book_yaml(built, tmp_path):
    """A narrower margin passes the same line; a wider one catches running heads and folios."""
    _, pdf = built("preflight-safety-margin")
    for margin, expected in (("2mm", 0), ("12mm", 1)):
        root = tmp_path / margin
        shutil.copytree(BOOKS / "preflight-safety-margin", root)
        with open(root / "book.yaml", "a", encoding="utf-8") as manifest:
            manifest.write(f"safety_margin: {margin}\n")
        near = coded(preflight(pdf, root), "safety-margin")
        assert len([f for f in near if "3141592653" in f.message]) == expected
    _, clean = built("preflight-clean")
    root = tmp_path / "clean"
    shutil.copytree(CLEAN, root)
    with open(root / "book.yaml", "a", encoding="utf-8") as manifest:
        manifest.write("safety_margin: 12mm\n")
    summary, _ = built("preflight-clean")
    second = summary.layout.pages["ch-01-chapter"] + 2  # has a running head and a folio
    assert second in {f.page for f in coded(preflight(clean, root), "safety-margin")}


def test_text_past_the_trim_is_an_overflow_error(built):
    findings, page, chapter = check(built, "overflow")
    [over] = coded(findings, "overflow")
    assert (over.severity, over.page, over.location) == ("error", page, Location(chapter, 7, 1))
    assert "right edge of the page" in over.message


# --- boxes and page count (on a built PDF made wrong on purpose) -----------------------------------

def test_right_boxes_pass(built):
    _, pdf = built("preflight-clean", preflight=False)
    assert coded(preflight(pdf, CLEAN), "boxes") == []


def test_wrong_trim_missing_trim_and_small_media_are_found_on_their_pages(built, tmp_path):
    def spoil(writer: PdfWriter) -> None:
        x0, y0, x1, y1 = (float(v) for v in writer.pages[1].trimbox)
        writer.pages[1].trimbox = RectangleObject((x0, y0, x1 - 2 * MM, y1))      # page 2: 146 mm wide
        del writer.pages[2][NameObject("/TrimBox")]                               # page 3: none
        x0, y0, x1, y1 = (float(v) for v in writer.pages[3].mediabox)
        writer.pages[3].mediabox = RectangleObject((x0 + MM, y0 + MM, x1, y1))    # page 4: bleed cut

    boxes = coded(preflight(spoilt(built, tmp_path, spoil), CLEAN), "boxes")
    assert {f.page for f in boxes} == {2, 3, 4}
    assert all(f.severity == "error" for f in boxes)
    trim = [f for f in boxes if f.page == 2 and "146.00" in f.message]
    assert trim and trim[0].location == Location(CLEAN / "book.yaml", 3, 7)     # trim: 148mm 210mm
    assert any(f.page == 3 and "no TrimBox" in f.message for f in boxes)
    assert any(f.page == 4 and "MediaBox does not hold the BleedBox" in f.message for f in boxes)


def _bleed(bleed: float):
    """A change setting BleedBox and MediaBox to the TrimBox grown by bleed (points)."""
    def change(writer: PdfWriter) -> None:
        for page in writer.pages:
            x0, y0, x1, y1 = (float(v) for v in page.trimbox)
            grown = RectangleObject((x0 - bleed, y0 - bleed, x1 + bleed, y1 + bleed))
            page.bleedbox = page.mediabox = grown
    return change


def test_bleed_box_must_match_the_bleed_within_a_hundredth_of_a_millimetre(built, tmp_path):
    off = spoilt(built, tmp_path, _bleed(3.02 * MM))
    boxes = coded(preflight(off, CLEAN), "boxes")
    assert boxes and "3.02 mm" in boxes[0].message and boxes[0].page == 1
    close = spoilt(built, tmp_path, _bleed(3.005 * MM))
    assert coded(preflight(close, CLEAN), "boxes") == []


def test_page_count_must_be_a_multiple_of_four_in_print(built, tmp_path):
    def pad(extra: int):
        def change(writer: PdfWriter) -> None:
            width, height = (float(v) for v in writer.pages[0].mediabox[2:])
            while len(writer.pages) % 4:
                writer.add_blank_page(width, height)
            for _ in range(extra):
                writer.add_blank_page(width, height)
        return change

    assert coded(preflight(spoilt(built, tmp_path, pad(0)), CLEAN), "page-count") == []
    even = spoilt(built, tmp_path, pad(2))  # even, yet not whole sheets
    [count] = coded(preflight(even, CLEAN), "page-count")
    assert count.severity == "error" and "add 2 blank pages" in count.message
    assert coded(preflight(even, CLEAN, edition="screen"), "page-count") == []


# --- fonts ------------------------------------------------------------------------------------------

def test_font_without_its_file_is_not_embedded(built, tmp_path):
    assert coded(check(built, "clean")[0], "font-not-embedded") == []

    def unembed(writer: PdfWriter) -> None:
        for ref in writer.pages[0]["/Resources"]["/Font"].values():
            font = ref.get_object()
            if str(font["/BaseFont"]).endswith("+Literata"):
                descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
                del descriptor[NameObject("/FontFile2")]

    [font] = coded(preflight(spoilt(built, tmp_path, unembed), CLEAN), "font-not-embedded")
    assert font.severity == "error" and '"Literata"' in font.message
    assert font.page == 1  # the half-title is set in it


# --- the report ----------------------------------------------------------------------------------------

def test_report_is_json_beside_the_pdf_and_exit_code_follows_errors(built, tmp_path):
    findings, page, chapter = check(built, "note-separated")
    notes = coded(findings, "note-separated")
    assert exit_code(notes) == 0                       # warnings only
    assert exit_code(check(built, "tofu")[0]) == 1      # tofu is an error
    _, pdf = built("preflight-note-separated", fault=True, preflight=False, repair=False)
    assert report_path(pdf).name == "note-separated-print.preflight.json"
    target = tmp_path / report_path(pdf).name
    write_report(notes, target)
    data = json.loads(target.read_text(encoding="utf-8"))
    assert (data["errors"], data["warnings"]) == (0, 1)
    [entry] = data["findings"]
    assert entry["code"] == "note-separated" and entry["page"] == page
    assert entry["location"] == f"{chapter}:9:437" and entry["line"] == 9 and entry["col"] == 437


def test_a_pdf_without_destinations_says_the_notes_went_unchecked(built, tmp_path):
    def drop_destinations(writer: PdfWriter) -> None:
        del writer._root_object["/Names"][NameObject("/Dests")]

    findings = preflight(spoilt(built, tmp_path, drop_destinations), CLEAN)
    [missing] = coded(findings, "no-destinations")
    assert missing.severity == "warning" and missing.location is None
    assert coded(check(built, "clean")[0], "no-destinations") == []
