"""Manifest + interior page count -> out/<slug>-cover.pdf: back, spine and front on one sheet.

The sheet is laid out by WeasyPrint as one page the size of the whole sheet,
bleed included (`@page { size: …; margin: 0 }`), with every box placed
absolutely from the numbers computed here; styles/cover.css holds only the
typography and the colours. WeasyPrint's own `bleed` is not used because it
caps the BleedBox at 10 pt; the sheet is written through press.print_finisher
like the interior: TrimBox the sheet less the bleed, BleedBox the sheet, CMYK
colours, the FOGRA39 output intent, PDF/X-4.

Coordinates: millimetres from the top-left corner of the sheet *including*
bleed, unless a name says "from the trim". Left to right the sheet is
bleed | back | spine | front | bleed.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from markupsafe import Markup

from ..layout.qr import qr_svg
from ..layout.render import TEMPLATES, Urls
from ..model import PT_PER_MM
from ..paths import STYLES
from ..text import keep_last_words
from .finish import Stamp, write_pdf
from .press import PrintSetup, print_finisher

SPINE_TITLE_MIN_MM = 4.0
"""Narrower spines carry no title."""
SAFETY_MM = 5.0
"""Every text stays at least this far inside the trim of its panel."""
FOLD_MM = 3.0
"""Front and back text keeps this much more distance from the spine folds."""
SPINE_END_MM = 12.0
"""Room left free at the head and foot of the spine (more than SAFETY_MM)."""
SPINE_FONT_MAX_PT = 9.0
"""Largest spine title."""
SPINE_FONT_SHARE = 0.55
"""Largest spine title size as a share of the spine width (4.6 mm carries about 7 pt)."""
SPINE_FONT_MIN_PT = 5.0
"""A title that fits the spine's length only below this size is left off."""
BARCODE_MM = (37.35, 24.4)
"""The EAN-13 symbol (SC2, 0.33 mm modules, 18 mm bars) with its digits and quiet zones."""
PRICE_MM = 18.0
"""Width of the white price field beside the barcode."""
SPINE_FONT = STYLES / "fonts" / "Literata-SemiBold.ttf"
"""The face cover.css sets the spine title in; the fit is measured with it."""

MM_PER_PX = 25.4 / 96
QR_GAP_MM = 4.0
"""Least room between the back text and the QR code under it."""



def spine_width(pages: int, caliper_mm: float) -> float:
    """Spine width in mm: one caliper per leaf, an odd page count rounded up to whole leaves."""
    if pages < 0:
        raise ValueError(f"page count must not be negative, got {pages}")
    if caliper_mm <= 0:
        raise ValueError(f"paper caliper must be positive, got {caliper_mm} mm")
    return round(math.ceil(pages / 2) * caliper_mm, 4)


@dataclass(frozen=True)
class CoverPlan:
    """The sheet's measurements, and whether the spine carries the title."""

    width_mm: float
    """Trim width of the whole sheet: back + spine + front, without bleed."""
    height_mm: float
    """Trim height, without bleed."""
    spine_mm: float
    """Spine width."""
    bleed_mm: float
    """Bleed on every side of the sheet."""
    spine_title: bool
    """True when the title is printed on the spine."""
    binding: str = "perfect"
    """perfect (glued: a spine) or saddle (stapled: no spine, the sheet folds once)."""
    title_pt: float = 0.0
    """Spine title size: the largest that fits both the spine's width and its length."""
    note: str = ""
    """Why something was left off or runs short, for the build summary; empty when all is well."""

    @property
    def page_width_mm(self) -> float:
        """Width of the front (and the back) panel."""
        return (self.width_mm - self.spine_mm) / 2

    @property
    def sheet_mm(self) -> tuple[float, float]:
        """Width and height of the whole sheet, bleed included (the MediaBox)."""
        return self.width_mm + 2 * self.bleed_mm, self.height_mm + 2 * self.bleed_mm

    @property
    def spine_x_mm(self) -> tuple[float, float]:
        """Left and right fold of the spine, from the sheet's left edge (bleed included)."""
        left = self.bleed_mm + self.page_width_mm
        return left, left + self.spine_mm

    @property
    def back_x_mm(self) -> tuple[float, float]:
        """Left trim edge and fold of the back panel, from the sheet's left edge."""
        return self.bleed_mm, self.spine_x_mm[0]

    @property
    def front_x_mm(self) -> tuple[float, float]:
        """Fold and right trim edge of the front panel, from the sheet's left edge."""
        return self.spine_x_mm[1], self.spine_x_mm[1] + self.page_width_mm

    @property
    def spine_font_pt(self) -> float:
        """Size of the spine title: the planned one, else the largest the spine's width allows."""
        return self.title_pt or round(min(SPINE_FONT_MAX_PT, self.spine_mm * PT_PER_MM * SPINE_FONT_SHARE), 2)

    @property
    def summary(self) -> str:
        """What the cover is made for, for the build's report."""
        if self.binding == "saddle":
            return "cover: made for saddle stitching (no spine; the sheet folds once)"
        return f"cover: made for perfect binding, spine {self.spine_mm:g} mm"

    @property
    def spine_length_mm(self) -> float:
        """Room for the spine title along the spine."""
        return self.height_mm - 2 * SPINE_END_MM


def back_text(manifest) -> str:
    """The back-cover text: `back_text` when the manifest has a non-empty one, else the description."""
    return (getattr(manifest, "back_text", "") or manifest.description or "").strip()


def plan_cover(manifest, pages: int) -> CoverPlan:
    """Measure the sheet for a book of `pages` interior pages and decide on the spine title."""
    page_w, page_h = manifest.trim
    binding = getattr(manifest, "binding", "perfect")
    spine = 0.0 if binding == "saddle" else spine_width(pages, manifest.paper_caliper)
    plan = CoverPlan(width_mm=2 * page_w + spine, height_mm=page_h, spine_mm=spine,
                     bleed_mm=manifest.bleed, spine_title=False, binding=binding)
    if binding == "saddle":
        return plan
    if spine < SPINE_TITLE_MIN_MM:
        return replace(plan, note=f"cover: the spine is {spine:g} mm wide ({pages} pages at "
                                  f"{manifest.paper_caliper:g} mm a leaf), under {SPINE_TITLE_MIN_MM:g} mm: "
                                  f"no title on the spine")
    widest = plan.spine_font_pt
    longest = plan.spine_length_mm / max(title_length_mm(manifest.title, 1.0), 1e-6)
    size = round(min(widest, longest), 2)
    if size < SPINE_FONT_MIN_PT:
        return replace(plan, note=_too_long(manifest.title, title_length_mm(manifest.title, SPINE_FONT_MIN_PT),
                                            replace(plan, title_pt=SPINE_FONT_MIN_PT)))
    return replace(plan, spine_title=True, title_pt=size)


def _too_long(title: str, needed: float, plan: CoverPlan) -> str:
    return (f"cover: the title \"{title}\" needs {needed:.0f} mm on the spine at {plan.spine_font_pt:g} pt, "
            f"{plan.spine_length_mm:.0f} mm are free: no title on the spine")


def title_length_mm(text: str, size_pt: float) -> float:
    """Advance width of text set in SPINE_FONT on one line (no kerning), in mm."""
    cmap, advances, units = _spine_metrics()
    fallback = units * 0.6
    total = sum(advances.get(cmap.get(ord(ch)), fallback) for ch in text)
    return total / units * size_pt / PT_PER_MM


@lru_cache(maxsize=1)
def _spine_metrics() -> tuple[dict[int, str], dict[str, int], int]:
    from fontTools.ttLib import TTFont
    font = TTFont(SPINE_FONT, lazy=True)
    advances = {name: metric[0] for name, metric in font["hmtx"].metrics.items()}
    return dict(font.getBestCmap()), advances, font["head"].unitsPerEm


def _geometry(plan: CoverPlan) -> dict[str, dict[str, float]]:
    """Where each box of the template goes: CSS properties in mm, from the sheet's top-left corner."""
    b, page_w, page_h = plan.bleed_mm, plan.page_width_mm, plan.height_mm
    side = max(page_w * 0.11, SAFETY_MM + FOLD_MM)
    top = max(page_h * 0.14, SAFETY_MM)
    foot = max(page_h * 0.08, SAFETY_MM)
    back_left, _ = plan.back_x_mm
    front_left, _ = plan.front_x_mm
    spine_left, spine_right = plan.spine_x_mm
    length = plan.spine_length_mm
    back_right = plan.back_x_mm[1] - side
    code_w, code_h = BARCODE_MM
    return {
        "back-panel": dict(left=back_left + side, top=b + top, width=page_w - 2 * side),
        "back-code": dict(left=back_right - code_w, bottom=b + foot, width=code_w, height=code_h),
        "back-price": dict(left=back_right - code_w - PRICE_MM - 2, bottom=b + foot, width=PRICE_MM, height=code_h),
        "back-imprint": dict(left=back_left + side, bottom=b + foot,
                             width=page_w - 2 * side - code_w - PRICE_MM - 6),
        "front-heading": dict(left=front_left + side, top=b + top, width=page_w - 2 * side),
        "front-foot": dict(left=front_left + side, bottom=b + foot, width=page_w - 2 * side),
        "back-qr": dict(left=back_left + 1.4 * side, bottom=b + foot + code_h + 6, width=page_w - 2.8 * side),
        "spine": dict(left=(spine_left + spine_right) / 2 - length / 2, top=b + page_h / 2 - plan.spine_mm / 2,
                      width=length, height=plan.spine_mm, **{"line-height": plan.spine_mm}),
    }


def render_cover_html(manifest, plan: CoverPlan, urls: Urls) -> str:
    """The cover sheet as one HTML page: on the back a headline, the blurb, an optional quotation, the
    imprint line and the EAN-13 barcode with a price field (or the area left for the publisher);
    the spine title (when planned); on the front the title, subtitle, byline, image and publisher."""
    sheet_w, sheet_h = plan.sheet_mm
    paragraphs = [" ".join(p.split()) for p in back_text(manifest).split("\n\n") if p.strip()]
    isbn = getattr(manifest, "isbn", "")
    return TEMPLATES.get_template("cover.html.j2").render(
        m=manifest, plan=plan, sheet_w=sheet_w, sheet_h=sheet_h, geometry=_geometry(plan),
        paragraphs=paragraphs, stylesheet=urls.stylesheet.rsplit("/", 1)[0] + "/cover.css",
        qr=qr_svg(manifest.web_url) if getattr(manifest, "web_url", "") else "",
        barcode=Markup(ean13_svg(isbn)) if isbn else "", isbn=isbn,
        title=Markup(keep_last_words(manifest.title)), subtitle=Markup(keep_last_words(manifest.subtitle)),
        image=manifest.cover_image.relative_to(manifest.root).as_posix() if getattr(manifest, "cover_image", None)
        else "",
        people=list(getattr(manifest, "authors", ()) or getattr(manifest, "editors", ())))


def ean13_svg(isbn: str) -> str:
    """The EAN-13 symbol of an ISBN-13 as inline SVG (python-barcode), its check digit verified."""
    import barcode
    from barcode.writer import SVGWriter

    digits = "".join(ch for ch in isbn if ch.isdigit())
    symbol = barcode.get("ean13", digits[:12], writer=SVGWriter())
    if symbol.get_fullcode() != digits:
        raise ValueError(f"ISBN {isbn}: check digit {digits[-1]}, EAN-13 computes {symbol.get_fullcode()[-1]}")
    out = io.BytesIO()
    symbol.write(out, options=dict(module_width=0.33, module_height=18.0, font_size=8, text_distance=3.0,
                                   quiet_zone=3.0, background="white", foreground="black"))
    svg = out.getvalue().decode("utf-8")
    svg = svg[svg.index("<svg"):]
    # Inside HTML, WeasyPrint reads style="" as CSS and ignores fill and text-anchor: presentation
    # attributes say the same to its SVG renderer.
    return re.sub(r'style="([^"]*)"', lambda m: " ".join(
        f'{k.strip()}="{v.strip()}"' for k, v in (d.split(":", 1) for d in m.group(1).split(";") if ":" in d)), svg)


def write_cover(manifest, pages: int, engine, urls: Urls, target: Path, stamp: Stamp | None = None) -> CoverPlan:
    """Lay out the cover with engine and write it to target atomically; returns the plan as printed.

    The spine title is checked against the laid-out text as well as against the plan's
    measurement: if it came out longer than the spine allows, the sheet is laid out again
    without it. Engine warnings are left in engine.messages for the caller."""
    plan = plan_cover(manifest, pages)
    document = engine.layout(render_cover_html(manifest, plan, urls), urls.base)
    anchors = document.pages[0].anchors
    if plan.spine_title and (needed := _extent_mm(anchors, "spine-title", vertical=True)) > plan.spine_length_mm:
        plan = replace(plan, spine_title=False, note=_too_long(manifest.title, needed, plan))
        document = engine.layout(render_cover_html(manifest, plan, urls), urls.base)
        anchors = document.pages[0].anchors
    notes = [plan.note] if plan.note else []
    if "back-qr" in anchors and _bottom_mm(anchors, "back-text") > anchors["back-qr"][1] * MM_PER_PX - QR_GAP_MM:
        notes.append("cover: the back text runs into the QR code; shorten it")
    elif (bottom := _bottom_mm(anchors, "back-text")) > plan.bleed_mm + plan.height_mm - SAFETY_MM:
        notes.append(f"cover: the back text runs {bottom - plan.bleed_mm - plan.height_mm + SAFETY_MM:.0f} mm "
                     f"into the safety margin at the foot of the back; shorten it")
    plan = replace(plan, note="; ".join(notes))
    setup = PrintSetup(bleed_mm=plan.bleed_mm, marks="crop" in getattr(manifest, "marks", ()),
                       trim_inset_mm=plan.bleed_mm)
    write_pdf(document.copy(document.pages[:1]), target, print_finisher(setup), "pdf/x-4", stamp=stamp)
    return plan


def _extent_mm(anchors: dict, name: str, vertical: bool) -> float:
    if name not in anchors:
        return 0.0
    x1, y1, x2, y2 = anchors[name]
    return abs(y2 - y1 if vertical else x2 - x1) * MM_PER_PX


def _bottom_mm(anchors: dict, name: str) -> float:
    if name not in anchors:
        return 0.0
    _, y1, _, y2 = anchors[name]
    return max(y1, y2) * MM_PER_PX
