"""An image file named in a chapter -> None when the layout engine can use it safely, else why not.

Every image is opened before layout, so that a broken, truncated, oversized or hostile file is an
error at the chapter line that uses it rather than a picture silently missing from the PDF:
PNG and JPEG are decoded in full by Pillow with a pixel limit; SVG is parsed as XML with no
DOCTYPE, so no entities (no XXE, no entity bombs).
"""

from __future__ import annotations

import warnings
import xml.parsers.expat
from pathlib import Path

MAX_BYTES = 50 * 1024 * 1024
"""Largest image file accepted."""
MAX_PIXELS = 60_000_000
"""Largest raster accepted (a 600 dpi A3 page is about 70 Mpx with bleed; a book needs far less)."""
FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}
"""File extension -> the format Pillow must find in the file."""


def check_image_file(path: Path) -> str | None:
    """None when the image at path is whole and safe to lay out, else what is wrong and what to do."""
    try:
        size = path.stat().st_size
    except OSError as error:
        return f"cannot be read ({error.strerror})"
    if size > MAX_BYTES:
        return f"is {size / 1e6:.0f} MB, over the limit of {MAX_BYTES / 1e6:.0f} MB; make it smaller"
    if path.suffix.lower() == ".svg":
        return _check_svg(path)
    return _check_raster(path, FORMATS.get(path.suffix.lower(), ""))


def _check_raster(path: Path, expected: str) -> str | None:
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # also for the layout engine, which decodes the same files
    redo = "open and save it again in an image editor"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                if image.format != expected:
                    return f"is a {image.format or 'unknown'} file, not {expected}; save it as {expected}"
                image.verify()
            with Image.open(path) as image:
                image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return f"has more than {MAX_PIXELS // 1_000_000} million pixels, too many to decode safely; scale it down"
    except Exception as error:  # Pillow reports damage with many exception types
        reason = str(error) or type(error).__name__
        return f"cannot be decoded ({reason}); {redo}"
    return None


def _check_svg(path: Path) -> str | None:
    parser = xml.parsers.expat.ParserCreate()
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_):
        raise ValueError("a DOCTYPE or entity")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    root: list[str] = []
    parser.StartElementHandler = lambda name, attrs: root.append(name) if not root else None
    try:
        with open(path, "rb") as handle:
            parser.ParseFile(handle)
    except ValueError:
        return "declares a DOCTYPE or entities, which are not allowed in SVG images; remove the <!DOCTYPE …> part"
    except xml.parsers.expat.ExpatError as error:
        return f"is not well-formed SVG (line {error.lineno}: {xml.parsers.expat.errors.messages[error.code]}); " \
               "export it again"
    if not root or root[0].rpartition(":")[2] != "svg":
        return "is not an SVG image (its root element is not <svg>); export it again as SVG"
    return None
