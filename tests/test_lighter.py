"""Issue 17, lighter pages: the same book for less engine time.

No per-word spans in the chapter HTML (names are kept whole by the typesetting pass alone),
stylesheets parsed once per build, the index's two columns split by us rather than balanced by
the engine, and preflight reusing what the layout knows.
"""

from __future__ import annotations

import gc
import re

import pytest

from book import pipeline
from book.layout.paginate import Engine
from book.paths import STYLES

SHEET = """
@page { margin: 20mm 15mm; @top-right { content: "Head " counter(page) } }
@page :left { margin-left: 25mm }
p { font-size: 11pt; line-height: 14pt; hyphens: manual; text-align: justify }
.big { font-size: 18pt }
"""


def _html(sheet_url: str, words: int) -> str:
    text = " ".join(f"word{i % 17}" for i in range(words))
    return (f"<html><head><style>@page {{ size: 120mm 160mm }} p {{ color: black }}</style>"
            f'<link rel="stylesheet" href="{sheet_url}"></head>'
            f'<body><p id="a">{text}</p><p class="big" id="b">{text}</p></body></html>')


def _boxes(box, out=None):
    """Every box of a page as (type, x, y, width, height, text), in tree order."""
    out = [] if out is None else out
    out.append((type(box).__name__, round(box.position_x, 3), round(box.position_y, 3),
                round(box.width or 0, 3), round(box.height or 0, 3), getattr(box, "text", None)))
    for child in getattr(box, "children", ()):
        _boxes(child, out)
    return out


def test_a_linked_stylesheet_is_parsed_once_and_lays_out_as_if_parsed_again(tmp_path):
    (tmp_path / "s.css").write_text(SHEET, encoding="utf-8")
    url, base = (tmp_path / "s.css").as_uri(), tmp_path.as_uri() + "/"
    shared = Engine([tmp_path])
    first = shared.layout(_html(url, 900), base)
    second = shared.layout(_html(url, 1400), base)
    assert shared.fetcher.served.count((tmp_path / "s.css").resolve()) == 1
    fresh = Engine([tmp_path]).layout(_html(url, 1400), base)
    assert len(second.pages) == len(fresh.pages) > 2 and len(first.pages) > 1
    for ours, theirs in zip(second.pages, fresh.pages):
        assert _boxes(ours._page_box) == _boxes(theirs._page_box)
    heads = [b[5] for b in _boxes(second.pages[1]._page_box) if b[5] and b[5].startswith("Head")]
    assert heads == ["Head 2"]
    assert second.pages[1]._page_box.margin_left != second.pages[2]._page_box.margin_left  # :left applies


def test_the_build_parses_book_css_once(tmp_path):
    from synth import write_book

    from book.pipeline import Reporter, build

    book = write_book(tmp_path / "book", chapters=2, paragraphs=6)
    messages: list[str] = []
    build(book, tmp_path / "out", reporter=Reporter(engine=messages.append))
    parsed = [m for m in messages if re.match(r"Step 2 - Fetching and parsing CSS - .*/book\.css$", m)]
    assert len(parsed) == 1, parsed
    documents = [m for m in messages if m.startswith("Step 4 - Creating formatting structure")]
    assert len(documents) >= 4  # body, front matter, blank, index, cover


def test_columns_are_filled_to_the_foot_and_the_last_page_balanced():
    from book.layout.index import Heights, Item, plan_columns

    entry, heading = Item(20, 0, 2, False), Item(15, 10, 4, True)
    items = ([heading] + [entry] * 9) * 6  # 60 items, a heading before every nine entries
    plan = plan_columns(items, first=200, rest=300)
    heights = Heights(items)
    assert [a for a, _, _ in plan] == [0] + [c for _, _, c in plan[:-1]] and plan[-1][2] == len(items)
    for number, (a, b, c) in enumerate(plan):
        room = 200 if number == 0 else 300
        assert heights.column(a, b) <= room and heights.column(b, c) <= room
        assert not items[b - 1].heading and not items[c - 1].heading
        if number < len(plan) - 1:  # a full column: the next item would not have fitted
            assert heights.column(a, b + 1) > room or items[b].heading
            assert heights.column(b, c + 1) > room or items[c].heading
    a, b, c = plan[-1]
    lowest = min(max(heights.column(a, s), heights.column(s, c)) for s in range(a + 1, c + 1)
                 if not items[s - 1].heading)
    assert max(heights.column(a, b), heights.column(b, c)) == lowest
    assert heights.column(a, b) >= heights.column(b, c)
    # the margins between items collapse: heading after entry keeps the larger of the two
    assert heights.column(9, 11) == 20 + max(2, 10) + 15


def test_index_of_a_long_book_is_set_in_planned_columns(tmp_path):
    """A corpus book with several index pages: one .cols per page, its two columns side by side,
    each inside the page, every entry printed once, in order."""
    from corpus import write_corpus
    from pypdf import PdfReader

    from book.pipeline import build

    book = write_corpus(tmp_path / "corpus", chapters=4)
    summary = build(book, tmp_path / "out", edition="draft")
    html = (tmp_path / "out" / "synthetic.html").read_text(encoding="utf-8")
    index = html[html.index('class="chapter index"'):]
    assert "class=\"letters" not in index and index.count('class="cols"') >= 2
    first = summary.layout.pages["index"]
    reader = PdfReader(tmp_path / "out" / "synthetic-print.pdf")
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages[first:])
    pages = index.count('class="cols"')
    assert sum(1 for page in reader.pages[first:] if (page.extract_text() or "").strip()) == pages
    positions = [text.find(f"{entry.sort} ({entry.role})") for entry in summary.index if not entry.see]
    assert -1 not in positions and positions == sorted(positions)


def test_names_stay_whole_without_spans_in_a_narrow_measure(tmp_path):
    """Only the typesetting pass's soft hyphens break words (hyphens: manual): in a column a few
    words wide, long lower-case words break and capitalised names never do."""
    from book.markup.typeset import Hyphenator, typeset

    names = ["Andronikashvili", "Stepanova-Klyuchnikova", "Messerer-Plisetskaya", "Zhalgasova", "Tukhachevskaya"]
    words = "administrative counterrevolutionary understanding international correspondence".split()
    text = " ".join(f"{name} {word}" for name in names for word in words)
    html = typeset(f"<p>{text}</p>", Hyphenator("en"))
    assert "<span" not in html
    page = (f'<html><head><link rel="stylesheet" href="{(STYLES / "book.css").as_uri()}">'
            f"<style>@page {{ size: 60mm 400mm }} p {{ width: 32mm }}</style></head><body>{html}</body></html>")
    document = Engine([STYLES]).layout(page, STYLES.as_uri() + "/")
    lines = [b for b in _boxes(document.pages[0]._page_box) if b[0] == "TextBox"]
    ends = [t for *_, t in lines if t and t.rstrip().endswith(("-", "\u2010"))]
    assert ends, "no word was hyphenated, so the test shows nothing"
    for end in ends:
        last = end.split()[-1]
        if last[:1].isupper():  # a name may break only at its own hyphen (Stepanova-|Klyuchnikova)
            assert any(name.startswith(last) for name in names), end
    assert any(end.split()[-1][:1].islower() for end in ends)


def _note_text_boxes(document) -> list[tuple]:
    """Every text box of every footnote area: (page, text, x, y), in order."""
    out = []
    for number, page in enumerate(document.pages):
        for area in page._page_box.children:
            if type(area).__name__ == "FootnoteAreaBox":
                out += [(number, b[5], b[1], b[2]) for b in _boxes(area) if b[0] == "TextBox"]
    return out


def test_note_numbers_are_inline_and_start_the_text_where_the_inline_block_did():
    """The note number is an inline box padded to 1.1em by its class (styles/make_note_numbers.py),
    not an inline-block with min-width, which the engine measured at every footnote-area relayout;
    every note's number and text land where the inline-block put them, for one, two and three
    digits (the classes go stale if the notes' font or size changes: run the script again)."""
    from book.layout.render import number_classes

    notes = "".join(f'Word {n}.<span class="fn" id="n{n}"><a class="fn-num" href="#c{n}">{n}</a> Note text '
                    f'{"long " * (n % 7)}number {n}.</span> ' for n in range(1, 131))
    head = f'<link rel="stylesheet" href="{(STYLES / "book.css").as_uri()}"><style>@page {{ size: A5 }}'
    old = ".fn .fn-num { display: inline-block; min-width: 1.1em }"
    html = "<html><head>{}{}</style></head><body><section class='chapter'><p>{}</p></section></body></html>"
    engine = Engine([STYLES])
    new = engine.layout(html.format(head, "", number_classes(notes)), STYLES.as_uri() + "/")
    before = engine.layout(html.format(head, old, notes), STYLES.as_uri() + "/")
    assert number_classes(notes).count('class="fn-num n') == 99  # 1 to 99; 100 and up are wide enough
    ours, theirs = _note_text_boxes(new), _note_text_boxes(before)
    assert len(ours) == len(theirs) >= 260 and len(new.pages) == len(before.pages)
    for a, b in zip(ours, theirs):
        assert a[:2] == b[:2] and abs(a[2] - b[2]) < 1e-3 and abs(a[3] - b[3]) < 1e-3, (a, b)
    boxes = [type(b).__name__ for p in new.pages for b in _all_boxes(p._page_box)]
    assert "InlineBlockBox" not in boxes and "InlineBlockBox" in [
        type(b).__name__ for p in before.pages for b in _all_boxes(p._page_box)]


def _all_boxes(box):
    yield box
    for child in getattr(box, "children", ()):
        yield from _all_boxes(child)


def test_the_footnote_area_from_per_note_heights_lays_out_as_the_engine_does():
    """book/layout/footnote_area.py sizes a page's footnote area from each note laid out once, not
    by laying out every note on the page again for each one added: on pages full of notes of one to
    six lines, some moved to the next page, every box lands where the engine's own relayout put it,
    and the per-note path is the one taken."""
    import random

    from conftest import noted_paragraphs

    from book.layout import footnote_area

    rng = random.Random(17)
    words = "camp steppe letter winter station archive mother wagon barrack order".split()
    paragraphs = noted_paragraphs(rng, 60, words, 40, 4)
    html = (f'<html><head><link rel="stylesheet" href="{(STYLES / "book.css").as_uri()}">'
            f"<style>@page {{ size: A5 }}</style></head><body><section class='chapter'>{paragraphs}"
            "</section></body></html>")
    engine = Engine([STYLES])  # installs the per-note path
    taken = []
    alone = footnote_area._alone
    footnote_area._alone = lambda *args: taken.append(1) or alone(*args)
    try:
        ours = engine.layout(html, STYLES.as_uri() + "/")
    finally:
        footnote_area._alone = alone
    footnote_area.uninstall()
    try:
        theirs = engine.layout(html, STYLES.as_uri() + "/")
    finally:
        footnote_area.install()
    notes = html.count('class="fn"')
    assert notes >= 100 and len(ours.pages) == len(theirs.pages) > 10
    assert len(taken) > notes  # every note measured, and some again on the page they were moved to
    for a, b in zip(ours.pages, theirs.pages):
        assert _boxes(a._page_box) == _boxes(b._page_box)


def _ttfont(data: bytes):
    import io

    from fontTools.ttLib import TTFont
    return TTFont(io.BytesIO(data))


def test_fonts_are_subset_as_the_engine_does_without_reading_the_tables_it_drops(monkeypatch):
    """font_subset.py: the same bytes as the engine's fontTools subsetting, and GSUB and GPOS
    (Literata's kerning, 80 % of a subset's time) are never decompiled."""
    from types import SimpleNamespace

    from fontTools.ttLib import TTFont

    from book.layout import font_subset

    from fontTools.misc.timeTools import epoch_diff

    data = (STYLES / "fonts" / "Literata-Regular.ttf").read_bytes()
    # the engine writes the build's time as head.modified, ours keeps the font's own: the same here
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(_ttfont(data)["head"].modified + epoch_diff))
    used = {gid: "" for gid in range(3, 600, 3)}

    def font():
        return SimpleNamespace(file_content=data, missing={}, index=0, family="Literata")

    engine, ours = font(), font()
    font_subset._ENGINE(engine, used, False)
    read = []
    original = TTFont.__getitem__

    def getitem(self, tag):
        read.append(tag)
        return original(self, tag)

    monkeypatch.setattr(TTFont, "__getitem__", getitem)
    font_subset.fonttools_subset(ours, used, False)
    assert ours.file_content == engine.file_content
    monkeypatch.delenv("SOURCE_DATE_EPOCH")  # the build's time: ours still keeps the font's date
    again = font()
    font_subset.fonttools_subset(again, used, False)
    assert _ttfont(again.file_content)["head"].modified == _ttfont(data)["head"].modified
    assert again.file_content == ours.file_content
    assert len(ours.file_content) < len(data) / 2
    assert not {"GSUB", "GPOS"} & set(read)
    Engine(roots=[STYLES])  # an engine installs it for every PDF its process writes
    from weasyprint.pdf.fonts import Font
    assert Font._fonttools_subset is font_subset.fonttools_subset


def test_a_build_collects_garbage_less_often_and_puts_the_pace_back(tmp_path, monkeypatch):
    """While a build runs, the youngest generation is collected after GC_YOUNG new objects (fewer
    full collections of all the build keeps); after it, or after one that fails, as before."""
    seen = []

    def build_probe(*args):
        seen.append(gc.get_threshold())
        if len(seen) == 2:
            raise RuntimeError("the build failed")
        return "built"

    monkeypatch.setattr(pipeline, "_build", build_probe)
    before = gc.get_threshold()
    assert before[0] < pipeline.GC_YOUNG  # Python's own pace, or the test would prove nothing
    assert pipeline.build(tmp_path, tmp_path / "out") == "built"
    assert seen[0] == (pipeline.GC_YOUNG, *before[1:]) and gc.get_threshold() == before
    with pytest.raises(RuntimeError):
        pipeline.build(tmp_path, tmp_path / "out")
    assert seen[1][0] == pipeline.GC_YOUNG and gc.get_threshold() == before


def test_a_chunk_of_text_is_hyphenated_once_per_book_and_as_alone(monkeypatch):
    """The typesetting pass remembers how it set each space-separated chunk (a book repeats most of
    its words): a chunk met again is not worked out again, and comes out as a hyphenator that never
    met it sets it; the memory holds a bounded number of chunks."""
    from book.markup import typeset as t

    text = "<p>Remembering the deportations, remembering 1938, remembering&nbsp;them: remembering.</p>"
    fresh = t.typeset(text, t.Hyphenator("en"))
    worked = []
    real = t._hyphenated
    monkeypatch.setattr(t, "_hyphenated", lambda chunk, h: (worked.append(chunk), real(chunk, h))[1])
    kept = t.Hyphenator("en")
    assert t.typeset(text, kept) == t.typeset(text, kept) == fresh and "\u00ad" in fresh
    assert sorted(worked) == sorted(set(worked)) and worked.count("remembering") == 1
    monkeypatch.setattr(t, "CHUNKS_KEPT", 2)
    small = t.Hyphenator("en")
    assert t.typeset(text, small) == fresh and len(small._chunks) <= 2
