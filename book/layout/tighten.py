"""A laid-out chapter -> paragraphs to set a little tighter or looser, so that none has a loose line.

WeasyPrint breaks lines greedily, one at a time: when the next word does not fit, the line is
stretched, however far. A paragraph's line breaks depend only on its own text, width and spacing
(not on the page it falls on), so each paragraph that has a loose line (word spaces over
measure.LOOSE × the book's median) can be tried on its own with a slightly different spacing: a
word that did not fit may then fit (`tight`, `tighter`), or an earlier line may give a word up to
the loose one (`wide`). The spacings are `data-fix` tokens on the paragraph's top-level block,
styled in book.css:

    tight    word-spacing: -.04em                       (about a fifth of a word space)
    tighter  word-spacing: -.04em; letter-spacing: -.01em
    wide     letter-spacing: .01em
    tightest word-spacing: -.04em; letter-spacing: -.02em
    wider    letter-spacing: .02em

The spacings of a chapter's loose paragraphs are tried in galleys (galley.py), not in a layout of the
chapter per spacing: `tight` on every paragraph first, then the next spacing, one at a time, on
those that none tried so far set clean with their line count (adjust._staged). `choose` keeps, for each paragraph, the spacing that leaves the fewest loose lines and no run of
more than two hyphenated lines, preferring one that keeps the paragraph's line count (then no note
or page break can move) and the plain setting when nothing helps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .measure import LOOSE, Line, hyphen_runs

SPACINGS = ("tight", "tighter", "wide", "tightest", "wider")
"""The spacings tried on a paragraph with a loose line, in turn."""

TIGHT = 2 / 3
"""A justified line is set too tight when its word spaces are under this share of the font's own
word space (TeX's fonts shrink a space by a third at most; tighter, words run together:
"familymembersoftraitors"). No spacing that sets a line so tight is kept."""


def too_tight(line: Line) -> bool:
    """Whether a justified line's word spaces are under TIGHT × the font's own."""
    return line.justified and 0 < line.word_space < TIGHT * line.natural


MARGIN = 0.95
"""Paragraphs are set against a threshold this much below the loose-line one: the median word space
is measured before the adjustments, and setting paragraphs tighter lowers it a little."""


@dataclass
class Setting:
    """How one paragraph came out with one spacing."""

    loose: int
    """Its loose lines."""
    lines: int
    """Its lines."""
    runs: int
    """Its runs of more than MAX_HYPHEN_RUN hyphenated lines."""
    tight: int = 0
    """Its lines set too tight (word spaces under TIGHT × the font's own)."""

    @property
    def clean(self) -> bool:
        """No loose line, no line too tight, no run of hyphens."""
        return not (self.loose or self.tight or self.runs)


@dataclass
class Trials:
    """What each spacing did to each paragraph tried, over successive layouts of its chapter."""

    median: float
    """The book's median word space in pt (the loose-line threshold is LOOSE × this)."""
    seen: dict[int, dict[str, Setting]] = field(default_factory=dict)
    """block index -> spacing ('' for the plain setting) -> how the paragraph came out."""

    @property
    def limit(self) -> float:
        """The word space in pt over which a line counts as loose here."""
        return LOOSE * MARGIN * self.median

    def judge(self, lines: list[Line]) -> Setting:
        """How a paragraph's lines came out."""
        return Setting(sum(1 for line in lines if line.justified and line.word_space > self.limit), len(lines),
                       len(hyphen_runs(lines)), sum(1 for line in lines if too_tight(line)))

    def record(self, lines: list[tuple[int, Line]], fixes: dict[int, set[str]]) -> None:
        """Note how every paragraph of a layout came out with the spacing it was laid out with."""
        by_block: dict[int, list[Line]] = {}
        for block, line in lines:
            by_block.setdefault(block, []).append(line)
        for block, its in by_block.items():
            spacing = next((t for t in fixes.get(block, ()) if t in SPACINGS), "")
            setting = self.judge(its)
            if setting.loose or block in self.seen:
                self.seen.setdefault(block, {})[spacing] = setting

    def next_trial(self) -> dict[int, str]:
        """For each paragraph that still has a loose line with every spacing tried so far, the next
        spacing to try."""
        out = {}
        for block, settings in self.seen.items():
            if any(s.clean for s in settings.values()):
                continue
            untried = [s for s in SPACINGS if s not in settings]
            if untried:
                out[block] = untried[0]
        return out

    def choose(self, same_lines: bool = False) -> dict[int, str]:
        """The spacing kept for each paragraph tried ('' for the plain setting); with same_lines, only
        spacings that keep the paragraph's line count (so that no note or page break can move)."""
        out = {}
        for block, settings in self.seen.items():
            plain = settings.get("")
            if plain is None:
                continue
            if same_lines:
                settings = {k: s for k, s in settings.items() if s.lines == plain.lines}

            def rank(item):
                name, s = item
                return (s.tight > 0, s.runs > 0, s.loose, s.lines != plain.lines, name != "")
            out[block] = min(settings.items(), key=rank)[0]
        return out


def with_spacing(fixes: dict[int, set[str]], spacing: dict[int, str]) -> dict[int, set[str]]:
    """fixes with each block's spacing token replaced by the one given ('' for none)."""
    out = {i: set(v) for i, v in fixes.items()}
    for block, name in spacing.items():
        tokens = {t for t in out.get(block, set()) if t not in SPACINGS}
        if name:
            tokens.add(name)
        out[block] = tokens
    return out

