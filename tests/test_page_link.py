"""book/layout/page_link.py: a footnote area links to its page weakly, so a page dropped is freed at
once, and documents lay out box for box as with the engine's own link."""

from __future__ import annotations

import gc
import weakref

from conftest import engine_without
from test_fast_paths import OUT_OF_FLOW
from test_shared_styles import DOCUMENTS, _pages
from weasyprint.formatting_structure.boxes import FootnoteAreaBox

from book.layout import page_link, paginate
from book.layout.paginate import Engine
from book.paths import STYLES


def _dropped_pages_alive(engine) -> int:
    """Lay a document with notes out, drop it with the cyclic collector off: how many of its page
    boxes are still alive."""
    document = engine.layout(DOCUMENTS[0], STYLES.as_uri() + "/")
    links = [(area.page, page._page_box) for page in document.pages for area in page._page_box.children
             if isinstance(area, FootnoteAreaBox)]
    assert links and all(linked is box for linked, box in links)  # each area's page is its own
    pages = [weakref.ref(page._page_box) for page in document.pages]
    del document, links
    return sum(ref() is not None for ref in pages)


def test_a_dropped_page_is_freed_without_the_cyclic_collector():
    """With the weak link, no page box of a dropped document outlives it; with the engine's own
    link, every page with a footnote area waits for the cyclic collector."""
    was = gc.isenabled()
    gc.disable()
    try:
        assert _dropped_pages_alive(Engine([STYLES])) == 0
        page_link.uninstall()
        install = paginate.install_page_link
        paginate.install_page_link = lambda: None  # an engine that does not install it again
        try:
            assert _dropped_pages_alive(Engine([STYLES])) > 0
        finally:
            paginate.install_page_link = install
            page_link.install()
    finally:
        if was:
            gc.enable()
        gc.collect()


def test_documents_lay_out_as_with_the_engines_link():
    """The shared-styles documents (notes on most pages, a galley's tall page) and one with a float,
    an absolute box and a running element: box for box, anchor for anchor, the engine's."""
    engine = Engine([STYLES])
    for html in (*DOCUMENTS, OUT_OF_FLOW):
        assert _pages(engine.layout(html, STYLES.as_uri() + "/")) == \
            _pages(engine_without(page_link, "install_page_link", html))
