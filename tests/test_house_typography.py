"""Typography measured from the layout: dictionary hyphenation, tied pairs, one house style, one
baseline grid, loose lines found at their file:line. Over the fixture book `typography` and the ALZHIR
book in chapters/ (laid out once per module, never edited)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from book.cite import format_bibliography_entry, format_note, parse_citation
from book.errors import Problems
from book.layout import measure
from book.layout.paginate import Engine
from book.layout.render import Urls
from book.markup.book import load_book
from book.markup.typeset import NBSP, SOFT, Hyphenator, typeset
from book.model import HouseStyle, Source
from book.paths import STYLES
from book.pipeline import Reporter, lay_out
from book.source.hyphenation import parse_exceptions
from book.source.load import load_manifest
from conftest import BOOKS, ROOT, build_fixture

WRONG = ["lis-ted", "arres-ted", "exemp-ted", "administrat-ive", "even-ing", "memor-ies", "viol-ence",
         "trait-ors"]
"""Breaks the en-GB patterns make and no English dictionary does (issue 14)."""
MONTHS = ("January February March April May June July August September October November December").split()


def laid_out(root, adjust=True):
    """The book laid out as the build does it (adjust=False: the engine's layout alone, without the
    note repairs and the per-chapter adjustments of loose lines and the grid)."""
    book, problems = load_book(root)
    laid = lay_out(book, Urls.for_book(root), Engine([root, STYLES]), Reporter(), problems, adjust)
    return book, laid, measure.body_lines(laid.pages)


@pytest.fixture(scope="module")
def alzhir():
    return laid_out(ROOT / "chapters")


@pytest.fixture(scope="module")
def fixture_book():
    return laid_out(BOOKS / "typography")


@pytest.fixture(scope="module")
def fixture_plain():
    return laid_out(BOOKS / "typography", adjust=False)


@pytest.fixture(params=["alzhir", "fixture_book"])
def any_book(request):
    return request.getfixturevalue(request.param)


# --- hyphenation -------------------------------------------------------------------

def test_the_books_own_words_break_where_a_dictionary_does():
    hyphenator = Hyphenator("en")
    for wrong in WRONG:
        word = wrong.replace("-", "")
        assert wrong.index("-") not in hyphenator.breaks(word), wrong
    assert hyphenator.hyphenate("administrative") == SOFT.join(["admin", "is", "tra", "tive"])


def test_names_numbers_urls_and_short_words_are_never_broken():
    hyphenator = Hyphenator("en")
    html = ('<p>Andronikashvili <span class="nm">misunderstood</span> 1937–1953 counterrevolutionary-looking '
            'see qalam.kz/misunderstanding a <a class="url" href="x">misunderstanding</a> listed '
            'misunderstanding</p><svg><text>misunderstanding</text></svg>')
    out = typeset(html, hyphenator)
    assert out.count(SOFT) == out.split("</a>")[1].count(SOFT) > 0  # only the last plain word
    assert "Andronikashvili" in out and "listed" in out


def test_at_least_three_letters_stay_on_each_side(any_book):
    _, _, lines = any_book
    for before, after in zip(lines, lines[1:]):
        if not before.hyphenated:
            continue
        head = re.findall(r"[^\W\d_]+", before.text)[-1]
        tail = re.findall(r"[^\W\d_]+", after.text)[0]
        assert len(head) >= 3 and len(tail) >= 3, (before.text, after.text)
        assert head[0].islower(), before.text
        assert f"{head}-{tail}".lower() not in WRONG, (before.text, after.text)


def test_no_more_than_two_hyphenated_lines_in_a_row(any_book):
    _, _, lines = any_book
    assert sum(line.hyphenated for line in lines) > 0 or len(lines) < 200
    assert measure.hyphen_runs(lines) == []


def test_hyphen_runs_are_found_in_a_narrow_measure():
    _, _, lines = laid_out(BOOKS / "narrow-measure")
    runs = measure.hyphen_runs(lines)
    assert runs and all(len(run) > 2 and all(line.hyphenated for line in run) for run in runs)


def test_exceptions_file_sets_or_forbids_breaks(tmp_path):
    entries, problems = parse_exceptions(["# comment", "me-mo-ries", "barracks  # whole", "two words", "x1y"])
    assert entries == [("memories", (2, 4)), ("barracks", ())]
    assert [(line, col) for line, col, _ in problems] == [(4, 4), (5, 2)]
    hyphenator = Hyphenator("en", tuple(entries))
    assert hyphenator.breaks("barracks") == () and hyphenator.breaks("memories") == (4,)  # 'me-' is too short
    manifest_problems = Problems()
    (tmp_path / "book.yaml").write_text("title: T\ncontents: [a.md]\nhyphenation: hy.txt\n")
    (tmp_path / "a.md").write_text("---\ntitle: A\n---\n")
    (tmp_path / "hy.txt").write_text("good-word\nbad word\n")
    manifest = load_manifest(tmp_path, manifest_problems)
    assert manifest.hyphenation == (("goodword", (4,)),)
    assert [str(p.location) for p in manifest_problems.errors] == [f"{tmp_path / 'hy.txt'}:2:4"]


# --- pairs -------------------------------------------------------------------------

def test_dates_and_page_numbers_are_tied():
    out = typeset("on 3 December 1937, 31 May, May 30, 2013, (p. 34) and pp. 3–5", None)
    assert out == (f"on 3{NBSP}December{NBSP}1937, 31{NBSP}May, May{NBSP}30, 2013, (p.{NBSP}34) and "
                   f"pp.{NBSP}3–5")


def test_no_line_splits_a_date_or_a_page_reference(any_book):
    _, _, lines = any_book
    for before, after in zip(lines, lines[1:]):
        first = after.text.split()[0] if after.text.split() else ""
        assert not (re.search(r"(?<![\d,.])\d{1,2}$", before.text) and first in MONTHS), (before.text, after.text)
        assert not (before.text.split()[-1:] and before.text.split()[-1] in MONTHS and first[:1].isdigit()), \
            (before.text, after.text)
        assert not re.search(r"\bpp?\.$", before.text), (before.text, after.text)


# --- house style ------------------------------------------------------------------

def test_house_style_decides_dates_and_quotation_punctuation():
    source = Source(id="s", type="blog", title="Remembering the Gulag", origin=None, publisher="Ersatz Expat",
                    date="2013-05-30")
    us, _ = format_note(parse_citation("@s"), {"s": source}, frozenset())
    house, _ = format_note(parse_citation("@s"), {"s": source}, frozenset(),
                           HouseStyle(dates="day-month-year", quotes="logical"))
    assert "“Remembering the Gulag,”" in us and "May 30, 2013" in us
    assert "“Remembering the Gulag”," in house and "30 May 2013" in house
    entry = format_bibliography_entry(source, HouseStyle(dates="day-month-year", quotes="logical"))
    assert "“Remembering the Gulag”." in entry and "30 May 2013" in entry


def test_notes_and_bibliography_follow_book_yaml(tmp_path):
    summary = build_fixture(BOOKS / "typography", tmp_path)
    text = " ".join(" ".join((page.extract_text() or "").split())
                    for page in PdfReader(summary.outputs[0]).pages).replace(NBSP, " ")
    assert "30 May 2013" in text and "2 April 2023" in text
    assert "May 30, 2013" not in text and "April 2, 2023" not in text
    assert "Gulag”," in text and "Gulag,”" not in text


def test_unknown_style_value_is_an_error_at_its_line(tmp_path):
    (tmp_path / "book.yaml").write_text("title: T\ncontents: [a.md]\nstyle: {dates: year-first}\n")
    (tmp_path / "a.md").write_text("---\ntitle: A\n---\n")
    problems = Problems()
    load_manifest(tmp_path, problems)
    assert [str(p.location) for p in problems.errors] == [f"{tmp_path / 'book.yaml'}:3:16"]
    assert "day-month-year or month-day-year" in problems.errors[0].message


# --- grid and spacing --------------------------------------------------------------

def test_every_body_line_is_one_line_deep(any_book):
    """A line with a note call, a small-caps name or a tied pair is as deep as any other."""
    _, _, lines = any_book
    deep = [(line.page, line.text) for line in lines if abs(line.height * measure.PX_TO_PT - 13.4) > 0.05]
    assert deep == []
    assert any("\u2060" in line.text or re.search(r"[a-z.,”]\d", line.text) for line in lines)  # calls


def test_baselines_sit_on_the_grid(any_book):
    _, _, lines = any_book
    assert measure.grid_offsets(lines, 13.4) == []


def grid_positions(laid, lines) -> dict[float, list[int]]:
    """Each distinct baseline position modulo the line (pt below the top of the text area, rounded
    to the measure's tolerance) -> the pages that have a line there."""
    out: dict[float, list[int]] = {}
    for line in lines:
        top = laid.pages[line.page]._page_box.content_box_y()
        at = round(((line.baseline - top) * measure.PX_TO_PT) % 13.4 / 0.4) * 0.4 % 13.4
        out.setdefault(round(at, 1), []).append(line.page)
    return out


def test_baselines_align_on_facing_pages(any_book):
    """Every body line of every page, verso and recto, sits one grid below the top of the text area,
    the text after a table or a figure included (the ALZHIR book has both)."""
    _, laid, lines = any_book
    assert len(grid_positions(laid, lines)) == 1, grid_positions(laid, lines)
    followed = [i for i, page in enumerate(laid.pages)
                if any(b.element_tag in ("table", "figure") for b in page._page_box.descendants()
                       if getattr(b, "element_tag", None))
                and any(line.page == i for line in lines)]
    assert followed


def test_text_after_a_table_or_a_figure_is_put_back_on_the_grid(fixture_plain, fixture_book):
    """The engine leaves the text after a table or a figure off the grid (their heights are not whole
    lines); the adjustment pads the block after them (data-fix g<tenths of a point>)."""
    _, plain, plain_lines = fixture_plain
    _, laid, lines = fixture_book
    assert len(grid_positions(plain, plain_lines)) > 1
    assert len(grid_positions(laid, lines)) == 1
    assert re.search(r'data-fix="[^"]*\bg\d+\b', laid.body.html)


def test_grid_pads_have_a_rule_each():
    from book.layout import grid
    assert grid.pad_of({"g66", "tight"}) == pytest.approx(6.6)
    assert grid.rules({"g66", "tight", "g8"}) == ('[data-fix~="g8"] { padding-top: 0.8pt }\n'
                                                  '[data-fix~="g66"] { padding-top: 6.6pt }\n')


def test_a_book_without_the_grid_has_deeper_lines_with_calls():
    """The measurement can fail: without `grid: baseline` a line with a note call is 14.26pt deep."""
    book, _, lines = laid_out(BOOKS / "crowded-notes", adjust=False)
    assert book.manifest.style.grid == "none"
    assert any(abs(line.height * measure.PX_TO_PT - 14.26) < 0.05 for line in lines)


def test_loose_lines_are_reported_at_their_file_and_line(fixture_plain):
    book, laid, lines = fixture_plain
    notes = measure.report_lines(book, measure.body_lines(laid.pages))
    _, loose = measure.loose_lines(lines)
    assert loose and len(notes) == len(loose)
    chapter = BOOKS / "typography" / "01-words.md"
    for note in notes:
        path, line, col, _ = note.split(":", 3)
        assert path == str(chapter) and int(line) > 3 and int(col) >= 1, note


def test_paragraphs_with_a_loose_line_are_set_tighter_or_looser(fixture_plain, fixture_book):
    """The narrow fixture measure is loose by nature: the adjustment removes some loose lines, and
    the paragraphs it set differently carry their spacing's data-fix token."""
    from book.layout.tighten import SPACINGS
    _, _, plain_lines = fixture_plain
    _, laid, lines = fixture_book
    median, plain = measure.loose_lines(plain_lines)
    loose = [line for line in lines if line.justified and line.word_space > measure.LOOSE * median]
    assert len(loose) < len(plain)
    tokens = set(re.findall(r'data-fix="([^"]*)"', laid.body.html))
    assert {t for value in tokens for t in value.split()} & set(SPACINGS)


def test_the_spacing_kept_is_the_one_with_fewest_loose_lines_then_the_same_line_count():
    from book.layout.tighten import Setting, Trials
    trials = Trials(median=3.0)
    trials.seen = {1: {"": Setting(2, 8, 0), "tight": Setting(0, 7, 0), "tighter": Setting(0, 8, 0)},
                   2: {"": Setting(1, 5, 0), "tight": Setting(1, 5, 0), "wide": Setting(1, 6, 0)},
                   3: {"": Setting(1, 5, 0), "tight": Setting(0, 4, 0)},
                   4: {"": Setting(1, 5, 0), "tight": Setting(0, 5, 1)}}
    assert trials.choose() == {1: "tighter", 2: "", 3: "tight", 4: ""}
    assert trials.choose(same_lines=True) == {1: "tighter", 2: "", 3: "", 4: ""}
    assert trials.next_trial() == {2: "tighter", 4: "tighter"}


def test_at_most_one_loose_line_per_twenty_pages(alzhir):
    _, laid, lines = alzhir
    _, loose = measure.loose_lines(lines)
    assert len(loose) <= len(laid.pages) / 20


def test_no_line_is_set_so_tight_that_words_run_together(any_book):
    """A spacing that tightens a paragraph (for a loose line, or to shorten it by a line) is not kept
    when it leaves a justified line with word spaces under tighten.TIGHT × the font's own (ALZHIR had
    "familymembersoftraitors" at 1.1 pt, where the font's space is 1.9 pt)."""
    from book.layout.tighten import TIGHT
    _, _, lines = any_book
    tight = [(line.page, round(line.word_space, 2), line.text[:40]) for line in lines
             if line.justified and 0 < line.word_space < TIGHT * line.natural]
    assert tight == []


def test_a_section_title_named_in_a_cross_reference_is_quoted():
    from book.layout.render import quote_title_xrefs
    titles = {"garden": {"a garden in the steppe", "labour"}}
    html = ('<a class="xref in-parens" href="#garden">A gar\u00adden in the steppe</a> and '
            '<a class="xref" href="#garden">the garden</a>')
    out = quote_title_xrefs(html, titles)
    assert out.count('class="xref in-parens title"') == 1 and '<a class="xref" href="#garden">the garden' in out
    quoted = '<a class="xref" href="#bear">“Bear in the North”</a>'  # a heading in quotes, quoted as it is
    assert quote_title_xrefs(quoted, {"bear": {"“bear in the north”"}}) == quoted, "quoted once, not twice"


def test_cross_references_print_quoted_titles_with_their_page_tied(alzhir):
    _, _, lines = alzhir
    text = " ".join(line.text.replace("\u2010 ", "").replace("\u2010", "") for line in lines)
    found = re.findall(r"“([^”]{3,60})”(?:,| \() ?p\.(.)(\d+)", text)
    assert len(found) >= 10, found
    assert all(space == NBSP for _, space, _ in found)
    assert "”(p." not in text, "a space between a quoted title and its page"


def test_note_calls_come_after_punctuation_in_captions_and_text():
    from book.markup.typeset import calls_after_punctuation
    call = '<a class="call" href="#n1">1</a><span class="fn" id="n1">A <span class="p">note</span>.</span>'
    assert calls_after_punctuation(f"the table that follows \u2060{call}.") == f"the table that follows.\u2060{call}"
    assert calls_after_punctuation(f"words{call} go on") == f"words{call} go on"
    book, _ = load_book(ROOT / "chapters")
    captions = [c.html for c in book.chapters if "figcaption" in c.html]
    assert captions and not any(re.search(r'\s\u2060?<a class="call"', html) for html in captions)


def test_titles_are_set_by_kind_in_text_as_in_notes():
    from book.markup.typeset import style_titles
    html = "<p><em>A Prison for Mothers</em>, in Qalam; <i>Qalam</i>, Qalamkas</p>"
    out = style_titles(html, ("Qalam",), ("A Prison for Mothers",))
    assert out == "<p>“A Prison for Mothers”, in <i>Qalam</i>; <i>Qalam</i>, Qalamkas</p>"
    book, _ = load_book(ROOT / "chapters")
    about = book.chapters[0].html
    assert "<em>ALZHIR: A" not in about and "“ALZHIR: A" in about
    roman = [c.path.name for c in book.chapters if re.search(r'(?<![\w>])Qalam(?!</i>|[\w<])', c.html)]
    assert roman == []


def test_short_pages_are_filled_where_an_adjustment_can(fixture_plain, fixture_book):
    """depth.shortness (short pages, then lines missing) of the body as adjusted is no worse than the
    engine's, and a page the engine leaves more than a line short is one the candidates address."""
    from book.layout import depth
    from book.layout.repair import Blocks
    _, plain, _ = fixture_plain
    _, laid, _ = fixture_book
    before, after = depth.shortness(plain.body.document), depth.shortness(laid.body.document)
    assert before[0] > 0 and after <= before
    document, blocks = plain.body.document, Blocks(plain.body.html)
    page = depth.short_pages(document)[0]
    chapter = next(iter(blocks.spans))
    assert any(depth.RELAX in tokens for trial in depth.candidates(document, page, chapter, blocks, {})
               for tokens in trial.values())


def test_a_layout_is_measured_once_for_all_the_questions_its_trials_ask(fixture_plain, monkeypatch):
    """depth.gaps, short, shortness and pitch_pt measure a layout's lines once (a chapter's trials
    ask them again and again), answer as a fresh measure does, and measure a document anew when its
    pages are others."""
    import statistics

    from book.layout import depth
    _, plain, _ = fixture_plain
    document = plain.body.document

    def fresh(pages):
        lines = measure.body_lines(pages)
        pitch = statistics.median(line.height for line in lines) * measure.PX_TO_PT
        last = max(line.page for line in lines)
        return {page: gap / pitch for page, gap in measure.page_gaps(pages, lines).items() if page < last}

    calls = []
    monkeypatch.setattr(depth, "body_lines", lambda pages: calls.append(len(pages)) or measure.body_lines(pages))
    depth._MEASURED.pop(document, None)  # another test may have asked first
    expected = fresh(document.pages)
    assert any(gap > depth.ALLOWED for gap in expected.values())
    assert depth.gaps(document) == expected and calls == [len(document.pages)]
    depth.gaps(document)[0] = 99.0  # a copy: what the next question gets is not changed
    assert depth.gaps(document) == expected
    assert depth.short(document) == {p: g for p, g in expected.items() if g > depth.ALLOWED}
    depth.shortness(document), depth.short_pages(document)
    lines = measure.body_lines(document.pages)
    assert depth.pitch_pt(document) == round(statistics.median(line.height for line in lines) * measure.PX_TO_PT, 2)
    assert calls == [len(document.pages)]
    fewer = document.copy(document.pages[1:])
    assert depth.gaps(fewer) == fresh(fewer.pages) and calls == [len(document.pages), len(fewer.pages)]


def test_every_page_of_a_chapter_but_its_last_ends_within_a_line_of_full_depth(any_book):
    """Notes included: the room between a page's last line and its notes (or its foot) is at most a line."""
    _, laid, lines = any_book
    gaps = measure.page_gaps(laid.pages, lines)
    last = {}
    for line in lines:
        last[line.chapter] = max(last.get(line.chapter, 0), line.page)
    short = {page: round(gap / 13.4, 2) for page, gap in gaps.items() if page not in last.values() and gap > 13.4}
    assert short == {}


def test_no_paragraph_ends_in_a_word_or_two_alone_at_the_head_of_a_page(any_book):
    """Relaxing widows fills a short page by a line (depth.candidates), but is not kept where it
    leaves a paragraph's last line alone at the head of the next page when that line is a runt, a
    word or two ("and death.", "either."): ALZHIR had three such; the page is filled otherwise."""
    from book.layout import depth

    book, laid, lines = any_book
    by_chapter: dict[str, list] = {}
    for line in lines:
        by_chapter.setdefault(line.chapter, []).append(line)
    assert sum(len(its) for its in by_chapter.values()) > 100
    found = {chapter: depth._runts(its) for chapter, its in by_chapter.items()}
    assert not any(found.values()), found
    if book.manifest.slug == "alzhir":
        assert any(depth.RELAX in tokens for tokens in laid.body.fixes.values()), "widows are still relaxed elsewhere"


def test_a_runt_is_a_short_last_line_alone_at_the_head_of_a_page():
    from book.layout import depth

    def line(page, text, source):
        return measure.Line(page=page, chapter="c", text=text, baseline=0, top=0, height=13, word_space=2,
                            justified=text.endswith(" x"), hyphenated=False, paragraph=page, source=source)
    full = "a full justified line of text, about as long as any x"
    assert depth._runts([line(0, full, 1), line(1, "either.", 1), line(1, full, 2)]) == 1
    assert depth._runts([line(0, full, 1), line(1, "either.", 1)]) == 1  # the chapter's last line
    assert depth._runts([line(0, full, 1), line(1, "a line that is long enough, more than a third", 1)]) == 0
    assert depth._runts([line(0, full, 1), line(1, "either.", 2)]) == 0  # a paragraph of its own
    assert depth._runts([line(0, full, 1), line(1, "two", 1), line(1, "lines.", 1)]) == 0  # not alone


def test_pages_no_break_can_fill_are_justified_in_whole_lines_and_reported(any_book):
    """The pages that smarter breaks could not fill (ALZHIR has some: their next lines carry notes that
    do not fit) get whole blank lines between their blocks, so that every line stays on the grid (the
    grid tests above), never between a heading and its text; the build names each at file:line, and
    at the page whose foot it is, even where the same line is printed on other pages (the fixture
    repeats its paragraphs)."""
    book, laid, lines = any_book
    filled = laid.body.filled + laid.front_outcome.filled
    assert filled and all(added <= short < added + 1.0 + 0.02 for _, _, _, added, short in filled)
    report = measure.report_filled(book, measure.body_lines(laid.pages), filled)
    assert len(report) == len(filled)
    for message, (chapter, text, _, added, short) in zip(report, filled):
        where = re.search(r"(/[\w/.-]+\.md):(\d+):\d+: PDF page (\d+) .*would end ([\d.]+) lines short: "
                          r"(\d+) blank lines?", message)
        assert where and int(where.group(5)) == added and float(where.group(4)) == short, message
        source = Path(where.group(1)).read_text(encoding="utf-8").split("\n")[int(where.group(2)) - 1]
        assert " ".join(measure._words(text)[:3]) in " ".join(measure._words(measure._plain_source(source)))
        page = [line for line in lines if line.page == int(where.group(3)) - 1 and line.chapter == chapter]
        worded = [line.text for line in page if len(line.text.split()) >= 4]
        assert worded and measure.zero_figures(worded[-1]) == measure.zero_figures(text), message
        assert f'("{measure._excerpt(worded[-1])}")' in message, "quoted as printed, numbers and all"
    below = {}
    for page in laid.pages:
        boxes = list(page._page_box.descendants())
        for i, box in enumerate(boxes):
            if getattr(box, "element_tag", "") in ("h2", "h3"):
                own = [b for b in box.descendants() if type(b).__name__ == "LineBox"]
                after = next((b for b in boxes[i + 1:] if type(b).__name__ == "LineBox" and b not in own), None)
                if own and after is not None:
                    below.setdefault(box.element_tag, set()).add(
                        round(after.position_y - own[-1].position_y - own[-1].height, 1))
    assert below and max(max(distances) for distances in below.values()) < 13.4 / measure.PX_TO_PT, below


def test_vertical_justification_puts_every_line_where_a_layout_with_its_css_does(alzhir):
    """depth.justify moves boxes down on copies of the filled pages instead of laying the chapter out
    again; a layout of the chapter with the same data-fix tokens and their CSS (depth.fill_rules)
    puts every line and every anchor in the same place."""
    from book.layout import bibliography
    from book.layout.adjust import styled
    from book.layout.measure import body_lines
    from book.layout.paginate import anchor_pages
    from book.layout.render import render_body
    from book.layout.repair import Blocks, chapter_alone

    book, laid, _ = alzhir
    root = ROOT / "chapters"
    urls, engine = Urls.for_book(root), Engine([root, STYLES])
    html = render_body(book, urls, bibliography.entries(book))
    blocks, fixes = Blocks(html), laid.body.fixes

    def where(document):
        lines = [(line.page, measure.zero_figures(line.text), round(line.baseline, 2)) for line in body_lines(document.pages)]
        return lines, anchor_pages(document.pages)

    def drawn(document):
        """Per page, the borders the engine draws: a side whose width is not 0, in its colour if that
        is not transparent, whatever its style says (weasyprint.draw.border)."""
        from weasyprint.draw.color import get_color

        return [sorted((box.element_tag or "", side, round(getattr(box, f"border_{side}_width"), 2))
                       for box in page._page_box.descendants() if getattr(box, "style", None) is not None
                       for side in ("top", "right", "bottom", "left")
                       if getattr(box, f"border_{side}_width", 0) and get_color(box.style, f"border_{side}_color").alpha)
                for page in document.pages]

    checked = 0
    for segment in laid.segments:
        document = segment.keep[0] if segment.keep else None
        if segment.key[0] != "part" or getattr(document, "justified_from", None) is None:
            continue
        zeros = {target: "0" * len(number) for target, number in segment.key[4]}
        css = engine.layout(styled(chapter_alone(html, blocks, segment.part, fixes, zeros, folios=False), fixes),
                            urls.base)
        assert where(css) == where(document), segment.part
        assert drawn(css) == drawn(document), f"{segment.part}: a filled page draws no border the CSS does not"
        assert where(document) != where(document.justified_from)
        checked += 1
    assert checked >= 5
    from book.layout.depth import FILL
    assert any(FILL.match(t) and t[0] == "w" for tokens in fixes.values() for t in tokens), \
        "a page is filled above a block too (its CSS: a transparent border)"


# --- uncertain dates and ranges of years: one form, as book.yaml chooses ---------------------

@pytest.mark.parametrize("written, full_about, abbreviated_circa, query", [
    ("from 1938–53", "from 1938–1953", "from 1938–53", "from 1938–1953"),
    ("from 1936–1938", "from 1936–1938", "from 1936–38", "from 1936–1938"),
    ("1899–1901 and 1900–1909", "1899–1901 and 1900–1909", "1899–1901 and 1900–1909", "1899–1901 and 1900–1909"),
    ("built c. 1938", "built about 1938", f"built c.{NBSP}1938", "built [1938?]"),
    ("Circa 1950 it closed", "About 1950 it closed", f"C.{NBSP}1950 it closed", "[1950?] it closed"),
    ("dated [2023?]", "dated about 2023", f"dated c.{NBSP}2023", "dated [2023?]"),
    ("about 2023", "about 2023", "about 2023", "about 2023"),  # maybe a count: pointed out, not changed
    ("pages 12–15, 1950–49, 10:1938–53, 1930s–40s, 1938-53, 2013-05",) * 4,
])
def test_dates_in_text_take_the_house_form(written, full_about, abbreviated_circa, query):
    assert typeset(written, None, ties=False, style=HouseStyle()) == full_about
    assert typeset(written, None, ties=False, style=HouseStyle(ranges="abbreviated", uncertain="circa")) \
        == abbreviated_circa
    assert typeset(written, None, ties=False, style=HouseStyle(uncertain="query")) == query


@pytest.mark.parametrize("first, last, full, abbreviated", [
    ("4", "5", "4–5", "4–5"), ("123", "28", "123–128", "123–28"), ("101", "108", "101–108", "101–8"),
    ("100", "104", "100–104", "100–104"), ("1496", "504", "1496–1504", "1496–504"), ("ii", "iv", "ii–iv", "ii–iv"),
])
def test_page_ranges_in_full_or_as_cmos_abbreviates_them(first, last, full, abbreviated):
    from book.text import number_range
    assert number_range(first, last, "full") == full
    assert number_range(first, last, "abbreviated") == abbreviated


def test_index_joins_pages_as_the_house_writes_ranges():
    from book.layout.index import join_ranges
    folios = [str(n) for n in range(1, 130)]
    pages = {n: f"a{n}" for n in (100, 101, 102, 103, 104, 105, 106, 107, 115, 116)}
    assert [t for t, _ in join_ranges(pages, folios)] == ["101–108", "116–117"]
    assert [t for t, _ in join_ranges(pages, folios, "abbreviated")] == ["101–8", "116–17"]


@pytest.fixture(scope="module")
def house_dates(tmp_path_factory):
    """The fixture book `house-dates` (ranges: abbreviated, uncertain: circa), built: (summary, its text)."""
    summary = build_fixture(BOOKS / "house-dates", tmp_path_factory.mktemp("house-dates"))
    lines = [(page.extract_text() or "").replace(SOFT, "").replace(NBSP, " ") for page in PdfReader(summary.outputs[0]).pages]
    assert not [line for page in lines for line in page.split("\n") if re.search(r"\bc\.$", line.strip())]  # tied
    return summary, [" ".join(page.split()) for page in lines]


def test_text_notes_bibliography_chronology_index_and_colophon_follow_the_house_style(house_dates):
    summary, pages = house_dates
    text = " ".join(pages)
    at = summary.layout.pages
    body = pages[at["ch-01-years"]]
    assert "from 1938–53," in body and "came c. 1990" in body and "in c. 2013." in body  # prose
    assert "Qalam, c. 2023, 112–18." in body and "Memorial, 1938–53." in body  # notes: [2023?], 1938-1953
    chronology = pages[at["ch-02-chronology"]]
    assert "Events, 1937–52." in chronology and "c. 1937 Ivan Chief" in chronology and "1941–52 A school" in chronology
    assert "Memorial. 1938–53." in text and "Qalam, c. 2023." in text  # bibliography
    assert "(head of the camp, 1936–38)" in text  # index (names.yaml role)
    assert "Compiled c. 2024 from sources of 1938–53." in text  # the colophon (book.yaml) on the imprint page
    assert "The Years 1938–53" in pages[at["ch-01-years"]] and "1 The Years 1938–53" in text  # heading, contents
    assert not re.findall(r"\[\d{4}\?\]|\bcirca\b|\bca\.|(?:1\d|20)\d\d–(?:1\d|20)\d\d", text), text
    assert "1940-1960" in text  # a hyphen between years is the editor's to change (below)


def test_dates_the_pass_cannot_change_are_pointed_out_at_their_line(house_dates):
    summary, _ = house_dates
    chapter = BOOKS / "house-dates" / "01-years.md"
    assert [w for w in summary.warnings if "01-years.md" in w] == [
        f'{chapter}:8:6: warning: "about 1500": if it is a date, the house style (uncertain: circa) writes it c. 1500; '
        "write that (if it is a count, leave it)",
        f'{chapter}:8:63: warning: "about 2007": if it is a date, the house style (uncertain: circa) writes it c. 2007; '
        "write that (if it is a count, leave it)",
        f'{chapter}:10:21: warning: "1940-1960": a range of years takes an en dash; write 1940–60',
    ]


def test_about_is_not_pointed_out_where_the_house_writes_about(tmp_path):
    book = tmp_path / "book"
    import shutil
    shutil.copytree(BOOKS / "house-dates", book)
    yaml = book / "book.yaml"
    yaml.write_text(yaml.read_text().replace("uncertain: circa", "uncertain: about"))
    _, problems = load_book(book)
    assert [str(p).split(": ", 1)[1] for p in problems.items] == [
        'warning: "1940-1960": a range of years takes an en dash; write 1940–60']
