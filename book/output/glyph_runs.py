"""WeasyPrint 70's `draw_first_line`, the writing of a line's glyphs into a page's content stream,
with the glyphs read in one piece (an engine patch).

For every glyph of every line drawn, the engine's function reads the glyph's number, width and
offsets from Pango through cffi, one attribute at a time (each read makes a cdata object), and grows
the TJ string by concatenation: 5 % of the CPU time of ALZHIR's one-process build, 8 % of issue 17's
corpus, spent on some 7,300 and 12,600 lines. Here each run's PangoGlyphInfo array is read with one
`struct` unpack of its bytes, and the TJ string is joined from a list. Everything the engine's
function does for a glyph is done for it here, in the same order and with the same arithmetic, so
the content stream is byte for byte the engine's: the hexadecimal glyph numbers, a displacement
before a glyph drawn off its place and the kerning after it, an empty glyph, a missing one (.notdef,
with the engine's warning), a glyph raised or lowered (text rise), the widths measured from Pango
and the glyphs' text for the font's ToUnicode map. A line drawn with an ellipsis, or in a font with
colour glyphs (SVG, PNG or COLR tables: emoji, whose images the engine places after the text), takes
the engine's own function. Most glyphs take the short path (on the baseline, their width and text
known to the font), whose piece of the TJ string depends only on the glyph, its width and offset,
the font and the size: it is kept per font and size and written again from there (`_shown`).

Isolated like layout/fast_paths.py: `install()` is the only way in (finish.write_pdf and
join.write_piece call it before they draw), `uninstall()` (tests) or dropping this module (and those
two calls) restores the engine's function;
tests/test_glyph_runs.py draws documents both ways and compares the PDFs byte for byte.
"""

from __future__ import annotations

import struct

import weasyprint.draw.text as text
from weasyprint.logger import LOGGER
from weasyprint.text.ffi import FROM_UNITS, ffi, pango

_ENGINE = text.draw_first_line
"""The engine's own function."""

_GLYPH = struct.Struct("=Iiii4x")
"""A PangoGlyphInfo: the glyph, its width, x offset and y offset (the visual attributes skipped)."""

_EMPTY = pango.PANGO_GLYPH_EMPTY
_UNKNOWN = pango.PANGO_GLYPH_UNKNOWN_FLAG
_OLD_PANGO = pango.pango_version() < 14802


def draw_first_line(stream, textbox, text_overflow, block_ellipsis, matrix):
    """The engine's draw_first_line, the glyphs of each run read at once (see the module's text)."""
    if text_overflow == "ellipsis" or block_ellipsis != "none":
        return _ENGINE(stream, textbox, text_overflow, block_ellipsis, matrix)
    if not textbox.text.strip():
        return []
    if textbox.style["font_size"] < 1e-6:  # default float precision used by pydyf
        return []
    layout = textbox.pango_layout
    pango.pango_layout_set_single_paragraph_mode(layout.layout, True)
    first_line, _ = layout.get_first_line()

    runs = []
    run = first_line.runs[0]
    while run != ffi.NULL:
        runs.append(run.data)
        run = run.next
    fonts = {}
    for glyph_item in runs:  # every font of the line, as the engine adds them, before anything is written
        pango_font = glyph_item.item.analysis.font
        if pango_font not in fonts:
            font, _ = fonts[pango_font] = stream.add_font(pango_font)
            if font.svg or font.png or font.colr:
                return _ENGINE(stream, textbox, text_overflow, block_ellipsis, matrix)

    stream.set_text_matrix(*matrix.values)
    previous_pango_font = None
    string: list[str] = []
    append = string.append
    utf8_text = None
    for glyph_item in runs:
        glyph_string = glyph_item.glyphs
        num_glyphs = glyph_string.num_glyphs
        pango_font = glyph_item.item.analysis.font
        if pango_font != previous_pango_font:
            previous_pango_font = pango_font
            font, font_size = fonts[pango_font]
            if _OLD_PANGO or font.png:
                font_size = textbox.style["font_size"]
            if string:
                stream.show_text("".join(string))
            string.clear()
            stream.set_font_size(font.hash, 1 if font.bitmap else font_size)
        widths, to_unicode = font.widths, font.to_unicode
        hexadecimal = "%02x" if font.bitmap else "%04x"
        shown = _shown(font, font_size)
        append("<")
        data = ffi.buffer(glyph_string.glyphs, _GLYPH.size * num_glyphs)
        for i, glyph in enumerate(_GLYPH.iter_unpack(data)):
            piece = shown.get(glyph)
            if piece is not None:  # this glyph, at this width and offset, written before in this font and size
                append(piece)
                continue
            glyph_id, width, x_offset, y_offset = glyph
            if glyph_id < _EMPTY and not y_offset and glyph_id in widths and glyph_id in to_unicode:
                # a glyph of the font drawn on the baseline, its width and text known: most glyphs
                offset = x_offset / font_size
                piece = f">{-offset}<" if offset else ""
                piece += hexadecimal % glyph_id
                kerning = widths[glyph_id] + offset - width * 1000 * FROM_UNITS / font_size
                if kerning:
                    piece += f">{int(kerning)}<"
                shown[glyph] = piece
                append(piece)
                continue
            if glyph_id == _EMPTY:  # a zero-width empty glyph
                append(f">{-width / font_size}<")
                continue
            if glyph_id & _UNKNOWN:  # .notdef for a missing glyph, as the engine writes it
                codepoint = glyph_id - _UNKNOWN
                LOGGER.warning(
                    '.notdef glyph rendered for Unicode string unsupported by fonts: '
                    '"%s" (U+%04X)', chr(codepoint), codepoint)
                glyph_id = font.get_unused_glyph_id(codepoint)
                widths[glyph_id] = round(width * 1000 * FROM_UNITS / font_size)
                if 0 not in widths:
                    widths[0] = widths[glyph_id]
            if glyph_id not in to_unicode:  # the glyph's text, from the cluster it draws
                clusters = glyph_string.log_clusters
                offset = glyph_item.item.offset
                t1 = clusters[i]
                if glyph_item.item.analysis.level % 2:  # rtl
                    t2 = glyph_item.item.length if i == 0 else clusters[i - 1]
                else:
                    t2 = glyph_item.item.length if i == num_glyphs - 1 else clusters[i + 1]
                utf8_text = utf8_text or layout.text.encode()
                to_unicode[glyph_id] = utf8_text[offset + t1:offset + t2].decode()
            offset = x_offset / font_size
            rise = y_offset / 1000
            if rise:
                _close(string)
                if string:
                    stream.show_text("".join(string))
                stream.set_text_rise(-rise)
                shown = f"{-offset}" if offset else ""
                shown += f"<{glyph_id:02x}>" if font.bitmap else f"<{glyph_id:04x}>"
                stream.show_text(shown)
                stream.set_text_rise(0)
                string.clear()
                append("<")
            else:
                if offset:
                    append(f">{-offset}<")
                append(hexadecimal % glyph_id)
            if glyph_id in widths:
                logical_width = widths[glyph_id]
            else:
                pango.pango_font_get_glyph_extents(pango_font, glyph_id, stream.ink_rect, stream.logical_rect)
                logical_width = widths[glyph_id] = round(stream.logical_rect.width * 1000 * FROM_UNITS / font_size)
            kerning = logical_width + offset - width * 1000 * FROM_UNITS / font_size
            if kerning:
                append(f">{int(kerning)}<")
        _close(string)
    stream.show_text("".join(string))
    return []


def _shown(font, font_size) -> dict:
    """What the short path writes for each glyph (id, width, offsets) of the font at the size, as
    written so far. Only a glyph that took the short path is kept: a glyph's width and text, once
    the font knows them, stay the same, so the short path gives it the same piece every time."""
    kept = font.__dict__.get("_book_shown")
    if kept is None:
        kept = font._book_shown = {}
    found = kept.get(font_size)
    if found is None:
        found = kept[font_size] = {}
    return found


def _close(string: list[str]) -> None:
    """End the TJ string's open hexadecimal glyph list, as the engine does: a string that ends in `<`
    loses it (an empty list, or one after a displacement), any other gets `>`."""
    if string[-1][-1] == "<":
        string[-1] = string[-1][:-1]
        if not string[-1]:
            string.pop()
    else:
        string.append(">")


def _layout_known() -> bool:
    """Whether Pango's PangoGlyphInfo is laid out in memory as _GLYPH reads it."""
    return (ffi.sizeof("PangoGlyphInfo") == _GLYPH.size and ffi.offsetof("PangoGlyphInfo", "geometry") == 4
            and ffi.sizeof("PangoGlyphGeometry") == 12)


def install() -> None:
    """Lines drawn this way in every PDF this process writes (the engine's way where Pango's glyph
    structure is not the one this module reads)."""
    if _layout_known():
        text.draw_first_line = draw_first_line


def uninstall() -> None:
    """Back to the engine's own function (for tests that compare the two)."""
    text.draw_first_line = _ENGINE
