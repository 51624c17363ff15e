"""The galley (layout/galley.py) breaks each paragraph's lines as the chapter laid out alone does, with
any spacing: what lets the spacings of loose paragraphs be tried in one small layout."""

from __future__ import annotations

import pytest

from book.layout import bibliography as biblio
from book.layout.galley import _span, galley_html, galley_lines
from book.layout.measure import block_lines
from book.layout.paginate import Engine
from book.layout.render import Urls, render_body
from book.layout.repair import Blocks, chapter_alone
from book.layout.tighten import SPACINGS, with_spacing
from book.markup.book import load_book
from book.paths import STYLES
from conftest import BOOKS, ROOT


def _body(root):
    book, _ = load_book(root)
    urls = Urls.for_book(root)
    engine = Engine([root, STYLES])
    html = render_body(book, urls, biblio.entries(book))
    def layout(h):
        document = engine.layout(h, urls.base)
        assert not engine.messages, engine.messages  # a galley that leaves a link without its target says so
        return document
    return book, html, Blocks(html), layout


def _by_block(pairs):
    out = {}
    for block, line in pairs:
        out.setdefault(block, []).append(line)
    return out


def _shape(lines):
    return [(line.text, round(line.word_space, 2), line.justified, line.hyphenated) for line in lines]


@pytest.mark.parametrize("root, chapter, spacing", [
    (ROOT / "chapters", 2, ""), (ROOT / "chapters", 5, "tight"), (ROOT / "chapters", 9, "wider"),
    (BOOKS / "typography", 0, ""), (BOOKS / "typography", 0, "tightest"),
])
def test_galley_lines_are_the_chapters_lines(root, chapter, spacing):
    """Every paragraph of a chapter, set with one spacing, breaks into the same lines (text, word space,
    justification, hyphen) in the galley as in the chapter laid out alone with that spacing, including
    paragraphs with note calls, cross-references and ones that follow a heading or a quotation."""
    book, html, blocks, layout = _body(root)
    anchor = book.chapters[chapter].anchor
    first = blocks.first_block[anchor]
    count = sum(1 for c in blocks.chapter_of_block if c == anchor)
    numbers = {target: "00" for _, target in blocks.xrefs}
    fixes = with_spacing({}, {b: spacing for b in range(first, first + count)}) if spacing else {}
    alone = _by_block((b, line) for b, line in block_lines(layout(chapter_alone(html, blocks, anchor, fixes, numbers,
                                                                                  folios=False)).pages,
                                                           blocks.first_block) if line.chapter == anchor)
    assert len(alone) >= 5, "the chapter has paragraphs"
    assert any(b > first and html[blocks.blocks[b - 1] - 3:blocks.blocks[b - 1]] in ("<h2", "<h3") for b in alone) or \
        root != ROOT / "chapters", "a paragraph after a heading is among them"
    trials = [(b, fixes) for b in sorted(alone)]
    measured = galley_lines(layout(galley_html(html, blocks, anchor, trials, numbers)))
    for k, (b, _) in enumerate(trials):
        assert _shape(measured.get(k, [])) == _shape(alone[b]), f"block {b - first} of {anchor}"


def test_a_galley_holds_each_spacing_of_a_paragraph_apart():
    """Five spacings of one paragraph in one galley: five trials, and a tighter one is never longer."""
    book, html, blocks, layout = _body(ROOT / "chapters")
    anchor = book.chapters[5].anchor
    end = blocks.spans[anchor][1]
    block = max((b for b, c in enumerate(blocks.chapter_of_block) if c == anchor and html[blocks.blocks[b] - 2:blocks.blocks[b]] == "<p"),
                key=lambda b: (lambda span: span[1] - span[0])(_span(html, blocks, b, end)))
    trials = [(block, with_spacing({}, {block: s})) for s in ("",) + SPACINGS]
    measured = galley_lines(layout(galley_html(html, blocks, anchor, trials, {})))
    assert sorted(measured) == list(range(len(trials)))
    counts = {s: len(measured[k]) for k, s in enumerate(("",) + SPACINGS)}
    assert counts["tightest"] <= counts["tight"] <= counts[""] <= counts["wider"]
    assert len({tuple(_shape(measured[k])) for k in measured}) > 1, "the spacings change the lines"


def test_a_galley_cuts_the_notes_out_and_keeps_their_calls():
    """The notes of the paragraphs tried are not in the galley (they take no room in a line: the
    engine would parse and style them for nothing); their calls, and what follows each, are."""
    from book.layout.galley import without_notes

    nested = ('<p>One<a class="call" href="#n1">1</a><span class="fn" id="n1"><a class="fn-num n1">1</a> '
              'A <span class="nm">Name</span> and <span class="x"><span>deep</span></span>.</span> two, '
              'three<a class="call">2</a><span class="fn">Plain.</span></p>')
    assert without_notes(nested) == '<p>One<a class="call" href="#n1">1</a> two, three<a class="call">2</a></p>'
    assert without_notes("<p>No notes.</p>") == "<p>No notes.</p>"
    book, html, blocks, layout = _body(ROOT / "chapters")
    anchor = book.chapters[2].anchor
    end = blocks.spans[anchor][1]
    trials = [(b, {}) for b, c in enumerate(blocks.chapter_of_block) if c == anchor]
    galley = galley_html(html, blocks, anchor, trials, {})
    calls = sum(html[slice(*_span(html, blocks, b, end))].count('<a class="call"') for b, _ in trials)
    assert calls >= 10 and galley.count('<a class="call"') == calls
    assert '<span class="fn"' not in galley


@pytest.mark.parametrize("name", ["index-of-names", "typography"])
def test_galleys_in_stages_choose_as_one_galley_does(name, tmp_path, monkeypatch):
    """A paragraph's next spacing is tried in a later galley only when the ones before it did not
    do what it is tried for, and a trial already measured is not laid out again (adjust._staged):
    the book comes out page for page as when every spacing is tried in one galley, from fewer
    trials."""
    from pypdf import PdfReader

    from book.layout import adjust
    from conftest import build_fixture

    counts = {"staged": 0, "one": 0}

    def counting(key, real):
        def staged(lay_galley, items, groups, settled, known):
            def lay(trials):
                counts[key] += len(trials)
                return lay_galley(trials)
            return real(lay, items, groups, settled, known)
        return staged

    def at_once(lay_galley, items, groups, settled, known):
        measured = galley_lines(lay_galley(items))
        return [measured.get(k, []) for k in range(len(items))]

    texts = {}
    for key, real in (("staged", adjust._staged), ("one", at_once)):
        monkeypatch.setattr(adjust, "_staged", counting(key, real))
        summary = build_fixture(BOOKS / name, tmp_path / key, jobs=1, preflight=False)
        texts[key] = [page.extract_text() for page in PdfReader(summary.outputs[0]).pages]
    assert texts["staged"] == texts["one"]
    assert 0 < counts["staged"] < counts["one"]


def test_staged_lays_out_each_trial_once_and_stops_at_the_first_that_settles(monkeypatch):
    """Trials go to galleys one position of their group at a time; a group stops at its first trial
    that settles; a trial whose block and tokens were measured already (in this call, or in the
    chapter's known trials) is not laid out again, and gets the lines measured."""
    from book.layout import adjust

    laid = []

    def lay_galley(trials):
        laid.append([(b, sorted(f.get(b, ()))) for b, f in trials])
        return trials

    monkeypatch.setattr(adjust, "galley_lines", lambda trials: {
        n: [f"{b}:{'+'.join(sorted(f.get(b, ())))}:{len(laid)}"] for n, (b, f) in enumerate(trials)})
    items = [(1, {1: {"tight"}}), (1, {1: {"tighter"}}), (1, {1: {"wide"}}),
             (2, {2: {"wide"}, 1: {"tight"}}), (2, {2: {"wide"}}), (3, {3: {"tight"}}), (3, {3: {"wide"}})]
    groups = [[0, 1, 2], [3], [4], [5, 6]]
    known = {}
    out = adjust._staged(lay_galley, items, groups, lambda k, lines: k in (1, 5), known)
    assert laid == [[(1, ["tight"]), (2, ["wide"]), (3, ["tight"])], [(1, ["tighter"])]]
    assert out == [["1:tight:1"], ["1:tighter:2"], None, ["2:wide:1"], ["2:wide:1"], ["3:tight:1"], None]
    assert known[(2, frozenset({"wide"}))] == ["2:wide:1"]

    again = adjust._staged(lay_galley, [(3, {3: {"tight"}}), (3, {3: {"wide"}, 4: {"b4"}})], [[0, 1]],
                           lambda k, lines: False, known)
    assert laid[2:] == [[(3, ["wide"])]]
    assert again == [["3:tight:1"], ["3:wide:3"]]
