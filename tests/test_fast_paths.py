"""book/layout/fast_paths.py: normal flow, struts and descendants answered as the engine answers,
and documents laid out with them box for box as the engine's own."""

from __future__ import annotations

import itertools

from conftest import engine_without
from test_shared_styles import DOCUMENTS, _html, _pages
from weasyprint.formatting_structure import boxes

from book.layout import fast_paths
from book.layout.paginate import Engine
from book.paths import STYLES

OUT_OF_FLOW = _html("ch-9", 9, "blockquote { float: left; width: 40% } "
                    "ul { position: absolute; top: 20mm; right: 0 } "
                    "table.data { position: running(table) } @page { @top-center { content: element(table) } } "
                    "li { position: relative } h2 { font-size: 180%; line-height: 1.1 } "
                    "em { line-height: 2 } .fn { line-height: normal }")
"""A float, an absolutely positioned list, a running element, relative positions, footnotes, and
line heights of several kinds beside the book's own."""


def _engine_only(html: str):
    """The layout with the engine's own functions."""
    return _pages(engine_without(fast_paths, "install_fast_paths", html))


def test_documents_lay_out_as_the_engine_does():
    """The shared-styles documents (notes, a quotation, a list, a table, leaders, a galley's tall
    page) and one with a float, an absolute box, a running element and other line heights, laid
    out one after the other in one engine: each is box for box, anchor for anchor, the engine's."""
    engine = Engine([STYLES])
    for html in (*DOCUMENTS, OUT_OF_FLOW):
        assert _pages(engine.layout(html, STYLES.as_uri() + "/")) == _engine_only(html)


class _Style(dict):
    pass


def test_normal_flow_is_the_engines_for_every_float_and_position():
    box = boxes.BlockBox("p", _Style(), None, [])
    floats = ("none", "left", "right", "inline-start", "inline-end", "footnote")
    positions = ("static", "relative", "absolute", "fixed", "sticky", ("running()", "x"), ("note()", "y"))
    answers = set()
    for value, position in itertools.product(floats, positions):
        box.style = _Style(float=value, position=position)
        answers.add(fast_paths.is_in_normal_flow(box))
        assert fast_paths.is_in_normal_flow(box) == fast_paths._ENGINE_IN_FLOW(box), (value, position)
    assert answers == {True, False}


def test_descendants_are_the_engines_in_order_with_and_without_placeholders():
    """Every page of a laid-out document, walked both ways, the absolute placeholders included."""
    engine = Engine([STYLES])
    document = engine.layout(OUT_OF_FLOW, STYLES.as_uri() + "/")
    for page in document.pages:
        for placeholders in (False, True):
            ours = list(fast_paths.descendants(page._page_box, placeholders))
            theirs = list(fast_paths._ENGINE_DESCENDANTS(page._page_box, placeholders))
            assert [id(box) for box in ours] == [id(box) for box in theirs]
            assert len(ours) > 20


def test_a_strut_kept_per_style_is_the_engines():
    """Each style of a laid-out document keeps the strut the engine works out for it; keeping one
    answer for every style instead is found out by the layout comparison, so it is not vacuous."""
    engine = Engine([STYLES])
    document = engine.layout(OUT_OF_FLOW, STYLES.as_uri() + "/")
    styles = {id(box.style): box.style for page in document.pages for box in page._page_box.descendants()}
    kept = [style for style in styles.values() if "_book_strut" in style.__dict__]
    assert len(kept) > 10 and len({style["line_height"] for style in kept}) > 2
    for style in kept:
        assert style.__dict__["_book_strut"] == fast_paths._ENGINE_STRUT(style)


def test_one_strut_for_every_style_is_found_out(monkeypatch):
    first: list = []
    monkeypatch.setattr(fast_paths, "_ENGINE_STRUT",
                        lambda style, engine=fast_paths._ENGINE_STRUT: first[0] if first else first.append(engine(style)) or first[0])
    ours = _pages(Engine([STYLES]).layout(OUT_OF_FLOW, STYLES.as_uri() + "/"))
    monkeypatch.undo()
    assert ours != _engine_only(OUT_OF_FLOW)
