"""A citation bracket's text -> CiteItems (key, prefix, locator), with Chicago's printed locators."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class CiteItem:
    """One reference inside a citation bracket: `see @key, p. 3`."""

    key: str
    """The source id, without the @."""
    prefix: str = ""
    """Text written before the @ (see, cf.), whitespace collapsed; or empty."""
    locator: str = ""
    """The locator as printed in a Chicago note (3, 4–5, chap. 2, 12:40), or empty."""
    offset: int = 0
    """0-based offset of the key (after the @) within the bracket's text."""


class CitationError(ValueError):
    """A citation that cannot be read or formatted, with where in the bracket."""

    def __init__(self, offset: int, message: str):
        super().__init__(f"{offset}: {message}")
        self.offset = offset
        """0-based offset into the bracket's text of the offending part."""
        self.message = message
        """What is wrong and what to do, for the editor."""


_KEY = re.compile(r"[\w.:-]*")
LABELS = {
    "page": ("", "", "p p. pp pp. page pages"),
    "chapter": ("chap.", "chaps.", "ch. chap. chaps. chapter chapters"),
    "section": ("sec.", "secs.", "sec. secs. section sections § §§"),
    "paragraph": ("para.", "paras.", "par. para. paras. paragraph paragraphs ¶"),
    "note": ("n.", "nn.", "n. nn. note notes"),
    "figure": ("fig.", "figs.", "fig. figs. figure figures"),
    "volume": ("vol.", "vols.", "vol. vols. volume volumes"),
    "line": ("line", "lines", "l. ll. line lines"),
    "column": ("col.", "cols.", "col. cols. column columns"),
    "part": ("pt.", "pts.", "pt. pts. part parts"),
    "folio": ("fol.", "fols.", "fol. fols. folio folios"),
    "table": ("table", "tables", "table tables"),
}
"""Locator kind -> (singular as printed, plural as printed, the words an editor may write)."""
_LABEL_OF = {w: name for name, (_, _, ws) in LABELS.items() for w in ws.split()}
_TERM = r"(?:\d{1,2}(?::\d{2}){1,2}|\d+n\d+|\d+[a-z]?|[ivxlcdm]+|[IVXLCDM]+)"
_RANGE = rf"{_TERM}(?:\s*[-–—]\s*{_TERM})?"
_VALUE = re.compile(rf"{_RANGE}(?:\s*,\s*{_RANGE})*")
_WORD = re.compile(r"[^\s\d]+")
_HINT = "write a page (p. 3), a range (pp. 4–5), chap. 2, or a time (12:40)"


def parse_citation(text: str) -> tuple[CiteItem, ...]:
    """Read the inside of a [...] citation: items separated by semicolons."""
    if not text.strip():
        raise CitationError(0, "empty citation; write [@key] or [@key, p. 3]")
    items, start = [], 0
    for part in text.split(";"):
        end = start + len(part)
        if not part.strip():
            raise CitationError(*_empty_part(text, start, end))
        items.append(_parse_item(text, start, end))
        start = end + 1
    return tuple(items)


def _empty_part(text: str, start: int, end: int) -> tuple[int, str]:
    """Where and why an empty part between semicolons is wrong."""
    if start == 0:
        return end, "nothing before this semicolon; remove it or put @key before it"
    if end == len(text):
        return start - 1, "nothing after this semicolon; remove it or add @key after it"
    return end, "two semicolons with nothing between them; remove one"


def _parse_item(text: str, start: int, end: int) -> CiteItem:
    """One part: optional prefix, @key, optional `, locator`."""
    at = text.find("@", start, end)
    if at < 0:
        first = start + len(text[start:end]) - len(text[start:end].lstrip())
        raise CitationError(first, "no source key here; write @key (see @key, p. 3)")
    prefix = " ".join(text[start:at].split())
    if prefix and not text[at - 1].isspace():
        message = ("-@key (author suppression) is not supported; write @key"
                   if text[at - 1] == "-" else "put a space between the prefix and @")
        raise CitationError(at, message)
    key_end = at + 1 + len(_KEY.match(text, at + 1, end).group().rstrip(".:"))
    key = text[at + 1:key_end]
    if not key or not (key[0].isalnum() or key[0] == "_"):
        raise CitationError(at, "@ must be followed by a source key "
                                "(letters, digits, - _ . :), as in @qalam-2023")
    locator = _parse_rest(text, key_end, end)
    return CiteItem(key=key, prefix=prefix, locator=locator, offset=at + 1)


def _parse_rest(text: str, pos: int, end: int) -> str:
    """What follows a key: nothing, or a comma and a locator."""
    if pos < end and text[pos] in ".:":
        raise CitationError(pos, f'a key cannot end in "{text[pos]}"; remove it')
    pos = _skip_space(text, pos, end)
    if pos == end:
        return ""
    if text[pos] == "@":
        raise CitationError(pos, "two keys in one part; separate them with ;")
    if text[pos] != ",":
        raise CitationError(pos, "expected a comma and a locator after the key "
                                 "(@key, p. 3), or ; before the next key")
    comma, pos = pos, _skip_space(text, pos + 1, end)
    if pos == end:
        raise CitationError(comma, f"nothing after this comma; {_HINT}, "
                                   "or remove the comma")
    return _parse_locator(text, pos, end)


def _parse_locator(text: str, pos: int, end: int) -> str:
    """A locator at text[pos:end], printed the Chicago way."""
    word = _WORD.match(text, pos, end)
    label = _LABEL_OF.get(word.group().lower()) if word else None
    start = _skip_space(text, word.end(), end) if label else pos
    value = _VALUE.match(text, start, end)
    if not value and label:
        raise CitationError(pos, f'"{word.group()}" needs a number after it; '
                                 f"{_HINT}")
    if not value:
        what = word.group() if word else text[pos:end].split()[0]
        raise CitationError(pos, f'locator "{what}" not understood; {_HINT}')
    rest = _skip_space(text, value.end(), end)
    if rest != end:
        raise CitationError(rest, "text after the locator not understood; write "
                                  "only the locator (p. 3, pp. 4–5, 12:40), "
                                  "and put other words before the @")
    return _print_locator(label or "page", value.group())


def _skip_space(text: str, pos: int, end: int) -> int:
    """The first non-space offset at or after pos (or end)."""
    while pos < end and text[pos].isspace():
        pos += 1
    return pos


def _print_locator(label: str, value: str) -> str:
    """The locator as a Chicago note prints it: `4–5`, `chap. 2`, `12:40`."""
    ranges = [_print_range(r) for r in re.split(r"\s*,\s*", value.strip())]
    plural = len(ranges) > 1 or any("–" in r for r in ranges)
    singular, plural_label, _ = LABELS[label]
    name = plural_label if plural else singular
    return f"{name} {', '.join(ranges)}" if name else ", ".join(ranges)


def _print_range(text: str) -> str:
    """One number or range, with an en dash, page ranges abbreviated (CMOS 9.61)."""
    ends = [e.strip() for e in re.split(r"[-–—]", text)]
    if len(ends) == 1:
        return ends[0]
    first, last = ends
    if first.isdigit() and last.isdigit():
        last = _abbreviate(first, last)
    return f"{first}–{last}"


def _abbreviate(first: str, last: str) -> str:
    """The second number of an inclusive range as CMOS 9.61 writes it."""
    a, b = int(first), int(last)
    if a < 100 or a % 100 == 0 or b <= a or len(last) != len(first):
        return last
    keep = 1 if a % 100 < 10 else 2
    changed = next(i for i, (x, y) in enumerate(zip(first, last)) if x != y)
    return last[min(changed, len(last) - keep):]


# -- formatting: public --------------------------------------------------------
