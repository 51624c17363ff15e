"""A chapter's trial layouts are made only where they can differ from an earlier layout (resume.py),
styled from that layout where their tokens are the same (restyle.py), and come out exactly as whole
layouts styled by the engine would.

BOOK_RESUME_CHECK=1 lays every such trial out whole as well, styled by the engine, and fails on any
difference in what a page shows (each box's kind, place, size and text, the anchors and the links)."""

from __future__ import annotations

import pytest

from conftest import BOOKS, build_fixture
from book.layout import restyle, resume
from book.layout.paginate import Engine
from book.paths import STYLES


def counted(run) -> dict[str, int]:
    """What run() added to resume.STATS and restyle.STATS."""
    before = {**resume.STATS, **restyle.STATS}
    run()
    return {key: {**resume.STATS, **restyle.STATS}[key] - before[key] for key in before}


@pytest.mark.parametrize("name, skipped", [("typography", 10), ("page-structure", 4), ("index-of-names", 2)])
def test_resumed_trials_equal_whole_layouts(name, skipped, tmp_path, monkeypatch):
    """Books whose chapters are adjusted (loose lines, short pages, the grid, notes split over two
    pages): each resumed trial is compared with its whole layout, and pages are really skipped."""
    monkeypatch.setenv("BOOK_RESUME_CHECK", "1")
    stats = counted(lambda: build_fixture(BOOKS / name, tmp_path, jobs=1, preflight=False))
    assert stats["resumed"] >= 1
    assert stats["skipped"] >= skipped
    assert stats["shared"] >= 1


def test_trials_styled_without_the_builds_shared_styles_equal_whole_layouts(tmp_path, monkeypatch):
    """A document whose sheets keep it from sharing styles across the build (shared_styles.plain):
    its trials still take the earlier layout's styles, the rest styled through a store of the
    document's own, and each equals its whole layout."""
    monkeypatch.setenv("BOOK_RESUME_CHECK", "1")
    monkeypatch.setattr(Engine, "plain", lambda self, html: False)
    stats = counted(lambda: build_fixture(BOOKS / "typography", tmp_path, jobs=1, preflight=False))
    assert stats["shared"] >= 1 and stats["styled"] >= 1


def test_the_check_finds_a_trial_resumed_too_late(tmp_path, monkeypatch):
    """Starting a trial one page after the page the rule allows keeps a stale page: the check fails
    (so the equality above is not vacuous)."""
    monkeypatch.setenv("BOOK_RESUME_CHECK", "1")
    reach = resume._reach
    monkeypatch.setattr(resume, "_reach", lambda record, paths, root_box, after, changed: min(
        reach(record, paths, root_box, after, changed) + 2, len(paths) - 2))
    with pytest.raises(resume.Mismatch):
        build_fixture(BOOKS / "typography", tmp_path, jobs=1, preflight=False)


def test_a_trial_that_cannot_be_resumed_after_all_is_laid_out_whole(tmp_path, monkeypatch):
    """A trial given up halfway (it would need a second pass) starts again from the context as it
    was: the layout is the whole one (checked, as the trial is restyled)."""
    monkeypatch.setenv("BOOK_RESUME_CHECK", "1")
    real = resume._resumed

    def halfway(*args):
        real(*args)
        raise resume._Whole
    monkeypatch.setattr(resume, "_resumed", halfway)
    stats = counted(lambda: build_fixture(BOOKS / "typography", tmp_path, jobs=1, preflight=False))
    assert stats["resumed"] == 0 and stats["shared"] >= 1


def test_the_check_finds_a_changed_block_styled_as_before(tmp_path, monkeypatch):
    """Taking every element's style from the earlier layout, the changed blocks' too, keeps their
    old spacing: the check fails."""
    monkeypatch.setenv("BOOK_RESUME_CHECK", "1")
    real = restyle.StyleFor._share

    def share_all(self, earlier, html, sheets, font_config, target_collector, store):
        wrappers = list(html.wrapper_element.iter_subtree())
        for wrapper, old in zip(wrappers, earlier.order):
            if wrapper.etree_element.get("data-fix") is not None or old.get("data-fix") is not None:
                wrapper.etree_element.set("data-fix", old.get("data-fix") or "")
        return real(self, earlier, html, sheets, font_config, target_collector, store)
    monkeypatch.setattr(restyle.StyleFor, "_share", share_all)
    with pytest.raises(resume.Mismatch):
        build_fixture(BOOKS / "typography", tmp_path, jobs=1, preflight=False)


def test_a_sheet_that_styles_around_a_token_is_not_shared(tmp_path):
    """A selector that lets an element's style depend on another element's data-fix turns the
    sharing off for every document that uses the sheet."""
    assert restyle.shareable('[data-fix~="tight"] { word-spacing: -.04em } p + p { text-indent: 1em }')
    assert restyle.shareable('[data-fix] .fn, [data-fix~="loose"] p { widows: 1 }')
    assert not restyle.shareable('[data-fix~="tight"] + p { color: red }')
    assert not restyle.shareable('h2 ~ [data-fix] p { color: red }')
    assert not restyle.shareable('section:has(p) { color: red }')
    assert restyle.shareable((STYLES / "book.css").read_text(encoding="utf-8"))
    assert restyle.shareable((STYLES / "grid.css").read_text(encoding="utf-8"))
    engine = Engine([tmp_path, STYLES])
    link = f'<link rel="stylesheet" href="{(STYLES / "book.css").as_uri()}">'
    assert engine.shareable(f"<html><head>{link}<style>p {{ margin: 0 }}</style></head><body></body></html>")
    assert not engine.shareable(f"<html><head>{link}<style>[data-fix] + p {{ margin: 0 }}</style></head><body>")
    other = tmp_path / "other.css"
    other.write_text("p { margin: 0 }", encoding="utf-8")
    assert not engine.shareable(f'<html><head><link rel="stylesheet" href="{other.as_uri()}"></head><body>')


def test_the_skeleton_leaves_out_only_the_adjustments():
    head = "<html><head><style>@page { size: 148mm 210mm }</style>"
    rules = '<style>[data-fix~="g42"] { padding-top: 4.2pt }\n</style>'
    plain = head + '</head><body><p>One two.</p><p data-fix="tight">Three.</p></body></html>'
    fixed = head + rules + '</head><body><p data-fix="g42 loose">One two.</p><p>Three.</p></body></html>'
    assert resume.skeleton(plain) == resume.skeleton(fixed)
    assert resume.skeleton(plain) != resume.skeleton(plain.replace("two", "too"))
    assert resume.skeleton(plain) != resume.skeleton(plain.replace("148mm", "149mm"))


def test_paths_compare_in_reading_order():
    assert resume._path({0: {0: {3: {0: {5: {40: None}}}}}}) == (0, 0, 3, 0, 5, 40)
    assert resume._path({0: {1: None, 2: None}}) is None  # two places at once: never resumed from
    assert resume._before((0, 0, 2, 0, 7), (0, 0, 3))  # a page that starts in the block before
    assert resume._before((0, 0, 3), (0, 0, 3))  # a page that starts with the block
    assert not resume._before((0, 0, 3, 0, 1), (0, 0, 3))  # inside it: it started earlier
    assert resume._done((0, 0, 4), (0, 0, 3)) and not resume._done((0, 0, 3, 0, 9), (0, 0, 3))


def _table_chapter(fixes: dict[str, str]) -> str:
    """A chapter alone: a paragraph, a table of some five pages whose second column is as wide as its
    longest text (row 70's), and paragraphs after it; fixes: 'r<row>' or 'p<paragraph>' -> tokens."""
    def fix(name):
        return f' data-fix="{fixes[name]}"' if name in fixes else ""
    rows = "".join(f'<tr{fix(f"r{i}")}><td>Row {i}</td><td>{"word " * (6 if i == 70 else i % 5 + 1)}</td></tr>'
                   for i in range(90))
    paragraphs = "".join(f'<p{fix(f"p{i}")}>{"Some words of text " * 12}</p>' for i in range(4))
    face = (STYLES / "fonts" / "Literata-Regular.ttf").as_uri()
    style = (f'@font-face {{ font-family: "Literata"; src: url({face}) }} '
             '@page { size: 105mm 148mm; margin: 12mm } body { font: 10pt/13pt "Literata" } '
             
             "td { border-bottom: 1pt solid black; padding: 2pt } tr { break-inside: avoid } "
             '[data-fix~="wide"] { letter-spacing: .3em }')
    return (f"<html><head><style>{style}</style></head><body><section class=\"chapter\"><p>Before.</p>"
            f"<table>{rows}</table>{paragraphs}</section></body></html>")


def _trial(engine: Engine, tmp_path, fixes: dict[str, str], monkeypatch):
    """Lay out the table chapter with fixes, then as a trial with no fixes: (the first layout, what
    the trial added to the counts, the page the trial started at). BOOK_RESUME_CHECK compares the
    trial with its whole layout."""
    starts = []
    plan = resume._plan
    monkeypatch.setattr(resume, "_plan", lambda *args: (lambda made: starts.append(made and made[2]) or made)(
        plan(*args)))
    with resume.trials():
        base = engine.layout(_table_chapter(fixes), tmp_path.as_uri() + "/")
        stats = counted(lambda: engine.layout(_table_chapter({}), tmp_path.as_uri() + "/"))
    return base, stats, starts[-1]


def test_a_trial_resumes_between_the_rows_of_a_table(tmp_path, monkeypatch):
    """A change after a long table: the trial starts on the table's last page, from the row it
    started with, and is the same as the whole layout."""
    monkeypatch.setenv("BOOK_RESUME_CHECK", "1")
    engine = Engine([tmp_path, STYLES])
    base, stats, start = _trial(engine, tmp_path, {"p2": "wide"}, monkeypatch)
    table = [i for i, page in enumerate(base.pages) if "Row 89" in _text(page._page_box)][0]
    assert table >= 4  # the table runs over five pages and more
    assert stats["resumed"] == 1 and start == table and stats["skipped"] >= table


def test_a_change_in_a_row_lays_the_whole_table_out_again(tmp_path, monkeypatch):
    """A row's tokens that widen a column change every row of the table: the trial starts before
    the table, and is the same as the whole layout; taking the table's earlier pages as they were
    (the change counted at its row only) keeps rows of the old width, and the check fails."""
    monkeypatch.setenv("BOOK_RESUME_CHECK", "1")
    engine = Engine([tmp_path, STYLES])
    base, stats, start = _trial(engine, tmp_path, {"r70": "wide"}, monkeypatch)
    assert [i for i, page in enumerate(base.pages) if "Row 70" in _text(page._page_box)][0] >= 3
    assert stats["resumed"] == 1 and start == 0
    monkeypatch.setattr(resume, "_whole_tables", lambda root_box, path: path)
    with pytest.raises(resume.Mismatch):
        _trial(Engine([tmp_path, STYLES]), tmp_path, {"r70": "wide"}, monkeypatch)


def _text(box) -> str:
    return " ".join(child.text for child in box.descendants() if hasattr(child, "text") and child.text)


def test_the_skeleton_leaves_out_the_cross_reference_numbers_not_the_references():
    """A part laid out again with a number's other count of digits shares its skeleton (layout/body.py
    resumes it); a reference that gets a number where it had none does not."""
    xref = '<p>See <a class="xref" href="#t" data-page="00">the order</a>.</p><p id="t">Target.</p>'
    html = f"<html><head></head><body>{xref}</body></html>"
    assert resume.skeleton(html) == resume.skeleton(html.replace('data-page="00"', 'data-page="9"'))
    assert resume.skeleton(html) != resume.skeleton(html.replace(' data-page="00"', ""))


def _xref_chapter(number: str) -> str:
    """A chapter alone of some six pages in the book's styles, with a cross-reference written in
    (`number`) on its fourth page, in a justified paragraph, and its target at the end."""
    words = "the wives were sent from the station to the camp in the steppe and wrote letters home " * 6
    before = "".join(f"<p>{words}</p>" for _ in range(18))
    after = "".join(f"<p>{words}</p>" for _ in range(5))
    return (f'<html lang="en"><head><link rel="stylesheet" href="{(STYLES / "book.css").as_uri()}">'
            '<style>@page { size: A5 }</style></head><body><section class="chapter" id="c">'
            f'{before}<p>{words} as the order said (see <a class="xref" href="#t" data-page="{number}">the '
            f'order</a>), {words}</p>{after}<p id="t">The order.</p></section></body></html>')


def test_a_part_laid_out_again_with_other_digits_resumes_from_its_earlier_layout(monkeypatch):
    """The same chapter with the cross-reference's number one digit shorter, laid out again as
    layout/body.py does (resume.again): it starts near the reference's page, takes the earlier pages,
    and equals its whole layout (BOOK_RESUME_CHECK); outside again() it is laid out whole."""
    monkeypatch.setenv("BOOK_RESUME_CHECK", "1")
    engine = Engine([STYLES])
    base = engine.layout(_xref_chapter("00"), STYLES.as_uri() + "/")
    page = [i for i, each in enumerate(base.pages) if "as the order said" in _text(each._page_box)][0]
    assert page >= 3 and len(base.pages) > page + 1
    with resume.again():
        stats = counted(lambda: engine.layout(_xref_chapter("0"), STYLES.as_uri() + "/"))
    assert stats["resumed"] == 1 and stats["skipped"] >= page - 1
    assert not resume._TOUCHED  # what the earlier layout keeps stays: no trial has released it
    stats = counted(lambda: engine.layout(_xref_chapter("000"), STYLES.as_uri() + "/"))
    assert stats["resumed"] == 0 and stats["whole"] == 1
