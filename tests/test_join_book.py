"""The ALZHIR book written whole and written as pieces split at its chapters, then joined
(book/output/join.py): the same pages, text, links, outline, labels, tags and preflight findings."""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter

import pikepdf
import pytest
from pypdf import PdfReader

from book.layout.paginate import anchor_pages, blank_pages
from book.output import finish
from book.output.join import join, write_piece
from book.output.pieces import crossing
from book.output.press import PrintSetup, print_finisher
from book.pipeline import TITLE_PAGE
from conftest import ROOT
from join import lay_out_book  # bench/join.py

CHAPTERS = ROOT / "chapters"


def split(pages: list, starts: set[int]) -> list[list]:
    """Pages cut where a part of the book starts."""
    cuts = sorted({0, *starts, len(pages)})
    return [pages[a:b] for a, b in zip(cuts, cuts[1:]) if b > a]


def chapter_starts(book, laid) -> set[int]:
    """Where the body's parts (chapters, bibliography, index) start, and the body itself."""
    at = anchor_pages(laid.pages)
    parts = [c.anchor for c in book.chapters] + ["bibliography", "index"]
    return {laid.front_count} | {at[a] for a in parts if a in at and at[a] >= laid.front_count}


@pytest.fixture(scope="module")
def editions(tmp_path_factory):
    """(whole, joined) PDFs of the print and screen editions, the book and the join reports."""
    book, laid = lay_out_book(CHAPTERS)
    folder = tmp_path_factory.mktemp("alzhir-join")
    stamp = finish.Stamp(finish.build_date(book), laid.html)
    m = book.manifest
    setup = PrintSetup(bleed_mm=m.bleed, marks="crop" in m.marks)

    # print: padded to the page multiple; screen: blank versos left out (as pipeline._print/_screen)
    printed = laid.pages + laid.blank * finish.pad_to_multiple(len(laid.pages), m.page_multiple)
    blanks = set(blank_pages(laid.pages, laid.blank))
    kept = [i for i in range(len(laid.pages)) if i not in blanks]
    opening = sum(1 for i in kept if i < TITLE_PAGE)
    folios = finish.folio_labels(laid.front_count, len(printed))
    screen_folios = [folios[i] for i in kept]
    out = {"print": (folder / "print.pdf", folder / "print-joined.pdf"),
           "screen": (folder / "screen.pdf", folder / "screen-joined.pdf")}
    finish.write_pdf(laid.front.copy(printed), out["print"][0],
                     finish.chain(print_finisher(setup), finish.page_labels(laid.front_count)), "pdf/x-4",
                     stamp=stamp)
    finish.write_pdf(laid.front.copy([laid.pages[i] for i in kept]), out["screen"][0],
                     finish.chain(finish.screen_finisher(opening), finish.label_runs(screen_folios)), "pdf/ua-1",
                     stamp=stamp)

    starts = chapter_starts(book, laid)
    # links to ids in other parts become book-anchor: links, as in the pipeline's pieces
    print_parts = [crossing(part) for part in split(printed, starts)]
    screen_parts = [crossing([laid.pages[i] for i in part]) for part in split(kept, {kept.index(s) for s in starts})]
    assert len(print_parts) > 10 and len(screen_parts) == len(print_parts)
    reports = {}
    reports["print"] = join([write_piece(laid.front.copy(part), print_finisher(setup), "pdf/x-4", stamp)
                             for part in print_parts], out["print"][1], labels=folios, variant="pdf/x-4",
                            stamp=stamp)
    # the screen edition opens on the title page: the first piece's own opening is kept
    reports["screen"] = join([write_piece(laid.front.copy(part), finish.screen_finisher(opening if n == 0 else 0),
                                          "pdf/ua-1", stamp) for n, part in enumerate(screen_parts)],
                             out["screen"][1], labels=screen_folios, variant="pdf/ua-1", stamp=stamp)
    return book, out, reports


@pytest.fixture(params=["print", "screen"])
def pair(request, editions):
    book, out, reports = editions
    whole, joined = out[request.param]
    return request.param, PdfReader(whole), PdfReader(joined), reports[request.param]


def test_same_pages_and_text_on_every_page(pair):
    _, whole, joined, report = pair
    assert len(joined.pages) == len(whole.pages) == report.pages
    for number, (a, b) in enumerate(zip(whole.pages, joined.pages)):
        assert a.extract_text() == b.extract_text(), number
        assert [a.mediabox, a.trimbox, a.get("/BleedBox")] == [b.mediabox, b.trimbox, b.get("/BleedBox")]
    if "/OpenAction" in whole.trailer["/Root"]:
        assert joined.get_page_number(joined.trailer["/Root"]["/OpenAction"][0].get_object()) == \
               whole.get_page_number(whole.trailer["/Root"]["/OpenAction"][0].get_object()) == 1


def test_every_page_looks_the_same(editions, tmp_path):
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    _, out, _ = editions
    for kind, (whole, joined) in out.items():
        for name, path in (("whole", whole), ("joined", joined)):
            subprocess.run(["pdftoppm", "-r", "30", "-png", str(path), str(tmp_path / f"{kind}-{name}")], check=True)
        pages = sorted(tmp_path.glob(f"{kind}-whole-*.png"))
        assert len(pages) > 80
        for page in pages:
            twin = tmp_path / page.name.replace("-whole-", "-joined-")
            assert page.read_bytes() == twin.read_bytes(), (kind, page.name)


def link_targets(reader: PdfReader) -> list[tuple[int, tuple, object]]:
    """(page, rectangle, page the link goes to, or its URI) of every link."""
    dests = {name: reader.get_destination_page_number(d) for name, d in reader.named_destinations.items()}
    found = []
    for number, page in enumerate(reader.pages):
        for annotation in page.get("/Annots", []):
            annotation = annotation.get_object()
            rectangle = tuple(round(float(v), 2) for v in annotation["/Rect"])
            if "/Dest" in annotation:
                found.append((number, rectangle, dests[str(annotation["/Dest"])]))
            else:
                found.append((number, rectangle, str(annotation["/A"]["/URI"])))
    return found


def test_every_link_goes_to_the_same_page(pair):
    _, whole, joined, report = pair
    expected = link_targets(whole)
    assert link_targets(joined) == expected
    internal = [link for link in expected if isinstance(link[2], int)]
    assert len(internal) > 500 and report.cross_links > 50  # the contents, the index, cross-references
    assert not any(str(target).startswith("book-anchor:") for *_, target in link_targets(joined))


def test_same_named_destinations(pair):
    _, whole, joined, report = pair

    def pages(reader):
        return {name: reader.get_destination_page_number(d) for name, d in reader.named_destinations.items()}
    assert pages(joined) == pages(whole)
    assert report.duplicate_ids == []


def test_same_outline_and_labels(pair):
    _, whole, joined, _ = pair

    def flat(reader, items, depth=0):
        for item in items:
            if isinstance(item, list):
                yield from flat(reader, item, depth + 1)
            else:
                yield depth, item.title, reader.get_destination_page_number(item)
    assert list(flat(joined, joined.outline)) == list(flat(whole, whole.outline))
    assert len(list(flat(whole, whole.outline))) > 15
    assert list(joined.page_labels) == list(whole.page_labels)


def test_print_join_passes_preflight_as_the_whole_does(editions):
    from book.preflight import preflight

    book, out, _ = editions
    whole, joined = (preflight(path, CHAPTERS, "print", book=book) for path in out["print"])
    assert [f for f in joined if f.severity == "error"] == []
    assert [(f.code, f.message) for f in joined] == [(f.code, f.message) for f in whole]


def test_screen_join_has_the_same_tags(editions):
    _, out, _ = editions

    def tags(path):
        with pikepdf.open(path) as pdf:
            root = pdf.Root.StructTreeRoot
            [document] = root.K
            kinds, stack = Counter(), list(document.K)
            while stack:
                element = stack.pop()
                kinds[str(element.S)] += 1
                kids = element.get("/K")
                stack += [k for k in (kids if isinstance(kids, pikepdf.Array) else [kids])
                          if isinstance(k, pikepdf.Dictionary) and "/S" in k]
            nums = root.ParentTree.Nums
            return kinds, len(nums) // 2, (pdf.Root.Lang, bool(pdf.Root.MarkInfo.Marked))
    whole, joined = (tags(path) for path in out["screen"])
    assert joined == whole
    assert whole[0]["/H1"] > 10 and whole[0]["/Link"] > 500
