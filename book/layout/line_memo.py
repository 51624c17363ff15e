"""WeasyPrint 70's first-line breaks remembered across layouts (an engine patch).

Every line of running text is found by `split_first_line`: Pango shapes the rest of the paragraph
(or a guess at the part of it that the line needs) at the line's width and says where the first
line ends. The answer depends only on the text, the width, the justification spacing asked for,
whether the line starts a line box, and the text properties of the box's style (font, size,
features, language, spacing, hyphenation, white-space and breaking rules): never on the page the
line falls on. Yet the engine asks it again and again for the same text: each note is laid out
again whenever the page's footnote area is measured or cut, a paragraph pushed to the next page is
laid out again there, and a chapter's adjustments (adjust.py) lay the chapter out several times
with a few paragraphs set differently, the others as before.

Here the answer is kept, keyed by all of those inputs, and given back when they recur: the same
numbers, and a copy of the (inactive) text layout that the engine keeps on the text box and
re-creates from its text when it draws it. The cache belongs to one FontConfiguration (one
Engine: one build, or one `book watch` session, which makes a new one when a style or font file
changes), is let go whenever a new @font-face rule is given to it (a font added may change
which font a fallback finds), and holds at most LIMIT answers, the least recently used let go first.

Isolated like footnote_area.py: `install()` is the only way in, and dropping this module (and its
call in paginate.py) restores the engine's behaviour.
"""

from __future__ import annotations

from collections import OrderedDict
from operator import itemgetter

import weasyprint.layout.inline as inline
import weasyprint.layout.preferred as preferred
from weasyprint.text import line_break
from weasyprint.text.fonts import FontConfiguration
from weasyprint.text.line_break import Layout

from .line_tries import chosen

_ENGINE = line_break.split_first_line
"""The engine's own function."""

_ANSWER = _ENGINE
"""What works an answer out when the memo has none: the engine's function, or its copy that skips
the tries of a line that cannot fit (line_tries.py), set by install()."""

_ADD_FACE = FontConfiguration.add_font_face
"""The engine's own method, which loads an @font-face font into a font configuration."""

PROPERTIES = (
    "direction", "font_family", "font_feature_settings", "font_kerning", "font_language_override",
    "font_size", "font_stretch", "font_style", "font_variant_alternates", "font_variant_caps",
    "font_variant_east_asian", "font_variant_ligatures", "font_variant_numeric", "font_variant_position",
    "font_variation_settings", "font_weight", "hyphenate_character", "hyphenate_limit_chars",
    "hyphenate_limit_zone", "hyphens", "lang", "letter_spacing", "overflow_wrap", "tab_size",
    "text_decoration_line", "white_space", "word_break", "word_spacing",
)
"""Every property of a style that the engine's split_first_line reads, directly or through the text
layout it makes (Layout.setup, set_text, get_font_description, font_features, line_size);
tests/test_line_memo.py checks the list against the engine's source."""

_values = itemgetter(*PROPERTIES)

LIMIT = 30_000
"""Answers kept at most per font configuration: a few hundred bytes each with the text they are
keyed by (ALZHIR's cold build keeps some 13,000 of them, issue 17's 204-page corpus 23,000)."""

hits = misses = 0
"""Answers given back, and answers the engine worked out, since the process started (tests read them)."""


def _key(text, style, max_width, justification_spacing, is_line_start, minimum, styles: dict):
    """The answer's key; styles: the memo's tuples of property values (and of a layout's attribute
    names), each kept once."""
    values = _values(style)
    return (text, max_width, justification_spacing, is_line_start, minimum, styles.setdefault(values, values))


def split_first_line(text, style, context, max_width, justification_spacing, is_line_start=True,
                     minimum=False):
    """The engine's split_first_line, its answer remembered per font configuration."""
    global hits, misses
    config = style.font_config
    memo = config.__dict__.get("_book_lines")
    faces = config.__dict__.get("_book_faces", 0)
    if memo is None or config._book_lines_faces != faces:  # a font added may change any fallback
        memo = config._book_lines = OrderedDict()
        config._book_styles, config._book_lines_faces = {}, faces
    try:
        key = _key(text, style, max_width, justification_spacing, is_line_start, minimum, config._book_styles)
    except TypeError:  # a value that cannot be a key: the engine answers, nothing is kept
        return _ANSWER(text, style, context, max_width, justification_spacing, is_line_start, minimum)
    found = memo.get(key)
    if found is not None:
        hits += 1
        memo.move_to_end(key)
        names = found[0]
        layout = Layout.__new__(Layout)  # a text layout of its own for each box: drawing sets text on it
        layout.__dict__.update(zip(names, found[1:]))
        return (layout, *found[len(names) + 1:])
    misses += 1
    answer = _ANSWER(text, style, context, max_width, justification_spacing, is_line_start, minimum)
    layout, *rest = answer
    if hasattr(layout, "layout"):  # still active (the engine deactivates every layout it returns)
        return answer
    names = tuple(layout.__dict__)  # one flat tuple: the layout's attribute names, their values, the numbers
    memo[key] = (config._book_styles.setdefault(names, names), *layout.__dict__.values(), *rest)
    if len(memo) > LIMIT:
        memo.popitem(last=False)
    return answer


def forget(config: FontConfiguration) -> None:
    """Let go of what the font configuration's memo holds (Engine.end, once a build's layouts are done)."""
    config.__dict__.pop("_book_lines", None)
    config.__dict__.pop("_book_styles", None)


def add_font_face(self: FontConfiguration, rule_descriptors, url_fetcher):
    """The engine's add_font_face, counting the @font-face rules the configuration has been given
    (each document gives its rules again; the memo is let go when a new one comes)."""
    seen = self.__dict__.setdefault("_book_rules", set())
    rule = str(rule_descriptors)  # as the engine names the font it loads
    if rule not in seen:
        seen.add(rule)
        self._book_faces = len(seen)
    return _ADD_FACE(self, rule_descriptors, url_fetcher)


def install() -> None:
    """Remember first-line breaks in every layout of this process: those of the lines laid out, and
    those a table's column widths are measured by (preferred.py breaks each cell's text at every
    opportunity for its narrowest width, and the engine measures a table again on each of its pages),
    worked out, when not remembered, by the copy that skips the tries of a line that cannot fit."""
    global _ANSWER
    _ANSWER = chosen()
    inline.split_first_line = preferred.split_first_line = split_first_line
    FontConfiguration.add_font_face = add_font_face


def uninstall() -> None:
    """Back to the engine's own function (for tests that compare the two)."""
    global _ANSWER
    _ANSWER = _ENGINE
    inline.split_first_line = preferred.split_first_line = _ENGINE
    FontConfiguration.add_font_face = _ADD_FACE
