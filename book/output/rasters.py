"""An RGB raster image written by the engine (a pydyf image XObject) -> the same picture for print:
in DeviceGray when all its pixels are greys, else in DeviceCMYK through the output-intent profile.

WeasyPrint 70 embeds PNG and JPEG files as they are, DeviceRGB. The layout is shared by the print and
screen editions, so the files cannot be converted before layout without taking RGB from the screen
edition too: the print finisher (press.py) converts the image objects as the print PDF is written.

- A grey picture (R = G = B for every pixel, within the noise of JPEG's colour subsampling) becomes
  8-bit grey, which prints in K alone.
- A colour picture goes from its embedded ICC profile (sRGB when it has none) to FOGRA39 with
  Pillow's ImageCms, relative colorimetric with black-point compensation (what Photoshop's and
  Acrobat's "convert to profile" do by default for photographs).
- A JPEG stays a JPEG (quality 95, no colour subsampling), so a book of photographs keeps its size; a
  PNG becomes lossless Flate data. An alpha channel is a separate soft mask in DeviceGray, untouched.
"""

from __future__ import annotations

import io
import struct
import zlib
from functools import lru_cache
from pathlib import Path

import pydyf

GREY_NOISE = 3
"""Largest difference between R, G and B (of 255) still taken for a grey: a grey JPEG saved in RGB
has differences of 1 or 2 from its subsampled colour channels."""
JPEG_QUALITY = 95
"""Quality of a converted JPEG (no chroma subsampling): no visible loss at the second generation."""


def is_rgb_image(obj) -> bool:
    """Whether a pydyf object is an image XObject in DeviceRGB."""
    extra = getattr(obj, "extra", None)
    return isinstance(obj, pydyf.Stream) and isinstance(extra, dict) and \
        str(extra.get("Subtype", "")) == "/Image" and str(extra.get("ColorSpace", "")) == "/DeviceRGB"


def convert_image(obj: pydyf.Stream, profile: Path) -> None:
    """Rewrite one RGB image XObject in place: grey, or CMYK through the profile."""
    jpeg = str(obj.extra.get("Filter", "")) == "/DCTDecode"
    picture = _decode(obj, jpeg)
    if picture is None:
        return
    if _is_grey(picture):
        converted, space = picture.convert("L"), "/DeviceGray"
    else:
        converted = _transform(picture.info.get("icc_profile") or b"", str(profile)).apply(picture)
        space = "/DeviceCMYK"
    extra = obj.extra
    extra["ColorSpace"] = space
    extra.pop("DecodeParms", None)
    extra.pop("Decode", None)
    if jpeg:
        out = io.BytesIO()
        converted.save(out, "JPEG", quality=JPEG_QUALITY, subsampling=0)
        if space == "/DeviceCMYK":  # Pillow writes Adobe (inverted) CMYK, as Photoshop does
            extra["Decode"] = pydyf.Array((1, 0) * 4)
        obj.stream = [out.getvalue()]
    else:
        extra["Filter"] = "/FlateDecode"
        obj.stream = [zlib.compress(converted.tobytes(), 6)]


def _decode(obj: pydyf.Stream, jpeg: bool):
    """The RGB picture an image XObject holds (a Pillow image), or None when it cannot be read."""
    from PIL import Image

    # the engine's lazy image objects (pydyf objects whose data is the file's bytes), joined as pydyf does
    data = b"\n".join(item.data if isinstance(item, pydyf.Object) else bytes(item) for item in obj.stream)
    if not jpeg:  # PNG rows (the IDAT data, predictor 15): wrap them in a PNG file again
        header = struct.pack(">IIBBBBB", int(obj.extra["Width"]), int(obj.extra["Height"]), 8, 2, 0, 0, 0)
        data = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")
    try:
        picture = Image.open(io.BytesIO(data))
        picture.load()
    except Exception:  # nothing the engine wrote should fail here; an unreadable image is left as it is
        return None
    return picture.convert("RGB") if picture.mode != "RGB" else picture


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _is_grey(picture) -> bool:
    from PIL import ImageChops

    red, green, blue = picture.split()
    return all(ImageChops.difference(a, b).getextrema()[1] <= GREY_NOISE
               for a, b in ((red, green), (green, blue)))


@lru_cache(maxsize=8)
def _transform(source_icc: bytes, profile: str):
    """RGB (the picture's own profile, else sRGB) -> CMYK in the output-intent profile."""
    from PIL import ImageCms

    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(source_icc)) if source_icc else None
    except Exception:  # a damaged embedded profile: the picture is taken to be sRGB, as a browser does
        source = None
    if source is None or source.profile.xcolor_space.strip() != "RGB":
        source = ImageCms.createProfile("sRGB")
    return ImageCms.buildTransform(source, profile, "RGB", "CMYK",
                                   renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
                                   flags=ImageCms.Flags.BLACKPOINTCOMPENSATION)
