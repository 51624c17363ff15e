"""Three small functions of WeasyPrint 70's layout, each answering exactly as the engine's own,
with less work per call (an engine patch).

The engine calls them for every box, line and inline box, in every layout pass, and a build lays
out some hundred documents (each part alone, the galleys and trials of its adjustments, the front
matter, the index): on ALZHIR's one-process build, 300,000 calls of `is_in_normal_flow`, 62,000
of `strut` and 1.7 million generator steps of `descendants`. Each replacement below was measured
on its own in alternating one-process builds before it was kept.

- `Box.is_in_normal_flow` asks five questions (floated, absolutely positioned, running, a
  footnote, a note), each a method call that looks `float` or `position` up in the style again.
  Here each of the two values is read once, and the same five questions are asked of them.
- `strut(style)` (a style's line height and baseline) builds a string of fourteen font
  properties, the size and the line height, as its key into the font configuration's cache, at
  every call. The answer depends only on those values of the style and on that cache, which the
  engine never empties; a style's values do not change once worked out (the engine copies a style
  before it changes one, and a copy is a new object). So each style object keeps its answer.
  Styles are shared between elements and documents (shared_styles.py), so most calls find one.
- `Box.descendants` is a recursive generator: each box it yields passes up through one generator
  per ancestor. Here one loop walks the tree with a stack of its children's iterators, in the same
  order, reading each box's children when the engine's would (after the box itself is yielded).

Isolated like line_memo.py: `install()` is the only way in, and `uninstall()` (tests) or dropping
this module (and its call in paginate.py) restores the engine's behaviour;
tests/test_fast_paths.py lays documents out both ways and compares them box for box.
"""

from __future__ import annotations

import sys

from weasyprint.formatting_structure import boxes
from weasyprint.text import line_break

_ENGINE_STRUT = line_break.strut
"""The engine's own functions."""
_ENGINE_IN_FLOW = boxes.Box.is_in_normal_flow
_ENGINE_DESCENDANTS = boxes.Box.descendants

_OUT_OF_FLOW = frozenset(("left", "right", "inline-start", "inline-end", "footnote"))
"""The `float` values for which the engine's is_floated() or is_footnote() is true."""
_POSITIONED = ("absolute", "fixed")
"""The `position` values for which its is_absolutely_positioned() is true."""
_TAKEN_OUT = ("running()", "note()")
"""The functions of a `position` value for which its is_running() or is_note() is true."""


def is_in_normal_flow(self) -> bool:
    """Whether the box is in normal flow: not floated, absolutely positioned, running, a footnote or
    a note (the engine's questions, each value read once)."""
    style = self.style
    if style["float"] in _OUT_OF_FLOW:
        return False
    position = style["position"]
    return position not in _POSITIONED and position[0] not in _TAKEN_OUT


def strut(style):
    """The engine's strut(style), kept on the style object."""
    found = style.__dict__.get("_book_strut")
    if found is None:
        found = style.__dict__["_book_strut"] = _ENGINE_STRUT(style)
    return found


def descendants(self, placeholders=False):
    """The box, then its children and their descendants, depth first, as the engine's generator
    yields them."""
    yield self
    stack = [iter(self.children)]
    while stack:
        for child in stack[-1]:
            if isinstance(child, boxes.Box):
                yield child
                stack.append(iter(child.children))
                break
            if placeholders:  # a placeholder stands for its box: the engine asks it, and it asks its box
                yield from child.descendants(placeholders)
            else:
                yield child
        else:
            stack.pop()


def _strut_modules():
    """The engine's modules that call strut by the name they imported."""
    import weasyprint.css.computed_values  # noqa: F401  every module that imports it, so that each is found
    import weasyprint.css.units  # noqa: F401
    import weasyprint.layout  # noqa: F401

    return [module for name, module in list(sys.modules.items())
            if name.startswith("weasyprint.") and module is not None
            and getattr(module, "strut", None) in (_ENGINE_STRUT, strut)]


def install() -> None:
    """The three functions in every layout of this process."""
    boxes.Box.is_in_normal_flow = is_in_normal_flow
    boxes.Box.descendants = descendants
    for module in _strut_modules():
        module.strut = strut


def uninstall() -> None:
    """Back to the engine's own functions (for tests that compare the two)."""
    boxes.Box.is_in_normal_flow = _ENGINE_IN_FLOW
    boxes.Box.descendants = _ENGINE_DESCENDANTS
    for module in _strut_modules():
        module.strut = _ENGINE_STRUT
