"""The wrap-around cover: spine width, sheet and page boxes, what lands on which panel.

Two layers, as elsewhere: WeasyPrint's laid-out page (anchors, transformed to the sheet)
for the safety margins, then pypdf on the written PDF for the boxes and the text.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from pypdf import PdfReader

from book.output.cover import (FOLD_MM, SAFETY_MM, plan_cover, render_cover_html, spine_width,
                        title_length_mm, write_cover)
from book.model import Manifest
from book.layout.paginate import Engine
from book.layout.render import Urls
from book.paths import STYLES

MM = 72 / 25.4
PX = 25.4 / 96
TITLE = "The Quiet Steppe"
SUBTITLE = "Letters Home, 1937 to 1946"
PUBLISHER = "Harbour Lane Press"
DESCRIPTION = ("Thousands of women were sent to a camp on the steppe for no crime of their own. "
               "This book gathers what they wrote, and what their children remembered.")
LONG_TITLE = ("An Extraordinarily Long Title That Goes On and On, Far Beyond What Any Spine "
              "Could Possibly Carry in One Line, However Narrow the Type, Even Set as Small as "
              "Five Points, Which Is the Smallest Size a Spine Title May Take Before It Is Left Off")


@dataclass(frozen=True)
class WithBackText(Manifest):
    """A manifest as it will be once book.yaml has a back_text key."""

    back_text: str = ""


def manifest(tmp_path, **fields) -> Manifest:
    root = tmp_path / "source"
    root.mkdir(exist_ok=True)
    values = dict(root=root, title=TITLE, subtitle=SUBTITLE, publisher=PUBLISHER, description=DESCRIPTION,
                  slug="quiet", trim=(148.0, 210.0), bleed=3.0, paper_caliper=0.1)
    values.update(fields)
    kind = WithBackText if "back_text" in values else Manifest
    return kind(**values)


def build(tmp_path, pages: int, **fields):
    """Write the cover; returns (plan, page of the PDF, engine)."""
    m = manifest(tmp_path, **fields)
    engine = Engine([m.root, STYLES])
    target = tmp_path / "out" / f"{m.slug}-cover.pdf"
    plan = write_cover(m, pages, engine, Urls.for_book(m.root), target)
    reader = PdfReader(target)
    assert len(reader.pages) == 1
    return plan, reader.pages[0], engine


def runs(page) -> list[tuple[str, float, float, tuple[float, float]]]:
    """Every text run: (text, x mm, y mm from the sheet's bottom-left, writing direction)."""
    found = []

    def visit(text, cm, tm, font, size):
        if not text.strip():
            return
        a, b = tm[0] * cm[0] + tm[1] * cm[2], tm[0] * cm[1] + tm[1] * cm[3]
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        found.append((" ".join(text.split()), x / MM, y / MM, (round(a, 3), round(b, 3))))
    page.extract_text(visitor_text=visit)
    return found


def where(page, text: str) -> list[tuple[float, float, tuple[float, float]]]:
    """Positions of the runs that start with text (case-insensitive: the publisher is in small caps)."""
    return [(x, y, d) for t, x, y, d in runs(page) if t.lower().startswith(text.lower())]


def within(x: float, span: tuple[float, float]) -> bool:
    return span[0] <= x <= span[1]


def box_mm(box) -> list[float]:
    return [float(v) / MM for v in box]


# --- spine width and plan -------------------------------------------------------------------

@pytest.mark.parametrize("pages, caliper, spine", [
    (96, 0.1, 4.8), (160, 0.1, 8.0), (130, 0.08, 5.2), (161, 0.1, 8.1), (1, 0.1, 0.1), (0, 0.1, 0.0),
    (333, 0.075, 12.525),
])
def test_spine_width_counts_whole_leaves(pages, caliper, spine):
    assert spine_width(pages, caliper) == pytest.approx(spine, abs=1e-9)


@pytest.mark.parametrize("pages, caliper", [(-2, 0.1), (100, 0.0), (100, -0.1)])
def test_spine_width_refuses_nonsense(pages, caliper):
    with pytest.raises(ValueError):
        spine_width(pages, caliper)


def test_plan_measures_the_sheet_and_the_spine(tmp_path):
    plan = plan_cover(manifest(tmp_path, paper_caliper=0.08), 130)
    assert (plan.width_mm, plan.height_mm, plan.bleed_mm) == pytest.approx((301.2, 210.0, 3.0))
    assert plan.spine_mm == pytest.approx(5.2)
    assert plan.spine_x_mm == pytest.approx((151.0, 156.2))
    assert plan.back_x_mm == pytest.approx((3.0, 151.0))
    assert plan.front_x_mm == pytest.approx((156.2, 304.2))
    assert plan.sheet_mm == pytest.approx((307.2, 216.0))


@pytest.mark.parametrize("pages, titled", [(78, False), (79, True), (92, True)])
def test_spine_title_from_four_millimetres(tmp_path, pages, titled):
    plan = plan_cover(manifest(tmp_path), pages)  # 79 pages -> 40 leaves -> exactly 4.0 mm
    assert plan.spine_title is titled
    assert bool(plan.note) is not titled
    if not titled:
        assert "4 mm" in plan.note and "spine" in plan.note


def test_spine_title_is_the_largest_size_that_fits(tmp_path):
    narrow = plan_cover(manifest(tmp_path), 92)  # 4.6 mm: about 7 pt
    assert narrow.spine_font_pt == pytest.approx(7.17, abs=0.01)
    long = ("An Extraordinarily Long Title That Goes On and On, Far Beyond What Any Spine "
            "Could Possibly Carry in One Line, However Narrow the Type")
    plan = plan_cover(manifest(tmp_path, title=long), 400)
    assert plan.spine_title and plan.spine_font_pt < 9
    assert title_length_mm(long, plan.spine_font_pt) == pytest.approx(plan.spine_length_mm, abs=0.1)


def test_saddle_stitched_cover_has_no_spine(tmp_path):
    plan = plan_cover(manifest(tmp_path, binding="saddle"), 92)
    assert plan.spine_mm == 0 and not plan.spine_title and plan.width_mm == 2 * 148
    assert "saddle" in plan.summary
    assert "perfect binding, spine 4.6 mm" in plan_cover(manifest(tmp_path), 92).summary


def test_spine_font_follows_the_spine_up_to_nine_points(tmp_path):
    sizes = [plan_cover(manifest(tmp_path), pages).spine_font_pt for pages in (80, 90, 100, 400)]
    assert sizes == sorted(sizes)
    assert sizes[0] < 9 and sizes[-1] == 9
    assert sizes[0] * 25.4 / 72 <= 0.56 * 4.0  # the letters keep inside a 4 mm spine


def test_a_title_too_long_for_the_spine_is_left_off_with_a_note(tmp_path):
    plan = plan_cover(manifest(tmp_path, title=LONG_TITLE), 400)
    assert plan.spine_mm >= 6 and not plan.spine_title
    assert "needs" in plan.note and LONG_TITLE in plan.note


def test_back_text_wins_over_description_when_present(tmp_path):
    html = render_cover_html(manifest(tmp_path, back_text="Read this first."), plan_cover(manifest(tmp_path), 160),
                             Urls.for_book(tmp_path / "source"))
    assert "Read this first." in html and DESCRIPTION not in html
    html = render_cover_html(manifest(tmp_path, back_text=""), plan_cover(manifest(tmp_path), 160),
                             Urls.for_book(tmp_path / "source"))
    assert DESCRIPTION in html


# --- the written PDF ----------------------------------------------------------------------------

@pytest.mark.parametrize("pages, caliper, bleed, spine", [
    (96, 0.1, 3.0, 4.8), (160, 0.1, 3.0, 8.0), (130, 0.08, 3.0, 5.2), (161, 0.1, 3.0, 8.1),
    (400, 0.12, 5.0, 24.0),  # WeasyPrint's own bleed would cap the BleedBox at 10 pt (3.53 mm)
])
def test_page_boxes(tmp_path, pages, caliper, bleed, spine):
    plan, page, engine = build(tmp_path, pages, paper_caliper=caliper, bleed=bleed)
    assert plan.spine_mm == pytest.approx(spine)
    width, height = 2 * 148 + spine, 210
    x0, y0, x1, y1 = box_mm(page.mediabox)
    assert (x1 - x0, y1 - y0) == pytest.approx((width + 2 * bleed, height + 2 * bleed), abs=0.1)
    assert box_mm(page.bleedbox) == pytest.approx([x0, y0, x1, y1], abs=0.01)
    assert box_mm(page.trimbox) == pytest.approx([x0 + bleed, y0 + bleed, x1 - bleed, y1 - bleed], abs=0.01)
    assert engine.messages == []


def test_thin_spine_carries_no_title(tmp_path):
    plan, page, engine = build(tmp_path, 60)
    assert not plan.spine_title and "3 mm" in plan.note
    titles = [t for t in where(page, "The Quiet") if not within(t[0], plan.back_x_mm)]  # the back's headline aside
    assert len(titles) == 1
    assert within(titles[0][0], plan.front_x_mm)
    assert engine.messages == []


@pytest.mark.parametrize("pages, caliper", [(160, 0.1), (150, 0.08), (161, 0.1), (700, 0.1)])
def test_spine_title_reads_top_to_bottom_in_the_spine(tmp_path, pages, caliper):
    plan, page, engine = build(tmp_path, pages, paper_caliper=caliper)
    assert plan.spine_title and plan.note == ""
    on_spine = [(x, y, d) for x, y, d in where(page, TITLE) if within(x, plan.spine_x_mm)]
    assert len(where(page, "The Quiet")) == 3 and len(on_spine) == 1  # back headline, spine, front
    x, y, direction = on_spine[0]
    assert direction[0] == pytest.approx(0, abs=1e-6) and direction[1] < 0  # runs down the sheet
    assert x > sum(plan.spine_x_mm) / 2 - plan.spine_font_pt / MM  # baseline near the middle
    assert y < plan.sheet_mm[1] - plan.bleed_mm - SAFETY_MM
    assert engine.messages == []


def test_long_title_stays_off_a_wide_spine(tmp_path):
    plan, page, engine = build(tmp_path, 400, title=LONG_TITLE)
    assert not plan.spine_title and plan.note
    assert not [x for x, _, _ in where(page, "An Extraordinarily") if within(x, plan.spine_x_mm)]
    assert engine.messages == []


def test_panels_carry_their_texts(tmp_path):
    plan, page, engine = build(tmp_path, 160, back_text="The back of the book says this.")
    front = (plan.front_x_mm[0] + SAFETY_MM, plan.front_x_mm[1] - SAFETY_MM)
    back = (plan.back_x_mm[0] + SAFETY_MM, plan.back_x_mm[1] - SAFETY_MM)
    for text in ("The Quiet", "Letters Home", PUBLISHER):
        assert [x for x, _, _ in where(page, text) if within(x, front)], text
    assert [x for x, _, _ in where(page, "The back of the book") if within(x, back)]
    assert not where(page, "Thousands of women")  # the description gives way to back_text
    assert engine.messages == []


def test_description_is_the_back_text_by_default(tmp_path):
    plan, page, _ = build(tmp_path, 160)
    back = (plan.back_x_mm[0] + SAFETY_MM, plan.back_x_mm[1] - SAFETY_MM)
    assert [x for x, _, _ in where(page, "Thousands of women") if within(x, back)]


def test_every_text_keeps_the_safety_margins(tmp_path):
    """Laid-out boxes, transformed to the sheet: 5 mm inside the trim, 3 mm more from the folds."""
    m = manifest(tmp_path)
    engine = Engine([m.root, STYLES])
    for pages in (160, 700):
        plan = plan_cover(m, pages)
        document = engine.layout(render_cover_html(m, plan, Urls.for_book(m.root)), Urls.for_book(m.root).base)
        anchors = {k: [v * PX for v in rect] for k, rect in document.pages[0].anchors.items()}
        top, bottom = plan.bleed_mm + SAFETY_MM, plan.bleed_mm + plan.height_mm - SAFETY_MM
        back = (plan.back_x_mm[0] + SAFETY_MM, plan.back_x_mm[1] - SAFETY_MM - FOLD_MM)
        front = (plan.front_x_mm[0] + SAFETY_MM + FOLD_MM, plan.front_x_mm[1] - SAFETY_MM)
        panels = {"back-text": back, "front-title": front, "front-subtitle": front,
                  "front-publisher": front, "spine-title": plan.spine_x_mm}
        for name, (left, right) in panels.items():
            x1, y1, x2, y2 = anchors[name]
            assert left <= min(x1, x2) and max(x1, x2) <= right, name
            assert top <= min(y1, y2) and max(y1, y2) <= bottom, name
    assert engine.messages == []


@pytest.mark.parametrize("title", [TITLE, "ALZHIR", "Quiet Wells and Windy Roads of Kazakhstan", "Қарағанды"])
def test_spine_measurement_agrees_with_the_layout(tmp_path, title):
    m = manifest(tmp_path, title=title)
    plan = plan_cover(m, 300)
    engine = Engine([m.root, STYLES])
    urls = Urls.for_book(m.root)
    x1, y1, x2, y2 = engine.layout(render_cover_html(m, plan, urls), urls.base).pages[0].anchors["spine-title"]
    laid_out = abs(y2 - y1) * PX
    assert title_length_mm(title, plan.spine_font_pt) == pytest.approx(laid_out, rel=0.04)
    assert abs(x2 - x1) * PX < plan.spine_mm  # rotated: the line's height lies across the spine


def test_cover_background_fills_the_bleed(tmp_path):
    """Pixels in the bleed, near each corner of the sheet, are as dark as the cover."""
    import subprocess
    build(tmp_path, 160)
    target = tmp_path / "out" / "quiet-cover.pdf"
    subprocess.run(["pdftoppm", "-r", "50", "-gray", str(target), str(tmp_path / "sheet")], check=True)
    _, size, _, pixels = next(tmp_path.glob("sheet*.pgm")).read_bytes().split(b"\n", 3)
    width, height = map(int, size.split())
    at = lambda x, y: pixels[y * width + x]  # noqa: E731
    inset = 2  # px at 50 dpi: 1 mm, well inside the 3 mm bleed
    corners = [at(inset, inset), at(width - 1 - inset, inset), at(inset, height - 1 - inset),
               at(width - 1 - inset, height - 1 - inset)]
    assert all(value < 80 for value in corners), corners


def test_layout_has_the_last_word_on_the_spine_title(tmp_path, monkeypatch):
    """Should the measurement be wrong, the laid-out title decides, and the sheet is laid out again."""
    import book.output.cover
    monkeypatch.setattr(book.output.cover, "title_length_mm", lambda text, size: 0.0)
    plan, page, engine = build(tmp_path, 400, title=LONG_TITLE)
    assert not plan.spine_title and "needs" in plan.note
    assert not [x for x, _, _ in where(page, "An Extraordinarily") if within(x, plan.spine_x_mm)]
    assert len([x for x, _, _ in where(page, "An Extraordinarily") if not within(x, plan.back_x_mm)]) == 1
    assert engine.messages == []


def test_back_cover_carries_a_barcode_of_the_isbn_and_a_price_field(tmp_path):
    plan, page, engine = build(tmp_path, 92, isbn="978-3-16-148410-0", year=2026,
                               back_quote="“A short quotation.” — A Reader")
    text = " ".join(page.extract_text().split())
    assert "9783161484100" in text.replace(" ", "")  # the digits under the bars, check digit 0
    assert "ISBN 978-3-16-148410-0" in text and "A short quotation" in text and "Harbour Lane Press · 2026" in text
    assert engine.messages == []
    html = render_cover_html(manifest(tmp_path), plan_cover(manifest(tmp_path), 92), Urls.for_book(tmp_path / "source"))
    assert 'class="panel barcode reserved"' in html and "<svg" not in html  # no ISBN: area left for the publisher


def test_barcode_verifies_the_check_digit():
    from book.output.cover import ean13_svg
    assert "<svg" in ean13_svg("9783161484100")
    with pytest.raises(ValueError):
        ean13_svg("9783161484101")


def test_back_text_too_long_for_the_back_is_noted(tmp_path):
    plan, _, engine = build(tmp_path, 160, description="\n\n".join([DESCRIPTION * 3] * 8))
    assert plan.spine_title and "back text" in plan.note
    plan, _, _ = build(tmp_path, 160)
    assert plan.note == ""
