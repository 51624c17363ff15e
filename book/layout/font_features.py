"""WeasyPrint 70's Pango text layouts let go of their font-feature attributes (an engine patch).

Every text layout of the engine (`weasyprint.text.line_break.Layout.setup`) whose style asks for
OpenType features (book.css: `font-variant-numeric: oldstyle-nums` on the body, small caps, lining
figures in notes) makes a Pango attribute list holding a font-features attribute, hands it to the
layout and never lets go of its own reference: the list outlives the layout. The attribute itself
comes from a per-FontConfiguration cache (the same attribute in every list, so that no list may
ever free it); the fresh one made on every call, when the cache already holds one, is dropped
without being freed. About a hundred bytes of C memory are lost per text layout: 0.3–0.4 MB per
chapter laid out, so `book watch` grew by that much on every edit (issue 13, "flat memory").

Here each layout's list holds an attribute of its own, and the layout holds the only reference to
the list: both are freed with the layout. The text laid out is the same.

Isolated on purpose, as footnote_area.py is: `install()` is the only way in, and dropping this
module (and its one call in paginate.py) restores the engine's behaviour once upstream frees them.
"""

from __future__ import annotations

from weasyprint.text.ffi import ffi, pango
from weasyprint.text.line_break import Layout

_ENGINE = Layout.setup
"""The engine's own method."""


class Unshared(dict):
    """Stands in for `FontConfiguration.font_features`, the engine's cache of font-feature attributes:
    it never holds one, so each layout's attribute list owns the attribute made for it."""

    def setdefault(self, key, default=None):
        """The attribute just made for this layout (nothing is cached)."""
        return default


def setup(self, style) -> None:
    """The engine's setup of a text layout, then the attribute list it made owned by the layout alone."""
    font_config = style.font_config
    if not isinstance(font_config.font_features, Unshared):
        font_config.font_features = Unshared()  # attributes already cached stay in their (lost) lists
    _ENGINE(self, style)
    attributes = pango.pango_layout_get_attributes(self.layout)
    if attributes != ffi.NULL:  # only the font-features list is set here; the layout holds its own reference
        pango.pango_attr_list_unref(attributes)


def install() -> None:
    """Free each text layout's font-feature attributes with it, in every layout of this process."""
    Layout.setup = setup


def uninstall() -> None:
    """Back to the engine's own setup (for tests that compare the two)."""
    Layout.setup = _ENGINE
