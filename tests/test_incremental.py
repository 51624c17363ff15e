"""The body is laid out part by part (layout/body.py): a session (book watch) lays out again only the
parts an edit changed, and its PDF is the one a cold build of the same sources makes."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from book.pipeline import Reporter, Session, build
from book.preflight.checks import destination_pages
from synth import WORDS, write_book


def xref_book(folder: Path) -> Path:
    """A synthetic book of five chapters with notes, names, citations, and cross-references forward,
    backward and within a chapter."""
    write_book(folder, chapters=5, paragraphs=10, seed=3)
    for number in range(1, 6):
        path = folder / f"{number:02d}-chapter.md"
        text = path.read_text(encoding="utf-8")
        text = text.replace(f"## Section {number}.1\n", f"## Section {number}.1 {{#s{number}}}\n", 1)
        path.write_text(text, encoding="utf-8")
    edit(folder, 1, "\n\n## Section 1.1", "\n\nMore is told in [the fourth](#s4) and [the second](#s2).\n\n## Section 1.1")
    edit(folder, 2, "\n\n## Section 2.1", "\n\nSee [the section below](#s2), and [the last](#s5).\n\n## Section 2.1")
    edit(folder, 4, "\n\n## Section 4.1", "\n\nAs told in [the first](#s1) and [the third](#s3).\n\n## Section 4.1")
    return folder


def edit(folder: Path, chapter: int, old: str, new: str) -> None:
    path = folder / f"{chapter:02d}-chapter.md"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def words(count: int, seed: int = 0) -> str:
    return " ".join(WORDS[(seed + 7 * i) % len(WORDS)] for i in range(count))


def facts(pdf: Path) -> dict:
    """What a reader and a PDF viewer see: each page's text, where every named destination points,
    each page's links (to a named destination's page or a URI), the outline and the page labels."""
    reader = PdfReader(pdf)
    dests = destination_pages(reader)
    links = []
    for page in reader.pages:
        found = []
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            action = annot.get("/A") or {}
            target = action.get("/URI") or action.get("/D") or annot.get("/Dest")
            if isinstance(target, str) and target in dests:
                target = ("page", dests[target])
            elif not isinstance(target, str):
                target = ("page", reader.get_destination_page_number(reader._build_destination("", target)))
            found.append((tuple(round(float(x)) for x in annot["/Rect"]), target))
        links.append(sorted(found, key=str))

    def outline(items):
        out = []
        for item in items:
            if isinstance(item, list):
                out.append(outline(item))
            else:
                out.append((item.title, reader.get_destination_page_number(item)))
        return out

    return {"pages": [page.extract_text() for page in reader.pages], "dests": dests, "links": links,
            "outline": outline(reader.outline), "labels": list(reader.page_labels)}


def same_as_cold(source: Path, summary, tmp_path: Path, name: str) -> None:
    """The session's PDF, index and contents are those of a cold build of the same sources."""
    cold = build(source, tmp_path / f"cold-{name}", html=False, edition="draft")
    warm, fresh = facts(summary.outputs[0]), facts(cold.outputs[0])
    for key in fresh:
        if key == "pages":
            for number, (a, b) in enumerate(zip(warm["pages"], fresh["pages"]), 1):
                assert a == b, f"{name}: page {number} differs from a cold build"
        assert warm[key] == fresh[key], f"{name}: {key} differ from a cold build"
    assert summary.index == cold.index
    assert summary.layout.pages == cold.layout.pages and summary.layout.labels == cold.layout.labels


def test_every_edit_in_a_session_gives_the_pdf_of_a_cold_build(tmp_path):
    source = xref_book(tmp_path / "book")
    session = Session()

    def again(name: str):
        summary = build(source, tmp_path / "out", html=False, edition="draft", session=session)
        same_as_cold(source, summary, tmp_path, name)
        return summary

    first = again("first")
    assert first.fresh == [a for a, _ in first.chapters if a != "ch-00-about"] + ["bibliography"]
    opened = {a: first.layout.pages[a] for a, _ in first.chapters}

    edit(source, 3, " winter ", " winter very ")  # a word
    summary = again("word")
    assert summary.fresh == ["ch-03-chapter"], "only the edited chapter is laid out again"

    edit(source, 2, "\n\n## Section 2.1", f"\n\n{words(90).capitalize()}.\n\n## Section 2.1")  # a paragraph
    assert again("paragraph").fresh == ["ch-02-chapter"]

    edit(source, 1, "\n\n## Section 1.1", "\n\nA new note.[^added]\n\n[^added]: The note added.\n\n## Section 1.1")
    assert again("note").fresh == ["ch-01-chapter"]

    edit(source, 3, "## Section 3.1 {#s3}", "## A heading renamed {#s3}")  # the outline and chapter 4's reference
    assert "ch-03-chapter" in again("heading").fresh

    (source / "06-chapter.md").write_text(f"---\ntitle: A New Chapter\n---\n\n{words(120).capitalize()}.\n",
                                          encoding="utf-8")
    manifest = source / "book.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + "  - 06-chapter.md\n", encoding="utf-8")
    assert again("new chapter").fresh == ["ch-06-chapter"]

    names = source / "names.yaml"  # a registry: every chapter is read again, the index changes
    names.write_text(names.read_text(encoding="utf-8").replace("role: test person 2", "role: a person renamed"),
                     encoding="utf-8")
    again("registry")

    before = build(source, tmp_path / "before", html=False, edition="draft")
    long = "\n\n".join(f"{words(110, seed).capitalize()}." for seed in range(8))
    edit(source, 1, "\n\n## Section 1.1", f"\n\n{long}\n\n## Section 1.1")  # two pages more
    summary = again("lengthened")
    assert summary.fresh == ["ch-01-chapter"], "later chapters only move: their folios are stamped on"
    for anchor in ("ch-03-chapter", "ch-05-chapter", "bibliography"):
        assert summary.layout.pages[anchor] - before.layout.pages[anchor] == 2
    assert opened  # the first build placed every chapter


def test_the_body_is_paginated_once(tmp_path):
    """Cross-reference numbers are written in, not asked of the engine with target-counter(): the
    engine makes each page once and never lays the body out again ('Repagination')."""
    source = xref_book(tmp_path / "book")
    said: list[tuple[str, str]] = []
    stage = [""]
    reporter = Reporter(stage=lambda name: stage.__setitem__(0, name), engine=lambda m: said.append((stage[0], m)))
    summary = build(source, tmp_path / "out", html=False, edition="draft", reporter=reporter)
    body = [m for s, m in said if s == "Laying out the body"]
    assert body and not [m for m in body if "Repagination" in m]
    html = (tmp_path / "html")
    build(source, html, edition="draft")
    body = (html / "synthetic.html").read_text(encoding="utf-8")
    numbers = re.findall(r'<a data-page="(\d+)" class="xref[^"]*" href="#(s\d)"', body)
    assert len(numbers) == 6 and "<a class=\"xref" not in body
    for number, target in numbers:
        assert summary.layout.labels[summary.layout.pages[target]] == number


def test_a_reference_number_is_stamped_with_its_real_page(tmp_path):
    """The forward references of chapter 1 are laid out with zeros and stamped with the page their
    target landed on; the PDF's text says so."""
    source = xref_book(tmp_path / "book")
    summary = build(source, tmp_path / "out", html=False, edition="draft")
    reader = PdfReader(summary.outputs[0])
    for target in ("s4", "s2"):
        page = summary.layout.pages["ch-01-chapter"]
        label = summary.layout.labels[summary.layout.pages[target]]
        text = " ".join(reader.pages[p].extract_text() for p in range(page, page + 3))
        assert f"(p.\u00a0{label})" in text
    assert "(p.\u00a00)" not in "".join(p.extract_text() for p in reader.pages)


@pytest.mark.parametrize("guess", [{}, {"s4": "7", "s2": "300"}])
def test_a_wrong_guess_of_digits_lays_the_part_out_again(tmp_path, guess):
    from book.layout import bibliography as biblio
    from book.layout.body import lay_out_parts
    from book.layout.paginate import Engine
    from book.layout.render import Urls, render_blank, render_body
    from book.markup.book import load_book
    from book.paths import STYLES

    source = xref_book(tmp_path / "book")
    book, _ = load_book(source)
    urls = Urls.for_book(source)
    engine = Engine([source, STYLES])
    layout = lambda html: engine.layout(html, urls.base)  # noqa: E731
    blank = layout(render_blank(book, urls)).pages[0]
    body = lay_out_parts(book, render_body(book, urls, biblio.entries(book)), layout, blank, guess)
    parts = {p.anchor: p for p in body.parts}
    assert {t: len(n) for t, n in parts["ch-01-chapter"].numbers.items()} == {t: len(body.numbers[t]) for t in ("s4", "s2")}
    if guess:
        assert body.rounds == 2, "the three-digit guess was wrong: chapter 1 laid out again"


def test_two_processes_make_the_pdf_one_makes(tmp_path):
    """A cold build with a helper process (about half of the parts laid out and drawn there, joined
    as PDF pieces) gives the same pages, destinations, links, outline, labels, index and report as
    one process."""
    source = xref_book(tmp_path / "book")
    alone = build(source, tmp_path / "one", html=False, edition="draft", jobs=1)
    helped = build(source, tmp_path / "two", html=False, edition="draft", jobs=2)
    assert alone.helped == [] and 0 < len(helped.helped) < len(helped.fresh)
    one, two = facts(alone.outputs[0]), facts(helped.outputs[0])
    for key in one:
        assert one[key] == two[key], key
    assert (alone.layout, alone.index, alone.notes, alone.repairs) == (helped.layout, helped.index, helped.notes,
                                                                         helped.repairs)


def test_with_a_helper_the_index_is_drawn_before_its_parts_come_back(tmp_path, monkeypatch):
    """With two processes, this one draws the index's piece as soon as the index is laid out, while
    the helper still draws its parts: it is among the pieces drawn when the helper's are received,
    and the print PDF is the one a single process makes."""
    from book import pipeline

    source = xref_book(tmp_path / "book")
    seen = []
    receive = pipeline._receive_drawn
    monkeypatch.setattr(pipeline, "_receive_drawn", lambda laid, helper: (
        seen.append((set(laid.drawn), [s.part for s in laid.segments if s.key[0] == "index"])), receive(laid, helper)))
    helped = build(source, tmp_path / "two", html=False, edition="draft", jobs=2)
    alone = build(source, tmp_path / "one", html=False, edition="draft", jobs=1)
    assert helped.index and seen == [(seen[0][0], [pipeline.INDEX])] and pipeline.INDEX in seen[0][0]
    one, two = facts(alone.outputs[0]), facts(helped.outputs[0])
    assert all(one[key] == two[key] for key in one)


def test_a_guess_of_the_helper_that_fails_does_not_fail_the_build(tmp_path, monkeypatch):
    """The helper lays out parts again, in case a second round asks for them (layout/body.py
    `flipped`); one of those layouts that fails is dropped, and the build goes on."""
    from book.layout import body

    source = xref_book(tmp_path / "book")
    guesses = tmp_path / "guessed"
    monkeypatch.setattr(body, "flipped", lambda written, numbers: {t: n + "000" for t, n in written.items()})
    real = body._lay_out_part

    def failing(anchor, chapter, html, blocks, written, *args):
        if any(len(n) >= 4 for n in written.values()):  # only a guess has numbers of four digits and more
            guesses.write_text(anchor)  # seen from the test process: the helper is a fork
            raise RuntimeError("a guess went wrong")
        return real(anchor, chapter, html, blocks, written, *args)
    monkeypatch.setattr(body, "_lay_out_part", failing)
    summary = build(source, tmp_path / "out", html=False, jobs=2, preflight=False)
    assert summary.helped and guesses.exists()


def test_a_guess_of_the_helper_gives_way_to_the_next_command(tmp_path, monkeypatch):
    """A guess is left between two of its layouts as soon as a command waits for the helper: a guess
    that would lay out a thousand pages holds nothing up."""
    from book.layout import body

    source = xref_book(tmp_path / "book")
    finished = tmp_path / "finished"
    monkeypatch.setattr(body, "flipped", lambda written, numbers: {t: n + "000" for t, n in written.items()})
    real = body._lay_out_part

    def endless(anchor, chapter, html, blocks, written, layout, *args):
        if any(len(n) >= 4 for n in written.values()):  # a guess: layouts until a command waits
            for _ in range(1000):
                layout("<html><body><p>A page.</p></body></html>")
            finished.write_text(anchor)  # seen from the test process: the helper is a fork
        return real(anchor, chapter, html, blocks, written, layout, *args)
    monkeypatch.setattr(body, "_lay_out_part", endless)
    summary = build(source, tmp_path / "out", html=False, jobs=2, preflight=False)
    assert summary.helped and not finished.exists()


def test_what_the_engine_says_in_a_guess_never_asked_for_is_not_the_builds(tmp_path, monkeypatch):
    from book.layout import body
    from book.layout.paginate import Engine

    source = xref_book(tmp_path / "book")
    guesses = tmp_path / "guessed"
    monkeypatch.setattr(body, "flipped", lambda written, numbers: {t: n + "000" for t, n in written.items()})
    real = Engine.layout

    def saying(self, html, base_url):
        document = real(self, html, base_url)
        if re.search(r">\(?p\. 0000", html) or "0000</a>" in html or 'data-page="0000' in html:
            guesses.write_text("laid out")
            self.messages.append("something said while a guess was laid out")
        return document
    monkeypatch.setattr(Engine, "layout", saying)
    summary = build(source, tmp_path / "out", html=False, jobs=2, preflight=False)
    assert summary.helped and guesses.exists()
    assert not any("guess" in warning for warning in summary.warnings), summary.warnings


def _adjusted_ahead(tmp_path, monkeypatch, guess_of):
    """A two-process draft of xref_book in which this process, its plain parts laid out, always finds
    the helper's not yet back, and so adjusts its parts ahead with guess_of(the median a one-process
    build uses); with the one-process build's summary and PDF facts, and this process's adjustments
    (anchor, median) in the order made."""
    from book.layout import body
    from book.layout.helper import Helper

    source = xref_book(tmp_path / "book")
    medians = []
    lay_out_parts = body.lay_out_parts
    monkeypatch.setattr(body, "lay_out_parts", lambda *a, **k: (lambda b: medians.append(b.median) or b)(
        lay_out_parts(*a, **k)))
    alone = build(source, tmp_path / "one", html=False, edition="draft", jobs=1)
    made = []
    polish = body._polish
    monkeypatch.setattr(body, "_polish", lambda part, *a: made.append((part.anchor, a[-1], tuple(
        sorted(part.numbers.items())))) or polish(part, *a))
    monkeypatch.setattr(body, "median_guess", lambda lines: guess_of(medians[0]))
    monkeypatch.setattr(Helper, "ready", lambda self: False)  # in the helper (a fork) it is never asked
    helped = build(source, tmp_path / "two", html=False, edition="draft", jobs=2)
    assert helped.helped and medians[0]
    return alone, helped, made, medians[0]


def test_adjustments_made_ahead_with_the_right_median_are_not_made_again(tmp_path, monkeypatch):
    """While the helper lays out its plain parts, this process adjusts its own with a guess of the
    median word space (layout/body.py `adjust_ahead`); when the guess holds, the adjustments after
    take them as they are, and the PDF is the one a single process makes."""
    alone, helped, made, median = _adjusted_ahead(tmp_path, monkeypatch, lambda median: median)
    assert made and len(made) == len(set(made))  # each part adjusted once (with its numbers), ahead or after
    assert all(value == median for _, value, _ in made)
    one, two = facts(alone.outputs[0]), facts(helped.outputs[0])
    assert all(one[key] == two[key] for key in one)
    assert (alone.layout, alone.index, alone.notes, alone.warnings) == (helped.layout, helped.index, helped.notes,
                                                                        helped.warnings)


def test_what_the_engine_says_in_a_part_adjusted_ahead_is_the_builds(tmp_path, monkeypatch):
    """A part adjusted ahead whole is taken as it is: what the engine said while its layouts were
    made is said when the part is taken, so the warnings are those of a build that made it after."""
    import hashlib

    from book.layout.helper import Helper
    from book.layout.paginate import Engine

    real_layout, real_receive, real_start = Engine.layout, Helper.receive, Helper.start
    started, received, ahead = [False], [False], []

    def saying(self, html, base_url):
        document = real_layout(self, html, base_url)
        if "data-galley" in html:
            said = "galley " + hashlib.sha1(html.encode()).hexdigest()[:12]
            self.messages.append(said)
            if started[0] and not received[0]:  # in this process, before the helper's plain parts are back
                ahead.append(said)
        return document
    monkeypatch.setattr(Engine, "layout", saying)
    monkeypatch.setattr(Helper, "start", lambda self, handler: started.__setitem__(0, True) or real_start(self, handler))
    monkeypatch.setattr(Helper, "receive", lambda self: received.__setitem__(0, True) or real_receive(self))
    alone, helped, made, median = _adjusted_ahead(tmp_path, monkeypatch, lambda median: median)
    assert ahead and made
    assert all(any(said in warning for warning in helped.warnings) for said in ahead)


def test_adjustments_made_ahead_with_a_wrong_median_are_let_go(tmp_path, monkeypatch):
    """A guess that does not hold costs only the time this process would have waited: every part is
    adjusted again with the book's median, and nothing of the guess is in the PDF or the report."""
    alone, helped, made, median = _adjusted_ahead(tmp_path, monkeypatch, lambda median: round(median + 0.7, 1))
    ahead = [anchor for anchor, value, _ in made if value != median]
    after = [anchor for anchor, value, _ in made if value == median]
    assert ahead and set(ahead) <= set(after)
    one, two = facts(alone.outputs[0]), facts(helped.outputs[0])
    assert all(one[key] == two[key] for key in one)
    assert (alone.layout, alone.index, alone.notes, alone.warnings) == (helped.layout, helped.index, helped.notes,
                                                                        helped.warnings)


def test_an_adjustment_made_ahead_that_fails_does_not_fail_the_build(tmp_path, monkeypatch):
    """Adjusting ahead is a guess: a layout that fails there is dropped (with what the engine said),
    and the adjustments after make what they need themselves."""
    from book.layout import body
    from book.layout.helper import Helper

    source = xref_book(tmp_path / "book")
    failed = []
    polish = body._polish

    def failing(part, *args):
        if args[-1] == 9.9:  # the guess below: only an adjustment made ahead has it
            failed.append(part.anchor)
            raise RuntimeError("an adjustment made ahead went wrong")
        return polish(part, *args)
    monkeypatch.setattr(body, "_polish", failing)
    monkeypatch.setattr(body, "median_guess", lambda lines: 9.9)
    monkeypatch.setattr(Helper, "ready", lambda self: False)
    helped = build(source, tmp_path / "two", html=False, edition="draft", jobs=2)
    alone = build(source, tmp_path / "one", html=False, edition="draft", jobs=1)
    assert failed and helped.helped
    one, two = facts(alone.outputs[0]), facts(helped.outputs[0])
    assert all(one[key] == two[key] for key in one) and alone.warnings == helped.warnings


def test_layouts_made_ahead_are_not_made_again(tmp_path, monkeypatch):
    """Adjustments made ahead and left when the helper's plain parts come back (here after a few
    layouts) are not lost: the adjustments after are given the layouts made ahead, so this process
    makes as many layouts as when it makes none ahead, and the PDF is the same."""
    from book.layout import body
    from book.layout.helper import Helper
    from book.layout.paginate import Engine

    source = xref_book(tmp_path / "book")
    layouts, received, ahead = [0], [False], []
    real_layout, real_receive = Engine.layout, Helper.receive
    monkeypatch.setattr(Engine, "layout", lambda self, html, base: layouts.__setitem__(0, layouts[0] + 1) or
                        real_layout(self, html, base))
    monkeypatch.setattr(Helper, "receive", lambda self: received.__setitem__(0, True) or real_receive(self))
    polish = body._polish
    monkeypatch.setattr(body, "_polish", lambda part, *a: (received[0] or ahead.append(part.anchor)) and None or
                        polish(part, *a))
    medians = []
    lay_out_parts = body.lay_out_parts
    monkeypatch.setattr(body, "lay_out_parts", lambda *a, **k: (lambda b: medians.append(b.median) or b)(
        lay_out_parts(*a, **k)))
    monkeypatch.setattr(Helper, "ready", lambda self: True)  # no adjustment made ahead
    plain = build(source, tmp_path / "plain", html=False, edition="draft", jobs=2)
    made = layouts[0]
    asked = [0]
    monkeypatch.setattr(body, "median_guess", lambda lines: medians[0])
    monkeypatch.setattr(Helper, "ready", lambda self: asked.__setitem__(0, asked[0] + 1) or asked[0] > 5)
    layouts[0], received[0] = 0, False
    helped = build(source, tmp_path / "ahead", html=False, edition="draft", jobs=2)
    assert ahead and asked[0] > 5 and layouts[0] == made
    one, two = facts(plain.outputs[0]), facts(helped.outputs[0])
    assert all(one[key] == two[key] for key in one)


def test_the_screen_edition_is_laid_out_in_one_process(tmp_path):
    """The screen edition is tagged as one document, so it is laid out where it is written."""
    source = xref_book(tmp_path / "book")
    summary = build(source, tmp_path / "out", html=False, edition="screen", jobs=2)
    assert summary.helped == []


def test_with_a_helper_the_cover_is_drawn_there_and_is_the_one_process_cover(tmp_path, monkeypatch):
    """With two processes, the helper lays out and writes the cover while this process joins and
    preflights the print PDF: the cover is the one a single process writes, byte for byte."""
    import os

    from book.output import cover

    source = xref_book(tmp_path / "book")
    drawn_by = tmp_path / "drawn-by"
    real = cover.write_cover

    def writing(*args, **kwargs):
        with open(drawn_by, "a") as log:  # seen from the test process: the helper is a fork
            log.write(f"{os.getpid()}\n")
        return real(*args, **kwargs)
    monkeypatch.setattr(cover, "write_cover", writing)
    alone = build(source, tmp_path / "one", html=False, jobs=1)
    helped = build(source, tmp_path / "two", html=False, jobs=2)
    pids = drawn_by.read_text().split()  # one process's cover, then the two processes'
    assert helped.helped and len(pids) == 2 and pids[0] == str(os.getpid()) != pids[1]
    one, two = (next(p for p in s.outputs if p.name.endswith("-cover.pdf")) for s in (alone, helped))
    assert one.read_bytes() == two.read_bytes()
    assert [n for n in alone.notes if n.startswith("cover")] == [n for n in helped.notes if n.startswith("cover")]


def test_a_cover_that_fails_in_the_helper_fails_the_build_and_keeps_the_old_files(tmp_path, monkeypatch):
    """An error raised while the helper writes the cover is the build's, as in one process: the
    message comes through, and out/ keeps the files of the last good build, with no staging left."""
    from book.errors import BookError
    from book.output import cover

    source = xref_book(tmp_path / "book")
    out = tmp_path / "out"
    build(source, out, html=False, jobs=2)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def failing(*args, **kwargs):
        raise BookError("the cover image cannot be read; check cover.image in book.yaml")
    monkeypatch.setattr(cover, "write_cover", failing)
    with pytest.raises(BookError, match="cover image cannot be read"):
        build(source, out, html=False, jobs=2)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
