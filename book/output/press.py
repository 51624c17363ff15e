"""A PDF being written (pydyf, inside WeasyPrint's finisher) -> the print edition's PDF/X-4 form.

WeasyPrint 70 writes colours as RGB, caps the BleedBox at 10 pt, draws crop
marks inside the bleed and adds no output intent unless CSS declares a CMYK
profile. So, for the print edition, a finisher:

- turns every RGB colour operator into CMYK, greys into K alone (black text
  is `0 0 0 1 k`), so the file holds no RGB colour;
- gives every transparency group (WeasyPrint writes `/Group <</S /Transparency
  /CS /DeviceRGB>>` on page and form XObjects, the SVG figures' among them)
  the CMYK blending space, so that K-only black is not blended in RGB and
  separated into four colours; and turns RGB axial and radial shadings into
  CMYK ones;
- converts every RGB raster image: a grey picture into DeviceGray, a colour
  one into DeviceCMYK through the FOGRA39 profile (rasters.py);
- sets TrimBox, BleedBox (trim + bleed, exactly) and MediaBox on every page,
  the MediaBox grown further when crop marks are asked for;
- draws crop marks outside the bleed, when book.yaml asks (`marks: crop`);
- adds the output intent: FOGRA39 (ISO 12647-2:2004 coated paper) with the
  FOGRA39L_coated.icc profile from styles/color/ (zlib licence, see there).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pydyf

from ..model import PT_PER_MM
from ..paths import STYLES
from .finish import pages_of
from .rasters import convert_image, is_rgb_image

PROFILE = STYLES / "color" / "FOGRA39L_coated.icc"
MARK_GAP, MARK_LENGTH = 1.5, 5.0
"""Crop marks start this far (mm) outside the bleed and are this long."""
RGB_OP = re.compile(rb"^(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (rg|RG)$")


@dataclass(frozen=True)
class PrintSetup:
    """How the print edition's pages are boxed and marked."""

    bleed_mm: float = 3.0
    """Bleed on every side."""
    marks: bool = False
    """Whether to draw crop marks outside the bleed."""
    trim_inset_mm: float = 0.0
    """For a sheet laid out bleed included (the cover): how far inside the MediaBox the trim lies."""


def print_finisher(setup: PrintSetup):
    """A WeasyPrint finisher applying the print treatment."""
    def finisher(document, pdf: pydyf.PDF) -> None:
        for obj in pdf.objects:
            if is_rgb_image(obj):
                convert_image(obj, PROFILE)
            elif isinstance(obj, pydyf.Stream) and isinstance(obj.stream, list):
                obj.stream = [to_cmyk(item) for item in obj.stream]
            for dictionary in _dictionaries(obj):
                cmyk_group(dictionary)
                cmyk_shading(dictionary)
        for page in pages_of(pdf):
            set_boxes(page, setup)
            if setup.marks:
                add_crop_marks(pdf, page, setup)
        add_output_intent(pdf)
    return finisher


def to_cmyk(item):
    """One content-stream item with an RGB colour operator turned into CMYK (grey into K alone)."""
    if not isinstance(item, (bytes, str)):
        return item
    raw = item.encode("latin-1") if isinstance(item, str) else item
    match = RGB_OP.match(raw)
    if not match:
        return item
    r, g, b = (min(max(float(v), 0.0), 1.0) for v in match.groups()[:3])
    operator = "k" if match.group(4) == b"rg" else "K"
    return f"{cmyk_text(r, g, b)} {operator}".encode()


def _dictionaries(obj):
    """The dictionaries of a PDF object: itself (or a stream's dictionary) and those nested in it."""
    top = obj.extra if isinstance(obj, pydyf.Stream) else obj
    stack = [top] if isinstance(top, dict) else []
    while stack:
        dictionary = stack.pop()
        yield dictionary
        for value in dictionary.values():
            if isinstance(value, dict):
                stack.append(value)
            elif isinstance(value, (list, tuple)):
                stack.extend(v for v in value if isinstance(v, dict))


def cmyk_group(dictionary: dict) -> None:
    """A transparency group blending in DeviceRGB is made to blend in DeviceCMYK."""
    group = dictionary.get("Group")
    if isinstance(group, dict) and str(group.get("CS", "")) in ("/DeviceRGB", "DeviceRGB"):
        group["CS"] = "/DeviceCMYK"


def cmyk_shading(dictionary: dict) -> None:
    """An RGB shading (exponential function, C0/C1) is made CMYK, greys in K alone."""
    if "ShadingType" not in dictionary or str(dictionary.get("ColorSpace", "")) not in ("/DeviceRGB", "DeviceRGB"):
        return
    dictionary["ColorSpace"] = "/DeviceCMYK"
    functions = dictionary.get("Function")
    stack = [functions] if isinstance(functions, dict) else list(functions or [])
    while stack:
        function = stack.pop()
        if not isinstance(function, dict):
            continue
        for key in ("C0", "C1"):
            if key in function and len(function[key]) == 3:
                function[key] = pydyf.Array(float(v) for v in cmyk_text(*(float(x) for x in function[key])).split())
        stack.extend(f for f in function.get("Functions", []) if isinstance(f, dict))


def cmyk_text(r: float, g: float, b: float) -> str:
    """RGB (0-1) -> 'c m y k' text; a grey has no C, M or Y at all."""
    k = 1 - max(r, g, b)
    if abs(r - g) < 1e-6 and abs(g - b) < 1e-6 or k >= 1:
        c = m = y = 0.0
    else:
        c, m, y = ((1 - v - k) / (1 - k) for v in (r, g, b))
    return " ".join(f"{v:.4f}".rstrip("0").rstrip(".") or "0" for v in (c, m, y, k))


def set_boxes(page: pydyf.Dictionary, setup: PrintSetup) -> None:
    """TrimBox, BleedBox = trim + bleed, MediaBox = bleed (+ room for marks)."""
    inset = setup.trim_inset_mm * PT_PER_MM
    if setup.trim_inset_mm:
        x0, y0, x1, y1 = page["MediaBox"]
        trim = [x0 + inset, y0 + inset, x1 - inset, y1 - inset]
    else:
        trim = list(page.get("TrimBox", page["MediaBox"]))
    bleed = _grow(trim, setup.bleed_mm)
    page["TrimBox"] = pydyf.Array(trim)
    page["BleedBox"] = pydyf.Array(bleed)
    page["MediaBox"] = pydyf.Array(_grow(trim, setup.bleed_mm + MARK_GAP + MARK_LENGTH + 1)
                                   if setup.marks else bleed)


def _grow(box: list[float], mm: float) -> list[float]:
    d = mm * PT_PER_MM
    return [box[0] - d, box[1] - d, box[2] + d, box[3] + d]


def add_crop_marks(pdf: pydyf.PDF, page: pydyf.Dictionary, setup: PrintSetup) -> None:
    """Eight hairlines in K at the trim corners, all of them outside the bleed."""
    x0, y0, x1, y1 = page["TrimBox"]
    start = (setup.bleed_mm + MARK_GAP) * PT_PER_MM
    end = start + MARK_LENGTH * PT_PER_MM
    marks = pydyf.Stream()
    marks.push_state()
    marks.stream.append(b"0 0 0 1 K")
    marks.set_line_width(0.25)
    for x, sx in ((x0, -1), (x1, 1)):
        for y, sy in ((y0, -1), (y1, 1)):
            marks.move_to(x + sx * start, y)
            marks.line_to(x + sx * end, y)
            marks.move_to(x, y + sy * start)
            marks.line_to(x, y + sy * end)
    marks.stroke()
    marks.pop_state()
    pdf.add_object(marks)
    save, restore = pydyf.Stream([b"q"]), pydyf.Stream([b"Q"])
    pdf.add_object(save)
    pdf.add_object(restore)
    contents = page["Contents"]
    existing = list(contents) if isinstance(contents, pydyf.Array) else [contents]
    # The page's own content may leave its transformation in force: the marks are drawn after it
    # has been closed off in q … Q, in default user space.
    page["Contents"] = pydyf.Array([save.reference, *existing, restore.reference, marks.reference])


def add_output_intent(pdf: pydyf.PDF, profile: Path = PROFILE) -> None:
    """The PDF/X output intent: FOGRA39 with its ICC profile embedded."""
    icc = pydyf.Stream([profile.read_bytes()], {"N": 4}, compress=True)
    pdf.add_object(icc)
    intent = pydyf.Dictionary({
        "Type": "/OutputIntent",
        "S": "/GTS_PDFX",
        "OutputConditionIdentifier": pydyf.String("FOGRA39"),
        "OutputCondition": pydyf.String("Offset printing, coated paper (ISO 12647-2:2004, FOGRA39)"),
        "RegistryName": pydyf.String("http://www.color.org"),
        "Info": pydyf.String("FOGRA39L Coated"),
        "DestOutputProfile": icc.reference,
    })
    pdf.add_object(intent)
    pdf.catalog["OutputIntents"] = pydyf.Array([intent.reference])
