"""Body HTML + a laid-out body -> the body laid out again until every note sits on its call's page.

WeasyPrint 70 drops a note, or moves it to the next page, when `orphans` or a
break rule pushes its line (upstream #2432, #1564; PR #2437 is still open).
We cannot change the engine, so after each layout we look for the first
misplaced note of every chapter and lay the body out again with one local
adjustment at that note: the block after the call's block starts a new page,
the call's block starts a new page, or widows and orphans are relaxed around
the call. An adjustment is kept only if the note then sits on its call's page,
no earlier note of the chapter moved off its page, and the page that now ends
early is at most `GRID_SLACK` lines short of full depth. Adjustments are
attributes on the chapter's top-level blocks (`data-fix`, styled in
book.css), so they stay inside the note's chapter: chapters start on a new
page, and nothing before the adjusted block moves. The number of layouts is
bounded by `MAX_LAYOUTS`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from html.parser import HTMLParser

from ..model import Book, Chapter, Note

MAX_LAYOUTS = 8
"""At most this many layouts of the body per build (the first one included)."""

GRID_SLACK = 2.0
"""A page ended early by a repair may be at most this many lines short of full depth."""

CANDIDATES = (
    ("next", "page", "next paragraph moved to the next page"),
    ("call", "page", "paragraph moved to the next page"),
    ("both", "loose", "widows and orphans relaxed around its call"),
)
"""Adjustments tried in turn for a misplaced note: (which block, data-fix value, report text).
'next' is the top-level block after the call's, 'call' the one holding the call, 'both' the two."""


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
    """0-based body page where note and call now sit."""
    how: str
    """What was done, in words."""

    def line(self) -> str:
        """`path:line: note 16 kept on page 14 (paragraph moved to the next page)`."""
        where = self.note.origin
        at = f"{where.path}:{where.line}" if where and where.line else str(where.path if where else "")
        return f"{at}: note {self.note.number} kept on page {self.page + 1} ({self.how})"


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
    """Layouts of the body, the first included."""
    repair_seconds: float = 0.0
    """Time spent in the extra layouts."""


def misplaced(book: Book, at: dict[str, int]) -> list[Misplaced]:
    """Every note of the chapters laid out in this document that is not on its call's page, in book order."""
    out = []
    for chapter in book.chapters:
        if chapter.anchor not in at:  # laid out in another document (front matter)
            continue
        for note in chapter.notes:
            call, body = at.get("call-" + note.anchor), at.get(note.anchor)
            if body is None or (call is not None and call != body):
                out.append(Misplaced(chapter, note, call, body))
    return out


# --- where the adjustments go ------------------------------------------------------------------

VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())


class _Blocks(HTMLParser):
    """Finds each chapter's top-level blocks (offset of the end of their tag name) and which block
    holds each note call."""

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
        self.chapter_of_block: list[int] = []
        self.chapter = -1
        self.call_block: dict[str, int] = {}
        """call id -> index in blocks."""
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "section" and "chapter" in (attributes.get("class") or "").split():
            self.chapter_depth = len(self.stack) + 1
            self.chapter += 1
        elif self.chapter_depth is not None and len(self.stack) == self.chapter_depth:
            line, col = self.getpos()
            self.blocks.append(self.starts[line - 1] + col + 1 + len(tag))
            self.chapter_of_block.append(self.chapter)
        ident = attributes.get("id") or ""
        if ident.startswith("call-") and self.chapter_depth is not None and self.blocks:
            self.call_block[ident] = len(self.blocks) - 1
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


def apply_fixes(html: str, blocks: _Blocks, fixes: dict[int, set[str]]) -> str:
    """The HTML with data-fix="… b<index>" written into the chosen top-level blocks (the b<index>
    token finds the block again in the laid-out boxes)."""
    out, last = [], 0
    for index in sorted(fixes):
        offset = blocks.blocks[index]
        out.append(html[last:offset])
        out.append(f' data-fix="{" ".join(sorted(fixes[index]))} b{index}"')
        last = offset
    out.append(html[last:])
    return "".join(out)


# --- the grid -----------------------------------------------------------------------------------

def shortfall(page) -> float:
    """How many lines short of full depth the text of a laid-out page ends."""
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


def first_page_of(document, start: int, value: str) -> int | None:
    """The first page, from start on, holding a box of an element with data-fix containing value."""
    for index in range(start, len(document.pages)):
        root = document.pages[index]._page_box
        for box in root.descendants():
            element = getattr(box, "element", None)
            if element is not None and value in (element.get("data-fix") or "").split():
                return index
    return None


# --- the loop -----------------------------------------------------------------------------------

@dataclass
class _Attempt:
    """The adjustment being tried for one chapter's first misplaced note."""

    miss: Misplaced
    """The note."""
    step: int
    """Index in CANDIDATES."""
    blocks: dict[int, str]
    """block index -> data-fix value added."""


def lay_out_body(book: Book, html: str, layout, anchors) -> Outcome:
    """Lay out the body, then repair misplaced notes by local adjustments, at most MAX_LAYOUTS
    layouts in all. layout(html) -> Document; anchors(document) -> {id: page index}."""
    document = layout(html)
    outcome = Outcome(document, html)
    at = anchors(document)
    missing = misplaced(book, at)
    if not missing:
        return outcome
    started = time.perf_counter()
    blocks = _Blocks(html)
    kept: dict[int, set[str]] = {}
    tried: dict[str, int] = {}
    while missing and outcome.layouts < MAX_LAYOUTS:
        attempts = _plan(missing, blocks, tried)
        if not attempts:
            break
        before = {m.note.anchor for m in missing}
        trial = _with(kept, attempts)
        candidate_html = apply_fixes(html, blocks, trial)
        candidate = layout(candidate_html)
        outcome.layouts += 1
        new_at = anchors(candidate)
        accepted = [a for a in attempts if _works(a, new_at, candidate, before, book)]
        if not accepted:
            continue
        if len(accepted) < len(attempts):  # lay out again with only what worked
            if outcome.layouts >= MAX_LAYOUTS:
                break
            trial = _with(kept, accepted)
            candidate_html = apply_fixes(html, blocks, trial)
            candidate = layout(candidate_html)
            outcome.layouts += 1
            new_at = anchors(candidate)
        kept = trial
        document, at, outcome.html = candidate, new_at, candidate_html
        for attempt in accepted:
            note = attempt.miss.note
            if at.get(note.anchor) is not None and at.get(note.anchor) == at.get("call-" + note.anchor):
                outcome.repairs.append(Repair(note, at[note.anchor], CANDIDATES[attempt.step][2]))
        missing = misplaced(book, at)
    outcome.document = document
    outcome.unrepaired = missing
    outcome.repair_seconds = time.perf_counter() - started
    return outcome


def _with(kept: dict[int, set[str]], attempts: list[_Attempt]) -> dict[int, set[str]]:
    trial = {i: set(v) for i, v in kept.items()}
    for attempt in attempts:
        for index, value in attempt.blocks.items():
            trial.setdefault(index, set()).add(value)
    return trial


def _plan(missing: list[Misplaced], blocks: _Blocks, tried: dict[str, int]) -> list[_Attempt]:
    """The next adjustment for the first misplaced note of every chapter that still has one to try."""
    attempts, busy = [], set()
    for miss in missing:
        call = blocks.call_block.get("call-" + miss.note.anchor)
        if miss.chapter.anchor in busy or call is None:
            continue
        while (step := tried.get(miss.note.anchor, 0)) < len(CANDIDATES):
            tried[miss.note.anchor] = step + 1
            which, value, _ = CANDIDATES[step]
            chosen = _blocks_for(which, call, blocks)
            if chosen:
                attempts.append(_Attempt(miss, step, {i: value for i in chosen}))
                busy.add(miss.chapter.anchor)
                break
    return attempts


def _blocks_for(which: str, call: int, blocks: _Blocks) -> list[int]:
    after = call + 1
    has_next = after < len(blocks.blocks) and blocks.chapter_of_block[after] == blocks.chapter_of_block[call]
    if which == "next":
        return [after] if has_next else []
    if which == "call":
        return [call]
    return [call, after] if has_next else [call]


def _works(attempt: _Attempt, at: dict[str, int], document, before: set[str], book: Book) -> bool:
    """The note is on its call's page, no note of its chapter that was in place left its page, and
    a page ended early by a moved block is not too short."""
    note = attempt.miss.note
    call, body = at.get("call-" + note.anchor), at.get(note.anchor)
    if body is None or call != body:
        return False
    for other in attempt.miss.chapter.notes:
        if other.anchor not in before and at.get(other.anchor) != at.get("call-" + other.anchor):
            return False
    for index, value in attempt.blocks.items():
        if value != "page":
            continue
        moved = first_page_of(document, max(0, call - 1), f"b{index}")
        if moved and shortfall(document.pages[moved - 1]) > GRID_SLACK:
            return False
    if "page" not in attempt.blocks.values() and shortfall(document.pages[call]) > GRID_SLACK:
        return call == chapter_last_page(book, attempt.miss.chapter, at, document)
    return True


def chapter_last_page(book: Book, chapter: Chapter, at: dict[str, int], document) -> int:
    """0-based index of the last page of a chapter that carries its text (blank versos skipped)."""
    from weasyprint.formatting_structure import boxes

    anchors = [c.anchor for c in book.chapters] + ["bibliography"]
    later = [at[a] for a in anchors[anchors.index(chapter.anchor) + 1:] if a in at]
    page = (min(later) if later else len(document.pages)) - 1
    while page > 0 and not any(isinstance(b, boxes.LineBox) for b in document.pages[page]._page_box.children[0].descendants()):
        page -= 1
    return page
