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
from .records import CiteRef, HeadingId, NameTag, Place, attach
from ..text import normalize, plain  # noqa: F401  (re-exported for the markup stage)

QUOTES = {"en": "“”‘’", "ru": "«»„“", "kk": "«»„“", "de": "„“‚‘", "fr": "«»‹›"}


# --- parser ------------------------------------------------------------------------

LONGEST_TAG = 300
"""A name tag's closing `]]` is looked for this far at most, so that a paragraph of unclosed `[[`
is read in linear time (check.py reports each unclosed one)."""
LONGEST_CITATION = 2000
"""Likewise for a citation's `]`."""


def _name_rule(state, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if not src.startswith("[[", pos):
        return False
    end = src.find("]]", pos + 2, pos + LONGEST_TAG)
    inner = src[pos + 2:end] if end >= 0 else ""
    if end < 0 or not inner.strip() or "[" in inner or "]" in inner:
        return False
    if not silent:
        text, _, ident = inner.partition("|")
        token = state.push("name_tag", "", 0)
        attach(token, NameTag(raw=src[pos:end + 2], text=text, ident=ident.strip() or None))
        token.content = text  # the typographer reads it: "[[Jane Doe]]'s" has an apostrophe, not a quote
    state.pos = end + 2
    return True


CITE_KEY = re.compile(r"(?:^|[\s;\[])-?@[\w]")


def _cite_rule(state, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if src[pos] != "[" or src.startswith("[[", pos) or src.startswith("[^", pos):
        return False
    end = src.find("]", pos + 1, pos + LONGEST_CITATION)
    if end < 0 or not CITE_KEY.search(src[pos + 1:end]) or "[" in src[pos + 1:end]:
        return False
    if not silent:
        token = state.push("citation", "", 0)
        attach(token, CiteRef(raw=src[pos:end + 1], inner=src[pos + 1:end]))
    state.pos = end + 1
    return True


HEADING_ID = re.compile(r"\s*\{#([^{}]*)\}\s*$")
"""`{#id}` at the end of a heading line (checked in check.py: a letter, then a-z, 0-9, hyphens)."""


def _heading_ids(state) -> None:
    """Core rule: take a heading's trailing `{#id}` out of its text into a HeadingId record on the
    heading_open token, so that no later step edits text."""
    tokens = state.tokens
    for i, token in enumerate(tokens[:-1]):
        if token.type != "heading_open" or tokens[i + 1].type != "inline":
            continue
        children = tokens[i + 1].children or []
        match = HEADING_ID.search(children[-1].content) if children and children[-1].type == "text" else None
        if match:
            children[-1].content = children[-1].content[:match.start()]
            attach(token, HeadingId(match.group(1)))


def _note_definitions(state) -> None:
    """Core rule, before the footnote plugin gathers the notes: every `[^label]:` definition with its
    line range, in env["note_definitions"] (the plugin keeps only the last of two with one label)."""
    state.env.setdefault("note_definitions", [])
    for token in state.tokens:
        if token.type == "footnote_reference_open":
            state.env["note_definitions"].append((token.meta["label"], token.map))
            attach(token, Place(None))


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
    md.core.ruler.after("inline", "heading_ids", _heading_ids)
    md.core.ruler.before("footnote_tail", "note_definitions", _note_definitions)
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

    def find(self, block: list[int] | None, needle: str, nth: int = 0) -> Location:
        """Where the nth (0-based) occurrence of needle in the block starts."""
        scanner = self.scanner(block)
        for _ in range(nth):
            scanner.next(needle)
        return scanner.next(needle)

    def scanner(self, block: list[int] | None) -> "Scanner":
        """A reader of one block that finds its pieces in the order they were written."""
        return Scanner(self, block)


class Scanner:
    """Finds pieces of one block in reading order, each search starting where the last piece
    was found: the cost is linear in the block's length, however many pieces it holds."""

    def __init__(self, loc: Locator, block: list[int] | None):
        self.loc = loc
        self.start = (block[0] + loc.offset) if block else loc.offset
        self.end = min(block[1] + loc.offset, len(loc.lines)) if block else self.start
        self.line, self.col = self.start, 0
        self.missing: set[str] = set()

    def next(self, needle: str) -> Location:
        """Where needle next stands after the last piece found; the block's first line when it
        does not (a piece the parser rewrote, such as a percent-encoded link)."""
        first = needle.split("\n")[0]
        if first in self.missing:  # not after an earlier place, so not after a later one either
            return Location(self.loc.path, self.start + 1, 1)
        line, col = self.line, self.col
        while line < self.end:
            found = self.loc.lines[line].find(first, col)
            if found >= 0:
                self.line, self.col = line, found + max(len(first), 1)
                return Location(self.loc.path, line + 1, found + 1)
            line, col = line + 1, 0
        self.missing.add(first)
        return Location(self.loc.path, self.start + 1, 1)
