"""A laid-out chapter -> the space to add before blocks so that text after a table or a figure is back
on the baseline grid.

With `style: {grid: baseline}` (styles/grid.css) every line, heading, quotation and list takes whole
lines, but a table (11pt rows with rules and padding) or a figure (a chart and its caption) has the
height its content gives it, and WeasyPrint has no `line-grid`. So after layout we measure, from the
boxes, how far the first line of each top-level block sits off the page's grid (the baseline of the
page's first line plus whole lines), and give that block `padding-top` to bring it back down onto the
grid: a `data-fix` token `g<tenths of a point>` (`g37`: 3.7pt), whose CSS rule `rules()` writes. The
pad is recomputed from the last layout each time (the old pad included), so a block that has moved to
the top of a page loses its pad again.
"""

from __future__ import annotations

import re
from collections import Counter

from .measure import PX_TO_PT, Line

TOLERANCE = 0.2
"""A baseline within this many pt of the grid is on it (the measure's rounding)."""

TOKEN = re.compile(r"g(\d+)$")
"""A grid pad token: g + the pad in tenths of a point."""


def pitch_and_origin(pages, lines: list[Line]) -> tuple[float, float]:
    """The grid of a laid-out document in pt: its line (the commonest line height) and where its
    baselines fall (the commonest baseline offset from the top of the page area, modulo the line)."""
    pitch = Counter(round(line.height * PX_TO_PT, 2) for line in lines).most_common(1)[0][0]
    offsets = Counter(round(_offset(pages, line) % pitch, 1) for line in lines)
    return pitch, offsets.most_common(1)[0][0]


def _offset(pages, line: Line) -> float:
    """The line's baseline below the top of its page's content area, in pt."""
    return (line.baseline - pages[line.page]._page_box.content_box_y()) * PX_TO_PT


def pad_of(tokens: set[str]) -> float:
    """The pad in pt that a block's data-fix tokens give it (0 without a g token)."""
    return sum(int(m.group(1)) / 10 for t in tokens if (m := TOKEN.match(t)))


def regrid(pages, lines: list[tuple[int, Line]], fixes: dict[int, set[str]]) -> dict[int, set[str]]:
    """The blocks whose pad must change, each with its full new set of tokens (the old g token
    replaced, or dropped when no pad is needed); lines: (top-level block index, line) in order, as
    measure.block_lines gives them; fixes: the tokens the layout was made with."""
    if not lines:
        return {}
    pitch, origin = pitch_and_origin(pages, [line for _, line in lines])
    changed: dict[int, set[str]] = {}
    seen: set[int] = set()
    for block, line in lines:
        if block in seen:
            continue
        seen.add(block)  # the block's first line: the lines after it follow a line apart
        miss = (origin - _offset(pages, line)) % pitch
        if min(miss, pitch - miss) <= TOLERANCE:
            continue
        old = fixes.get(block, set())
        pad = round((pad_of(old) + miss) % pitch, 1)
        tokens = {t for t in old if not TOKEN.match(t)}
        if TOLERANCE < pad < pitch - TOLERANCE:
            tokens.add(f"g{round(pad * 10)}")
        changed[block] = tokens
    return changed


def rules(tokens) -> str:
    """The CSS rule of each grid pad token among tokens."""
    pads = sorted({t for t in tokens if TOKEN.match(t)}, key=lambda t: int(t[1:]))
    return "".join(f'[data-fix~="{t}"] {{ padding-top: {int(t[1:]) / 10}pt }}\n' for t in pads)
