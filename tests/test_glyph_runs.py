"""book/output/glyph_runs.py: a line's glyphs written into the content stream byte for byte as the
engine's own draw_first_line writes them."""

from __future__ import annotations

import weasyprint.draw.text as text
from test_shared_styles import DOCUMENTS, _html

from book.layout.paginate import Engine
from book.output import glyph_runs
from book.paths import STYLES

GLYPHS = _html("ch-7", 7, "p:nth-of-type(2) { letter-spacing: .03em; word-spacing: .2em } "
               "p:nth-of-type(3) { font-variant: small-caps; text-align: left } "
               "h2 { text-overflow: ellipsis; white-space: nowrap; overflow: hidden; width: 20mm }")
"""Letter and word spacing, small capitals, a heading cut with an ellipsis (the engine's way)."""

MARKS = (f'<html lang="en"><head><link rel="stylesheet" href="{(STYLES / "book.css").as_uri()}">'
         "<style>@page { size: A6 } p { text-align: justify }</style></head><body>"
         "<p>Akmolinsk: Qaraǵandy, Žaneta, Ǖ ǘ a\u0301 q\u0301 x\u0323\u0308 g\u0327 b\u0331 n\u0306\u0301 "
         "k\u0302\u0323 — marks set above and "
         "below their letters, Кирилл Григорьевич, Ελληνικά, a missing glyph \ue000 and an empty one \u200b "
         "in the middle of a justified line that runs on and on to the next one.</p>"
         "<p style='font-size: 0'>Nothing drawn.</p><p>   </p></body></html>")
"""Combining marks (glyphs placed off the baseline and off their advance), fallback fonts in one line,
a glyph no font has (.notdef), a zero-width space, a zero font size and a blank paragraph."""


def _pdf(html: str) -> bytes:
    document = Engine([STYLES]).layout(html, STYLES.as_uri() + "/")
    document.metadata.created = document.metadata.modified = "2026-01-01T00:00:00Z"
    return document.write_pdf(pdf_identifier=False, uncompressed_pdf=True)


def test_lines_are_drawn_byte_for_byte_as_the_engine_draws_them(monkeypatch):
    """Documents with notes, quotations, tables, leaders, spacing, small capitals, an ellipsis,
    combining marks, fallback fonts and missing glyphs: the PDF is the engine's, byte for byte, and
    the lines go through the patch (the ellipsis alone through the engine), most glyphs written from
    what the patch wrote for the same glyph before (glyph_runs._shown)."""
    drawn, engine, shown = [], [], []
    ours, theirs = glyph_runs.draw_first_line, glyph_runs._ENGINE
    kept, glyphs = glyph_runs._shown, glyph_runs._GLYPH

    class Hits(dict):  # a font's pieces at a size, their uses counted
        hits = 0

        def get(self, key):
            found = dict.get(self, key)
            Hits.hits += found is not None
            return found

    def counted(font, size):
        found = kept(font, size)
        if not isinstance(found, Hits):
            found = font._book_shown[size] = Hits(found)
        shown.append(found)
        return found

    monkeypatch.setattr(glyph_runs, "_shown", counted)

    class Counted:  # the glyphs read, counted
        size = glyphs.size
        read = 0

        def iter_unpack(self, data):
            for glyph in glyphs.iter_unpack(data):
                Counted.read += 1
                yield glyph

    monkeypatch.setattr(glyph_runs, "_GLYPH", Counted())
    monkeypatch.setattr(glyph_runs, "draw_first_line", lambda *a: (drawn.append(1), ours(*a))[1])
    monkeypatch.setattr(glyph_runs, "_ENGINE", lambda *a: (engine.append(a[2:4]), theirs(*a))[1])
    delegated = []
    for html in (*DOCUMENTS, GLYPHS, MARKS):
        text.draw_first_line = theirs
        before = _pdf(html)
        text.draw_first_line = glyph_runs.draw_first_line
        del engine[:]
        try:
            after = _pdf(html)
        finally:
            glyph_runs.uninstall()
        delegated += engine
        assert after == before
    assert len(drawn) > 500 and delegated and all(overflow == "ellipsis" for overflow, _ in delegated)
    pieces = {id(found): len(found) for found in shown}
    assert 0 < sum(pieces.values()) < Counted.read / 10 and Hits.hits > Counted.read * 0.8  # most from the memo


def test_the_patch_marks_glyphs_off_the_baseline_and_missing_ones(monkeypatch):
    """MARKS has what the patch handles apart from the plain glyphs: a glyph raised or lowered (text
    rise), one moved off its advance, and a missing one; checked in the uncompressed content."""
    glyph_runs.install()
    try:
        pdf = _pdf(MARKS)
    finally:
        glyph_runs.uninstall()
    assert b" Ts" in pdf and b">-" in pdf


def test_the_patch_is_installed_only_where_pango_lays_glyphs_out_as_it_reads_them(monkeypatch):
    """Where PangoGlyphInfo were laid out otherwise, install() leaves the engine's function."""
    assert glyph_runs._layout_known()
    try:
        glyph_runs.install()
        assert text.draw_first_line is glyph_runs.draw_first_line
        glyph_runs.uninstall()
        monkeypatch.setattr(glyph_runs, "_GLYPH", glyph_runs.struct.Struct("=Iiii"))
        glyph_runs.install()
        assert text.draw_first_line is glyph_runs._ENGINE
    finally:
        glyph_runs.uninstall()
