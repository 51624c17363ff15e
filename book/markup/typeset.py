"""Chapter HTML -> the same HTML with soft hyphens at dictionary breaks and no-break spaces in pairs.

WeasyPrint's own hyphenation (`hyphens: auto`) uses the pattern file pyphen
picks for `lang="en"`, which is the en-GB one: it gives lis-ted, arres-ted,
even-ing. So the print CSS says `hyphens: manual` and the breaks are put in
here, as U+00AD, from the en-US patterns (for every English spelling: their
breaks are the dictionary's), an exceptions list in the book folder, and the
rules a careful typesetter keeps:

- only lower-case words of at least 6 letters are broken (a capitalised word
  may be a name from the registry; tagged names are never touched), with at
  least 3 letters on each side;
- a word written with digits, a hyphen, a slash, @ or a dot inside (numbers,
  dates, compounds, URLs and addresses) is never broken;
- figures (SVG), URLs, code and tagged names are left alone.

Pairs that must not be split across lines are tied with U+00A0: a day and
its month ("3 December 1937", "31 May"), a month and its year, and an
abbreviation and its number ("p. 34", "pp. 3–5", "no. 5", "vol. 2").

Dates written in a form that can only be a date follow the house style
(book.yaml `style: {ranges, uncertain}`): a range of years with an en dash is
printed in full or abbreviated (1938–53 and 1936–1938 alike), and c., ca.,
circa and [2023?] become the house's one mark of an uncertain date. "about
2023" may be a count and is left alone (the lint points it out).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape, unescape

import pyphen

from ..model import HouseStyle
from ..text import house_dates

SOFT = "\u00ad"
NBSP = "\u00a0"

MIN_WORD, MIN_LEFT, MIN_RIGHT = 6, 3, 3
"""Shortest word that may break; letters that must stay before and after a break
(CSS `hyphenate-limit-chars: 6 3 3`)."""

PATTERNS = {"en": "en_US", "ru": "ru_RU", "de": "de_DE", "fr": "fr", "uk": "uk_UA"}
"""Book language -> pyphen pattern file. English always uses en-US: pyphen's en-GB patterns break
lis-ted, arres-ted and even-ing, which no English dictionary does."""

SKIP = {"svg", "code", "pre", "script", "style", "math"}
"""Elements whose text is never touched."""
SKIP_CLASSES = {"nm", "url"}
"""Classes whose text is never hyphenated or tied (names, URLs)."""
NO_HYPHENS = {"fn", "table-caption"}
"""Classes whose text is tied but not hyphenated (notes and captions are set ragged right)."""

_TAG = re.compile(r"(<[^>]*>)")
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z][\w:-]*)")
_CLASS = re.compile(r"""\bclass\s*=\s*["']([^"']*)["']""")
_CHUNK = re.compile(r"[^\s\u00a0]+")
_LETTERS = re.compile(r"[^\W\d_]+")
_URLISH = re.compile(r"[/@]|\w\.\w|^www|://")

MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|December|"
          "Jan\\.|Feb\\.|Mar\\.|Apr\\.|Jun\\.|Jul\\.|Aug\\.|Sep\\.|Sept\\.|Oct\\.|Nov\\.|Dec\\.")
_TIES = [
    re.compile(rf"(?<![\w.])(\d{{1,2}}) (?=(?:{MONTHS})(?![\w]))"),          # 3 December
    re.compile(rf"(?<![\w])((?:{MONTHS})) (?=\d{{1,4}}(?!\d))"),       # December 1937, May 30
    re.compile(r"(?<![\w])((?:pp?|nos?|vols?|chap|fig|n|nn|sec|ch)\.) (?=[\dxivlcXIVLC])",
               re.IGNORECASE),                                                     # p. 34, no. 5, vol. ii
]


@dataclass(frozen=True)
class Hyphenator:
    """Where words may break, for one language and one book's exceptions."""

    language: str
    """The book's BCP 47 language tag."""
    exceptions: tuple[tuple[str, tuple[int, ...]], ...] = ()
    """Words (lower case) and the offsets where they may break (none: never broken)."""
    _cache: dict = field(default_factory=dict, compare=False, hash=False, repr=False)
    _chunks: dict = field(default_factory=dict, compare=False, hash=False, repr=False)
    """Space-separated chunks of text -> as _chunk sets them (a book repeats most of its words)."""

    def breaks(self, word: str) -> tuple[int, ...]:
        """Offsets inside word where a soft hyphen may go."""
        if len(word) < MIN_WORD or not word[0].islower():
            return ()
        known = self._cache.get(word)
        if known is None:
            fixed = dict(self.exceptions).get(word.lower())
            if fixed is not None:
                known = tuple(p for p in fixed if MIN_LEFT <= p <= len(word) - MIN_RIGHT)
            else:
                dic = _dictionary(self.language)
                known = tuple(p for p in dic.positions(word) if MIN_LEFT <= p <= len(word) - MIN_RIGHT) \
                    if dic else ()
            self._cache[word] = known
        return known

    def hyphenate(self, word: str) -> str:
        """The word with soft hyphens at its breaks."""
        cuts = self.breaks(word)
        if not cuts:
            return word
        pieces, last = [], 0
        for cut in cuts:
            pieces.append(word[last:cut])
            last = cut
        pieces.append(word[last:])
        return SOFT.join(pieces)


def hyphenator_for(manifest) -> Hyphenator:
    """The hyphenator of a book: its language and its exceptions (book.yaml / hyphenation.txt)."""
    return _hyphenator(manifest.language, manifest.hyphenation)


@lru_cache(maxsize=8)
def _hyphenator(language: str, exceptions: tuple) -> Hyphenator:
    return Hyphenator(language, exceptions)


@lru_cache(maxsize=8)
def _dictionary(language: str) -> pyphen.Pyphen | None:
    """The pyphen patterns for a language, or None when pyphen has none."""
    base = language.replace("-", "_").split("_")[0].lower()
    name = PATTERNS.get(base) or pyphen.language_fallback(language.replace("-", "_"))
    if not name or name not in pyphen.LANGUAGES:
        return None
    return pyphen.Pyphen(lang=name, left=MIN_LEFT, right=MIN_RIGHT)


_CALL = re.compile(r'\s*\u2060?(<a class="call"[^>]*>[^<]*</a>)(<span class="fn"[^>]*>)')
_SPAN = re.compile(r"<span\b|</span>")


_SEP = '<span class="call-sep">,</span>'
"""What the writer puts between two calls side by side."""


def _note_end(html: str, start: int) -> int:
    """The end of the note span whose opening tag ends at start."""
    depth = 1
    for span in _SPAN.finditer(html, start):
        depth += 1 if span.group() == "<span" else -1
        if depth == 0:
            return span.end()
    return start


def calls_after_punctuation(html: str) -> str:
    """A note call written before a full stop, comma, semicolon or colon (or after a space, as a
    citation at the end of a caption comes out) moves after the mark, kept to it: `follows.¹`."""
    out, pos = [], 0
    for match in _CALL.finditer(html):
        if match.start() < pos:
            continue
        end = _note_end(html, match.end())
        while html.startswith(_SEP, end) and (more := _CALL.match(html, end + len(_SEP))):
            end = _note_end(html, more.end())  # calls side by side move as one: `follows.¹,²`
        mark = html[end:end + 1]
        if mark in (".", ",", ";", ":"):
            out.append(html[pos:match.start()] + mark + "\u2060" + html[match.start(1):end])
            pos = end + 1
        else:
            out.append(html[pos:end])
            pos = end
    out.append(html[pos:])
    return "".join(out)


def style_titles(html: str, italic: tuple[str, ...], quoted: tuple[str, ...]) -> str:
    """Titles in running text set as the notes set them: a periodical's or blog's name written in
    roman goes into italics; an article's title written in italics goes into quotation marks."""
    wanted = {" ".join(t.split()) for t in quoted}
    html = re.sub(r"<em>((?:(?!</em>).)*)</em>", lambda m: f"“{m.group(1)}”"
                  if " ".join(unescape(re.sub(r"<[^>]+>", "", m.group(1))).split()) in wanted else m.group(), html)
    for name in italic:
        words = [re.escape(escape(w, quote=False)) for w in name.split()]
        spaced = r"(?:\s|\u00a0)+".join(words)
        html = re.sub(rf"(?<![\w>“‘])(?<!<em>)(?<!<i>)({spaced})(?![\w<’”])", r"<i>\1</i>", html)
    return html


def typeset(html: str, hyphenator: Hyphenator | None, ties: bool = True, style: HouseStyle | None = None) -> str:
    """Inline or block HTML with soft hyphens (when a hyphenator is given) and ties in its text;
    note calls after punctuation; year ranges and uncertain dates in the house style (when given)."""
    html = calls_after_punctuation(html)
    if ties:
        for pattern in _TIES:
            html = pattern.sub(lambda m: m.group(1) + NBSP, html)
    out: list[str] = []
    stack: list[tuple[str, int, bool]] = []  # open elements: (tag, mode, a note?); mode 0 all, 1 ties only, 2 skip
    for part in _TAG.split(html):
        if not part:
            continue
        mode = stack[-1][1] if stack else 0
        if part.startswith("<"):
            name_match = _TAG_NAME.match(part)
            name = name_match.group(1).lower() if name_match else ""
            if part.startswith("</"):
                while stack and stack.pop()[0] != name:
                    pass
            elif not (part.endswith("/>") or name in VOID or part.startswith("<!")):
                classes = _CLASS.search(part)
                stack.append((name, max(mode, _mode(name, part)), bool(classes) and "fn" in classes.group(1).split()))
            out.append(part)
        elif mode < 2:
            if style is not None:
                part = house_dates(part, style.ranges, style.uncertain)
            if any(tag in ("td", "th") for tag, _, _ in stack) and not any(note for _, _, note in stack):
                # a table column as narrow as its longest tie would overflow (a note called in a cell is
                # set at the foot of the page, where its ties hold)
                part = part.replace(NBSP, " ")
            out.append(_text(part, hyphenator if mode == 0 else None))
        else:
            out.append(part)
    return "".join(out)


VOID = {"br", "wbr", "img", "hr", "meta", "link", "input", "col", "area", "base", "source"}


def _mode(name: str, tag: str) -> int:
    """2 for elements left alone, 1 for those tied but not hyphenated (notes, set ragged), else 0."""
    if name in SKIP:
        return 2
    if name in ("td", "th", "figcaption", "h1", "h2", "h3", "h4", "h5", "h6"):
        return 1  # set ragged (a heading is never hyphenated); WeasyPrint sizes table columns wrongly around soft hyphens
    classes = _CLASS.search(tag)
    found = set(classes.group(1).split()) if classes else set()
    return 2 if SKIP_CLASSES & found else 1 if NO_HYPHENS & found else 0


def _text(text: str, hyphenator: Hyphenator | None) -> str:
    if hyphenator is None:
        return text
    return _CHUNK.sub(lambda m: _chunk(m.group(), hyphenator), text)


CHUNKS_KEPT = 100_000
"""Chunks a hyphenator remembers at most (ALZHIR has some 3,500 different ones, the 204-page corpus 3,700)."""


def _chunk(chunk: str, hyphenator: Hyphenator) -> str:
    """One space-separated chunk: its plain words hyphenated; numbers, compounds and URLs kept whole."""
    done = hyphenator._chunks.get(chunk)
    if done is None:
        if len(hyphenator._chunks) >= CHUNKS_KEPT:  # a watch that runs for days keeps no more than this
            hyphenator._chunks.clear()
        done = hyphenator._chunks[chunk] = _hyphenated(chunk, hyphenator)
    return done


def _hyphenated(chunk: str, hyphenator: Hyphenator) -> str:
    """_chunk's work."""
    if any(ch.isdigit() for ch in chunk) or _URLISH.search(chunk) or "&" in chunk or SOFT in chunk:
        return chunk
    def word(m: re.Match) -> str:
        before, after = chunk[m.start() - 1:m.start()], chunk[m.end():m.end() + 1]
        if before in ("-", "‐", "’", "'") or after in ("-", "‐"):
            return m.group()
        return hyphenator.hyphenate(m.group())
    return _LETTERS.sub(word, chunk)
