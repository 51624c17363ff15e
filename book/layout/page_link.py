"""A footnote area's link to its page, held weakly (an engine patch).

The engine gives every page's footnote area a link back to its page box (`FootnoteAreaBox.page`, the
containing block it lays the notes out in), so every page box is in a reference cycle: page ->
footnote area -> page. A page dropped (a trial's, a galley's, a page the engine made and made
again, a released page once drawn) is then not freed when the last reference to it goes, with the
thousands of boxes, text layouts and styles under it, but only when Python's cyclic collector next
walks all the objects the build keeps (on ALZHIR's one-process build, 244,000 objects found dead
that way in its five full collections, 0.9-1.0 s of them).

Here the link is a weak reference: the area answers `page` with its page box while that box lives,
which is whenever the engine lays the area out (it holds the page box for the page it makes), and
the page box is freed by reference counting as soon as nothing uses it. A copy of an area (the engine
copies boxes by their `__dict__`) keeps the same link.

Isolated: `install()` is the only way in; `uninstall()` gives the engine its plain attribute back.
"""

from __future__ import annotations

import weakref

from weasyprint.formatting_structure.boxes import FootnoteAreaBox


def _page(area):
    link = area.__dict__.get("_book_page")
    return None if link is None else link()


def _set_page(area, page) -> None:
    area.__dict__["_book_page"] = None if page is None else weakref.ref(page)


def install() -> None:
    """Every footnote area made from now on links to its page weakly."""
    FootnoteAreaBox.page = property(_page, _set_page)


def uninstall() -> None:
    """The engine's own attribute (for tests)."""
    if isinstance(FootnoteAreaBox.__dict__.get("page"), property):
        del FootnoteAreaBox.page
