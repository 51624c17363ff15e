"""Markdown text -> markdown-it tokens: CommonMark, footnotes, tables and our rules for `[@cite]`
and `[[Name]]`; plus locating a piece of markup in its file and small text helpers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

from ..model import Location
from ..text import normalize, plain  # noqa: F401  (re-exported for the markup stage)

QUOTES = {"en": "“”‘’", "ru": "«»„“", "kk": "«»„“", "de": "„“‚‘", "fr": "«»‹›"}
PROPER = re.compile(r"(?<![\w’'-])([A-ZÀ-ÖØ-ÞА-ЯЁӘҒҚҢӨҰҮҺІ][\w’'-]{3,})")


# --- parser ------------------------------------------------------------------------

def _name_rule(state, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if not src.startswith("[[", pos):
        return False
    end = src.find("]]", pos + 2)
    inner = src[pos + 2:end] if end >= 0 else ""
    if end < 0 or not inner.strip() or "[" in inner or "]" in inner:
        return False
    if not silent:
        text, _, ident = inner.partition("|")
        token = state.push("name_tag", "", 0)
        token.meta = {"raw": src[pos:end + 2], "text": text, "id": ident.strip() or None}
        token.content = text  # the typographer reads it: "[[Jane Doe]]'s" has an apostrophe, not a quote
    state.pos = end + 2
    return True


CITE_KEY = re.compile(r"(?:^|[\s;\[])-?@[\w]")


def _cite_rule(state, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if src[pos] != "[" or src.startswith("[[", pos) or src.startswith("[^", pos):
        return False
    end = src.find("]", pos + 1)
    if end < 0 or not CITE_KEY.search(src[pos + 1:end]) or "[" in src[pos + 1:end]:
        return False
    if not silent:
        token = state.push("citation", "", 0)
        token.meta = {"raw": src[pos:end + 1], "inner": src[pos + 1:end]}
    state.pos = end + 1
    return True


@lru_cache(maxsize=8)
def make_parser(language: str, verbatim: bool = False) -> MarkdownIt:
    """CommonMark + footnotes + tables + our rules, with quotes for the language. A verbatim parser
    leaves every text node as written in the source (no typographer, escapes and entities kept apart),
    for tools that edit the source."""
    quotes = QUOTES.get(language.split("-")[0].lower(), QUOTES["en"])
    md = MarkdownIt("commonmark", {"typographer": not verbatim, "html": True, "quotes": quotes})
    md.validateLink = lambda url: True  # every link is parsed, so that check_link can refuse it by name
    md.use(footnote_plugin, inline=False)
    md.enable(["replacements", "smartquotes", "table"])
    md.inline.ruler.before("link", "name_tag", _name_rule)
    md.inline.ruler.before("link", "citation", _cite_rule)
    if verbatim:
        md.disable(["replacements", "smartquotes", "text_join"])
    return md


# --- locating ----------------------------------------------------------------------

@dataclass
class Locator:
    """Finds the line and column of a piece of markup inside a block."""

    path: Path
    """The chapter file."""
    lines: list[str]
    """The file's lines."""
    offset: int
    """Lines of front matter before the Markdown body."""

    def find(self, block: list[int] | None, needle: str, nth: int) -> Location:
        """Where the nth (0-based) occurrence of needle in the block starts."""
        if not block:
            return Location(self.path, self.offset + 1, 1)
        start, end = block[0] + self.offset, block[1] + self.offset
        first = needle.split("\n")[0]
        seen = 0
        for number in range(start, min(end, len(self.lines))):
            col = self.lines[number].find(first)
            while col >= 0:
                if seen == nth:
                    return Location(self.path, number + 1, col + 1)
                seen += 1
                col = self.lines[number].find(first, col + 1)
        return Location(self.path, start + 1, 1)


def hyphen_safe(text_html: str) -> str:
    """Wrap capitalised words so that proper names are never hyphenated."""
    return PROPER.sub(r'<span class="pn">\1</span>', text_html)
