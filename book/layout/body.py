"""Body HTML -> the body laid out one part at a time (each chapter, the bibliography), joined, with
its folios stamped on.

Why laying a part out alone gives the pages it has in the book: a part opens on a recto and numbers
its notes from 1 (and a source's first citation in each chapter is given in full), so its pages
depend on the rest of the book only through

- the page numbers of its cross-references, which are written in as text (`data-page`, from where
  the targets landed) instead of being asked of the engine with `target-counter()`, which makes it
  paginate the whole body twice; and
- its folios. They are left out of the part's layout and stamped on after the join
  (`stamp_folios`): a folio is a margin box, and a margin box takes no room from the text. So a part
  that only moves, because an earlier one grew, is not laid out again.

The parts are laid out in order. A cross-reference to a target already laid out gets its number at
once; one to a later target gets the number it had in the session's previous build, or a guess, and
its part is laid out again once the join shows the guess was wrong (at most `ROUNDS` rounds). With
a helper process, each process lays out its share in order; a number from the other's share is the
last round's, and where an adjustment there moves its target across p. 9/10 (or 99/100) the parts
that cite it are laid out again. So the helper, once its share is done and while this process
finishes its own, lays out those of its parts again with each such number given the other count of
digits (`flipped`), and keeps them for a second round that asks for them. The adjustments need the
whole book's median word space, so they wait for both shares' plain layouts; this process, when its
share is done first, adjusts its first parts meanwhile with the median guessed from its own lines
(`adjust_ahead`), and what it lays out then is given again to the adjustments that ask for it. A
misplaced note is repaired inside its part (layout/repair.py). With the engine's `keep` (book watch),
a part whose HTML (its text, the numbers written into it, its adjustments) has not changed is not
laid out again at all.
"""

from __future__ import annotations

import copy
import re
import time
from dataclasses import dataclass, field, replace

from ..model import Book
from . import resume
from .adjust import adjust_part, styled
from .galley import galley_html
from .measure import body_lines, loose_lines, text_written
from .note_split import holding
from .paginate import anchor_pages
from .repair import (
    Blocks,
    Outcome,
    Repair,
    chapter_alone,
    misplaced,
    repair_chapter,
    with_numbers,
)

ROUNDS = 4
"""At most this many layouts of the parts whose cross-reference numbers were stale."""

CHARS_PER_PAGE = 2600
"""Characters of body HTML per page, for the first guesses before any part is laid out."""

NO_FOLIO = "nofolio"
"""The named page of a folio sheet's page that carries no folio (a part's opening page, a blank)."""


@dataclass
class Part:
    """One part of the body laid out alone."""

    anchor: str
    """The part's id (a chapter's anchor, or 'bibliography')."""
    document: object
    """Its weasyprint Document, without folios."""
    at: dict[str, int]
    """id -> 0-based page of the part."""
    numbers: dict[str, str]
    """The cross-reference numbers written into it, target id -> "00": as many zeros as the number
    has digits. The figures are tabular, so the real numbers, stamped on after the join
    (`stamp_numbers`), take the same room."""
    outcome: Outcome
    """Its repairs."""
    count: int = 0
    """Its pages."""
    lines: list = field(default_factory=list)
    """Its lines of running text (layout.measure.Line), for the book's median word space."""
    median: float | None = None
    """The median word space its loose lines were judged against (None: not adjusted)."""


def sendable(part: Part) -> Part:
    """The part as a helper process sends it back: everything but its pages (a laid-out Document
    cannot leave the process that made it)."""
    return replace(part, document=None, outcome=replace(part.outcome, document=None))


@dataclass
class Body:
    """The body as laid out: the joined pages and what it took."""

    outcome: Outcome
    """The joined body (`document`, `html` with every number written in), its repairs and counts."""
    numbers: dict[str, str] = field(default_factory=dict)
    """Folio of every cross-reference target in the body (the next build's first guesses)."""
    parts: list[Part] = field(default_factory=list)
    """The parts, in order."""
    rounds: int = 1
    """Rounds of layout (2 or more when a cross-reference number had to be corrected)."""
    median: float | None = None
    """The book's median word space, to 0.1 pt, which loose lines were judged against (None: not
    adjusted). Rounded so that an edit elsewhere, which moves the median a little, changes no
    other chapter's adjustments: the chapter is not laid out again."""
    starts: dict[str, int] = field(default_factory=dict)
    """Each part's first page in the joined body."""
    at: dict[str, int] = field(default_factory=dict)
    """Where every id of the body landed (0-based page of the joined body), parts laid out in a
    helper included."""


def lay_out_parts(book: Book, html: str, layout, blank, guess: dict[str, str] | None = None,
                  repair: bool = True, helper=None, adjust: bool = False, first=None) -> Body:
    """The body HTML laid out part by part; layout(html) -> Document; blank: a blank Page for the
    verso before a part that follows one of an odd number of pages; guess: where cross-reference
    targets landed last time (id -> folio). With a helper (a `Helper` in another process), the
    parts are shared out between this process and the helper, which lays out its parts at the
    same time and keeps them (their pages here are stand-ins); first(body, pages), if given, is called
    just before the helper is asked to draw them, to send it a command it is to run before."""
    blocks = Blocks(html)
    order = list(blocks.spans)
    chapters = {c.anchor: c for c in book.chapters}
    targets: dict[str, list[str]] = {anchor: [] for anchor in order}
    for offset, target in blocks.xrefs:
        for anchor, (start, end) in blocks.spans.items():
            if start <= offset < end:
                targets[anchor].append(target)
    numbers = dict(guess or {})
    ids = _ids(html, blocks)
    laid: dict[tuple, Part] = {}
    body = Body(Outcome(None, html))
    if not order:  # no chapter and no bibliography: the body is whatever the template made
        body.outcome.document = layout(html)
        return body
    theirs = share_out(blocks, order) if helper is not None else set()

    guessing: list[bool] = [False]
    """In the helper: whether the layouts running now are guesses (they give way to a command)."""

    def laying(html_of_a_layout: str):
        """layout, which a guess leaves as soon as a command waits for the helper, and which this
        process's adjustments made ahead (`ahead`) leave as soon as the helper's plain parts are back;
        a layout made ahead is given again, with what the engine said while it was made."""
        if guessing[0] and helper.waiting():
            raise _GiveWay
        if not early and not ahead[0]:
            return layout(html_of_a_layout)
        if ahead[0] and helper.ready():
            raise _GiveWay
        key = (html_of_a_layout, holding())
        if key in early:
            document, said_then = early.pop(key)
            helper.said().extend(said_then)
            return document
        if not ahead[0]:
            return layout(html_of_a_layout)
        said = helper.said()
        before = len(said)
        try:
            document = layout(html_of_a_layout)
            early[key] = (document, said[before:])
        finally:
            del said[before:]
        return document

    def lay(anchor: str, written: dict[str, str], median: float | None) -> Part:
        first = (anchor, tuple(sorted(written.items())), None)
        if first not in laid:
            with resume.again():  # laid out again with other digits: from its earlier layout, where that is alive
                laid[first] = _lay_out_part(anchor, chapters.get(anchor), html, blocks, written, laying, repair)
        key = first[:2] + (median,)
        if key not in laid:
            laid[key] = _polish(laid[first], book, chapters.get(anchor), html, blocks, laying, median)
        if median is not None and laid[first].document is not None and laid[key].document is not laid[first].document:
            laid[first] = replace(laid[first], document=None)  # its pages are not joined again: let them go
        if key in echoes:  # a guess now asked for: what the engine said while it was laid out is said now
            helper.said().extend(echoes.pop(key))
        return laid[key]

    echoes: dict[tuple, list[str]] = {}
    """In the helper: what the engine said while each guess was laid out (a guess's result is dropped
    with its messages), kept until the guess is asked for; in this process, the same for each part
    adjusted ahead whole."""

    def serve(name: str, args: tuple):
        """In the helper: lay out the parts asked for, or lay out again, while nothing else is asked
        for, those of its last share whose numbers may turn out to have another count of digits
        (guessed), or stamp and draw them."""
        if name == "lay":
            return [sendable(part) for part in lay_share(*args).values()]
        if name == "guess":
            for anchor, written in guessed:
                said = helper.said()
                before = len(said)
                guessing[0] = True
                try:
                    lay(anchor, written, args[0])
                except Exception:  # a command waits (_GiveWay), or the guess failed: it is never what fails the
                    del said[before:]  # build, and the part is laid out again if asked for
                    break
                finally:
                    guessing[0] = False
                echoes[(anchor, tuple(sorted(written.items())), args[0])] = said[before:]
                del said[before:]
            return None
        drawn = []
        for anchor, written, median, start, blank_after in args[0]:
            part = lay(anchor, written, median)
            stamp_numbers(part.document, args[1])
            pages = list(part.document.pages) + ([blank] if blank_after else [])
            bare = {0} | ({len(pages) - 1} if blank_after else set())
            sheet = layout(folio_sheet(args[2], len(pages), bare, first=start + 1))
            stamped = stamp_folios(pages, sheet.pages)
            drawn.append((anchor, helper.draw(part.document, stamped), body_lines(stamped)))
        return drawn

    def lay_share(share: list[str], median: float | None, numbers: dict[str, str], starts: dict[str, int]) -> dict:
        """A process's share of the parts laid out in book order: a reference to an id in a part laid
        out before it here gets its number's digits from where the id landed (starts: where each part
        began last round), any other from numbers (the last round's), or else a guess."""
        placed: dict[str, int] = {}
        out = {}
        guessed.clear()
        for anchor in share:
            written = {t: "0" * len(str(placed[t] + 1) if t in placed else numbers.get(t) or
                                    _estimate(blocks, ids.get(t), order[0], 0, CHARS_PER_PAGE))
                       for t in targets[anchor]}
            out[anchor] = part = lay(anchor, written, median)
            if anchor in starts:
                placed.update({ident: starts[anchor] + page for ident, page in part.at.items()})
            other = flipped(written, numbers)
            if median is not None and other != written:
                guessed.append((anchor, other))
        return out

    ahead: list[bool] = [False]
    """In this process: whether the layouts running now are adjustments made ahead (they give way as
    soon as the helper's plain parts are back)."""

    early: dict[tuple, tuple] | None = {} if helper is not None and adjust and repair else None
    """In this process, with a helper: (HTML, notes held) -> (Document, what the engine said) of each
    layout made ahead, until the adjustments ask for it."""

    def adjust_ahead(mine: dict[str, Part]) -> None:
        """While the helper still lays out its plain parts, adjust this process's first parts with the
        book's median word space guessed from their lines alone (rounded, as the median is: on ALZHIR
        and on issue 17's corpus each half of the book gives the whole book's). Each layout is kept in
        `early`; the adjustments after the plain parts ask for the same layouts, in the same order,
        when the guess and the parts' numbers hold, and are given them. A layout is the same whoever
        asks for it, so what is kept is what would be laid out; what is not asked for is let go."""
        guess = median_guess([line for part in mine.values() for line in part.lines])
        if guess is None:
            return
        ahead[0] = True
        try:
            for anchor in mine:
                if helper.ready():
                    break
                if chapters.get(anchor) is None:
                    continue
                first = (anchor, tuple(sorted(mine[anchor].numbers.items())), None)
                key = first[:2] + (guess,)
                if key not in laid and laid.get(first) is not None and laid[first].document is not None:
                    earlier = set(early)
                    laid[key] = _polish(laid[first], book, chapters[anchor], html, blocks, laying, guess)
                    made_ahead.append(key)
                    # asked for whole (`lay`), not layout by layout: what was said goes with the part
                    echoes[key] = [m for k in [k for k in early if k not in earlier] for m in early.pop(k)[1]]
        except Exception:  # _GiveWay, or a layout that failed: a guess never fails the build (the
            pass  # adjustments after lay out again what they need, and fail there if it fails)
        finally:
            ahead[0] = False

    made_ahead: list[tuple] = []
    """Keys of the parts adjusted ahead whole (`laid`): the adjustments after ask for them by key."""

    guessed: list[tuple[str, dict[str, str]]] = []
    """The parts of the last share whose numbers may have another count of digits once the other
    process's parts are adjusted, with those numbers' digits as they would then be (flipped)."""

    before: dict[str, int] = {}
    """Where each part began in the last round (lay_share's starts)."""

    def rounds(median: float | None):
        """Lay out every part (again where a number's digits were guessed wrong) until the numbers
        hold. With the helper, a round after the first lays out only the parts whose digits were
        wrong, shared anew between the two processes."""
        previous = None
        for body.rounds in range(1, ROUNDS + 1):
            if helper is None:  # in order: a reference back gets its number's digits from the pages laid out
                parts = []
                for anchor in order:
                    pages, at, _ = _join(parts, blank)
                    per_page = _chars_per_page(blocks, parts)
                    written = {t: "0" * len(str(at[t] + 1) if t in at else numbers.get(t) or
                                            _estimate(blocks, ids.get(t), anchor, len(pages), per_page))
                               for t in targets[anchor]}
                    parts.append(lay(anchor, written, median))
            else:  # both processes at once, each laying out its share in book order
                redo = [a for a in order if previous is None or any(
                    len(n) != len(numbers.get(t, n)) for t, n in previous[a].numbers.items())]
                if previous is None:
                    there = theirs
                else:  # a second round: shared anew, but for the parts the helper has guessed at
                    ahead = {a for a in redo if a in there and flipped(previous[a].numbers, told) != previous[a].numbers}
                    there = ahead | share_out(blocks, [a for a in redo if a not in ahead])
                told = dict(numbers)
                helper.send("lay", [a for a in redo if a in there], median, told, dict(before))
                if median is not None:  # lay out the parts it may be asked for again while this process works
                    helper.send_aside("guess", median)
                mine = lay_share([a for a in redo if a not in there], median, numbers, before)
                if median is None and previous is None and early is not None and not helper.ready():
                    adjust_ahead(mine)
                got = {}
                for sent in helper.receive():
                    laid[(sent.anchor, tuple(sorted(sent.numbers.items())), median)] = got[sent.anchor] = sent
                parts = [mine.get(a) or got.get(a) or previous[a] for a in order]
                previous = {part.anchor: part for part in parts}
            pages, at, starts = _join(parts, blank)
            before.clear()
            before.update(starts)
            known = {t: str(at[t] + 1) for anchor in order for t in targets[anchor] if t in at}
            numbers.update(known)
            if all(len(p.numbers[t]) == len(known.get(t, p.numbers[t])) for p in parts for t in p.numbers):
                break
        return parts, pages, at, starts, known

    if helper is not None:
        helper.start(lambda name, *args: serve(name, args))
    parts, pages, at, starts, known = rounds(None)
    if adjust and repair:  # loose lines are judged against the whole book's median word space
        body.median = book_median([line for part in parts for line in part.lines])
        if body.median is not None:
            parts = pages = None  # the plain layouts go as the adjusted ones replace them
            parts, pages, at, starts, known = rounds(body.median)
    if early:
        early.clear()  # made ahead and never asked for
    final = {id(part) for part in parts}
    for key in made_ahead:  # adjusted ahead with a guess that did not hold
        echoes.pop(key, None)
        if key in laid and id(laid[key]) not in final:
            del laid[key]
    body.parts, body.numbers, body.starts, body.at = parts, known, starts, at
    outcome = body.outcome
    for part in parts:
        outcome.fixes.update(part.outcome.fixes)
        outcome.first.update({ident: starts[part.anchor] + page for ident, page in part.outcome.first.items()})
        outcome.repairs += part.outcome.repairs
        outcome.unrepaired += part.outcome.unrepaired
        outcome.chapter_layouts += part.outcome.chapter_layouts
        outcome.adjust_layouts += part.outcome.adjust_layouts
        outcome.adjust_seconds += part.outcome.adjust_seconds
        outcome.filled += part.outcome.filled
        outcome.chapters |= part.outcome.chapters
    outcome.html = styled(with_numbers(html, blocks, outcome.fixes, known), outcome.fixes)
    head = html[:html.find("<body")]
    if helper is not None:  # the helper stamps and draws its parts while this process goes on
        if first is not None:
            first(body, len(pages))
        helper.send("draw", [(p.anchor, p.numbers, p.median, starts[p.anchor], _blank_after(p, parts))
                             for p in parts if p.document is None], known, head)
    for part in parts:
        if part.document is not None:
            stamp_numbers(part.document, known)
    bare = set(starts.values()) | {i for i, page in enumerate(pages) if page is blank}
    sheet = layout(folio_sheet(head, len(pages), bare))
    outcome.document = sheet.copy(stamp_folios(pages, sheet.pages))
    outcome.layouts = len({key[:2] for key in laid})  # parts laid out (adjusting one is counted apart)
    outcome.repair_seconds = sum(part.outcome.repair_seconds for key, part in laid.items() if key[2] is None)
    return body


def book_median(lines: list) -> float | None:
    """The book's median word space, from all its lines, rounded to a tenth: coarse, so that a small
    change elsewhere in the book changes no adjustment."""
    median = loose_lines(lines)[0]
    return round(median, 1) if median else None


def median_guess(lines: list) -> float | None:
    """book_median guessed from some of the book's lines (adjust_ahead)."""
    return book_median(lines)


class _GiveWay(Exception):
    """A guess of the helper stops: a command waits for it."""


def flipped(written: dict[str, str], numbers: dict[str, str]) -> dict[str, str]:
    """A part's numbers (target -> zeros, one per digit) with the digits of each number taken from
    the last round (numbers) that is on a boundary (9 or 10, 99 or 100, ...) as they would be on
    the other side of it: an adjustment elsewhere that moves the target by a page makes them so."""
    out = dict(written)
    for target, zeros in written.items():
        number = numbers.get(target, "")
        if len(zeros) != len(number) or not number.isdigit():
            continue
        if len(number) > 1 and number == "1" + "0" * (len(number) - 1):
            out[target] = "0" * (len(number) - 1)
        elif set(number) == {"9"}:
            out[target] = "0" * (len(number) + 1)
    return out


def _blank_after(part: Part, parts: list[Part]) -> bool:
    """Whether a blank verso follows the part (it has an odd number of pages and is not the last)."""
    return part is not parts[-1] and part.count % 2 == 1


def _join(parts: list[Part], blank) -> tuple[list, dict[str, int], dict[str, int]]:
    """The parts' pages joined, a blank verso before each part that would open on a verso; where
    every id landed; where each part starts. A part laid out in a helper has stand-ins for pages."""
    pages, at, starts = [], {}, {}
    for part in parts:
        if len(pages) % 2:
            pages.append(blank)  # the verso before a part that opens on a recto
        starts[part.anchor] = len(pages)
        for ident, page in part.at.items():
            at.setdefault(ident, len(pages) + page)
        pages += part.document.pages if part.document is not None else [StandIn(part.anchor, i) for i in range(part.count)]
    return pages, at, starts


class StandIn:
    """A page laid out in a helper process, in the joined body's list of pages: it has no boxes,
    no anchors and no links here (the helper draws it)."""

    anchors: dict = {}
    links: list = []

    def __init__(self, part: str, index: int, blank: bool = False):
        self.part, self.index = part, index
        self.blank = blank
        """Whether the engine left it blank (layout.paginate.blank_pages)."""


def share_out(blocks: Blocks, order: list[str]) -> set[str]:
    """The parts a helper lays out: about half of the body's HTML, the biggest parts shared out
    first to whichever side has less."""
    sizes = {a: blocks.spans[a][1] - blocks.spans[a][0] for a in order}
    here = there = 0
    theirs = set()
    for anchor in sorted(order, key=lambda a: -sizes[a]):
        if there < here:
            theirs.add(anchor)
            there += sizes[anchor]
        else:
            here += sizes[anchor]
    return theirs


def _polish(part: Part, book: Book, chapter, html: str, blocks: Blocks, layout, median: float) -> Part:
    """A part laid out and repaired, with its loose lines, grid and short pages adjusted
    (layout/adjust.py), loose lines judged against the book's median word space."""
    if chapter is None:
        return replace(part, median=median)
    outcome = replace(part.outcome, fixes=dict(part.outcome.fixes), chapters=set(part.outcome.chapters),
                      filled=list(part.outcome.filled))
    adjusted = adjust_part(book, chapter, part.document, part.at,
                           lambda fixes: chapter_alone(html, blocks, part.anchor, fixes, part.numbers, folios=False),
                           lambda trials: galley_html(html, blocks, part.anchor, trials, part.numbers), blocks, outcome.fixes, layout, lambda d: anchor_pages(d.pages), outcome, median)
    if adjusted is None:
        return replace(part, outcome=outcome, median=median)
    (document, at), outcome.fixes = adjusted
    outcome.unrepaired = misplaced([chapter], at)
    return Part(part.anchor, document, at, part.numbers, outcome, len(document.pages), body_lines(document.pages),
                median)


def _lay_out_part(anchor: str, chapter, html: str, blocks: Blocks, written: dict[str, str], layout,
                  repair: bool) -> Part:
    """One part laid out alone with the numbers given, its misplaced notes repaired."""
    def alone(fixes):
        return chapter_alone(html, blocks, anchor, fixes, written, folios=False)

    document = layout(alone({}))
    at = anchor_pages(document.pages)
    outcome = Outcome(None, "", first=at)  # the Part holds the document
    missing = misplaced([chapter], at) if chapter is not None else []
    if missing and repair:
        started, done = time.perf_counter(), {}
        outcome.chapters.add(anchor)
        kept = repair_chapter(chapter, alone, blocks, outcome.fixes, layout, lambda d: anchor_pages(d.pages),
                              {}, done, outcome, (document, at))
        if kept:
            document, at = kept
        outcome.repairs = [Repair(n, at[n.anchor], done[n.anchor]) for n in chapter.notes
                           if n.anchor in done and n.anchor in at and at[n.anchor] == at.get("call-" + n.anchor)]
        missing = misplaced([chapter], at)
        outcome.repair_seconds = time.perf_counter() - started
    outcome.unrepaired = missing
    return Part(anchor, document, at, written, outcome, len(document.pages), body_lines(document.pages))


def folio_sheet(head: str, count: int, bare: set[int], first: int = 1) -> str:
    """A document of count empty pages with the body's page rules, whose folios are those of the
    body's pages from folio first (odd: a recto); the pages in bare carry none."""
    rule = (f"<style>@page {NO_FOLIO} {{ @bottom-left {{ content: none }} @bottom-right {{ content: none }} }}"
            f"@page :first {{ counter-reset: page {first} }} div.sheet + div.sheet {{ break-before: page }}</style>")
    pages = "".join(f'<div class="sheet"{" style=%s" % repr("page: " + NO_FOLIO) if i in bare else ""}></div>'
                    for i in range(count))
    return head.replace("</head>", rule + "</head>", 1) + '<body class="folios">' + pages + "</body></html>"


FOLIO_BOXES = frozenset({"@bottom-left", "@bottom-right"})
"""The margin boxes that carry the folio."""


def stamp_folios(pages: list, sheet: list) -> list:
    """The pages with the folio boxes of the folio sheet's pages added (a page whose sheet page has
    none is returned as it is). The body pages are not changed: a stamped page is a copy."""
    from weasyprint.formatting_structure import boxes

    stamped = []
    for page, folio in zip(pages, sheet):
        if isinstance(page, StandIn):
            stamped.append(page)
            continue
        extra = [box for box in folio._page_box.children
                 if isinstance(box, boxes.MarginBox) and box.at_keyword in FOLIO_BOXES]
        if not extra:
            stamped.append(page)
            continue
        new = copy.copy(page)
        new._page_box = page._page_box.copy_with_children(list(page._page_box.children) + extra)
        stamped.append(new)
    return stamped


def _ids(html: str, blocks: Blocks) -> dict[str, int]:
    """Every id in the body's parts -> its offset in the HTML."""
    found = {}
    for match in _ID.finditer(html):
        found.setdefault(match.group(1), match.start())
    return found


_ID = re.compile(r'\sid="([^"]+)"')


def _estimate(blocks: Blocks, offset: int | None, anchor: str, laid_pages: int, per_page: float) -> str:
    """A first guess at a later target's folio, for its number of digits: the pages laid out so far,
    plus the target's distance in the HTML from the part being laid out, at the rate of the parts
    laid out so far."""
    start = blocks.spans[anchor][0]
    ahead = max(0, (offset if offset is not None else start) - start)
    return str(laid_pages + 1 + int(ahead / per_page))


def _chars_per_page(blocks: Blocks, parts) -> float:
    """Characters of HTML per page in the parts laid out so far."""
    chars = sum(blocks.spans[p.anchor][1] - blocks.spans[p.anchor][0] for p in parts)
    pages = sum(p.count for p in parts)
    return chars / pages if pages else CHARS_PER_PAGE


_DIGITS = re.compile(r"\d+")


def stamp_numbers(document, numbers: dict[str, str]) -> None:
    """Write each cross-reference's real page number over the zeros it was laid out with (the
    `::after` text of `a.xref`; same number of tabular figures, so the same width). The text is
    drawn from the box's `pango_layout.text`, which the engine shapes again when it draws."""
    from weasyprint.formatting_structure import boxes

    written = False
    for page in document.pages:
        for box in page._page_box.descendants():
            if not isinstance(box, boxes.TextBox) or not (box.element_tag or "").endswith("::after"):
                continue
            element = box.element
            if element is None or element.get("data-page") is None:
                continue
            number = numbers.get((element.get("href") or "#")[1:])
            text = box.pango_layout.text
            found = _DIGITS.search(text)
            if number and found and len(found.group()) == len(number):
                box.pango_layout.text = box.text = text[:found.start()] + number + text[found.end():]
                written = True
    if written:
        text_written()  # the lines measured before show the zeros (measure._line)
