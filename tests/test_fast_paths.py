"""book/layout/fast_paths.py: normal flow, struts, descendants, placements, backgrounds and justified
lines' text layouts as the engine makes them, and documents laid out with them box for box as the
engine's own."""

from __future__ import annotations

import itertools
import random

from conftest import engine_without, noted_paragraphs
from test_shared_styles import DOCUMENTS, WORDS, _html, _pages
from weasyprint.formatting_structure import boxes

from book.layout import fast_paths, rebind
from book.layout.paginate import Engine
from book.paths import STYLES

OUT_OF_FLOW = _html("ch-9", 9, "blockquote { float: left; width: 40% } "
                    "ul { position: absolute; top: 20mm; right: 0 } "
                    "table.data { position: running(table) } @page { @top-center { content: element(table) } } "
                    "li { position: relative } h2 { font-size: 180%; line-height: 1.1 } "
                    "em { line-height: 2 } .fn { line-height: normal }")
"""A float, an absolutely positioned list, a running element, relative positions, footnotes, and
line heights of several kinds beside the book's own."""


PAINTED = _html("ch-8", 8, "h2 { background: #eee; border-radius: 2mm } blockquote { box-shadow: 1mm 1mm 2mm #999 } "
                "li { background-image: linear-gradient(#fff, #ccc); border-radius: 10% } "
                "table.data td { visibility: hidden } em { background-color: currentcolor } "
                "section.chapter > p:nth-of-type(3) { direction: rtl; border-top-left-radius: 3px } "
                "ul { float: right; width: 30% }")
"""Backgrounds, round corners, a shadow, a gradient, hidden cells, a background in the text's colour,
a right-to-left paragraph and a float, beside the book's plain boxes."""


def _painted(document):
    """Every box of every page as (type, its corner radii, its background's colour and layers)."""
    out = []
    for page in document.pages:
        for box in page._page_box.descendants():
            background = getattr(box, "background", None)
            out.append((type(box).__name__, tuple(getattr(box, name, None) for name in fast_paths._CORNERS),
                        None if background is None else (tuple(background.color), len(background.layers))))
    return out


def _engine_only(html: str):
    """The layout with the engine's own functions."""
    return _pages(engine_without(fast_paths, "install_fast_paths", html))


def test_documents_lay_out_as_the_engine_does():
    """The shared-styles documents (notes, a quotation, a list, a table, leaders, a galley's tall
    page) and one with a float, an absolute box, a running element and other line heights, laid
    out one after the other in one engine: each is box for box, anchor for anchor, the engine's."""
    engine = Engine([STYLES])
    for html in (*DOCUMENTS, OUT_OF_FLOW, PAINTED):
        assert _pages(engine.layout(html, STYLES.as_uri() + "/")) == _engine_only(html)


def test_backgrounds_and_corners_are_the_engines():
    ours = _painted(Engine([STYLES]).layout(PAINTED, STYLES.as_uri() + "/"))
    theirs = _painted(engine_without(fast_paths, "install_fast_paths", PAINTED))
    assert ours == theirs
    assert sum(1 for _, _, background in ours if background is not None) > 5  # painted boxes are there
    assert sum(1 for _, radii, _ in ours if radii != ((0, 0),) * 4) > 2


def test_every_placement_is_the_engines(monkeypatch):
    """Each avoid_collisions call of three layouts (no float, floats, right to left) answered both
    ways: the same (x, y, width) every time, and most calls take the short way."""
    calls = {"short": 0, "engine": 0}

    def both(context, box, containing_block, outer=True):
        short = not context.excluded_shapes and containing_block.style["direction"] == "ltr"
        calls["short" if short else "engine"] += 1
        ours = fast_paths.avoid_collisions(context, box, containing_block, outer)
        assert ours == fast_paths._ENGINE_COLLISIONS(context, box, containing_block, outer)
        return ours

    for module in rebind.holders("avoid_collisions", fast_paths.avoid_collisions, fast_paths._ENGINE_COLLISIONS):
        monkeypatch.setattr(module, "avoid_collisions", both)
    for html in (DOCUMENTS[0], OUT_OF_FLOW, PAINTED):
        Engine([STYLES]).layout(html, STYLES.as_uri() + "/")
    assert calls["short"] > 10 * calls["engine"] > 0


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


JUSTIFIED = (f'<html lang="en"><head><link rel="stylesheet" href="{(STYLES / "book.css").as_uri()}"><style>@page {{ size: A5 }} '
             "p { text-align: justify } .spaced { word-spacing: .1em } .under { text-decoration: underline } "
             ".lines { white-space: pre-line }</style></head><body><section class='chapter' id='c'>"
             + noted_paragraphs(random.Random(7), 12, WORDS, 60, 2, spaced=(2, 5))
             + "<p class='spaced' style='word-spacing: .1em'>camp <em>steppe</em> <em>letter</em> " + " ".join(WORDS * 2) + ".</p>"
             + "<p class='under'>" + " ".join(WORDS * 2) + ".</p>"
             + "<p class='lines'>" + " ".join(WORDS) + "\n" + " ".join(WORDS) + ".</p></section></body></html>")
"""Justified paragraphs with notes, one with word spacing and a lone space between two emphases, one
underlined, one with a preserved line break (the engine ends the line there: no text box of a
justified line holds one)."""


def _text_layouts(document):
    """Every text box's layout: its attributes but the style, and its first line's size once
    reactivated for drawing (as draw/text.py does)."""
    from weasyprint.text.line_break import line_size

    out = []
    for page in document.pages:
        for box in page._page_box.descendants():
            layout = getattr(box, "pango_layout", None)
            if isinstance(box, boxes.TextBox) and layout is not None:
                layout.reactivate(box.style)
                line, _ = layout.get_first_line()
                out.append(({k: v for k, v in layout.__dict__.items() if k not in ("style", "layout", "language")},
                            line_size(line, box.style)))
                layout.deactivate()
    return out


def test_justified_lines_text_layouts_are_the_engines():
    """Each text box of justified lines has the layout the engine makes it: the same attributes,
    and the same first line once reactivated for drawing; the short way made most of them."""
    made = []
    engine_create = fast_paths._ENGINE_CREATE_LAYOUT

    def counted(text, style, context, max_width, justification_spacing):
        made.append(max_width is None and style["text_decoration_line"] == "none")
        return fast_paths.justified_layout(text, style, context, max_width, justification_spacing)

    from weasyprint.layout import inline
    engine = Engine([STYLES])  # installs the fast paths: the count goes in after
    inline.create_layout = counted
    try:
        ours = _text_layouts(engine.layout(JUSTIFIED, STYLES.as_uri() + "/"))
    finally:
        inline.create_layout = fast_paths.justified_layout
    theirs = _text_layouts(engine_without(fast_paths, "install_fast_paths", JUSTIFIED))
    assert ours == theirs
    assert sum(made) > 100 and not all(made)  # the underlined paragraph took the engine's way
    assert any(attributes["text"] == " \u200b" for attributes, _ in ours)  # the lone space (given its
    # zero-width space when its line was broken, so the same rule in justified_layout is not reached here)
    assert engine_create is not fast_paths.justified_layout


def test_the_engine_makes_justified_layouts_only_in_add_word_spacing():
    """justified_layout stands in for inline.create_layout because add_word_spacing is its only
    caller there, and deactivates what it makes at once; an engine that calls it elsewhere fails here."""
    import inspect
    import re

    from weasyprint.layout import inline

    source = inspect.getsource(inline)
    callers = [name for name, body in re.findall(r"\ndef (\w+)(.*?)(?=\ndef |\Z)", source, re.S)
               if "create_layout(" in body]
    assert callers == ["add_word_spacing"]
    body = inspect.getsource(inline.add_word_spacing)
    assert body.index("layout.deactivate()") > body.index("create_layout(")
