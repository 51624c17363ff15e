"""A chapter's trial styled from an earlier layout of it: the styles of every element whose `data-fix`
tokens did not change are the earlier layout's own (an engine patch).

Each trial of a chapter's adjustments (adjust.py) differs from an earlier layout of the same chapter
only in the `data-fix` tokens of a few blocks and the rules those tokens have (resume.py calls what
they share the "skeleton"). The engine computes every element's style anew for each document: it
matches each element against every sheet, merges the declarations, and makes a ComputedStyle whose
values it works out lazily while it lays the page out. A ComputedStyle depends only on its parent's,
the declarations that apply and the document's base URL and fonts; the engine itself shares one
between elements with the same ones. So, when the trial has an earlier layout of the same skeleton
in view (resume.py keeps them), an element whose tokens are the same in both and none of whose
ancestors' tokens changed takes the earlier element's styles, for itself and its pseudo-elements,
with the values already worked out; the changed blocks and everything inside them are styled by the
engine's own code.

That holds while no selector makes an element's style depend on a `data-fix` outside it: a sibling
combinator (`+`, `~`) or `:has()` after or around a data-fix selector. The sheets of every document
styled this way are read for such selectors first (`shareable`), and a document that has one is
styled by the engine alone.

Isolated like resume.py: `install()` is the only way in, and only trials (resume.trials) are styled
this way; `BOOK_RESUME_CHECK=1` compares each trial styled so with a layout styled by the engine.

The same class styles every other document of a build too: when shared_styles.py has a store for
the layout, the elements a trial does not take, and every element of any other document, are
styled through it (`_cascade_shared`), their declarations cascaded only for the styles it makes.
"""

from __future__ import annotations

import re
import weakref
from xml.etree.ElementTree import Element

import weasyprint.css as css
from weasyprint.css import declaration_precedence, find_style_attributes, preprocess_declarations
from weasyprint.logger import PROGRESS_LOGGER

from . import resume, shared_styles

_ENGINE = css.StyleFor
"""The engine's own class."""

_RULE = re.compile(r"([^{}@;]+)\{")
_BRACKETS = re.compile(r"\[[^\]]*\]")
_LAST: list = []
_SHARED: list = []
STATS = {"shared": 0, "styled": 0}
"""Trials styled from an earlier layout, and their elements styled by the engine."""


def shareable(css_text: str) -> bool:
    """Whether no selector of a sheet lets an element's style depend on another element's data-fix."""
    for match in _RULE.finditer(css_text):
        selector = match.group(1)
        if ":has(" in selector:
            return False
        if "data-fix" in selector and re.search(r"[+~]", _BRACKETS.sub("", selector)):
            return False
    return True


class StyleFor(_ENGINE):
    """The engine's StyleFor; for a trial with an earlier layout of its skeleton in view, the styles
    of its unchanged elements taken from that layout's."""

    def __init__(self, html, sheets, presentational_hints, font_config, target_collector):
        earlier = _earlier(html) if not presentational_hints else None
        store = shared_styles.store(font_config, html.base_url) if not presentational_hints else None
        if earlier is None or not self._share(earlier, html, sheets, font_config, target_collector, store):
            if store is None:
                _ENGINE.__init__(self, html, sheets, presentational_hints, font_config, target_collector)
            else:
                pairs = [(wrapper, wrapper.etree_element) for wrapper in html.wrapper_element.iter_subtree()]
                self._cascade_shared(html, sheets, font_config, target_collector, pairs, {}, store)
        self._book_order = [wrapper.etree_element for wrapper in html.wrapper_element.iter_subtree()]
        _LAST[:] = [self]

    def _share(self, earlier, html, sheets, font_config, target_collector, store) -> bool:
        order = earlier.order
        wrappers = list(html.wrapper_element.iter_subtree())
        if len(wrappers) != len(order):
            return False
        changed = set()
        """Elements whose tokens, or an ancestor's, changed."""
        taken = {}
        """Element -> the earlier layout's styles for it and its pseudo-elements, where all are alive."""
        pairs = []
        for wrapper, old in zip(wrappers, order):
            element = wrapper.etree_element
            if element.tag != old.tag:
                return False
            parent = wrapper.parent.etree_element if wrapper.parent is not None else None
            if parent in changed or element.get("data-fix") != old.get("data-fix"):
                changed.add(element)
            else:
                styles = [(pseudo_type, ref()) for pseudo_type, ref in earlier.by_element.get(old, ())]
                if _takeable(styles):
                    taken[element] = [(pseudo_type, style) for pseudo_type, style in styles if style is not None]
            pairs.append((wrapper, element))
        # without a store of the build's, one of this document's own: its elements share styles as
        # the engine shares them, within the document only
        self._cascade_shared(html, sheets, font_config, target_collector, pairs, taken,
                             store if store is not None else shared_styles.Store())
        _SHARED[:] = [True]
        STATS["shared"] += 1
        STATS["styled"] += len(pairs) - len(taken)
        return True

    def _cascade_shared(self, html, sheets, font_config, target_collector, pairs, taken, store) -> None:
        """The engine's StyleFor.__init__ for the elements of pairs ((wrapper, element), in tree
        order), with a store (shared_styles.py): an element in taken gets the styles given there; any
        other element's and pseudo-element's style is taken from the store where it has one, and the
        engine's cascade of its declarations (its style attributes, then every rule it matches) is
        worked out only for those it makes."""
        PROGRESS_LOGGER.info("Step 3 - Applying CSS")
        self._cascaded_styles = cascaded_styles = {}
        self._computed_styles = computed_styles = {}
        self.initial_page_sizes = {"box": None, "area": None}
        self._sheets = sheets
        self.font_config = font_config
        root, base_url = html.etree_element, html.base_url
        for wrapper, element in pairs:
            if element in taken:
                _give(computed_styles, element, taken[element], target_collector)
                continue
            parent = wrapper.parent.etree_element if wrapper.parent is not None else None
            matched = []
            for sheet, origin, sheet_specificity in sheets:
                for specificity, _order, pseudo_type, (declarations, layer) in sheet.matcher.match(wrapper):
                    layer_order = float("inf") if layer is None else sheet.layers.index(layer)
                    matched.append((sheet, specificity, id(declarations), layer_order,
                                    declaration_precedence(origin, False), declaration_precedence(origin, True),
                                    sheet_specificity or specificity, pseudo_type, declarations))
            cascade = _Cascade(cascaded_styles, element, base_url, matched)
            store.element(self, element, parent, computed_styles[parent, None] if parent is not None else None,
                          tuple(entry[:4] for entry in matched), root, base_url, target_collector, cascade)
            for pseudo_type in dict.fromkeys(entry[7] for entry in matched if entry[7]):
                store.pseudo(self, element, pseudo_type, root, base_url, target_collector, cascade)
        self._cascaded_styles.clear()


def _give(computed_styles: dict, element, styles: list, target_collector) -> None:
    """An element's styles (pseudo type, style) taken from an earlier layout, as the engine gives
    those it makes (their anchors collected)."""
    for pseudo_type, style in styles:
        computed_styles[element, pseudo_type] = style
        if target_collector and style["anchor"]:
            target_collector.collect_anchor(style["anchor"])


class _Cascade:
    """The engine's cascade of one element's declarations, worked out when a style of it is to be
    made (shared_styles.Store calls it): its style attributes (find_style_attributes, for the element
    alone), then each rule it matches, in order, into the cascaded styles of the element and of each
    of its pseudo-elements."""

    __slots__ = ("cascaded", "element", "base_url", "matched", "done")

    def __init__(self, cascaded: dict, element, base_url, matched: list):
        self.cascaded, self.element, self.base_url, self.matched, self.done = cascaded, element, base_url, matched, False

    def __call__(self) -> None:
        if self.done:
            return
        self.done = True
        element, cascaded = self.element, self.cascaded
        alone = Element(element.tag, element.attrib)  # its own attributes, without its children
        for specificity, _, declarations, base_url in find_style_attributes(alone, False, self.base_url):
            style = cascaded.setdefault((element, None), {})
            for name, values, importance in preprocess_declarations(base_url, declarations):
                _merge(style, name, values, (declaration_precedence("author", importance), float("inf"), specificity))
        for _, _, _, layer_order, normal, important, specificity, pseudo_type, declarations in self.matched:
            style = cascaded.setdefault((element, pseudo_type), {})
            for name, values, importance in declarations:
                _merge(style, name, values, (important if importance else normal, layer_order, specificity))


def _merge(style: dict, name: str, values, weight: tuple) -> None:
    """The engine's rule: a declaration replaces one of lower or equal weight."""
    old_weight = style.get(name, (None, None))[1]
    if old_weight is None or old_weight <= weight:
        style[name] = values, weight


ON_DEMAND = frozenset({"marker", "footnote-call", "footnote-marker", "note-call", "note-marker", "note-callback"})
"""Pseudo-elements the engine makes only for a list item, a footnote or a running note: every element
has a style for them (from the engine's own sheet), which only those use."""


def _takeable(styles: list) -> bool:
    """Whether an element's earlier styles (pseudo type, style or None where it has gone) can be
    taken: its own is alive, and each style gone is one of a pseudo-element it never makes."""
    own = next((style for pseudo_type, style in styles if pseudo_type is None), None)
    if own is None:
        return False
    if all(style is not None for _, style in styles):
        return True
    needs = "list-item" in own["display"] or own["float"] == "footnote" or own["position"] not in ("static", "relative")
    return not needs and all(style is not None or pseudo_type in ON_DEMAND for pseudo_type, style in styles)


class Styles:
    """What a layout keeps of its styles for later trials to take (not the engine's StyleFor, which
    also holds every page's cascade and sheets): its elements in tree order, and each element's
    styles (for itself and its pseudo-elements), weakly: a style no box of the layout holds any
    more goes, and its element is styled by the engine in a trial (a first layout would otherwise
    keep some 500 styles a chapter alive from the first round to its trials)."""

    __slots__ = ("order", "by_element")

    def __init__(self, style_for: StyleFor):
        self.order = style_for._book_order
        by_element: dict = {}
        for (element, pseudo_type), style in style_for._computed_styles.items():
            if isinstance(element, Element):
                by_element.setdefault(element, []).append((pseudo_type, weakref.ref(style)))
        self.by_element = by_element


def _earlier(html) -> Styles | None:
    """The styles of the newest earlier layout of the document's skeleton, when the document is a
    trial (resume.trials) whose sheets allow it; else None."""
    if not resume.sharing():
        return None
    document = resume.newest()
    return getattr(document, "_book_styles", None)


def take() -> Styles | None:
    """What the layout that just ended keeps of its styles (paginate.Engine keeps it with the
    document while it may be resumed from)."""
    return Styles(_LAST.pop()) if _LAST else None


def shared() -> bool:
    """Whether the layout that just ended was styled from an earlier one (once)."""
    out = bool(_SHARED)
    _SHARED.clear()
    return out


def install() -> None:
    """Style trials from earlier layouts in every layout of this process."""
    css.StyleFor = StyleFor
