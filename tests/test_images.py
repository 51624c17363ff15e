"""Images are checked before layout: a broken, truncated, oversized or hostile file is an error at the
chapter line that uses it; in print, 1-bit and grey palette PNGs are grey, colour ones CMYK."""

from __future__ import annotations

import io
import shutil
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from book.errors import BookError
from book.markup.book import load_book
from book.preflight import preflight
from conftest import CHAPTER, write_book

BOOKS = Path(__file__).resolve().parent / "books"


def png(mode: str = "RGB", size=(40, 30), palette=None) -> bytes:
    image = Image.new(mode, size, 1 if mode in ("1", "P", "L") else (200, 30, 30))
    if palette is not None:
        image.putpalette(palette)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def bomb_png(width: int, height: int) -> bytes:
    """A valid PNG header declaring a huge image (the data is a few bytes)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 10)) + \
        chunk(b"IEND", b"")


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&xxe;</text></svg>"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&lol2;</text></svg>"""
GOOD_SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="5" height="5"/></svg>'


def image_book(tmp_path: Path, name: str, data: bytes) -> Path:
    book = write_book(tmp_path / "book", **{"01-one__md": CHAPTER + f"\nText.\n\n![A picture]({name})\n"})
    (book / name).write_bytes(data)
    return book


@pytest.mark.parametrize("name, data, message", [
    ("a.png", png()[:60], "cannot be decoded"),
    ("a.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "cannot be decoded"),
    ("a.png", b"not an image at all", "cannot be decoded"),
    ("a.png", bomb_png(100_000, 100_000), "has more than 60 million pixels"),
    ("a.png", bomb_png(9_000, 9_000), "has more than 60 million pixels"),
    ("a.jpg", png(), "is a PNG file, not JPEG"),
    ("a.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><g></svg>", "is not well-formed SVG"),
    ("a.svg", XXE, "declares a DOCTYPE or entities"),
    ("a.svg", LAUGHS, "declares a DOCTYPE or entities"),
    ("a.svg", b"<html><body/></html>", "is not an SVG image"),
    ("a.svg", b"", "is not well-formed SVG"),
], ids=["truncated", "no-chunks", "garbage", "bomb", "over-limit", "png-as-jpg", "bad-svg", "xxe", "laughs",
        "html-as-svg", "empty-svg"])
def test_bad_image_is_an_error_at_the_line_that_uses_it(tmp_path, name, data, message):
    book = image_book(tmp_path, name, data)
    with pytest.raises(BookError) as raised:
        load_book(book)
    assert f'{book / "01-one.md"}:12:1: image "{name}" {message}' in str(raised.value)


@pytest.mark.parametrize("name, data", [("a.png", png()), ("a.png", png("1")), ("a.svg", GOOD_SVG)])
def test_good_image_passes(tmp_path, name, data):
    loaded, _ = load_book(image_book(tmp_path, name, data))
    assert f'<img src="{name}"' in loaded.chapters[0].html


@pytest.mark.parametrize("mode, palette, space", [
    ("1", None, "/DeviceGray"),
    ("P", [v for i in range(256) for v in (i, i, i)], "/DeviceGray"),
    ("P", [200, 30, 30] * 256, "/DeviceCMYK"),
    ("L", None, "/DeviceGray"),
    ("RGB", None, "/DeviceCMYK"),
])
def test_colour_mode_of_png_is_judged_by_its_colours(tmp_path, mode, palette, space):
    from pypdf import PdfReader

    book = tmp_path / "book"
    shutil.copytree(BOOKS / "preflight-rgb-image", book)
    (book / "square.png").write_bytes(png(mode, (20, 20), palette))
    from book.pipeline import build
    summary = build(book, tmp_path / "out", preflight=False, html=False)
    findings = preflight(summary.outputs[0], book)
    assert not any(f.code == "image-rgb" for f in findings), [str(f) for f in findings]
    images = {str(x.get_object()["/ColorSpace"]) for page in PdfReader(summary.outputs[0]).pages
              for x in (page["/Resources"].get("/XObject") or {}).values()
              if x.get_object().get("/Subtype") == "/Image"}
    assert images == {space}
