"""Computed styles shared between the documents of one build (an engine patch).

A build lays out a hundred documents and more: each part of the body alone, its galleys (galley.py),
its trials (adjust.py), the front matter, the index, the folio sheets. The engine computes every
element's style anew for each document: it makes a ComputedStyle for it, whose values it then works
out lazily, one property at a time, as the layout asks for them. It already shares one ComputedStyle
between the elements of a document that have the same parent style, the same matched rules and the
same style attributes (`StyleFor.__init__`). On ALZHIR's one-process build the values so worked out
(`ComputedStyle.__missing__`) took about 2 s of 18, most of them worked out again for the same
kinds of element (a paragraph of the chapter, a name in it, a note call) in document after document.

Here that sharing goes on across the documents of a build. An element takes the style made for an
element of an earlier document, values already worked out, when what its style is made from is the
same:

- the rules it matches, as the engine keys them (each sheet with the specificity and declaration
  block of each rule matched): the same objects across documents, as every sheet is parsed once a
  build (paginate.py's `_linked_sheet`, for `<style>` elements too);
- its style attributes, read from the element: `style`, `lang`, and its anchor (`id`, an `a`'s
  `name`);
- its parent's style, up to the anchor: the anchor is not inherited, so a chapter's paragraph has
  the same style under `<section id="ch-02">` as under `<section id="ch-03">`. Each style made
  here carries a token for what it is made from without its anchor (`_book_token`), and its
  children are keyed by that token;
- the base URL, the font configuration, and no viewport unit in any sheet (`plain`): a style's
  `vw` or `vh` is worked out from the page size of the document that made it.

An element with an anchor (a note, a name, a heading: an `id`) has a style of its own, since the
anchor is part of its key; made like an earlier one but for the anchor (its twin), it takes every
value but its anchor from that one, worked out once for all of them (`_Twinned`).

A pseudo-element's style is keyed by its element's token and its type. An element's declarations
are cascaded only when a style of it is to be made (restyle._Cascade): nine in ten are taken. A
page's styles, and its margin boxes', which the engine makes anew for every page, are taken from
an earlier page that the same @page selectors of the same sheets match under the same root style
(`set_page_type_computed_styles`, which `install()` puts in the engine's place). The engine changes a few
styles in place while it builds boxes (a footnote's display, a list marker's or a leader's
white-space), each time to the same value, so a shared style ends as it would alone. A table's
style it copies before it moves its margins to the table's wrapper.

Isolated like restyle.py, whose StyleFor calls `Store.element` and `Store.pseudo`: `crossing()`
(from paginate.py's Engine) turns sharing on for one layout; without it, the engine's own styling
(a trial is then styled through a Store of its own document, which shares within it as the engine
does), and `uninstall()` puts the engine's page styling back.
tests/test_shared_styles.py lays documents out with and without it and compares every box.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

import weasyprint.css as css
import weasyprint.layout.page as page

_ENGINE_PAGE = page.set_page_type_computed_styles
"""The engine's own page styling."""

_matches = css.StyleFor._page_type_match
"""The engine's test of an @page selector against a page."""

LIMIT = 100_000
"""Styles kept at most per font configuration and base URL; the store starts afresh when it is full
(ALZHIR's one-process build keeps some 3,000)."""

_VIEWPORT = re.compile(r"\d(?:[a-z]*v(?:w|h|i|b|min|max))\b", re.I)

_CROSSING: ContextVar[bool] = ContextVar("book_crossing", default=False)

STATS = {"made": 0, "taken": 0}
"""Styles made by the engine and styles taken from an earlier document, since the process started."""


def plain(css_text: str) -> bool:
    """Whether a sheet has no viewport unit (vw, vh and the like), whose value depends on the page
    size of the document that works it out."""
    return not _VIEWPORT.search(css_text)


@contextmanager
def crossing(on: bool) -> Iterator[None]:
    """Around one layout (paginate.Engine.layout): whether its elements may take styles made for
    earlier documents (its sheets are all plain)."""
    token = _CROSSING.set(on)
    try:
        yield
    finally:
        _CROSSING.reset(token)


_counter = [0]
"""The last token given: tokens are never given twice in a process, so a style keeps its meaning
after the store it was made for is let go."""


class Store:
    """The styles made for the documents of one font configuration and base URL."""

    __slots__ = ("styles", "tokens", "twins")

    def __init__(self):
        self.styles: dict = {}
        """(parent token, attributes, rules, anchor) or (element token, pseudo type) -> style."""
        self.tokens: dict = {}
        """(parent token, attributes, rules) -> token."""
        self.twins: dict = {}
        """(parent token, attributes, rules) -> the first style made from them, whatever its anchor."""

    def element(self, style_for, element, parent, parent_style, rules: tuple, root, base_url,
                target_collector, cascade) -> None:
        """Style element (its rules matched: rules, the engine's selector keys) into style_for's
        computed styles, with a style made before if there is one; cascade() works out its
        declarations when a style is to be made."""
        token = None if parent_style is None else getattr(parent_style, "_book_token", None)
        if parent_style is not None and token is None or element.tag.startswith("{"):
            cascade()
            style_for.set_computed_styles(element, root=root, parent=parent, base_url=base_url,
                                          target_collector=target_collector)
            return
        attributes = (element.get("style"), element.get("lang"))
        anchor = (element.get("id"), element.get("name") if element.tag == "a" else None)
        made = (token, attributes, rules)
        key = made + (anchor,)
        style = self.styles.get(key)
        if style is None:
            cascade()
            style_for.set_computed_styles(element, root=root, parent=parent, base_url=base_url,
                                          target_collector=target_collector)
            style = style_for._computed_styles[element, None]
            style._book_token = self._token(made)
            twin = self.twins.get(made)
            if twin is None:
                self.twins[made] = style
            elif type(style) is css.ComputedStyle and type(twin) is css.ComputedStyle:
                style.__class__ = _Twinned  # its values but its anchor are its twin's
                style._book_twin = twin
            self._keep(key, style)
            STATS["made"] += 1
            return
        _take(style_for, (element, None), style, target_collector)

    def pseudo(self, style_for, element, pseudo_type: str, root, base_url, target_collector, cascade) -> None:
        """Style one pseudo-element of element (styled before it) into style_for's computed styles;
        cascade() as for element."""
        token = getattr(style_for._computed_styles[element, None], "_book_token", None)
        key = (token, pseudo_type)
        style = self.styles.get(key) if token is not None else None
        if style is None:
            cascade()
            style_for.set_computed_styles(element, pseudo_type=pseudo_type, root=root, parent=element,
                                          base_url=base_url, target_collector=target_collector)
            if token is not None:
                self._keep(key, style_for._computed_styles[element, pseudo_type])
            STATS["made"] += 1
            return
        _take(style_for, (element, pseudo_type), style, target_collector)

    def _token(self, made: tuple) -> int:
        token = self.tokens.get(made)
        if token is None:
            _counter[0] += 1
            token = self.tokens[made] = _counter[0]
        return token

    def _keep(self, key: tuple, style) -> None:
        if len(self.styles) >= LIMIT:
            self.styles.clear()
            self.tokens.clear()
            self.twins.clear()
        self.styles[key] = style


OWN = frozenset({"anchor", "page"})
"""What a twinned style works out for itself: its anchor, and `page`, which the engine works out
from the parent at every asking (it keeps no value for `auto`)."""

SPECIFIED = ("position", "float", "display")
"""The properties whose specified values the engine keeps beside the computed ones (other
properties' computed values are worked out from them)."""


class _Twinned(css.ComputedStyle):
    """The style of an element with an anchor (an `id`) made like an earlier one (its twin: the same
    parent token, style attributes and rules), but for the anchor: every element with an id would
    otherwise have each of its values worked out anew, as its style is its own (on ALZHIR, 7,800
    styles, 230,000 values; their anonymous boxes' styles as many again). It asks its twin for every
    value but OWN, once (the twin works it out if it has not yet), and keeps the answer; its anonymous
    boxes take the twin's anonymous style, whose values are all inherited or initial, and the anchor
    is neither."""

    def __missing__(self, key):
        if key in OWN:
            return css.ComputedStyle.__missing__(self, key)
        twin = self._book_twin
        value = self[key] = twin[key]
        if key in SPECIFIED and key in twin.specified:
            self.specified[key] = twin.specified[key]
        return value

    @property
    def anonymous_style(self):
        return self._book_twin.anonymous_style


def set_page_type_computed_styles(page_type, html, style_for) -> None:
    """The engine's `set_page_type_computed_styles` (the styles of a page and of its margin boxes,
    worked out anew for each page), the styles taken from an earlier page that the same @page
    selectors of the same sheets match (`:left`, `:first`, `:nth(1 of chapter)` and so on), under the
    same root style."""
    found = store(style_for.font_config, html.base_url)
    root = style_for._computed_styles.get((html.etree_element, None))
    if found is None or root is None:
        return _ENGINE_PAGE(page_type, html, style_for)
    sheets = tuple(sheet for sheet, _, _ in style_for._sheets)
    matched = tuple((i, j, k) for i, sheet in enumerate(sheets)
                    for j, (_rule, selectors, _declarations) in enumerate(sheet.page_rules)
                    for k, selector in enumerate(selectors) if _matches(selector[2], page_type))
    key = ("@page", id(root), tuple(map(id, sheets)), matched)
    kept = found.styles.get(key)
    if kept is not None and kept[0] is root and all(a is b for a, b in zip(kept[1], sheets)):
        for pseudo_type, style in kept[2]:
            style_for._computed_styles[page_type, pseudo_type] = style
        STATS["taken"] += len(kept[2])
        return None
    _ENGINE_PAGE(page_type, html, style_for)
    pseudo = [kind for element, kind in style_for.get_cascaded_styles() if kind and element == page_type]
    styles = tuple((kind, style_for._computed_styles[page_type, kind]) for kind in [None, *pseudo])
    found._keep(key, (root, sheets, styles))  # the root and sheets kept alive: their ids stay theirs
    STATS["made"] += len(styles)
    return None


def _take(style_for, key: tuple, style, target_collector) -> None:
    """Give an element (or pseudo-element: key) of style_for a style made before, as the engine
    gives one it makes (its anchor collected)."""
    style_for._computed_styles[key] = style
    STATS["taken"] += 1
    if target_collector and style["anchor"]:
        target_collector.collect_anchor(style["anchor"])


def store(font_config, base_url: str) -> Store | None:
    """The store of the layout running now (None: it is styled by the engine alone)."""
    if not _CROSSING.get():
        return None
    stores = font_config.__dict__.setdefault("_book_style_stores", {})
    found = stores.get(base_url)
    if found is None:
        found = stores[base_url] = Store()
    return found


def forget(font_config) -> None:
    """Let go of the styles kept for the font configuration (a build's layouts are over)."""
    font_config.__dict__.pop("_book_style_stores", None)


def install() -> None:
    """Share page styles too in every layout of this process (element styles: restyle.py)."""
    page.set_page_type_computed_styles = set_page_type_computed_styles


def uninstall() -> None:
    """Back to the engine's own page styling (for tests)."""
    page.set_page_type_computed_styles = _ENGINE_PAGE
