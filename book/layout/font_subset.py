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
(tests/test_lighter.py compares them).

Isolated on purpose, as footnote_area.py is: `install()` is the only way in, and dropping this
module (and its calls) restores the engine's behaviour, for example once fontTools stops reading
tables it is told to drop, or HarfBuzz-Subset is installed (the engine then never calls this).
"""

from __future__ import annotations

import io

from fontTools import subset
from fontTools.ttLib import TTFont, TTLibError
from weasyprint.logger import LOGGER
from weasyprint.pdf.fonts import Font

_ENGINE = Font._fonttools_subset
"""The engine's own method."""

DROPPED = ("GSUB", "GPOS", "SVG ")
"""The tables the engine's subsetting drops (its `options.drop_tables += ['GSUB', 'GPOS', 'SVG']`)."""


def fonttools_subset(self, to_unicode, hinting) -> None:
    """The engine's `Font._fonttools_subset`, with the dropped tables deleted before fontTools
    reads them (a table is decompiled when first asked for, so a deleted one never is)."""
    full_font = io.BytesIO(self.file_content)
    options = subset.Options(
        retain_gids=True, passthrough_tables=True, ignore_missing_glyphs=True,
        hinting=hinting, desubroutinize=True, notdef_outline=bool(self.missing))
    options.drop_tables += ["GSUB", "GPOS", "SVG"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(gids=to_unicode)
    try:
        ttfont = TTFont(full_font, fontNumber=self.index)
        for tag in DROPPED:
            if tag in ttfont:
                del ttfont[tag]
        subsetter.subset(ttfont)
    except TTLibError as exception:
        LOGGER.warning('Unable to subset "%s" with fontTools', self.family)
        LOGGER.debug("Original exception:", exc_info=exception)
    else:
        optimized_font = io.BytesIO()
        ttfont.save(optimized_font)
        self.file_content = optimized_font.getvalue()


def install() -> None:
    """Subset fonts without reading the tables dropped, in every PDF this process writes."""
    Font._fonttools_subset = fonttools_subset


def uninstall() -> None:
    """Back to the engine's own subsetting (for tests that compare the two)."""
    Font._fonttools_subset = _ENGINE
