"""A chapter laid out alone -> its pages that end short, and the adjustments that may fill them.

A page of a chapter, but its last, should end within one line of full depth (notes included). The
engine ends a page early when the next block cannot start there: a paragraph whose `orphans` lines
(with their notes) do not fit, a heading kept with the lines after it, a table row or a figure that
does not fit. What can be tried, from the laid-out boxes (adjust.py tries them):
- paragraphs that lie wholly on the short page set one line longer (LENGTHEN) or one line shorter
  (SHORTEN), those whose last line makes it likely (`spacings_worth_trying`), the shorter ones as
  many as it takes for the next page's first lines to come back (`deficit`);
- widows and orphans relaxed (data-fix `loose`, book.css) on the block that holds the next page's
  first line, when that line could come back (`next_line_fits`);
- the table row pushed to the next page let break across the pages (`split`);
- last, when nothing of that fills the page, vertical justification in whole lines (`fill`): the
  room left is shared out as blank lines between the page's blocks, above its headings first, then
  around quotations, lists, tables and figures, then between paragraphs, so that every line stays on
  the baseline grid and facing pages still align. The build names those pages (report_filled) so that
  an editor can reword near the break instead. Since the blank lines fit in the room the page
  leaves, no line changes page: `justify` moves the boxes down on a copy of the page instead of
  laying the chapter out again (tests/test_house_typography.py shows it places every line where a
  layout with the pads' CSS, `fill_rules`, does).
`shortness` counts the short pages and sums how many lines short they end beyond the one allowed;
adjust.py keeps an adjustment that lowers it without moving a note off its call's page.
"""

from __future__ import annotations

import math
import re
import statistics
import weakref

from .measure import PX_TO_PT, body_lines, page_gaps
from .repair import Blocks

ALLOWED = 1.0
"""A page may end this many lines short of full depth."""

RELAX = "loose"
"""The data-fix token that relaxes widows and orphans to 1 (styled in book.css)."""

RELAX_OVER = 2.0
"""Widows and orphans are relaxed only on a page that ends more than this many lines short: a widow
or an orphan is worse than the one blank line that fills a page less short (`fill`), and each trial
is a layout of the chapter (on issue 17's corpus, 23 of 33 such trials were not kept)."""

LENGTHEN = ("wide", "wider")
"""The spacings (layout/tighten.py) that may set a paragraph one line longer to fill a short page."""

SHORTEN = ("tight", "tighter", "tightest")
"""The spacings that may set a paragraph one line shorter, to make room for the next page's first lines."""

GROWTH = {"wide": 0.02, "wider": 0.04, "tight": -0.013, "tighter": -0.033, "tightest": -0.057}
"""About how much longer (or shorter) a line's text sets with each spacing: letter spacing of .01em on
characters about half an em wide; word spacing of -.04em on a space in six characters."""

SLACK = 2.0
"""Lines break greedily, so a paragraph may gain or lose a line a little outside the estimate."""


def spacings_worth_trying(texts: list[str]) -> tuple[str, ...]:
    """Of LENGTHEN and SHORTEN, the spacings that may make a paragraph (the texts of its lines) one
    line longer or shorter, from how full its last line is: a paragraph whose last line is half full
    gains or loses no line from a spacing that changes its length by a few per cent."""
    if len(texts) < 2:
        return ()
    full = statistics.median(len(t) for t in texts[:-1]) or 1
    fill, n = len(texts[-1]) / full, len(texts)
    out = [name for name in LENGTHEN if fill >= 1 - SLACK * n * GROWTH[name]]
    out += [name for name in SHORTEN if fill <= -SLACK * (n - 1) * GROWTH[name]]
    return tuple(out)


SPLIT = "split"
"""The data-fix token that lets a table row break across pages (styled in book.css)."""


_MEASURED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
"""Document -> (its line pitch in pt, its gaps): a chapter's adjustments ask how short the pages of
one layout end many times (each trial is compared with the best so far), and a layout's pages are
never changed (`justify` moves boxes on copies, a new Document). Its lines are not kept: they would
hold some megabytes while the layouts live."""


def _measured(document) -> tuple[float, dict[int, float], int]:
    """(pitch_pt, gaps, runts) of a document, measured once."""
    known = _MEASURED.get(document)
    if known is None:
        lines = body_lines(document.pages)
        pitch, found = 0.0, {}
        if lines:
            height = statistics.median(line.height for line in lines) * PX_TO_PT
            pitch = round(height, 2)
            last = max(line.page for line in lines)
            found = {page: gap / height for page, gap in page_gaps(document.pages, lines).items() if page < last}
        known = _MEASURED[document] = (pitch, found, _runts(lines))
    return known


RUNT = 1 / 3
"""A paragraph's last line that opens a page alone is a runt when it is shorter than this share of a
full line (a word or two: "either." alone at the head of a page)."""


def _runts(lines) -> int:
    """The paragraphs whose last line opens a page alone and is a runt (measured against the
    chapter's justified lines)."""
    full = [len(line.text) for line in lines if line.justified]
    if not full:
        return 0
    limit = RUNT * statistics.median(full)
    return sum(1 for before, line, after in zip(lines, lines[1:], lines[2:] + [None])
               if before.page < line.page and before.source == line.source and len(line.text) < limit
               and (after is None or after.source != line.source))


def runts(document) -> int:
    """How many paragraphs end in a runt: a last line of a word or two alone at the head of a page."""
    return _measured(document)[2]


def gaps(document) -> dict[int, float]:
    """Page index -> how many lines short of full depth it ends, for the pages but the last that carry
    running text (measured as the tests measure it: measure.page_gaps, in lines of the body)."""
    return dict(_measured(document)[1])


def short(document) -> dict[int, float]:
    """Page index -> how many lines short it ends, for the pages, but the last with text, that end
    more than ALLOWED lines short."""
    return {page: gap for page, gap in gaps(document).items() if gap > ALLOWED}


def short_pages(document, over: float = ALLOWED) -> list[int]:
    """The pages, but the last with text, that end more than `over` lines short (ALLOWED or more)."""
    return sorted(page for page, gap in short(document).items() if gap > over)


def shortness(document) -> tuple[int, float]:
    """The pages, but the last, that end short, and how many lines short they end beyond ALLOWED
    each, summed (compared as a pair: fewer short pages first)."""
    over = [gap - ALLOWED for gap in short(document).values()]
    return len(over), round(sum(over), 2)


def next_line_fits(document, page: int) -> bool:
    """Whether the first line of text on the next page, with what stands above it there and the notes
    it calls, would fit in the room this page leaves (relaxing widows and orphans can bring back no
    less than one line). A heading first on the next page never comes back alone."""
    lack = deficit(document, page, 1)
    return lack is not None and lack <= 0.5


def deficit(document, page: int, least: int | None = None) -> float | None:
    """How much room (CSS px) this page lacks for the first lines of the next page to come back: the
    lines with what stands above them there (a heading, a quotation's margin) and the notes they call,
    beyond the room the page leaves (negative: they fit). least: how many lines at least; by default
    one when the line runs on a paragraph of this page, two when it opens one (its orphans), and a
    heading's own lines never count. None when the next page has no line of text."""
    if page + 1 >= len(document.pages):
        return None
    room = gaps_px(document, page)
    following = document.pages[page + 1]._page_box
    root = following.children[0] if following.children else None
    if root is None or room is None:
        return None
    lines = [(box, heading) for box, heading in _lines(root, False)]
    text = [box for box, heading in lines if not heading]
    if not text:
        return None
    if least is None:
        before = {id(getattr(b, "element", None)) for b in document.pages[page]._page_box.descendants()
                  if getattr(b, "element", None) is not None}
        least = 1 if id(_block_element(root, text[0])) in before and not lines[0][1] else 2
    elif lines[0][1]:
        return None  # a heading first never comes back with fewer lines than its orphans
    taken = text[:least]
    needed = taken[-1].position_y + taken[-1].height - following.content_box_y()
    calls = {(box.element.get("href") or "")[1:] for line in taken for box in line.descendants()
             if getattr(box, "element_tag", "") == "a" and "call" in (box.element.get("class") or "").split()}
    if calls:
        area = next((c for c in following.children if type(c).__name__ == "FootnoteAreaBox"), None)
        notes = [c for c in (area.children if area is not None else []) if getattr(c, "element", None) is not None
                 and c.element.get("id") in calls]
        needed += sum(note.margin_height() for note in notes)
        here = next((c for c in document.pages[page]._page_box.children if type(c).__name__ == "FootnoteAreaBox"), None)
        if (here is None or not here.children) and area is not None:
            needed += area.margin_top + area.padding_top + area.border_top_width
    return needed - room


def _lines(box, heading: bool):
    """(line box, whether it is a heading's) in document order."""
    for child in getattr(box, "children", []):
        if type(child).__name__ == "LineBox":
            yield child, heading
        else:
            yield from _lines(child, heading or getattr(child, "element_tag", "") in ("h1", "h2", "h3", "h4", "h5", "h6"))


def _block_element(root, line):
    """The element of the block box that holds a line box."""
    def walk(box):
        for child in getattr(box, "children", []):
            if child is line:
                return box
            found = walk(child)
            if found is not None:
                return found
        return None
    holder = walk(root)
    return getattr(holder, "element", None)


def gaps_px(document, page: int) -> float | None:
    """The room in CSS px between a page's last line of text (or table, figure) and its notes or foot."""
    lines = [line for line in body_lines([document.pages[page]])]
    gap = page_gaps([document.pages[page]], lines).get(0)
    return None if gap is None else gap / PX_TO_PT


def candidates(document, page: int, chapter: str, blocks: Blocks, fixes: dict[int, set[str]]) -> list[list[int]]:
    """The adjustments tried, in turn, for a short page: letting the first table row on the next page
    break across the pages; relaxing widows and orphans on the block that holds the next page's first
    line (a paragraph pushed off this page whole, or the one that runs on), when that line could come
    back (next_line_fits). Relaxing the block at this page's foot as well changes nothing: it ends
    here or is that block."""
    there = blocks_on(document, page + 1, chapter, blocks)
    after = min(there) if there else None
    out = []
    if after is not None and next_line_fits(document, page) and RELAX not in fixes.get(after, set()):
        out.append(relaxed(fixes, [after]))
    row = first_row(document, page + 1, after, blocks) if after is not None else None
    if row is not None and SPLIT not in fixes.get(row, set()):
        out.insert(0, {**{i: set(v) for i, v in fixes.items()}, row: fixes.get(row, set()) | {SPLIT}})
    return out


def first_row(document, page: int, table: int, blocks: Blocks) -> int | None:
    """The key (ROW + index in blocks.rows) of the first body row on a page of a top-level table, if
    the table has rows there."""
    from .repair import ROW

    keys = [ROW + r for r, t in enumerate(blocks.row_table) if t == table]
    elements = None
    for box in document.pages[page]._page_box.descendants():
        element = getattr(box, "element", None)
        if elements is None and getattr(box, "element_tag", "") == "table":
            elements = [e for e in element.iter() if str(e.tag).endswith("tr")]
        elif elements is not None and getattr(box, "element_tag", "") == "tr" and element in elements \
                and any(str(cell.tag).endswith("td") for cell in element):  # a body row, not the head
            index = elements.index(element)
            return keys[index] if index < len(keys) else None
    return None


def blocks_on(document, page: int, chapter: str, blocks: Blocks) -> list[int]:
    """Indices in blocks of the chapter's top-level blocks that have a box on a laid-out page."""
    return [index for index, _ in _top_level(document, page, chapter, blocks)]


def relaxed(fixes: dict[int, set[str]], chosen: list[int]) -> dict[int, set[str]]:
    """fixes with widows and orphans relaxed on the chosen blocks."""
    out = {i: set(v) for i, v in fixes.items()}
    for block in chosen:
        out.setdefault(block, set()).add(RELAX)
    return out


FILL = re.compile(r"([vw])(\d+)$")
"""A vertical-justification token: v + the blank space below a block, or w + the blank space above it
(after a table, which takes no padding), in tenths of a point."""

HEADINGS = ("h2", "h3", "h4", "h5", "h6")
DISPLAYS = ("blockquote", "figure", "table", "ul", "ol", "dl", "aside", "div", "header")
"""Blocks that may take more room above them (HEADINGS), or above and below them (DISPLAYS), before
space goes between two paragraphs."""


def fill(document, page: int, gap: float, chapter: str, blocks: Blocks) -> dict[tuple[int, str], int]:
    """Vertical justification of a short page in whole lines: (block index, "v" below it or "w" above
    it) -> lines of blank space to add there, as many in all as bring the page within ALLOWED lines of full depth without moving
    any line to another page. The space goes between two blocks of the page (never at its top or
    foot, nor below a heading), one line at a time to each gap in turn: above headings
    first, then next to quotations, lists, tables and figures (two lines each), and only then
    between paragraphs, where a blank line reads as a break in the text. {} when the
    page has no such gap. gap: how many lines short the page ends (`short`)."""
    need = math.ceil(gap - ALLOWED + 0.01)
    if need > gap - 0.01:  # a line's worth must stay free, or the page's last line would not fit
        need -= 1
    boxes = _top_level(document, page, chapter, blocks)
    pairs = list(zip(boxes, boxes[1:]))
    if need <= 0 or not pairs:
        return {}

    def rank(pair) -> int | None:
        (_, above), (_, below) = pair
        if above in HEADINGS or (above == "table" and below == "table"):
            return None  # a heading stays with its text; a table takes no padding (collapsed borders)
        if below in HEADINGS:
            return 0
        return 1 if above in DISPLAYS or below in DISPLAYS else 2

    pairs = [pair for pair in pairs if rank(pair) is not None]
    if not pairs:
        return {}
    order = sorted(range(len(pairs)), key=lambda i: (rank(pairs[i]), i))
    display = [i for i in order if rank(pairs[i]) < 2]  # these take two lines each before a paragraph takes one
    turns = display * 2 + order * need
    out: dict[tuple[int, str], int] = {}
    for k in turns[:need]:
        (above, tag), (below, _) = pairs[k]
        where = (below, "w") if tag == "table" else (above, "v")
        out[where] = out.get(where, 0) + 1
    return out


def filled(fixes: dict[int, set[str]], pads: dict[tuple[int, str], int], pitch: float) -> dict[int, set[str]]:
    """fixes with the vertical-justification tokens of fill's pads, lines of pitch pt each (the old
    ones of every block in pads replaced)."""
    out = {i: set(v) for i, v in fixes.items()}
    for block in {block for block, _ in pads}:
        out[block] = {t for t in out.get(block, set()) if not FILL.match(t)}
    for (block, side), lines in pads.items():
        if lines:
            out[block].add(f"{side}{round(lines * pitch * 10)}")
    return out


def fill_rules(tokens) -> str:
    """The CSS rule of each vertical-justification token among tokens: padding below a block, or a
    transparent border above one (it adds to a grid pad's padding-top)."""
    pads = sorted({t for t in tokens if FILL.match(t)}, key=lambda t: (t[0], int(t[1:])))
    return "".join(f'[data-fix~="{t}"] {{ padding-bottom: {int(t[1:]) / 10}pt }}\n' if t[0] == "v" else
                   f'[data-fix~="{t}"] {{ border-top: {int(t[1:]) / 10}pt solid transparent }}\n' for t in pads)


def pitch_pt(document) -> float:
    """The body's line in pt (the median height of its lines of running text)."""
    return _measured(document)[0]


def _top_level(document, page: int, chapter: str, blocks: Blocks) -> list[tuple[int, str]]:
    """(index in blocks, tag) of the chapter's top-level blocks with a box on a laid-out page, in order."""
    if page >= len(document.pages) or chapter not in blocks.first_block:
        return []
    section, children = _section(document.pages[page]._page_box, chapter)
    if section is None:
        return []
    elements = list(section.element)
    return [(blocks.first_block[chapter] + elements.index(child.element), child.element_tag) for child in children]


def _section(page_box, chapter: str):
    """(the box of the chapter's section on a page, its boxes of the section's top-level blocks), or
    (None, [])."""
    for box in page_box.descendants():
        element = getattr(box, "element", None)
        if element is not None and element.get("id") == chapter and hasattr(box, "children"):
            elements = list(element)
            return box, [child for child in box.children
                         if getattr(child, "element", None) is not None and child.element in elements]
    return None, []


def justify(document, pads: dict[tuple[int, str], int], chapter: str, blocks: Blocks, pitch: float):
    """The document with fill's pads (lines of pitch pt) put in, as their CSS rules would place them:
    on each page that has a gap to fill, a copy of its boxes with the blocks after the gap moved
    down (the padding below a block widened to match, or the padding above one by the transparent
    border's width: the engine would draw a border widened on a copy, whatever the style's colour
    says, and did, black, above a heading of ALZHIR's roll of names). The document given
    is left as it was (a session may keep it, by its HTML); the new one's `justified_from` is it."""
    from weasyprint.document import Page

    step = pitch / PX_TO_PT
    pages = []
    for index, page in enumerate(document.pages):
        tags = _top_level(document, index, chapter, blocks)
        wanted = [pads.get((block, "w"), 0) for block, _ in tags]
        below = [pads.get((block, "v"), 0) for block, _ in tags]
        if not any(wanted) and not any(below[:-1]):
            pages.append(page)
            continue
        box = page._page_box.deepcopy()
        section, children = _section(box, chapter)
        shift = 0.0
        for k, child in enumerate(children):
            if k and below[k - 1]:
                shift += below[k - 1] * step
            if shift:
                child.translate(dy=shift)
            if k < len(children) - 1 and below[k]:
                child.padding_bottom += below[k] * step
            if wanted[k]:  # the CSS's transparent border, as padding: the engine draws a border
                child.padding_top += wanted[k] * step  # of its width in its style's colour, black
                for inner in child.all_children():
                    inner.translate(dy=wanted[k] * step)
                shift += wanted[k] * step
        section.height += shift
        pages.append(Page(box))
    justified = document.copy(pages)
    justified.justified_from = document
    return justified
