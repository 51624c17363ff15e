"""Print and screen editions from one layout: boxes, output intent, fonts, colour, links, tags, padding."""

from __future__ import annotations

import re
import shutil

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from book.errors import BookError
from book.pipeline import build
from conftest import BOOKS, build_fixture

MM = 72 / 25.4
BOOK = "page-structure"


@pytest.fixture(scope="module")
def editions(tmp_path_factory):
    out = tmp_path_factory.mktemp("editions")
    summary = build_fixture(BOOKS / BOOK, out, edition="all")
    return summary, {kind: PdfReader(out / f"synthetic-{kind}.pdf") for kind in ("print", "screen", "cover")}


def mm(box) -> list[float]:
    return [round(float(v) / MM, 2) for v in box]


def test_all_editions_are_written(editions):
    summary, _ = editions
    names = sorted(p.name for p in summary.outputs)
    assert names == ["synthetic-booklet.pdf", "synthetic-cover.pdf", "synthetic-print.pdf",
                     "synthetic-print.preflight.json", "synthetic-screen.pdf", "synthetic-web", "synthetic.epub",
                     "synthetic.html"]
    assert (summary.outputs[0].parent / "synthetic-web" / "names.html").is_file()
    assert all(p.is_file() or p.is_dir() for p in summary.outputs)


def test_the_report_counts_the_pages_written_and_lists_every_file(editions):
    from book.cli import report_lines

    summary, pdfs = editions
    lines = report_lines(summary)
    notes = [line for line in lines if line.startswith("note:")]
    assert len(notes) == len(set(notes)) and any("spine" in n for n in notes)
    counts = lines[len(notes)]
    assert counts.startswith(f"{len(pdfs['print'].pages)} pages in ") and len(pdfs["print"].pages) == 28
    listed = lines[len(notes) + 1:]
    assert [line.split()[0] for line in listed] == [str(p) for p in summary.outputs]
    assert listed[0].endswith("  28 pages") and "preflight report" in listed[1]


def test_print_boxes_on_every_page(editions):
    _, pdfs = editions
    for page in pdfs["print"].pages:
        trim, bleed, media = mm(page.trimbox), mm(page.bleedbox), mm(page.mediabox)
        assert trim[2] - trim[0] == pytest.approx(148, abs=0.01) and trim[3] - trim[1] == pytest.approx(210, abs=0.01)
        assert bleed == pytest.approx([trim[0] - 3, trim[1] - 3, trim[2] + 3, trim[3] + 3], abs=0.01)
        assert media == bleed


def test_screen_pages_are_the_trim_only(editions):
    _, pdfs = editions
    for page in pdfs["screen"].pages:
        assert mm(page.mediabox) == pytest.approx([0, 0, 148, 210], abs=0.01)
        assert mm(page.trimbox) == mm(page.mediabox)
        assert "/BleedBox" not in page


def test_print_is_pdf_x4_with_a_fogra39_output_intent(editions):
    _, pdfs = editions
    for kind in ("print", "cover"):
        reader = pdfs[kind]
        intents = [i.get_object() for i in reader.trailer["/Root"]["/OutputIntents"]]
        assert [(i["/S"], i["/OutputConditionIdentifier"]) for i in intents] == [("/GTS_PDFX", "FOGRA39")]
        profile = intents[0]["/DestOutputProfile"].get_object()
        assert profile["/N"] == 4 and profile.get_data()[36:40] == b"acsp"
        xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
        assert b"PDF/X-4" in xmp


def test_print_colours_are_cmyk_or_grey_only(editions):
    _, pdfs = editions
    for kind in ("print", "cover"):
        reader = pdfs[kind]
        seen = set()
        for page in reader.pages:
            for operands, operator in ContentStream(page.get_contents(), reader).operations:
                seen.add(operator)
                if operator in (b"k", b"K") and operands[:3] == [0, 0, 0]:
                    continue
                assert operator not in (b"rg", b"RG", b"sc", b"SC", b"scn", b"SCN", b"cs", b"CS"), (kind, operator)
        assert b"k" in seen


def test_black_text_is_k_only(editions):
    _, pdfs = editions
    reader = pdfs["print"]
    fills = [tuple(float(v) for v in operands) for page in reader.pages[10:12]
             for operands, op in ContentStream(page.get_contents(), reader).operations if op == b"k"]
    assert (0.0, 0.0, 0.0, 1.0) in fills


def test_every_font_is_embedded_in_every_edition(editions):
    _, pdfs = editions
    for kind, reader in pdfs.items():
        for page in reader.pages:
            for font in ((page.get("/Resources") or {}).get("/Font") or {}).values():
                font = font.get_object()
                descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), (kind, font["/BaseFont"])


def test_print_is_padded_to_a_multiple_of_four_screen_is_not(editions):
    summary, pdfs = editions
    assert summary.pages == 25
    assert len(pdfs["print"].pages) == 28 and len(pdfs["screen"].pages) < 25  # no blank versos on screen
    for page in pdfs["print"].pages[25:]:
        assert not (page.extract_text() or "").strip()


def test_screen_edition_is_live_tagged_and_opens_on_the_title_page(editions):
    summary, pdfs = editions
    reader = pdfs["screen"]
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root
    assert root["/Lang"] == "en" and root["/PageMode"] == "/UseOutlines"
    opening = reader.get_page_number(root["/OpenAction"][0].get_object())
    assert opening == 1 and "Synthetic Book" in reader.pages[opening].extract_text()
    links = [a.get_object() for page in reader.pages for a in page.get("/Annots", [])
             if a.get_object()["/Subtype"] == "/Link"]
    internal = [a for a in links if "/Dest" in a or "/Dest" in a.get("/A", {})]
    at = summary.layout.pages
    assert len(internal) >= 2 * 35 + 6  # both ways for 35 notes, plus the contents and the index
    assert [item.title for item in reader.outline if not isinstance(item, list)][0] == "Contents"
    assert list(reader.page_labels[:3]) == ["i", "iii", "iv"]  # half-title, title, imprint: no blank verso ii
    assert at["index"] < len(pdfs["print"].pages)


def test_screen_edition_has_no_blank_pages_and_labels_match_the_folios(editions):
    summary, pdfs = editions
    screen = pdfs["screen"]
    assert all((page.extract_text() or "").strip() for page in screen.pages)
    printed = {label: (page.extract_text() or "") for label, page in zip(pdfs["print"].page_labels, pdfs["print"].pages)}
    for label, page in zip(screen.page_labels, screen.pages):
        assert printed[label] == (page.extract_text() or ""), label
    arabic = [label for label in screen.page_labels if label.isdigit()]
    assert arabic[0] == "1" and arabic == sorted(arabic, key=int)


def test_small_caps_running_heads_extract_as_words(editions):
    _, pdfs = editions
    heads = [line for page in pdfs["screen"].pages for line in (page.extract_text() or "").split("\n")[:1]]
    assert "synthetic book" in [" ".join(h.split()).lower() for h in heads]
    assert not any(re.search(r"[a-z][A-Z]", h) for h in heads), heads


def test_crop_marks_lie_outside_the_bleed_when_asked(tmp_path):
    source = tmp_path / "book"
    shutil.copytree(BOOKS / BOOK, source)
    manifest = source / "book.yaml"
    manifest.write_text(manifest.read_text() + "marks: [crop]\npage_multiple: 1\n")
    summary = build_fixture(source, tmp_path / "out")
    reader = PdfReader(summary.outputs[0])
    assert len(reader.pages) == 25
    page = reader.pages[11]
    trim, bleed, media = mm(page.trimbox), mm(page.bleedbox), mm(page.mediabox)
    assert bleed == pytest.approx([trim[0] - 3, trim[1] - 3, trim[2] + 3, trim[3] + 3], abs=0.01)
    assert media[0] < bleed[0] - 5 and media[3] > bleed[3] + 5
    marks_stream = page["/Contents"][-1].get_object()
    strokes, points = [], []
    for operands, operator in ContentStream(marks_stream, reader).operations:
        if operator in (b"m", b"l"):
            points.append((float(operands[0]) / MM, float(operands[1]) / MM))
        if operator == b"S":
            strokes.extend(points)
            points = []
    contents = [c.get_object().get_data().strip() for c in page["/Contents"]]
    assert contents[0] == b"q" and contents[-2] == b"Q", "the page content must be closed before the marks"
    marks = [p for p in strokes if p[0] < bleed[0] or p[0] > bleed[2] or p[1] < bleed[1] or p[1] > bleed[3]]
    assert len(marks) == 16
    for x, y in marks:
        outside_x = x <= bleed[0] - 1 or x >= bleed[2] + 1
        outside_y = y <= bleed[1] - 1 or y >= bleed[3] + 1
        assert outside_x or outside_y, (x, y)


def test_a_print_pdf_failing_preflight_is_not_written(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(BookError) as error:
        build(BOOKS / "preflight-tofu", out)
    assert "01-chapter.md:7:34:" in str(error.value) and "U+4E2D" in str(error.value)
    assert not any(p.suffix == ".pdf" for p in out.glob("*"))
