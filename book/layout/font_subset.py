"""WeasyPrint 70's font subsetting with fontTools, without decompiling the tables it drops (an
engine patch).

Where HarfBuzz-Subset is missing (Debian's libharfbuzz-subset0 is not on these machines), the
engine subsets every embedded font with fontTools, asking it to drop GSUB and GPOS. Since fontTools
4.6x, `Subsetter.subset` first reads GDEF, GSUB and GPOS whole into memory
(`beyond64k._compact_layout_tables`) and only then drops what it was asked to drop. For Literata,
whose GPOS holds its kerning, that reading is 80 % of a subset: about 0.3 s of 0.36 s per face, per
PDF written. A book written in pieces (output/pieces.py: the front matter, each part of the body
and the index apart, so that `book watch` draws again only what changed) subsets each face once
per piece, about 60 times a build, so the tables the engine throws away cost more than the body's
first layout.

Here the tables the engine drops are deleted before fontTools reads them; everything else is the
engine's own code, and the font written is byte for byte the one the engine writes
(tests/test_lighter.py compares them), but for one field: head.modified keeps the font's own date
where the engine writes the time of the build, which made two builds a second apart differ.

Isolated on purpose, as footnote_area.py is: `install()` is the only way in, and dropping this
module (and its calls) restores the engine's behaviour, for example once fontTools stops reading
tables it is told to drop, or HarfBuzz-Subset is installed (the engine then never calls this).
"""

from __future__ import annotations

import io
from contextlib import contextmanager
from typing import Iterator

from fontTools import subset
from fontTools.ttLib import TTFont, TTLibError
from weasyprint.logger import LOGGER
from weasyprint.pdf.fonts import Font

_ENGINE = Font._fonttools_subset
"""The engine's own method."""
_ENGINE_SUBSET = Font.subset
"""The engine's own choice between HarfBuzz and fontTools."""

DROPPED = ("GSUB", "GPOS", "SVG ")
"""The tables the engine's subsetting drops (its `options.drop_tables += ['GSUB', 'GPOS', 'SVG']`)."""


def subset_program(data: bytes, gids, *, index: int = 0, hinting: bool = False, notdef_outline: bool = False) -> bytes:
    """A font program cut down to the glyph ids given, as the engine cuts it (ids kept, hints as
    asked, GSUB, GPOS and SVG dropped, everything else passed through), without reading the dropped
    tables. Unlike the engine's, its head.modified is the font's own: the engine writes the time of
    the build there (or SOURCE_DATE_EPOCH), so two builds a second apart gave different bytes."""
    options = subset.Options(
        retain_gids=True, passthrough_tables=True, ignore_missing_glyphs=True,
        hinting=hinting, desubroutinize=True, notdef_outline=notdef_outline)
    options.drop_tables += ["GSUB", "GPOS", "SVG"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(gids=gids)
    ttfont = TTFont(io.BytesIO(data), fontNumber=index, recalcTimestamp=False)
    for tag in DROPPED:
        if tag in ttfont:
            del ttfont[tag]  # a table is decompiled when first asked for, so a deleted one never is
    subsetter.subset(ttfont)
    out = io.BytesIO()
    ttfont.save(out)
    return out.getvalue()


def fonttools_subset(self, to_unicode, hinting) -> None:
    """The engine's `Font._fonttools_subset`, with the dropped tables deleted before fontTools
    reads them."""
    try:
        self.file_content = subset_program(self.file_content, to_unicode, index=self.index, hinting=hinting,
                                           notdef_outline=bool(self.missing))
    except TTLibError as exception:
        LOGGER.warning('Unable to subset "%s" with fontTools', self.family)
        LOGGER.debug("Original exception:", exc_info=exception)


_deferred = 0
"""How many `deferred()` blocks are open in this process."""


def engine_subset(self, to_unicode, hinting) -> None:
    """The engine's `Font.subset`, or nothing inside `deferred()`: the font stays whole."""
    if not _deferred:
        _ENGINE_SUBSET(self, to_unicode, hinting)


@contextmanager
def deferred() -> Iterator[None]:
    """PDFs written in this block embed their fonts whole (the glyph widths and the glyph-to-text
    map still list only the glyphs drawn): the book's pieces (output/join.py), whose identical font
    programs the join stores once and cuts down once, to the glyphs every piece drew."""
    global _deferred
    install()
    _deferred += 1
    try:
        yield
    finally:
        _deferred -= 1


def install() -> None:
    """Subset fonts without reading the tables dropped, in every PDF this process writes, and
    leave them whole inside `deferred()`."""
    Font._fonttools_subset = fonttools_subset
    Font.subset = engine_subset


def uninstall() -> None:
    """Back to the engine's own subsetting (for tests that compare the two)."""
    Font._fonttools_subset = _ENGINE
    Font.subset = _ENGINE_SUBSET
