"""Literata variable fonts -> the four static faces the styles use (run once; the results are committed).

Why: WeasyPrint makes one font instance per optical size it meets and, without
the HarfBuzz-Subset system library, subsets each with fontTools, which takes
over a second per instance for these large variable fonts. Four static faces at
a text optical size, limited to Latin, Cyrillic and punctuation, keep a build
fast. The faces keep the family name Literata (the OFL has no Reserved Font
Name for it); the licence is OFL.txt beside this script.

Usage: python styles/fonts/make_static.py path/to/Literata[opsz,wght].ttf path/to/Literata-Italic[opsz,wght].ttf
(the variable fonts come from the fontpkg-literata package on PyPI, version 3.103).
"""

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.varLib import instancer

HERE = Path(__file__).resolve().parent
OPTICAL_SIZE = 12
FACES = [("Regular", 0, 400), ("SemiBold", 0, 600), ("Italic", 1, 400), ("SemiBoldItalic", 1, 600)]
UNICODES = ("U+0000-024F,U+0259,U+02B9-02BC,U+02C6-02DD,U+0300-036F,U+0400-052F,U+1E00-1EFF,"
            "U+2000-206F,U+20A0-20C0,U+2100-214F,U+2190-2199,U+2212,U+25CF,U+FB00-FB04")


def make(variable: Path, style: str, weight: int) -> Path:
    """One static face: instanced at OPTICAL_SIZE and weight, subset to the scripts we print."""
    font = instancer.instantiateVariableFont(TTFont(variable), {"opsz": OPTICAL_SIZE, "wght": weight})
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=subset.parse_unicodes(UNICODES))
    subsetter.subset(font)
    target = HERE / f"Literata-{style}.ttf"
    font.save(target)
    return target


if __name__ == "__main__":
    upright, italic = (Path(a) for a in sys.argv[1:3])
    for style, slanted, weight in FACES:
        print(make(italic if slanted else upright, style, weight))
