"""A laid-out body (notes repaired) -> the body with each chapter's page adjusted: loose lines set
tighter or looser (tighten.py), text after tables and figures back on the baseline grid (grid.py).

Each chapter is laid out alone, as repair.py does it (`chapter_alone`: the chapter's section, its
cross-references' page numbers written in, numbered from its folio), with `data-fix` tokens on its
top-level blocks; each layout is measured from its boxes and decides the next tokens. A chapter's
adjustments are kept only when no note of it that was on its call's page leaves it. The adjusted
chapters' pages then take the place of their old ones (`splice_pages`), or the body is laid out once
more; if a note is then off its page, the body is left as the note repair made it.
"""

from __future__ import annotations

import math
import statistics
import time
from dataclasses import dataclass

from . import depth, grid, resume, tighten
from .galley import galley_html, galley_lines
from .note_split import holding_only
from .measure import PX_TO_PT, block_lines, body_lines, loose_lines, page_gaps, zero_figures
from .repair import Outcome, Blocks, chapter_alone, misplaced, splice_pages, with_fixes

GRID_ROUNDS = 4
"""Layouts of a chapter alone, after the spacings are chosen, to bring its blocks onto the grid."""

REFIT_SPARE = 2
"""A short page's refit tries, of the paragraphs that may gain or lose a line, the nearest twice as
many as the lines it lacks, and two more (the galley that measures them costs a layout of their
lines with each spacing)."""

DEPTH_TRIALS = 4
"""Layouts of a chapter alone, at most, trying to fill its short pages."""


def rules(fixes: dict[int, set[str]]) -> str:
    """The <style> element for the adjustments whose CSS depends on a measure (the grid pads); the
    fixed ones are in book.css."""
    tokens = {t for tokens in fixes.values() for t in tokens}
    css = grid.rules(tokens) + depth.fill_rules(tokens)
    return f"<style>{css}</style>" if css else ""


def styled(html: str, fixes: dict[int, set[str]]) -> str:
    """html with the <style> of the adjustments whose CSS depends on a measure."""
    return html.replace("</head>", rules(fixes) + "</head>", 1)


def adjust(book, outcome: Outcome, layout, anchors, median: float | None = None) -> tuple[Outcome, float]:
    """The outcome with every chapter adjusted (or as it was when nothing could be kept), and the
    median word space used (pass the body's to the front matter, so both use one threshold).
    layout(html) -> Document; anchors(document) -> {id: 0-based page}."""
    started = time.perf_counter()
    source, document = outcome.source, outcome.document
    blocks = Blocks(source)
    at = anchors(document)
    lines = block_lines(document.pages, blocks.first_block)
    if median is None:
        median = loose_lines([line for _, line in lines])[0]
    if not lines or not median:
        return outcome, median
    on_grid = book.manifest.style.grid == "baseline"
    fixes = {i: set(v) for i, v in outcome.fixes.items()}
    numbers = {ident: str(page + 1) for ident, page in at.items()}
    alone = {}
    for chapter in book.chapters:
        if chapter.anchor not in at or chapter.anchor not in blocks.spans:
            continue
        its = [(b, line) for b, line in lines if line.chapter == chapter.anchor]
        def html_of(trial, anchor=chapter.anchor):
            return chapter_alone(source, blocks, anchor, trial, numbers)

        def galley_of(trials, anchor=chapter.anchor):
            return galley_html(source, blocks, anchor, trials, numbers)

        result = _adjust_chapter(chapter, its, (document, at), html_of, galley_of, blocks, fixes, layout, anchors,
                                 tighten.Trials(median), on_grid, outcome, alone_base=False)
        if result is not None:
            alone[chapter.anchor], kept = result
            fixes.update(kept)
    if not alone:
        return outcome, median
    html = styled(with_fixes(source, blocks, fixes), fixes)
    spliced = splice_pages(document, at, alone, blocks)
    if spliced is None:
        spliced = layout(html)
        outcome.adjust_layouts += 1
    outcome.adjust_seconds += time.perf_counter() - started
    known = {m.note.anchor for m in outcome.unrepaired}
    if {m.note.anchor for m in misplaced(book.chapters, anchors(spliced))} - known:
        return outcome, median
    outcome.document, outcome.html, outcome.fixes = spliced, html, fixes
    return outcome, median


def adjust_part(book, chapter, document, at, alone, galley, blocks, fixes, layout, anchors, outcome: Outcome,
                median: float):
    """A chapter laid out alone (layout/body.py), adjusted: ((document, anchors), its fixes) or None
    when nothing is to change. median: the book's median word space, which loose lines are judged
    against. alone(fixes) -> the chapter's HTML; galley(trials) -> a galley of its blocks
    (galley.galley_html)."""
    started = time.perf_counter()
    lines = [(b, line) for b, line in block_lines(document.pages, blocks.first_block) if line.chapter == chapter.anchor]
    if not lines:
        return None
    result = _adjust_chapter(chapter, lines, (document, at), alone, galley, blocks, fixes, layout, anchors,
                             tighten.Trials(median), book.manifest.style.grid == "baseline", outcome)
    outcome.adjust_seconds += time.perf_counter() - started
    return result


def _adjust_chapter(chapter, lines, base, alone, galley, blocks, fixes, layout, anchors,
                    trials: tighten.Trials, on_grid: bool, outcome: Outcome, alone_base: bool = True):
    """Try every spacing on each of the chapter's loose paragraphs, and the spacings that may refit
    its short pages (_refit_trials), in galleys (galley.py, _staged); then lay the chapter out with the
    spacing that leaves each loose paragraph the fewest loose lines (or, if a note then leaves its
    page, the best that keeps its line count), its short pages refitted in the same layout when
    those spacings keep every line count (else refitted after, _refit); then relax widows and
    orphans on pages still short (_deepen); then pad blocks until they sit on the grid; then justify
    the pages still short vertically, in whole lines (_justify). base: (document, anchors) of the chapter as laid out with
    fixes (alone_base: of the chapter alone, else of a document it is part of). Returns
    ((document, anchors), the chapter's fixes), or None when nothing is to change or a note would
    leave its page. The trials hold notes where base's layout held them (note_split.holding_only)."""
    with holding_only(getattr(base[0], "_book_held", ())), resume.trials():
        return _adjust_held(chapter, lines, base, alone, galley, blocks, fixes, layout, anchors, trials, on_grid,
                            outcome, alone_base)


def _adjust_held(chapter, lines, base, alone, galley, blocks, fixes, layout, anchors, trials, on_grid, outcome,
                 alone_base):
    """_adjust_chapter's work."""
    def lay(trial):
        outcome.adjust_layouts += 1
        laid = layout(styled(alone(trial), trial))
        return laid, anchors(laid)

    pages, at = base[0].pages, base[1]
    before = {m.note.anchor for m in misplaced([chapter], at)}

    def notes_kept(laid) -> bool:
        return not {m.note.anchor for m in misplaced([chapter], laid[1])} - before

    current = {i: set(v) for i, v in fixes.items()}
    trials.record(lines, current)
    pending = [(block, tighten.with_spacing(current, {block: spacing}))
               for block in trials.next_trial() for spacing in tighten.SPACINGS]
    early = _refit_trials(base[0], current, chapter.anchor, blocks) if alone_base else None
    refits = early.pending if early is not None else []

    def lay_galley(items):
        outcome.adjust_layouts += 1
        return layout(galley(items))

    spaced = [[k + len(pending) for k in group] for group in _groups(refits, _direction)]
    known: dict = {}  # the chapter's trials measured in galleys, for _refit's to reuse
    measured = _staged(lay_galley, pending + refits, _groups(pending, lambda item: item[0]) + spaced,
                       lambda k, its: _settles(trials, pending[k], its) if k < len(pending)
                       else _refits(early, trials, refits[k - len(pending)], its), known)
    for (block, trial), its in zip(pending, measured):
        if its is not None:
            trials.record([(block, line) for line in its], trial)
    measured = measured[len(pending):]
    laid = base if alone_base else None
    chosen = trials.choose(False)
    refitted = None
    if early is not None and all(trials.seen[b][name].lines == trials.seen[b][""].lines
                                 for b, name in chosen.items() if name):
        # the spacings chosen keep every paragraph's line count, so the pages break as in base: the
        # short pages are refitted from base, in the same layout
        refitted = _try_plans(early, measured, tighten.with_spacing(current, chosen), base[0], lay, notes_kept, trials,
                              keep={b for b, name in chosen.items() if name}) or ()
    if refitted:
        laid, current = refitted
    else:
        for same_lines in (False, True):  # fewest loose lines; else, if a note moves, the same line counts
            trial = tighten.with_spacing(current, trials.choose(same_lines))
            if (laid is None or laid is base) and _same(trial, current) and not _short(pages, lines) and \
                    not (on_grid and grid.regrid(pages, lines, trial)):
                return None  # nothing to change
            if laid is None or not _same(trial, current):
                laid = lay(trial)
            current = trial
            if notes_kept(laid):
                break
        else:
            return None
    trial = current
    if refitted is None:  # not tried from base: refitted here, from the chapter as laid out with its spacings
        laid, trial = _refit(laid, trial, chapter.anchor, blocks, lay, lay_galley, notes_kept, trials, known)
    laid, trial = _deepen(laid, trial, chapter.anchor, blocks, lay, notes_kept)
    for _ in range(GRID_ROUNDS if on_grid else 0):
        lines = block_lines(laid[0].pages, blocks.first_block)
        padded = {**trial, **grid.regrid(laid[0].pages, lines, trial)}
        if _same(padded, trial):
            break
        moved = lay(padded)
        if not notes_kept(moved):
            break
        laid, trial = moved, padded
    laid, trial = _justify(laid, trial, chapter.anchor, blocks, anchors, notes_kept, outcome)
    own = {i: v for i, v in trial.items() if _chapter_of(blocks, i) == chapter.anchor}
    return laid, own


def _short(pages, lines) -> bool:
    """Whether a page of the chapter (whose lines are given) but its last ends short."""
    spread = sorted({line.page for _, line in lines})
    gaps = page_gaps(pages, [line for _, line in lines])
    pitch = statistics.median(line.height for _, line in lines) * PX_TO_PT
    return any(gaps.get(i, 0) / pitch > depth.ALLOWED for i in spread[:-1])


@dataclass
class Refit:
    """A chapter's short pages and the paragraphs that may fill them, with the spacings to try."""

    document: object
    """The chapter laid out."""
    short: dict[int, float]
    """Page -> how many lines short it ends (those over depth.ALLOWED)."""
    lines: dict[int, list]
    """Block -> its lines."""
    wholly: dict[int, list[int]]
    """Short page -> the blocks (without a spacing yet) that end on it or on a page before it, back to
    the short page before, the closest first: the pages between are full, so a line more or less in
    any of them moves the lines that end the short page on, or back. Only those worth trying
    (depth.spacings_worth_trying), as many as REFIT_SPARE says."""
    pending: list[tuple[int, dict[int, set[str]]]]
    """(block, fixes with a spacing on it) for each trial, as galley.galley_html takes them."""


def _refit_trials(document, fixes, chapter: str, blocks) -> Refit | None:
    """The trials that may fill the chapter's short pages (None: no page ends short)."""
    short = depth.short(document)
    if not short:
        return None
    by_block: dict[int, list] = {}
    for block, line in block_lines(document.pages, blocks.first_block):
        if line.chapter == chapter:
            by_block.setdefault(block, []).append(line)
    spaced = set(tighten.SPACINGS)
    wholly, worth, after = {}, {}, -1
    for page in sorted(short):  # the blocks that end on the page or on one before it, back to the last short one
        ends = {b: its[-1].page for b, its in by_block.items() if after < its[-1].page <= page
                and its[0].page > after and not spaced & fixes.get(b, set())}
        worth.update({b: depth.spacings_worth_trying([line.text for line in by_block[b]]) for b in ends})
        nearest = [b for b in sorted(ends, key=lambda b: (-ends[b], b)) if worth[b]]
        wholly[page] = nearest[:REFIT_SPARE * math.ceil(short[page] - depth.ALLOWED - 1e-6) + REFIT_SPARE]
        after = page
    pending = [(b, tighten.with_spacing(fixes, {b: name})) for page in short for b in wholly[page]
               for name in worth[b]]
    return Refit(document, short, by_block, wholly, pending)


def _refit_plans(refit: Refit, measured: list[list], trials: tighten.Trials) -> list[dict[int, str]]:
    """What to try, in turn, from the galley's lines of refit.pending: a plan that lengthens each
    short page's paragraphs or, where too few can be, shortens enough for the next page's first lines
    to come back; then, if that plan shortens, the one that only lengthens. A spacing that leaves a
    paragraph a loose line, a line too tight or a run of hyphens (trials.judge) is not used."""
    spaced = set(tighten.SPACINGS)
    longer: dict[int, str] = {}
    shorter: dict[int, str] = {}
    for (b, trial), its in zip(refit.pending, measured):
        if its is None:  # not tried: a spacing before it did what it could (_staged)
            continue
        name = next(t for t in trial[b] if t in spaced)
        if not trials.judge(its).clean:
            continue
        if len(its) == len(refit.lines[b]) + 1 and name in depth.LENGTHEN:
            longer.setdefault(b, name)
        elif len(its) == len(refit.lines[b]) - 1 and name in depth.SHORTEN:
            shorter.setdefault(b, name)
    pitch = statistics.median(line.height for its in refit.lines.values() for line in its)
    lengthen: dict[int, str] = {}
    plan: dict[int, str] = {}
    for page, gap in refit.short.items():
        need = math.ceil(gap - depth.ALLOWED - 1e-6)
        up = [b for b in refit.wholly[page] if b in longer][:need]
        lengthen.update({b: longer[b] for b in up})
        lack = depth.deficit(refit.document, page)
        down = [b for b in refit.wholly[page] if b in shorter]
        if len(up) < need and lack is not None and 0.5 < lack <= len(down) * pitch:
            plan.update({b: shorter[b] for b in down[:math.ceil(lack / pitch - 1e-6)]})
        else:
            plan.update({b: longer[b] for b in up})
    return [p for p in ([plan, lengthen] if plan != lengthen else [plan]) if p]


def _deeper(new, old) -> bool:
    """Whether a layout ends fewer pages short than another (or as many by fewer lines) in no more pages."""
    return depth.shortness(new) < depth.shortness(old) and len(new.pages) <= len(old.pages)


def _try_plans(refit: Refit, measured: list[list], fixes, than, lay, notes_kept, trials: tighten.Trials,
               keep=frozenset()):
    """The first of refit's plans (on top of fixes, blocks in keep left as they are) whose layout ends
    fewer pages short than the document than (or as many by fewer lines) in no more pages, without a
    note leaving its call's page: ((document, anchors), its fixes), or None."""
    for plan in _refit_plans(refit, measured, trials):
        plan = {b: name for b, name in plan.items() if b not in keep}
        if not plan:
            continue
        trial = tighten.with_spacing(fixes, plan)
        new = lay(trial)
        if _deeper(new[0], than) and notes_kept(new):
            return new, trial
    return None


def _refit(laid, fixes, chapter: str, blocks, lay, lay_galley, notes_kept, trials: tighten.Trials, known: dict):
    """Fill short pages by setting paragraphs that lie wholly on them a little differently, each one
    line longer or shorter (nothing else of the page changes). A page gets as many paragraphs one line
    longer (depth.LENGTHEN) as it has whole lines to spare beyond the one allowed; when it has too
    few of those, as many one line shorter (depth.SHORTEN) as it takes for the next page's first
    lines and their notes to come back (depth.deficit). Every candidate is tried in galleys (_staged;
    _refit_plans says which are used; known: the chapter's trials already measured, as _staged takes
    them); a plan is kept as _try_plans says."""
    refit = _refit_trials(laid[0], fixes, chapter, blocks)
    if refit is None or not refit.pending:
        return laid, fixes
    measured = _staged(lay_galley, refit.pending, _groups(refit.pending, _direction),
                       lambda k, its: _refits(refit, trials, refit.pending[k], its), known)
    return _try_plans(refit, measured, fixes, laid[0], lay, notes_kept, trials) or (laid, fixes)


def _staged(lay_galley, items: list, groups: list[list[int]], settled, known: dict) -> list:
    """The lines of each of items (trials as galley.galley_html takes them) from galleys
    (lay_galley(items) -> Document), None for those not tried. groups: indices of items, each group
    in the order its trials are judged, the first that does what is wanted being the one kept; so
    the first galley tries the first of every group, the second the second of the groups whose
    first did not do it (settled(index, lines) -> whether it did), and so on. What is kept is what
    one galley of them all gives (each trial in a galley is laid out on its own), for fewer lines
    laid out: on ALZHIR 289 trials (1,978 lines) against 410 (2,777) when a second galley tried
    all the rest of the groups and every trial was laid out however often it came; on issue 17's
    corpus 657 (4,472 lines) against 764 (5,173).
    known: (block, its tokens) -> lines, the chapter's trials already measured (_trial_key), filled
    in here; a trial found there, or twice among items, is not laid out again (a paragraph's lines
    depend only on its own tokens: galley.py)."""
    out: list = [None] * len(items)
    live = [g for g in groups if g]
    at = 0
    while live:
        tried = [g[at] for g in live]
        fresh: dict = {}  # key -> the first trial of this stage with it, not measured yet
        for k in tried:
            if (key := _trial_key(items[k])) not in known:
                fresh.setdefault(key, items[k])
        if fresh:
            measured = galley_lines(lay_galley(list(fresh.values())))
            known.update((key, measured.get(n, [])) for n, key in enumerate(fresh))
        for k in tried:
            out[k] = known[_trial_key(items[k])]
        live = [g for g in live if at + 1 < len(g) and not settled(g[at], out[g[at]])]
        at += 1
    return out


def _trial_key(item) -> tuple[int, frozenset]:
    """A trial (block, fixes) -> what its lines in a galley depend on: the block and its tokens."""
    block, fixes = item
    return block, frozenset(fixes.get(block, ()))


def _groups(items: list, key) -> list[list[int]]:
    """The indices of items, in order, grouped by key(item): the spacings of each loose paragraph
    (key: its block, in tighten.SPACINGS order), or those that make a paragraph one line longer and
    those that make it one line shorter (key: _direction)."""
    groups: dict = {}
    for k, item in enumerate(items):
        groups.setdefault(key(item), []).append(k)
    return list(groups.values())


def _settles(trials: tighten.Trials, item, lines) -> bool:
    """Whether a loose paragraph's spacing (item: (block, fixes)) leaves it clean with as many lines
    as it had: trials.choose keeps the first such spacing whatever the others do."""
    plain = trials.seen.get(item[0], {}).get("")
    return plain is not None and trials.judge(lines).clean and len(lines) == plain.lines


def _direction(item) -> tuple[int, int]:
    """A refit's trial (block, fixes) -> (its block, +1 for a spacing that may make it one line
    longer, -1 for one that may make it one line shorter)."""
    block, trial = item
    return block, 1 if set(trial[block]) & set(depth.LENGTHEN) else -1


def _refits(refit: Refit, trials: tighten.Trials, item, lines) -> bool:
    """Whether a refit's spacing (item: (block, fixes)) does what it is tried for: a clean paragraph
    one line longer (or shorter); _refit_plans keeps the first such spacing of a paragraph."""
    block, change = _direction(item)
    return trials.judge(lines).clean and len(lines) == len(refit.lines[block]) + change


def _deepen(laid, fixes, chapter: str, blocks, lay, notes_kept):
    """Fill pages over depth.RELAX_OVER lines short, one at a time from the first (depth.candidates);
    an adjustment is kept when fewer pages end short, or as many by fewer lines, the chapter does not
    grow, no paragraph more ends in a runt (a last line of a word or two alone at the head of a page:
    relaxing widows may leave one) and no note leaves its call's page."""
    tried: list[dict] = []
    while len(tried) < DEPTH_TRIALS:
        document = laid[0]
        better = None
        for page in depth.short_pages(document, depth.RELAX_OVER):
            for trial in depth.candidates(document, page, chapter, blocks, fixes):
                if trial in tried or len(tried) >= DEPTH_TRIALS:
                    continue
                tried.append(trial)
                new = lay(trial)
                if (depth.shortness(new[0]) < depth.shortness(document) and
                        len(new[0].pages) <= len(document.pages) and depth.runts(new[0]) <= depth.runts(document)
                        and notes_kept(new)):
                    better = new, trial
                    break
            if better or len(tried) >= DEPTH_TRIALS:
                break
        if better is None:
            break
        laid, fixes = better
    return laid, fixes


def _justify(laid, fixes, chapter: str, blocks, anchors, notes_kept, outcome: Outcome):
    """Fill the pages still short with whole blank lines between their blocks (depth.fill), the boxes
    moved down on copies of those pages (depth.justify: the lines fit in the room, so none changes
    page and nothing is laid out again), kept when fewer pages end short (or as many by fewer lines)
    and no note leaves its call's page. Each page filled is recorded in outcome.filled."""
    document = laid[0]
    short = depth.short(document)
    if not short:
        return laid, fixes
    pads, added = {}, {}
    for page, gap in short.items():
        its = depth.fill(document, page, gap, chapter, blocks)  # blocks of the page: on no other page's list
        pads.update(its)
        added[page] = sum(its.values())
    if not pads:
        return laid, fixes
    pitch = depth.pitch_pt(document)
    trial = depth.filled(fixes, pads, pitch)
    justified = depth.justify(document, pads, chapter, blocks, pitch)
    new = justified, anchors(justified)
    if not (_deeper(new[0], document) and notes_kept(new)):
        return laid, fixes
    lines = body_lines(document.pages)
    for page, gap in short.items():
        ends = [line for line in lines if line.page == page and line.chapter == chapter]
        worded = [line for line in ends if len(line.text.split()) >= 4] or ends  # one the report can find
        if added[page] and worded:
            same = [line for line in lines if line.chapter == chapter and
                    zero_figures(line.text) == zero_figures(worded[-1].text)]  # as report_filled counts them
            outcome.filled.append((chapter, worded[-1].text, same.index(worded[-1]), added[page], round(gap, 1)))
    return new, trial


def _chapter_of(blocks: Blocks, index: int) -> str:
    from .repair import ROW

    if index >= ROW:
        index = blocks.row_table[index - ROW]
    return blocks.chapter_of_block[index]


def _same(a: dict[int, set[str]], b: dict[int, set[str]]) -> bool:
    keys = set(a) | set(b)
    return all(a.get(k, set()) == b.get(k, set()) for k in keys)
