"""book/layout/shared_styles.py: the documents of a build share their elements' computed styles, and
every layout comes out box for box as the engine's own."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from conftest import BOOKS, build_fixture, noted_paragraphs

from book.layout import shared_styles
from book.layout.paginate import Engine
from book.paths import STYLES

WORDS = ("camp steppe letter winter station archive mother wagon barrack order remembrance "
         "administration correspondence").split()


def _html(section: str, seed: int, extra_style: str = "", page: str = "A5") -> str:
    """A chapter as the book makes them: a section with an id, a heading with an id and an
    emphasis (which inherits the heading's size and weight), paragraphs with notes, a quotation
    whose paragraphs and emphases inherit a smaller size, a list, a table and contents-like links
    with leaders; the html element has a lang."""
    rng = random.Random(seed)
    paragraphs = noted_paragraphs(rng, 8, WORDS, 50, 2, spaced=(3,))
    rows = "".join(f"<tr><td>{rng.choice(WORDS)}</td><td class='num'>{i}</td></tr>" for i in range(6))
    return (f'<html lang="en"><head><link rel="stylesheet" href="{(STYLES / "book.css").as_uri()}">'
            f"<style>@page {{ size: {page} }} {extra_style}</style></head><body>"
            f"<section class='chapter' id='{section}'><h2 id='{section}-h'>The <em>first</em> convoy</h2>"
            f"{paragraphs[:len(paragraphs) // 2]}"
            f"<blockquote><p>They came at <em>night</em>.</p><p>{' '.join(WORDS)}</p></blockquote>"
            f"<ul><li>{rng.choice(WORDS)}</li><li>{rng.choice(WORDS)} <em>{rng.choice(WORDS)}</em></li></ul>"
            f"<p>Before the table.</p><table class='data'><tr><th>Name</th><th>Count</th></tr>{rows}</table>"
            f"{paragraphs[len(paragraphs) // 2:]}"
            f"<nav class='contents'><a href='#{section}-h' data-page='12'>The first convoy</a></nav>"
            f"</section></body></html>")


def _boxes(box, out=None):
    """Every box of a page as (type, x, y, width, height, text), in tree order."""
    out = [] if out is None else out
    out.append((type(box).__name__, box.element_tag, round(box.position_x, 3), round(box.position_y, 3),
                round(box.width or 0, 3), round(box.height or 0, 3), getattr(box, "text", None)))
    for child in getattr(box, "children", ()):
        _boxes(child, out)
    return out


def _pages(document):
    return [(_boxes(page._page_box), sorted(page.anchors), [link[:2] for link in page.links])
            for page in document.pages]


def _engine_only(html: str, monkeypatch):
    """The layout with every element styled by the engine alone."""
    with monkeypatch.context() as patch:
        patch.setattr(Engine, "plain", lambda self, html: False)
        return _pages(Engine([STYLES]).layout(html, STYLES.as_uri() + "/"))


DOCUMENTS = [
    _html("ch-1", 1),
    _html("ch-2", 2),  # the same kinds of element under another section id
    _html("ch-1", 3),  # the first section's ids again, other text
    _html("ch-3", 4, "[data-galley] { break-before: auto !important }", page="148mm 3000mm"),  # a galley's tall page
]


def test_documents_sharing_styles_lay_out_as_the_engine_does(monkeypatch):
    """Four documents laid out one after the other in one engine: the later ones take most of their
    styles from the earlier ones, and each is box for box, anchor for anchor, what the engine lays
    out with its own styles."""
    engine = Engine([STYLES])
    for number, html in enumerate(DOCUMENTS):
        before = dict(shared_styles.STATS)
        laid = _pages(engine.layout(html, STYLES.as_uri() + "/"))
        taken = shared_styles.STATS["taken"] - before["taken"]
        made = shared_styles.STATS["made"] - before["made"]
        if number:
            assert taken > 4 * made, (taken, made)
        assert laid == _engine_only(html, monkeypatch), number
    assert any("ch-3-h" in page[1] for page in laid)  # the last has its own ids


def test_a_style_taken_under_another_parent_is_found_out(monkeypatch):
    """Keying children by one token whatever their parent's style gives the heading's emphasis the
    size of a paragraph's (or the other way round): the comparison fails, so it is not vacuous."""
    monkeypatch.setattr(shared_styles.Store, "_token", lambda self, made: 1)
    engine = Engine([STYLES])
    for html in DOCUMENTS[:2]:
        laid = _pages(engine.layout(html, STYLES.as_uri() + "/"))
    assert laid != _engine_only(DOCUMENTS[1], monkeypatch)


def test_an_anchor_is_never_shared(monkeypatch):
    """Two sections with other ids: each document's anchors are its own ids, though the styles of
    everything inside them are shared."""
    engine = Engine([STYLES])
    first = engine.layout(DOCUMENTS[0], STYLES.as_uri() + "/")
    second = engine.layout(DOCUMENTS[1], STYLES.as_uri() + "/")
    assert "ch-1" in first.pages[0].anchors and "ch-2" in second.pages[0].anchors
    assert not any(name.startswith("ch-1") for page in second.pages for name in page.anchors)


def test_sheets_with_a_viewport_unit_are_not_shared():
    """A vw or vh is worked out from the page size of the document that works it out, so a document
    with one is styled by the engine alone; the engine's own sheets and ours have none."""
    from weasyprint import css

    assert not shared_styles.plain("p { width: 50vw }")
    assert not shared_styles.plain("p { margin-top: 2.5svh }")
    assert shared_styles.plain("p { width: 50% } .vw { color: red } /* view */")
    for sheet in Path(css.__file__).parent.glob("*.css"):
        assert shared_styles.plain(sheet.read_text(encoding="utf-8")), sheet
    for sheet in STYLES.glob("*.css"):
        assert shared_styles.plain(sheet.read_text(encoding="utf-8")), sheet
    engine = Engine([STYLES])
    assert engine.plain(DOCUMENTS[0])
    assert not engine.plain(_html("ch-1", 1, "p { min-height: 1vh }"))


def test_a_style_sheet_in_the_document_is_parsed_once(monkeypatch):
    """A <style> element with the same text in two documents is one sheet (so their elements'
    rules are the same and their styles can be shared)."""
    from book.layout import paginate

    parsed = []
    real = paginate.CSS

    def parse(*args, **kwargs):
        parsed.append(kwargs.get("string"))
        return real(*args, **kwargs)
    monkeypatch.setattr(paginate, "CSS", parse)
    engine = Engine([STYLES])
    engine.layout(DOCUMENTS[0], STYLES.as_uri() + "/")
    engine.layout(DOCUMENTS[1], STYLES.as_uri() + "/")
    assert parsed.count("@page { size: A5 } ") == 1


@pytest.mark.parametrize("name", ["typography"])
def test_a_book_with_shared_styles_is_the_engines(name, tmp_path, monkeypatch):
    """A fixture book whose chapters are adjusted (galleys, trials, the front matter, the index) comes
    out page for page as when every document is styled by the engine alone."""
    from book.preflight.changes import compare, page_signatures

    before = shared_styles.STATS["taken"]
    shared = build_fixture(BOOKS / name, tmp_path / "shared", jobs=1, preflight=False).outputs[0]
    assert shared_styles.STATS["taken"] > before
    monkeypatch.setattr(Engine, "plain", lambda self, html: False)
    alone = build_fixture(BOOKS / name, tmp_path / "alone", jobs=1, preflight=False).outputs[0]
    assert compare(page_signatures(alone), page_signatures(shared)) == []


def test_pages_share_their_styles_by_the_selectors_that_match_them(monkeypatch):
    """A page's styles (and its margin boxes') are taken from an earlier page that the same @page
    selectors match: the chapter's opening page (`:nth(1 of chapter)`, no running head), its left and
    right pages and its blank verso each come out as the engine makes them. Taking them whatever
    selectors match gives every page the first one's: the comparison fails."""
    engine = Engine([STYLES])
    before = shared_styles.STATS["taken"]
    laid = engine.layout(DOCUMENTS[0], STYLES.as_uri() + "/")
    kinds = {(page._page_box.page_type.side, page._page_box.page_type.blank) for page in laid.pages}
    assert {("left", False), ("right", False)} <= kinds and len(laid.pages) >= 4
    assert _pages(laid) == _engine_only(DOCUMENTS[0], monkeypatch)
    assert shared_styles.STATS["taken"] - before > 19 * (len(laid.pages) - 4)  # pages after the first of each kind
    monkeypatch.setattr(shared_styles, "_matches", lambda selector, page_type: True)
    assert _pages(Engine([STYLES]).layout(DOCUMENTS[0], STYLES.as_uri() + "/")) != \
        _engine_only(DOCUMENTS[0], monkeypatch)


def test_a_styled_element_with_an_id_answers_as_its_own_style_would():
    """An element with an id, made like an earlier one but for the id, asks that one (its twin) for
    its values (shared_styles._Twinned): every property of every such style, and of its anonymous
    boxes' style, is what a style worked out for the element alone gives, its anchor included."""
    from weasyprint.css import ComputedStyle
    from weasyprint.css.properties import INITIAL_VALUES

    engine = Engine([STYLES])
    for html in DOCUMENTS[:3]:
        engine.layout(html, STYLES.as_uri() + "/")
    twinned = {id(style): style for store in engine.fonts.__dict__["_book_style_stores"].values()
               for style in store.styles.values() if type(style) is shared_styles._Twinned}
    assert len(twinned) >= 8  # notes, a heading and a section, made like those of an earlier document
    assert len({style["anchor"] for style in twinned.values()}) == len(twinned)
    for style in twinned.values():
        alone = ComputedStyle(style.parent_style, style.cascaded, style.pseudo_type, style.root_style,
                              style.base_url, style.font_config, style.initial_page_sizes)
        asked = 0
        for name in INITIAL_VALUES:
            try:
                value, anonymous = alone[name], alone.anonymous_style[name]
            except KeyError:  # a logical property (border-block-start-width...): asked through its physical one
                continue
            assert style[name] == value, (style["anchor"], name)
            assert style.anonymous_style[name] == anonymous, (style["anchor"], name)
            asked += 1
        assert asked > 150
