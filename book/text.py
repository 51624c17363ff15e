"""Text helpers every stage shares: the one form names are compared in, and inline HTML as text."""

from __future__ import annotations

import re
import unicodedata
from html import escape, unescape


def normalize(text: str) -> str:
    """The form names are matched in: NFC, one space, straight apostrophes."""
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"[’‘ʼ`´]", "'", text)
    return " ".join(text.split())


def plain(html: str) -> str:
    """Inline HTML -> its text."""
    return unescape(re.sub(r"<[^>]+>", "", html)).strip()


def keep_last_words(text: str) -> str:
    """Escaped text whose last two words cannot be parted (no lone word on the last line of a title)."""
    words = escape(text).split()
    if len(words) < 3:
        return " ".join(words)
    return " ".join(words[:-2]) + " " + words[-2] + "\u00a0" + words[-1]


# -- house style: uncertain dates and ranges (book.yaml `style: {uncertain, ranges}`) ----------------

UNCERTAIN = {"about": "about {}", "circa": "c.\u00a0{}", "query": "[{}?]"}
"""style `uncertain` -> how an uncertain date is printed ({} is the date; c. is tied to it)."""

_YEAR_RANGE = re.compile(r"(?<![\w.,/:\u2013-])(1\d{3}|20\d{2})\u2013(\d{4}|\d{2})(?![\w/\u2013-]|[.,:]\d)")
"""A range of years with an en dash (1938–53, 1936–1938); not inside a longer number or date."""
_MARKED = re.compile(r"(?<![\w.])(?:([Cc])(?:a\.|\.|irca)[ \u00a0]?(\d{4})|\[(\d{4})\?\])(?![\w\u2013-])")
"""A year marked uncertain the way only a date is: c. 1937, ca. 1937, circa 1937, [1937?]."""
ABOUT_YEAR = re.compile(r"(?<![\w.])([Aa])bout[ \u00a0](1[5-9]\d\d|20\d\d)(?![\w\u2013-])")
"""`about 2023`: a date, or a count (about 1500 women); never rewritten, only pointed out."""
HYPHEN_RANGE = re.compile(r"(?<![\w.,/:\u2013-])(1\d{3}|20\d{2})-(1\d{3}|20\d{2})(?![\w/\u2013-]|[.,:]\d)")
"""Two years joined by a hyphen (1936-1938), which a range writes with an en dash."""


def year_range(first: str, last: str, ranges: str) -> str | None:
    """Two years as the house writes a range of them: 1938–1953 (full) or 1938–53 (abbreviated:
    the last two figures when the century is the same, 1899–1901 and 1900–1901 in full); None when
    the second is not a later year (then it is not a range of years)."""
    a = int(first)
    b = a // 100 * 100 + int(last) if len(last) == 2 else int(last)
    if b <= a:
        return None
    if ranges == "abbreviated" and a // 100 == b // 100 and a % 100:
        return f"{a}\u2013{b % 100:02d}"
    return f"{a}\u2013{b}"


def number_range(first: str, last: str, ranges: str) -> str:
    """An inclusive range of page numbers: in full (123–128), or abbreviated as CMOS 9.61 does
    (123–28, 101–8, 100–104, 1100–1113). A last number already shortened is read against the first."""
    if not (first.isdigit() and last.isdigit()):
        return f"{first}\u2013{last}"
    if len(last) < len(first):
        last = first[:len(first) - len(last)] + last
    a, b = int(first), int(last)
    if ranges != "abbreviated" or a < 100 or a % 100 == 0 or b <= a or len(last) != len(first):
        return f"{first}\u2013{last}"
    keep = 1 if a % 100 < 10 else 2
    changed = next(i for i, (x, y) in enumerate(zip(first, last)) if x != y)
    return f"{first}\u2013{last[min(changed, len(last) - keep):]}"


def uncertain(date: str, form: str, capital: bool = False) -> str:
    """A date as the house marks it uncertain: about 2023, c. 2023 or [2023?]."""
    text = UNCERTAIN[form].format(date)
    return text[0].upper() + text[1:] if capital else text


def house_dates(text: str, ranges: str, form: str) -> str:
    """Text with its unambiguous date forms in the house style: ranges of years (en dash) in full
    or abbreviated, and years marked c., ca., circa or [?] marked the house way. `about 2023` is
    left as written (it may be a count); the lint points it out when the house form differs."""
    def marked(m: re.Match) -> str:
        year = m.group(2) or m.group(3)
        return uncertain(year, form, capital=m.group(1) == "C")

    text = _MARKED.sub(marked, text)
    return _YEAR_RANGE.sub(lambda m: year_range(m.group(1), m.group(2), ranges) or m.group(), text)


def house_dates_html(html: str, ranges: str, form: str) -> str:
    """house_dates on the text of inline or block HTML (never inside a tag)."""
    return "".join(part if part.startswith("<") else house_dates(part, ranges, form)
                   for part in re.split(r"(<[^>]*>)", html))
