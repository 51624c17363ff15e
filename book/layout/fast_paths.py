"""Six small functions of WeasyPrint 70's layout, each doing exactly what the engine's own does,
with less work per call (an engine patch).

The engine calls them for every box, line and inline box, in every layout pass, and a build lays
out some hundred documents (each part alone, the galleys and trials of its adjustments, the front
matter, the index): on ALZHIR's one-process build, 300,000 calls of `is_in_normal_flow`, 62,000
of `strut`, 1.7 million generator steps of `descendants`, 41,000 calls of `avoid_collisions`,
53,000 of `layout_box_backgrounds` and 9,600 text layouts made for justified lines. Each
replacement was measured in alternating one-process builds before it was kept.

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
- `avoid_collisions` places a line or a block beside the floats of its formatting context. When
  there is none (the book floats nothing but its notes, which are not in the context's shapes)
  and the text runs left to right, what it returns is the containing block's left edge and width,
  less the box's own margins for an inner box: that is worked out directly, without the lists of
  bounds and the engine's checks of what kind of box may be placed. Otherwise the engine's own.
- `layout_box_backgrounds` resolves each box's corner radii and lays out its background, for
  every box of every page. For a box whose style has square corners, no border or mask image,
  no background image, a transparent background colour, no shadow and is not hidden, all it does
  is set the four radii to zero and the background to none (and go on to the children): a style
  keeps whether it is such a style. A page, or any other style, takes the engine's own way.
- A justified line's text boxes (inline.add_word_spacing) each get a new text layout with the
  line's extra word spacing, made by `create_layout` with Pango (a context, a font description,
  the text set and shaped) and at once deactivated: Pango's objects are let go, and what stays is
  the text and a few numbers, from which drawing makes the Pango layout again
  (`Layout.reactivate`). Here that text layout is made without Pango, with the same attributes
  and the same text (cut after a line break, and a lone space given a zero-width space after it
  when the style has word spacing, as `Layout.set_text` does). A style with a text decoration,
  whose layout keeps font metrics from Pango, takes the engine's way.

Isolated like line_memo.py: `install()` is the only way in, and `uninstall()` (tests) or dropping
this module (and its call in paginate.py) restores the engine's behaviour;
tests/test_fast_paths.py lays documents out both ways and compares them box for box.
"""

from __future__ import annotations

import weasyprint.layout.background as background
import weasyprint.layout.float as floats
import weasyprint.layout.inline as inline
from weasyprint.draw.color import get_color
from weasyprint.formatting_structure import boxes
from weasyprint.text import line_break
from weasyprint.text.line_break import Layout

from .rebind import rebind

_ENGINE_STRUT = line_break.strut
"""The engine's own functions."""
_ENGINE_IN_FLOW = boxes.Box.is_in_normal_flow
_ENGINE_DESCENDANTS = boxes.Box.descendants
_ENGINE_COLLISIONS = floats.avoid_collisions
_ENGINE_BACKGROUNDS = background.layout_box_backgrounds
_ENGINE_CREATE_LAYOUT = inline.create_layout

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


def avoid_collisions(context, box, containing_block, outer=True):
    """The engine's avoid_collisions: (x, y, available width) of a box in its containing block."""
    if context.excluded_shapes or containing_block.style["direction"] != "ltr":
        return _ENGINE_COLLISIONS(context, box, containing_block, outer)
    position_y = box.position_y if outer else box.border_box_y()
    if box.border_height() == 0 and box.is_floated():
        return 0, position_y, containing_block.width
    left = containing_block.content_box_x()
    right = left + containing_block.width
    if outer:
        return left, position_y, right - left
    return left, position_y - box.margin_top, right - box.margin_right - left - box.margin_left


_CORNERS = ("border_top_left_radius", "border_top_right_radius", "border_bottom_right_radius",
            "border_bottom_left_radius")


def _plain(style) -> bool:
    """Whether boxes of the style have square corners and nothing to paint behind or around them
    (worked out once per style)."""
    found = style.__dict__.get("_book_plain_background")
    if found is None:
        found = style.__dict__["_book_plain_background"] = (
            all((0, "px") in style[corner] for corner in _CORNERS)
            and style["border_image_source"][0] == "none" and style["mask_border_source"][0] == "none"
            and style["visibility"] != "hidden"
            and all(type_ != "url" and not value for type_, value in style["background_image"])
            and get_color(style, "background_color").alpha == 0 and not style["box_shadow"])
    return found


def layout_box_backgrounds(page, box, get_image_from_uri, layout_children=True, style=None):
    """The engine's layout_box_backgrounds: the box's corner radii and background (and its
    children's)."""
    if style is not None or box is page or not _plain(box.style):
        return _ENGINE_BACKGROUNDS(page, box, get_image_from_uri, layout_children, style)
    box.border_top_left_radius = box.border_top_right_radius = (0, 0)
    box.border_bottom_right_radius = box.border_bottom_left_radius = (0, 0)
    if layout_children:
        for child in box.all_children():
            layout_box_backgrounds(page, child, get_image_from_uri)
    box.background = None
    return None


def justified_layout(text, style, context, max_width, justification_spacing):
    """inline.create_layout, which the engine calls only from add_word_spacing, to make a text box's
    layout with its line's justification spacing, deactivated at once: its attributes, without Pango."""
    if max_width is not None or style["text_decoration_line"] != "none":
        return _ENGINE_CREATE_LAYOUT(text, style, context, max_width, justification_spacing)
    layout = Layout.__new__(Layout)  # the attributes in the order the engine's __init__, setup and set_text set them
    layout.justification_spacing = justification_spacing
    layout.style = style
    layout.first_line_direction = 0
    layout.language = None
    layout.layout = None
    layout.ascent = layout.underline_position = layout.strikethrough_position = None
    layout.max_width = None
    index = text.find("\n")
    if index != -1:
        text = text[:index + 2]
    if text == " " and style["word_spacing"]:
        text = " \u200b"
    layout.text = text
    return layout


_BY_NAME = {"strut": (_ENGINE_STRUT, strut), "avoid_collisions": (_ENGINE_COLLISIONS, avoid_collisions),
            "layout_box_backgrounds": (_ENGINE_BACKGROUNDS, layout_box_backgrounds)}
"""The functions the engine's modules call by the name they imported: (the engine's, ours)
(rebind.py sets them in each)."""


def install() -> None:
    """The six functions in every layout of this process."""
    boxes.Box.is_in_normal_flow = is_in_normal_flow
    boxes.Box.descendants = descendants
    inline.create_layout = justified_layout  # inline.py calls it only from add_word_spacing
    for name, (engine, ours) in _BY_NAME.items():
        rebind(name, ours, engine)


def uninstall() -> None:
    """Back to the engine's own functions (for tests that compare the two)."""
    boxes.Box.is_in_normal_flow = _ENGINE_IN_FLOW
    boxes.Box.descendants = _ENGINE_DESCENDANTS
    inline.create_layout = _ENGINE_CREATE_LAYOUT
    for name, (engine, ours) in _BY_NAME.items():
        rebind(name, engine, ours)
