"""book/layout/line_memo.py: a line's break is worked out once per text, width and style, and every
layout comes out box for box as the engine's own."""

from __future__ import annotations

import inspect
import random
import re

import pytest
from conftest import engine_without, noted_paragraphs

from book.layout import line_memo
from book.layout.paginate import Engine
from book.paths import STYLES


def _html(seed: int = 17, extra: str = "") -> str:
    """Justified, hyphenated paragraphs full of notes of one to six lines, some spaced as the
    adjustments space them, on A5."""
    rng = random.Random(seed)
    words = ("camp steppe letter winter station archive mother wagon barrack order remembrance "
             "administration correspondence").split()
    paragraphs = noted_paragraphs(rng, 40, words, 60, 3, spaced=range(0, 40, 5))
    return (f'<html lang="en"><head><link rel="stylesheet" href="{(STYLES / "book.css").as_uri()}">'
            f"<style>@page {{ size: A5 }} {extra}</style></head><body><section class='chapter' id='c'>"
            f"{paragraphs}</section></body></html>")


def _boxes(box, out=None):
    """Every box of a page as (type, x, y, width, height, text, the text its drawing sets), in tree order."""
    out = [] if out is None else out
    layout = getattr(box, "pango_layout", None)
    out.append((type(box).__name__, round(box.position_x, 3), round(box.position_y, 3),
                round(box.width or 0, 3), round(box.height or 0, 3), getattr(box, "text", None),
                getattr(layout, "text", None), getattr(layout, "justification_spacing", None)))
    for child in getattr(box, "children", ()):
        _boxes(child, out)
    return out


def _pages(document):
    return [_boxes(page._page_box) for page in document.pages]


def _engine_only(html: str):
    """The layout with every break worked out by the engine."""
    return engine_without(line_memo, "install_line_memo", html)


def test_every_style_property_the_engine_breaks_lines_by_is_in_the_key():
    """The key names every property the engine's line breaking reads; if an engine upgrade reads
    another, this fails before a remembered break can be wrong."""
    from weasyprint.layout import percent
    from weasyprint.text import fonts, line_break

    read = set()
    for function in (line_break.split_first_line, line_break.first_line_metrics, line_break.line_size,
                     line_break.create_layout, line_break.Layout.setup, line_break.Layout.set_text,
                     line_break.Layout.set_tabs, line_break.Layout.get_first_line,
                     fonts.get_font_description, percent.percentage):
        source = inspect.getsource(function)
        read |= set(re.findall(r"style\[['\"](\w+)['\"]\]", source))
        assert not set(re.findall(r"style\.(\w+)", source)) - {"font_config"}, function
    assert "word_spacing" in read and "hyphens" in read  # the scan finds what it looks for
    assert read <= set(line_memo.PROPERTIES), read - set(line_memo.PROPERTIES)


def test_remembered_breaks_lay_out_as_the_engine_does():
    """The same document laid out twice in one engine: the second layout works out no break
    itself, and both are box for box what the engine lays out without the memo (the text each
    box's drawing sets included)."""
    html = _html()
    engine = Engine([STYLES])
    misses = line_memo.misses
    first = engine.layout(html, STYLES.as_uri() + "/")
    assert line_memo.misses > misses
    hits, misses = line_memo.hits, line_memo.misses
    again = engine.layout(html, STYLES.as_uri() + "/")
    assert line_memo.misses == misses and line_memo.hits - hits > 1000
    theirs = _engine_only(html)
    assert len(theirs.pages) == len(first.pages) > 8
    assert _pages(first) == _pages(theirs) == _pages(again)


def test_a_different_spacing_or_width_is_not_answered_from_the_memo():
    """The same text with another word spacing, letter spacing or measure, after the first is
    remembered: each breaks as the engine breaks it alone."""
    engine = Engine([STYLES])
    engine.layout(_html(), STYLES.as_uri() + "/")
    for extra in ("p { word-spacing: -.04em }", "p { letter-spacing: .02em }", "@page { size: 150mm 210mm }",
                  "p { hyphens: none }"):
        ours = engine.layout(_html(extra=extra), STYLES.as_uri() + "/")
        assert _pages(ours) == _pages(_engine_only(_html(extra=extra))), extra


def test_the_memo_keeps_at_most_its_limit(monkeypatch):
    monkeypatch.setattr(line_memo, "LIMIT", 50)
    engine = Engine([STYLES])
    ours = engine.layout(_html(3), STYLES.as_uri() + "/")
    assert len(engine.fonts._book_lines) == 50
    assert _pages(ours) == _pages(_engine_only(_html(3)))


@pytest.fixture(autouse=True)
def _installed():
    yield
    line_memo.install()


def test_the_memo_is_let_go_when_a_font_is_loaded():
    """A font loaded into the configuration may change which font a fallback finds: what was
    remembered before is not used after."""
    engine = Engine([STYLES])
    engine.layout(_html(), STYLES.as_uri() + "/")
    before = engine.fonts._book_lines
    assert len(before) > 100
    face = ('@font-face { font-family: "Probe"; src: url(fonts/Literata-Regular.ttf) } '
            '.probe { font-family: "Probe" }')
    ours = engine.layout(_html(extra=face), STYLES.as_uri() + "/")
    assert engine.fonts._book_lines is not before
    assert _pages(ours) == _pages(_engine_only(_html(extra=face)))


def _table(rows: int = 90) -> str:
    """A table of several pages whose column widths the engine works out from its cells' text (auto
    table layout, measured again on each page)."""
    rng = random.Random(5)
    words = "year order transport barrack letter amnesty station registry".split()
    body = "".join(f"<tr><td>{1938 + k % 16}</td><td>{' '.join(rng.choices(words, k=rng.randint(3, 14)))}</td>"
                   f"<td>{' '.join(rng.choices(words, k=rng.randint(1, 4)))}</td></tr>" for k in range(rows))
    return (f'<html lang="en"><head><link rel="stylesheet" href="{(STYLES / "book.css").as_uri()}">'
            f"<style>@page {{ size: A5 }}</style></head><body><section class='chapter' id='c'>"
            f"<table><thead><tr><th>Year</th><th>Event</th><th>Place</th></tr></thead><tbody>{body}</tbody>"
            f"</table></section></body></html>")


def test_a_tables_column_widths_are_measured_from_remembered_breaks(monkeypatch):
    """The engine measures a table's columns by breaking every cell's text at each opportunity, once
    per page of the table: a second layout of the same table asks Pango for no line at all, and
    both layouts are box for box the engine's own."""
    from weasyprint.text.line_break import Layout

    html = _table()
    engine = Engine([STYLES])
    first = engine.layout(html, STYLES.as_uri() + "/")
    asked = []
    engine_first_line = Layout.get_first_line
    monkeypatch.setattr(Layout, "get_first_line", lambda self: asked.append(1) or engine_first_line(self))
    again = engine.layout(html, STYLES.as_uri() + "/")
    assert asked == []
    monkeypatch.undo()
    theirs = _engine_only(html)
    assert len(theirs.pages) == len(first.pages) > 2
    assert _pages(first) == _pages(theirs) == _pages(again)
