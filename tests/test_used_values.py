"""book/layout/used_values.py: a box's used margins, paddings, borders and sizes are worked out once
per style values and containing block, and every layout comes out box for box as the engine's own."""

from __future__ import annotations

import inspect
import re

from conftest import engine_without
from test_shared_styles import DOCUMENTS, _html, _pages

from book.layout import used_values
from book.layout.paginate import Engine
from book.paths import STYLES


def _engine_only(html: str):
    """The layout with every used value worked out by the engine."""
    return _pages(engine_without(used_values, "install_used_values", html))


PERCENT = _html("ch-5", 5, "blockquote { padding: 0 6%; margin-left: calc(1em + 2%) } li { margin-right: 10% } "
                "section.chapter p { padding-right: 4% !important } "
                "table.data { border-collapse: separate; width: 80% } .fn { padding-left: 3% }")
"""Percentages of containing blocks of several widths (the text, a quotation, a note), a calc()
and a table with separate borders, beside the book's collapsed ones."""


def test_every_style_property_the_engine_resolves_is_in_the_key():
    """The key names every property resolve_percentages reads; if an engine upgrade reads another,
    this fails before a remembered answer can be wrong."""
    from weasyprint.layout import percent

    read = set()
    for function in (used_values._ENGINE, percent.resolve_one_percentage, percent.adjust_box_sizing):
        read |= set(re.findall(r"style\[['\"](\w+)['\"]\]", inspect.getsource(function)))
    called = set(re.findall(r"resolve_one_percentage\(box, '(\w+)'", inspect.getsource(used_values._ENGINE)))
    border = {f"border_{side}_width" for side in ("top", "right", "bottom", "left")}
    assert "box_sizing" in read and "margin_left" in called  # the scan finds what it looks for
    assert read | called | border <= set(used_values.PROPERTIES), (read | called | border) - set(used_values.PROPERTIES)
    assert set(used_values.USED) == called | border


def test_used_values_lay_out_as_the_engine_does():
    """Documents laid out with the answers remembered are box for box what the engine lays out,
    and most answers are remembered ones."""
    engine = Engine([STYLES])
    hits, misses = used_values.hits, used_values.misses
    for html in (DOCUMENTS[0], PERCENT, DOCUMENTS[3]):
        assert _pages(engine.layout(html, STYLES.as_uri() + "/")) == _engine_only(html)
    assert used_values.hits - hits > 10 * (used_values.misses - misses) > 0


def test_an_answer_kept_without_its_containing_block_is_found_out(monkeypatch):
    """Keying answers by the style alone gives a percentage margin the width of another containing
    block: the comparison fails, so it is not vacuous."""
    monkeypatch.setattr(used_values, "_memo", {})
    monkeypatch.setattr(used_values, "_key", lambda values, containing_block, box: values)
    assert _pages(Engine([STYLES]).layout(PERCENT, STYLES.as_uri() + "/")) != _engine_only(PERCENT)
