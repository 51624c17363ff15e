"""A URL -> a QR code as inline SVG: vector modules, black on a white quiet zone.

Library: segno (pure Python, maintained, no Pillow needed for SVG). We draw the SVG ourselves
from segno's module matrix: one path of unit squares, merged into runs along each row, plain
black (#000) on white (#fff). The print finisher (output/press.py) turns those greys into K alone,
so the code prints in black ink only; on the dark cover the white quiet zone keeps it readable.
"""

from __future__ import annotations

import segno
from markupsafe import Markup, escape

QUIET = 4
"""Modules of white border around the code, as the QR standard asks."""


def qr_matrix(url: str) -> list[list[bool]]:
    """The code's modules (True = dark), without the quiet zone; error correction level M."""
    code = segno.make(url, error="m", micro=False, boost_error=False)
    return [[bool(v) for v in row] for row in code.matrix]


def qr_svg(url: str, size_mm: float = 22.0) -> Markup:
    """Inline SVG of the QR code for url, size_mm wide and high, quiet zone included."""
    matrix = qr_matrix(url)
    side = len(matrix) + 2 * QUIET
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                runs.append(f"M{start + QUIET} {y + QUIET}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="qr-code" viewBox="0 0 {side} {side}" '
        f'width="{size_mm:g}mm" height="{size_mm:g}mm" role="img" aria-label="QR code: {escape(url)}" '
        f'shape-rendering="crispEdges"><rect width="{side}" height="{side}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(runs)}"/></svg>')
