"""A line's tries that cannot fit are not laid out (an engine patch of WeasyPrint 70).

The engine's `split_first_line` finds a line in three steps, each a new Pango layout of the text,
shaped: Pango breaks the text (or the part of it the line can need); then, in case Pango broke too
early, the line is set again with the next word after it, to see whether they fit together; when
they do not, the engine tries to hyphenate: it sets the line with the text up to each hyphenation
point after it, from the last point to the first, and keeps the first try that fits. Two kinds of
those layouts are not made here, since their answer is known:

- the line with the next word, when the widths of the line and of the next word's glyphs, as Pango
  has just set them (at the head of the second line), add up to more than the measure by over a
  pixel and the text's spacings (`_too_wide`): no shaping of the two together takes that back;
- a hyphenation try that holds the line, the next word, a space and more, once the line and the
  next word are known not to fit (from their widths, or from Pango setting them together): adding
  text to the end of a line never makes it narrower. With `hyphens: manual` (book.css; typeset.py
  puts soft hyphens in) the points are every soft hyphen in the text the engine holds, most of them
  words beyond the next one.

On issue 17's corpus a one-process build sets 7,100 lines' next word and makes 7,300 hyphenation
tries fewer. Everything else is the engine's function as it stands in WeasyPrint 70, changed only
where marked "book:". The copy is used only when the engine's function is that one (the sha256 of
its source): on any other version the engine's own stays. tests/test_line_tries.py compares the two
on random text, and checks `_too_wide` against Pango.

Isolated like line_memo.py, which calls it in the engine's place: `install()` there is the only way in.
"""

from __future__ import annotations

import hashlib
import inspect
import re
from functools import cache
from math import inf

import pyphen
from weasyprint.text import line_break
from weasyprint.text.constants import PANGO_WRAP_MODE
from weasyprint.text.ffi import FROM_UNITS, TO_UNITS, ffi, pango
from weasyprint.text.line_break import (create_layout, first_line_metrics, get_next_break_point,
                                        get_next_break_point_from_text, get_next_word_boundaries,
                                        line_size)

ENGINE = line_break.split_first_line
"""The engine's own function."""

SOURCE = "39ad1016863ca34de0bea4c9fcffb46da7e27813c87dd82b7011bfa19fe5504f"
"""The sha256 of the engine's split_first_line that this copy was made from (WeasyPrint 70.0)."""

SKIPPED = [0]
"""Hyphenation tries not laid out since the process started (tests read it)."""

_HARD = re.compile("[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
"""Characters that end a line whatever its width (Pango's mandatory breaks)."""

NEXT_WORD = [0]
"""Lines whose next word was not set again after them since the process started (tests read it)."""


def _too_wide(layout, width: float, length: int, max_width: float, style) -> bool:
    """Whether a first line of the given width (line_size's) and the first length bytes of the
    layout's second line cannot fit on one line of max_width, by more than a pixel and the text's
    spacings: the widths of those bytes' glyphs, as Pango set them at the head of the second line,
    are added to the first line's (its trailing space counted or not, whichever Pango does: it only
    makes the sum smaller). Left to right only."""
    if style["direction"] != "ltr":
        return False
    line = pango.pango_layout_get_line_readonly(layout.layout, 1)
    if line == ffi.NULL:
        return False
    start, total, run = line.start_index, 0, line.runs
    while run != ffi.NULL:
        glyph_item = run.data
        base = glyph_item.item.offset - start
        if base >= length:
            break
        glyphs = glyph_item.glyphs
        clusters, infos = glyphs.log_clusters, glyphs.glyphs
        for i in range(glyphs.num_glyphs):
            if base + clusters[i] < length:
                total += infos[i].geometry.width
        run = run.next
    spacing = style["letter_spacing"]
    spacing = 0 if spacing == "normal" else spacing
    return width - spacing + total * FROM_UNITS > max_width + 1 + 2 * abs(spacing) + abs(style["word_spacing"])


@cache
def _engine_sha() -> str | None:
    """The sha256 of the engine's split_first_line's source (None when it cannot be read): worked
    out once per process, not at every Engine made."""
    try:
        return hashlib.sha256(inspect.getsource(ENGINE).encode()).hexdigest()
    except (OSError, TypeError):
        return None


def matches() -> bool:
    """Whether the engine's split_first_line is the one this module's copy was made from."""
    return _engine_sha() == SOURCE


def split_first_line(text, style, context, max_width, justification_spacing,
                     is_line_start=True, minimum=False):
    """Fit as much as possible in the available width for one line of text.

    Return ``(layout, length, resume_index, width, height, baseline)``.

    ``layout``: a pango Layout with the first line
    ``length``: length in UTF-8 bytes of the first line
    ``resume_index``: The number of UTF-8 bytes to skip for the next line.
                      May be ``None`` if the whole text fits in one line.
                      This may be greater than ``length`` in case of preserved
                      newline characters.
    ``width``: width in pixels of the first line
    ``height``: height in pixels of the first line
    ``baseline``: baseline in pixels of the first line

    """
    from weasyprint.layout.percent import percentage

    # See https://www.w3.org/TR/css-text-3/#white-space-property
    text_wrap = style['white_space'] in ('normal', 'pre-wrap', 'pre-line')
    space_collapse = style['white_space'] in ('normal', 'nowrap', 'pre-line')

    original_max_width = max_width
    if not text_wrap:
        max_width = None

    # Step #1: Get a draft layout with the first line.
    ratio = 4  # number that almost always respects char_height / char_width > ratio
    short_text = text
    if max_width is not None and max_width != inf and style['font_size']:
        # Try to use a small amount of text to avoid the whole layout. We need
        # at least one line, and one possible line break point on the second line.
        if style['font_size'] * ratio > max_width:
            # Trying to find minimum or very small size, let's naively split on
            # spaces and keep one word + one letter.
            space_index = text.find(' ')
            if space_index != -1:
                short_text = text[:space_index+2]  # index + space + one letter
        else:
            # Use the magic ration and hope that we’ll get the right amount of text.
            short_text = text[:int(max_width / style['font_size'] * ratio)]
        layout = create_layout(
            short_text, style, context, max_width, justification_spacing)
        first_line, resume_index = layout.get_first_line()
        if resume_index is None and short_text != text:
            # The small amount of text fits in one line, give up and use the
            # whole text.
            short_text = text
            layout.set_text(text)
            first_line, resume_index = layout.get_first_line()
        else:
            # If the second line of the short text can break, we have the next
            # line break point required for step #3 in it, drop the end of the text.
            first_line_text = short_text.encode()[:resume_index].decode()
            if first_line_text != short_text:
                start, end = len(first_line_text) + 1, len(short_text)
                text_end_log_attrs = pango.pango_layout_get_log_attrs_readonly(
                    layout.layout, ffi.NULL)[start:end]
                if get_next_break_point(text_end_log_attrs) is not None:
                    text = short_text
    else:
        layout = create_layout(
            text, style, context, original_max_width, justification_spacing)
        first_line, resume_index = layout.get_first_line()

    # Step #2: Don't split lines when it's not needed.
    if max_width is None:
        # The first line can take all the place needed.
        return first_line_metrics(
            first_line, text, layout, resume_index, space_collapse, style)
    first_line_width, _ = line_size(first_line, style)
    if resume_index is None and first_line_width <= max_width:
        # The first line fits in the available width.
        return first_line_metrics(
            first_line, text, layout, resume_index, space_collapse, style)

    # Step #3: Try to put the first word of the second line on the first line
    # https://mail.gnome.org/archives/gtk-i18n-list/2013-September/msg00006
    # is a good thread related to this problem.
    if first_line_width <= max_width:
        # The first line fits but may have been cut too early by Pango.
        encoded_text = text.encode()
        first_line_text = encoded_text[:resume_index].decode()
        second_line_text = encoded_text[resume_index:].decode()
    else:
        # The line can't be split earlier, try to hyphenate the first word.
        first_line_text = ''
        second_line_text = text
    if first_line_text == short_text:
        # There’s no second line, don’t try to find a next word.
        break_point = None
    else:
        # Find then second line’s first break point.
        log_attrs = pango.pango_layout_get_log_attrs_readonly(layout.layout, ffi.NULL)
        start, end = len(first_line_text) + 1, len(short_text)
        second_line_log_attrs = log_attrs[start:end]
        break_point = get_next_break_point(second_line_log_attrs)
    next_word = second_line_text[:break_point].rstrip(' ')
    beyond = None  # book: where a hyphenation try would hold the whole next word and the space after it
    if next_word:
        if space_collapse and second_line_text[break_point or -1] == ' ':
            # Next word might fit without a space afterwards only try when
            # space collapsing is allowed.
            new_first_line_text = first_line_text + next_word
            # book: only width can keep the line and the next word apart (the line holds text, the
            # next word ends where a try past it would begin, and no forced break comes first)
            by_width = first_line_text and break_point is not None and not _HARD.search(new_first_line_text)
            if by_width and _too_wide(layout, first_line_width, len(next_word.encode()), max_width, style):
                # book: the first line and the next word, as Pango has just set them, are wider than
                # the line by more than any shaping together could take back: no need to set them
                # together to find that they do not fit (the layout's first line stays the same)
                beyond = break_point
                NEXT_WORD[0] += 1
            else:  # book: the engine's own lines, indented
                layout.set_text(new_first_line_text)
                first_line, resume_index = layout.get_first_line()
                if resume_index is not None and by_width:
                    # book: the first line and the next word do not fit together, so no try that
                    # holds them and the space after them can fit on one line either
                    beyond = break_point
                if resume_index is None:
                    if first_line_text:
                        # The next word fits in the first line, keep the layout.
                        resume_index = len(new_first_line_text.encode()) + 1
                        return first_line_metrics(
                            first_line, text, layout, resume_index, space_collapse, style)
                    else:
                        # Second line is None.
                        resume_index = first_line.length + 1
                        if resume_index >= len(text.encode()):
                            resume_index = None
    elif first_line_text:
        # We found something on the first line but we did not find a word on
        # the next line, no need to hyphenate, we can keep the current layout.
        return first_line_metrics(
            first_line, text, layout, resume_index, space_collapse, style)

    # Step #4: Try to hyphenate
    hyphens = style['hyphens']
    lang = style['lang'] and pyphen.language_fallback(style['lang'])
    total, left, right = style['hyphenate_limit_chars']
    hyphenated = False
    soft_hyphen = '\xad'

    auto_hyphenation = manual_hyphenation = False

    if hyphens != 'none':
        manual_hyphenation = soft_hyphen in first_line_text + second_line_text

    if hyphens == 'auto' and lang:
        # Get text until next line break opportunity.
        next_text = second_line_text
        if (next_break_point := get_next_break_point_from_text(second_line_text, lang)):
            next_text = next_text[:next_break_point]

        # Try all words included in this text.
        next_text_index = 0
        while next_text:
            next_word_boundaries = get_next_word_boundaries(next_text, lang)
            if next_word_boundaries:
                # We have a word to hyphenate.
                start_word, stop_word = next_word_boundaries
                next_word = next_text[start_word:stop_word]
                if stop_word - start_word >= total:
                    # This word is long enough.
                    first_line_width, _ = line_size(first_line, style)
                    space = max_width - first_line_width
                    limit_zone = percentage(
                        style['hyphenate_limit_zone'], style, max_width)
                    if space > limit_zone or space < 0:
                        # Available space is worth the try, or the line is even too long
                        # to fit: try to hyphenate.
                        auto_hyphenation = True
                        next_text_index += start_word
                        break

                # This word doesn’t work, try next one.
                next_text = next_text[stop_word:]
                next_text_index += stop_word
            else:
                break

    # Automatic hyphenation opportunities within a word must be ignored if the
    # word contains a conditional hyphen, in favor of the conditional
    # hyphen(s).
    # See https://drafts.csswg.org/css-text-3/#valdef-hyphens-auto
    if manual_hyphenation:
        # Manual hyphenation: check that the line ends with a soft
        # hyphen and add the missing hyphen
        if first_line_text.endswith(soft_hyphen):
            # The first line has been split on a soft hyphen
            first_line_text, second_line_text = '', first_line_text
            beyond = None  # book: the tries are no longer made after the first line
        soft_hyphen_indexes = [
            match.start() for match in re.finditer(soft_hyphen, second_line_text)]
        soft_hyphen_indexes.reverse()
        dictionary_iterations = [second_line_text[:i+1] for i in soft_hyphen_indexes]
    elif auto_hyphenation:
        dictionary_key = (lang, left, right, total)
        dictionary = context.dictionaries.get(dictionary_key)
        if dictionary is None:
            dictionary = pyphen.Pyphen(lang=lang, left=left, right=right)
            context.dictionaries[dictionary_key] = dictionary
        previous_words = second_line_text[:next_text_index]
        dictionary_iterations = [
            previous_words + start for start, end in dictionary.iterate(next_word)]
    else:
        dictionary_iterations = []

    if dictionary_iterations:
        for first_word_part in dictionary_iterations:
            if beyond is not None and len(first_word_part) > beyond:
                SKIPPED[0] += 1
                continue  # book: it cannot fit (see above); the engine would lay it out to find that
            new_first_line_text = first_line_text + first_word_part
            hyphenated_first_line_text = (
                new_first_line_text + style['hyphenate_character'])
            new_layout = create_layout(
                hyphenated_first_line_text, style, context, max_width,
                justification_spacing)
            new_first_line, index = new_layout.get_first_line()
            new_first_line_width, _ = line_size(new_first_line, style)
            new_space = max_width - new_first_line_width
            hyphenated = index is None and (
                new_space >= 0 or first_word_part == dictionary_iterations[-1])
            if hyphenated:
                layout = new_layout
                first_line = new_first_line
                resume_index = len(new_first_line_text.encode())
                break

        if not hyphenated and not first_line_text:
            # Recreate the layout with no max_width to be sure that
            # we don't break before or inside the hyphenate character
            hyphenated = True
            layout.set_text(hyphenated_first_line_text)
            pango.pango_layout_set_width(layout.layout, -1)
            first_line, _ = layout.get_first_line()
            resume_index = len(new_first_line_text.encode())
            if text[len(first_line_text)] == soft_hyphen:
                resume_index += len(soft_hyphen.encode())

    if not hyphenated and first_line_text.endswith(soft_hyphen):
        # Recreate the layout with no max_width to be sure that
        # we don't break inside the hyphenate-character string
        hyphenated = True
        hyphenated_first_line_text = (
            first_line_text + style['hyphenate_character'])
        layout.set_text(hyphenated_first_line_text)
        pango.pango_layout_set_width(layout.layout, -1)
        first_line, _ = layout.get_first_line()
        resume_index = len(first_line_text.encode())

    # Step 5: Try to break word if it's too long for the line
    overflow_wrap = style['overflow_wrap']
    first_line_width, _ = line_size(first_line, style)
    space = max_width - first_line_width
    # If we can break words and the first line is too long
    can_break = (
        style['word_break'] == 'break-all' or (
            is_line_start and (
                overflow_wrap == 'anywhere' or
                (overflow_wrap == 'break-word' and not minimum))))
    if space < 0 and can_break:
        # Is it really OK to remove hyphenation for word-break ?
        hyphenated = False
        # TODO: Modify code to preserve W3C condition:
        # "Shaping characters are still shaped as if the word were not broken"
        # The way new lines are processed in this function (one by one with no
        # memory of the last) prevents shaping characters (arabic, for
        # instance) from keeping their shape when wrapped on the next line with
        # pango layout. Maybe insert Unicode shaping characters in text?
        layout.set_text(text)
        pango.pango_layout_set_width(layout.layout, int(max_width * TO_UNITS))
        pango.pango_layout_set_wrap(layout.layout, PANGO_WRAP_MODE['WRAP_CHAR'])
        first_line, index = layout.get_first_line()
        resume_index = index or first_line.length
        if resume_index >= len(text.encode()):
            resume_index = None

    return first_line_metrics(
        first_line, text, layout, resume_index, space_collapse, style,
        hyphenated, style['hyphenate_character'])


def chosen():
    """The function the line memo calls: this copy when the engine's is the one it was made from,
    else the engine's own."""
    return split_first_line if matches() else ENGINE
