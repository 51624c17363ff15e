"""Body HTML + a laid-out body -> the body laid out again until every note sits on its call's page.

WeasyPrint 70 drops a note, or moves it to the next page, when `orphans` or a
break rule pushes its line (upstream #2432, #1564; PR #2437 is still open).
We cannot change the engine, so after the body's layout we take each chapter
with a misplaced note and lay that chapter out alone (a small document: the
chapter's section, its cross-references' page numbers written in from the
full layout), trying local adjustments at its first misplaced note:

- the block at the foot of the call's page starts a new page (its orphan lines
  are what made the engine push the note away);
- the block after the call's starts a new page;
- the call's block starts a new page;
- widows and orphans are relaxed in the call's block and the next.

An adjustment is kept when the note then sits on its call's page, no note of
the chapter that was in place moved, and a page ended early by a moved block
is at most `GRID_SLACK` lines short of full depth. Adjustments are `data-fix`
attributes on the chapter's top-level blocks (styled in book.css), so they
stay inside the note's chapter: a chapter starts on a new page, and nothing
before the adjusted block moves. The chapter laid out alone is numbered from
its folio in the book; when its repaired pages fill as many pages as before
and no cross-reference's target in it moved, they take the place of its old
pages (`splice_pages`). Otherwise the whole body is laid out once more with
every kept adjustment. Then the notes are checked again: at most `MAX_ROUNDS`
rounds, and `MAX_TRIALS` chapter layouts per chapter per round.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from html.parser import HTMLParser

from ..model import Book, Chapter, Note

MAX_ROUNDS = 3
"""At most this many rounds of repairs (each ends in a splice or a layout of the whole body)."""

MAX_TRIALS = 12
"""At most this many layouts of one chapter alone, per round."""

GRID_SLACK = 2.0
"""A page ended early by a repair may be at most this many lines short of full depth."""

CANDIDATES = (
    ("foot", "page", "paragraph at the foot of the page moved to the next page"),
    ("next", "page", "next paragraph moved to the next page"),
    ("call", "page", "paragraph moved to the next page"),
    ("both", "loose", "widows and orphans relaxed around its call"),
)
"""Adjustments tried in turn for a misplaced note: (which block, data-fix value, report text).
'foot' is the last top-level block on the call's page (the one whose orphans made the engine push
the note away), 'next' the block after the call's, 'call' the one holding the call, 'both' the call's
and the next."""


@dataclass
class Misplaced:
    """A note the layout did not put on its call's page."""

    chapter: Chapter
    """The note's chapter."""
    note: Note
    """The note."""
    call: int | None
    """0-based body page of the call (None if the call itself is missing)."""
    body: int | None
    """0-based body page of the note (None when the engine lost it)."""


@dataclass
class Repair:
    """One repaired note, for the build report."""

    note: Note
    """The note."""
    page: int
    """0-based page of the laid-out document where note and call now sit."""
    how: str
    """What was done, in words."""

    def line(self, folio: str) -> str:
        """`path:line: note 16 kept on page 14 (paragraph moved to the next page)`, with the page's
        printed folio."""
        where = self.note.origin
        at = f"{where.path}:{where.line}" if where and where.line else str(where.path if where else "")
        return f"{at}: note {self.note.number} kept on page {folio} ({self.how})"


@dataclass
class Outcome:
    """The body as finally laid out, and what it took."""

    document: object
    """The weasyprint Document of the body."""
    html: str
    """The body HTML that produced it (with the adjustments)."""
    repairs: list[Repair] = field(default_factory=list)
    """Notes repaired."""
    unrepaired: list[Misplaced] = field(default_factory=list)
    """Notes no adjustment could bring to their call's page."""
    layouts: int = 1
    """Layouts of the whole body, the first included."""
    chapter_layouts: int = 0
    """Layouts of a chapter alone, while trying adjustments."""
    spliced: int = 0
    """Rounds that put the repaired chapters' pages into the book instead of laying it all out again."""
    chapters: set[str] = field(default_factory=set)
    """Chapters (anchors) that were laid out again."""
    repair_seconds: float = 0.0
    """Time spent laying out again."""
    first: dict[str, int] = field(default_factory=dict)
    """Where every id landed in the first layout, before any repair."""
    fresh: list[str] = field(default_factory=list)
    """Parts (anchors) the engine laid out anew, not kept from a session's last build."""
    helped: list[str] = field(default_factory=list)
    """Parts (anchors) a helper process laid out and drew (layout/helper.py)."""
    source: str = ""
    """The body HTML as rendered, without adjustments."""
    adjust_layouts: int = 0
    """Layouts of a chapter alone made by the typographic adjustments after the repairs
    (layout/adjust.py)."""
    adjust_seconds: float = 0.0
    """Time those took."""
    filled: list[tuple[str, str, int, int, float]] = field(default_factory=list)
    """Pages justified vertically (layout/adjust.py, depth.fill): (chapter id, the text of one of the
    page's last lines, how many lines of the chapter before it have the same text, blank lines shared
    out on the page, how many lines short it ended)."""
    fixes: dict[int, set[str]] = field(default_factory=dict)
    """The adjustments kept: index of a top-level block (or ROW + index of a table row) -> its
    data-fix tokens."""


def misplaced(chapters, at: dict[str, int]) -> list[Misplaced]:
    """Every note of the chapters laid out in this document that is not on its call's page, in book order."""
    out = []
    for chapter in chapters:
        if chapter.anchor not in at:  # front matter and body are laid out as separate documents
            continue
        for note in chapter.notes:
            call, body = at.get("call-" + note.anchor), at.get(note.anchor)
            if body is None or (call is not None and call != body):
                out.append(Misplaced(chapter, note, call, body))
    return out


# --- where the adjustments go ------------------------------------------------------------------

VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())


class Blocks(HTMLParser):
    """Where things are in the body HTML: each chapter's span and top-level blocks (offsets just
    after '<tag'), the block holding each note call, and the cross-references."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.starts = [0]
        for i, ch in enumerate(html):
            if ch == "\n":
                self.starts.append(i + 1)
        self.stack: list[str] = []
        self.chapter_depth: int | None = None
        self.blocks: list[int] = []
        """Offsets just after '<tag' of each top-level block of every chapter, in order."""
        self.chapter_of_block: list[str] = []
        """The chapter id of each block."""
        self.spans: dict[str, tuple[int, int]] = {}
        """chapter id -> (offset of '<section', offset after '</section>')."""
        self.call_block: dict[str, int] = {}
        """call id -> index in blocks."""
        self.first_block: dict[str, int] = {}
        """chapter id -> index in blocks of its first top-level block."""
        self.xrefs: list[tuple[int, str]] = []
        """(offset just after '<a', target id) of every cross-reference."""
        self.rows: list[int] = []
        """Offsets just after '<tr' of each row of a chapter's top-level tables (a note may be called
        in a cell: then the row, not the whole table, is what moves)."""
        self.row_table: list[int] = []
        """The index in blocks of each row's table."""
        self.call_row: dict[str, int] = {}
        """call id -> index in rows, for a call in a table cell."""
        self.chapter = ""
        self.feed(html)
        self.close()

    def token(self, index: int) -> str:
        """The data-fix token that finds an adjusted block (or ROW + row) in the laid-out boxes: its
        place within its chapter, so that an edit to another chapter leaves this one's HTML as it was."""
        if index >= ROW:
            row = index - ROW
            chapter = self.chapter_of_block[self.row_table[row]]
            first = next(r for r, table in enumerate(self.row_table) if self.chapter_of_block[table] == chapter)
            return f"r{row - first}"
        return f"b{index - self.first_block[self.chapter_of_block[index]]}"

    def _offset(self) -> int:
        line, col = self.getpos()
        return self.starts[line - 1] + col

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag == "section" and "chapter" in classes:
            self.chapter_depth = len(self.stack) + 1
            self.chapter = attributes.get("id") or ""
            self.spans[self.chapter] = (self._offset(), -1)
            self.first_block[self.chapter] = len(self.blocks)
        elif self.chapter_depth is not None and len(self.stack) == self.chapter_depth:
            self.blocks.append(self._offset() + 1 + len(tag))
            self.chapter_of_block.append(self.chapter)
        elif (tag == "tr" and self.chapter_depth is not None and len(self.stack) > self.chapter_depth
              and self.stack[self.chapter_depth] == "table"):
            self.rows.append(self._offset() + 1 + len(tag))
            self.row_table.append(len(self.blocks) - 1)
        ident = attributes.get("id") or ""
        if ident.startswith("call-") and self.chapter_depth is not None and self.blocks:
            self.call_block[ident] = len(self.blocks) - 1
            if "tr" in self.stack[self.chapter_depth:] and self.rows and self.row_table[-1] == len(self.blocks) - 1:
                self.call_row[ident] = len(self.rows) - 1
        if tag == "a" and "xref" in classes and (attributes.get("href") or "").startswith("#"):
            self.xrefs.append((self._offset() + 2, attributes["href"][1:]))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in VOID or tag not in self.stack:
            return
        while self.stack and self.stack.pop() != tag:
            pass
        if self.chapter_depth is not None and len(self.stack) < self.chapter_depth:
            self.chapter_depth = None
            start, _ = self.spans[self.chapter]
            self.spans[self.chapter] = (start, self._offset() + len("</section>"))


def _splice(html: str, start: int, end: int, inserts: dict[int, str]) -> str:
    """html[start:end] with text inserted at the given offsets."""
    out, last = [], start
    for offset in sorted(o for o in inserts if start <= o < end):
        out.append(html[last:offset])
        out.append(inserts[offset])
        last = offset
    out.append(html[last:end])
    return "".join(out)


ROW = 1_000_000
"""Keys of fixes from ROW on stand for table rows (ROW + index in rows), below it for top-level blocks."""


def _fix_inserts(blocks: Blocks, fixes: dict[int, set[str]]) -> dict[int, str]:
    """data-fix="… b<index>" for each adjusted block or row (b<index> finds it in the laid-out boxes)."""
    return {(blocks.blocks[i] if i < ROW else blocks.rows[i - ROW]): f' data-fix="{" ".join(sorted(v))} {blocks.token(i)}"'
            for i, v in fixes.items() if v}


def with_fixes(html: str, blocks: Blocks, fixes: dict[int, set[str]]) -> str:
    """The whole body HTML with the adjustments written in."""
    return _splice(html, 0, len(html), _fix_inserts(blocks, fixes))


def chapter_alone(html: str, blocks: Blocks, chapter: str, fixes: dict[int, set[str]],
                  numbers: dict[str, str], folios: bool = True) -> str:
    """A body document holding one chapter, with the adjustments and with the page numbers of its
    cross-references written in (numbers: id -> folio), so that its lines break as in the book.
    With folios, its pages are numbered from the chapter's folio in the book (numbers[chapter]), so
    they can take the place of the chapter's pages there; without, its pages carry no folio at all
    (layout/body.py stamps the folios on after the parts are joined)."""
    start, end = blocks.spans[chapter]
    first = min(s for s, _ in blocks.spans.values())
    last = max(e for _, e in blocks.spans.values())
    inserts = _fix_inserts(blocks, fixes)
    for offset, target in blocks.xrefs:
        if start <= offset < end and target in numbers:
            inserts[offset] = f' data-page="{numbers[target]}"'
    head = html.find("</head>")
    rule = NO_FOLIOS if not folios else (
        f"@page :first {{ counter-reset: page {numbers[chapter]} }}" if chapter in numbers else "")
    if rule and 0 <= head < first:
        inserts[head] = f"<style>{rule}</style>"
        return _splice(html, 0, first, inserts) + _splice(html, start, end, inserts) + html[last:]
    return html[:first] + _splice(html, start, end, inserts) + html[last:]


NO_FOLIOS = "@page :left { @bottom-left { content: none } } @page :right { @bottom-right { content: none } }"
"""The folio boxes left out of a part laid out alone: its folios depend on where it lands."""


def with_numbers(html: str, blocks: Blocks, fixes: dict[int, set[str]], numbers: dict[str, str]) -> str:
    """The whole body HTML with the adjustments and every cross-reference's page number written in."""
    inserts = _fix_inserts(blocks, fixes)
    for offset, target in blocks.xrefs:
        if target in numbers:
            inserts[offset] = f' data-page="{numbers[target]}"'
    return _splice(html, 0, len(html), inserts)


# --- the grid -----------------------------------------------------------------------------------

def shortfall(page) -> float:
    """How many lines short of full depth the text of a laid-out page ends (from its boxes: the
    bottom of the last line of text against the top of the note area, or the page's foot)."""
    from weasyprint.formatting_structure import boxes

    page_box = page._page_box
    html = page_box.children[0] if page_box.children else None
    area = next((c for c in page_box.children if isinstance(c, boxes.FootnoteAreaBox)), None)
    bottom = page_box.content_box_y() + page_box.height
    if area is not None and area.children:
        bottom = area.position_y - area.margin_top
    lines = [box for box in html.descendants() if isinstance(box, boxes.LineBox)] if html else []
    if not lines:
        return 0.0
    end = max(box.position_y + box.height for box in lines)
    pitch = sorted(box.height for box in lines)[len(lines) // 2]
    return max(0.0, (bottom - end) / pitch)


def first_page_of(document, start: int, token: str) -> int | None:
    """The first page, from start on, holding a box of an element whose data-fix has token."""
    for index in range(start, len(document.pages)):
        for box in document.pages[index]._page_box.descendants():
            element = getattr(box, "element", None)
            if element is not None and token in (element.get("data-fix") or "").split():
                return index
    return None


def foot_block(document, page: int, chapter: str, blocks: Blocks) -> int | None:
    """Index in blocks of the last top-level block of a chapter on a laid-out page."""
    found = None
    for box in document.pages[page]._page_box.descendants():
        element = getattr(box, "element", None)
        if element is not None and element.get("id") == chapter and hasattr(box, "children"):
            found = box
            break
    if found is None or chapter not in blocks.first_block:
        return None
    children = list(found.element)
    last = [children.index(child.element) for child in found.children
            if getattr(child, "element", None) is not None and child.element in children]
    return blocks.first_block[chapter] + max(last) if last else None


def has_text(page) -> bool:
    """Whether a laid-out page carries lines of text (a blank verso does not)."""
    from weasyprint.formatting_structure import boxes

    root = page._page_box
    return bool(root.children) and any(isinstance(b, boxes.LineBox) for b in root.children[0].descendants())


def last_text_page(document) -> int:
    """Index of the last page that carries lines of text."""
    return next((i for i in range(len(document.pages) - 1, -1, -1) if has_text(document.pages[i])), 0)


# --- the loop -----------------------------------------------------------------------------------

def lay_out_body(book: Book, html: str, layout, anchors, repair: bool = True) -> Outcome:
    """Lay out the body, then (unless repair is off) repair misplaced notes chapter by chapter.
    layout(html) -> Document; anchors(document) -> {id: 0-based page}."""
    document = layout(html)
    at = anchors(document)
    outcome = Outcome(document, html, first=at, source=html)
    missing = misplaced(book.chapters, at)
    if not missing or not repair:
        outcome.unrepaired = missing
        return outcome
    started = time.perf_counter()
    blocks = Blocks(html)
    fixes: dict[int, set[str]] = {}
    tried: dict[str, set[int]] = {}
    """note anchor -> candidate steps already tried."""
    done: dict[str, str] = {}
    """note anchor -> the adjustment that brought it to its call's page."""
    for _ in range(MAX_ROUNDS):
        chapters = [c for c in book.chapters if any(m.chapter is c for m in missing)
                    and c.anchor in blocks.spans]
        alone = {}
        for chapter in chapters:
            numbers = {ident: str(page + 1) for ident, page in at.items()}
            def html_of(trial, anchor=chapter.anchor, numbers=numbers):
                return chapter_alone(html, blocks, anchor, trial, numbers)

            result = repair_chapter(chapter, html_of, blocks, fixes, layout, anchors, tried, done, outcome,
                                    (document, at))
            outcome.chapters.add(chapter.anchor)
            if result:
                alone[chapter.anchor] = result
        if not alone:
            break
        outcome.html = with_fixes(html, blocks, fixes)
        spliced = splice_pages(document, at, alone, blocks)
        if spliced is None:  # a chapter changed its length or moved a cross-reference's target
            spliced = layout(outcome.html)
            outcome.layouts += 1
        else:
            outcome.spliced += 1
        document = outcome.document = spliced
        at = anchors(document)
        missing = misplaced(book.chapters, at)
        if not missing:
            break
    outcome.repairs = [Repair(n, at[n.anchor], done[n.anchor]) for c in book.chapters for n in c.notes
                       if n.anchor in done and n.anchor in at and at[n.anchor] == at.get("call-" + n.anchor)]
    outcome.unrepaired = missing
    outcome.fixes = fixes
    outcome.repair_seconds = time.perf_counter() - started
    return outcome


def splice_pages(document, at: dict[str, int], alone: dict[str, tuple], blocks: Blocks):
    """The document with each repaired chapter's pages replaced by those of the chapter laid out
    alone (alone: chapter id -> (document, anchors)); None when a chapter's new pages do not fit in
    its old place (then nothing after it may keep its page) or a cross-reference's target in it
    moved (then the reference's number is stale)."""
    pages = list(document.pages)
    order = list(blocks.spans)
    targets = {target for _, target in blocks.xrefs}
    for chapter, (laid, laid_at) in alone.items():
        if laid_at.get(chapter) != 0 or chapter not in at:
            return None
        start = at[chapter]
        later = [at[s] for s in order[order.index(chapter) + 1:] if s in at]
        room = (min(later) if later else len(pages)) - start
        if room > 1 and not has_text(pages[start + room - 1]):
            room -= 1  # the blank verso before the next chapter stays
        if len(laid.pages) != room:
            return None
        if any(laid_at[t] + start != at.get(t) for t in targets if t in laid_at):
            return None
        pages[start:start + room] = laid.pages
    return document.copy(pages)


def repair_chapter(chapter: Chapter, alone, blocks: Blocks, fixes: dict[int, set[str]], layout, anchors,
                   tried: dict[str, set[int]], done: dict[str, str], outcome: Outcome, whole) -> tuple | None:
    """Try adjustments on the chapter laid out alone (alone(fixes) -> its HTML) until its notes are
    in place or nothing is left to try; the kept adjustments go into fixes. Returns the (document,
    anchors) of the chapter laid out alone with them, or None when none was kept. whole: the
    (document, anchors) of a layout holding the chapter, where the first adjustment is chosen."""
    def lay(trial):
        outcome.chapter_layouts += 1
        document = layout(alone(trial))
        return document, anchors(document)

    document, at = whole
    trials, kept = 0, None
    while trials < MAX_TRIALS:
        missing = [m for m in misplaced([chapter], at)
                   if len(tried.get(m.note.anchor, ())) < len(CANDIDATES)
                   and "call-" + m.note.anchor in blocks.call_block and m.call is not None]
        if not missing:
            break
        miss = missing[0]
        before = {m.note.anchor for m in misplaced([chapter], at)}
        steps = tried.setdefault(miss.note.anchor, set())
        for step, (which, value, how) in enumerate(CANDIDATES):
            if step in steps or trials >= MAX_TRIALS:
                continue
            steps.add(step)
            call_id = "call-" + miss.note.anchor
            chosen = (_rows_for(which, blocks.call_row[call_id], blocks) if call_id in blocks.call_row
                      else _blocks_for(which, blocks.call_block[call_id], blocks,
                                       foot_block(document, miss.call, chapter.anchor, blocks)))
            if not chosen:
                continue
            trial = {i: set(v) for i, v in fixes.items()}
            for index in chosen:
                trial.setdefault(index, set()).add(value)
            new_document, new_at = lay(trial)
            trials += 1
            if _works(miss, chosen, value, new_at, new_document, before, blocks):
                fixes.clear()
                fixes.update(trial)
                document, at = kept = new_document, new_at
                done[miss.note.anchor] = how
                break
    return kept


def _blocks_for(which: str, call: int, blocks: Blocks, foot: int | None) -> list[int]:
    after = call + 1
    has_next = after < len(blocks.blocks) and blocks.chapter_of_block[after] == blocks.chapter_of_block[call]
    if which == "foot":
        return [foot] if foot is not None and foot > after else []
    if which == "next":
        return [after] if has_next else []
    if which == "call":
        return [call]
    return [call, after] if has_next else [call]


def _rows_for(which: str, row: int, blocks: Blocks) -> list[int]:
    """For a call in a table cell: its row, or the row after it in the same table, starts a page
    ('foot' and 'both' have no meaning inside a table)."""
    after = row + 1
    if which == "next":
        return [ROW + after] if after < len(blocks.rows) and blocks.row_table[after] == blocks.row_table[row] else []
    return [ROW + row] if which == "call" else []


def _works(miss: Misplaced, chosen: list[int], value: str, at: dict[str, int], document, before: set[str],
           blocks: Blocks) -> bool:
    """The note is on its call's page, no earlier note of its chapter that was in place left its
    page, and a page ended early by a moved block is not too short (unless it is the chapter's last).
    Later notes may move: they come next, so the first misplaced note only ever moves forward."""
    note = miss.note
    call, body = at.get("call-" + note.anchor), at.get(note.anchor)
    if body is None or call != body:
        return False
    for other in miss.chapter.notes:  # later notes may move: they get their turn after this one
        if other is note:
            break
        if other.anchor not in before and at.get(other.anchor) != at.get("call-" + other.anchor):
            return False
    if value == "page":
        for index in chosen:
            moved = first_page_of(document, 0, blocks.token(index))
            if moved and shortfall(document.pages[moved - 1]) > GRID_SLACK:
                return False
    elif shortfall(document.pages[call]) > GRID_SLACK and call != last_text_page(document):
        return False
    return True
