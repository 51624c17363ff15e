"""PDF pieces laid out apart -> one book PDF (book/output/join.py): pages and boxes, named
destinations, links inside and across pieces, outline, labels, PDF/X, PDF/UA tags, fonts stored once,
the same bytes twice."""

from __future__ import annotations

import datetime
import io

import pikepdf
import pytest
from pypdf import PdfReader

from book.output.finish import Stamp, screen_finisher
from book.output.join import JoinError, anchor_href, join
from book.output.join import write_piece as piece_bytes
from book.output.press import PrintSetup, print_finisher
from book.paths import STYLES

STAMP = Stamp(datetime.datetime(2026, 1, 2, tzinfo=datetime.timezone.utc), "fixture")
FONT = f"""@font-face {{ font-family: Lit; src: url({(STYLES / 'fonts' / 'Literata-Regular.ttf').as_uri()}) }}"""
CSS = FONT + """
@page { size: 120mm 160mm; margin: 15mm; bleed: 3mm }
html { font-family: Lit; font-size: 11pt }
section { break-before: right }
h1 { bookmark-level: 1 } h2 { bookmark-level: 2 }
.fn { float: footnote } .fn::footnote-call { content: counter(footnote); vertical-align: super }
p.long { height: 100mm }
"""


def piece(body: str, first: int, roman: bool = False) -> str:
    """A part of the book as its own HTML document, numbered from its first folio."""
    style = "lower-roman" if roman else "decimal"
    return (f"<html lang=en><head><title>Joined Book</title><style>{CSS}"
            f"@page {{ @bottom-center {{ content: counter(page, {style}) }} }}"
            f"@page :first {{ counter-reset: page {first} }}</style></head>"
            f"<body>{body}</body></html>")


FRONT = piece("""<h1 id=contents>Contents</h1>
<p><a href="#preface">Preface</a></p>
<p><a href="book-anchor:one">One</a></p><p><a href="book-anchor:two-deep">Two, deep inside</a></p>
<p><a href="book-anchor:глубина">Two, in Russian</a></p>
<section><h1 id=preface>Preface</h1><p>Before the chapters.</p></section>""", 1, roman=True)
ONE = piece("""<section><h1 id=one>Chapter One</h1>
<p id=one-start>First words<span class=fn id=one-n1>A note in chapter one.</span>, and
<a href="#one-end">the end of this chapter</a>, and <a href="book-anchor:two">chapter two</a>.</p>
<p class=long>Long paragraph.</p>
<h2 id=one-later>Later in one</h2><p id=one-end>The end of one.</p></section>""", 1)
TWO = piece("""<section><h1 id=two>Chapter Two</h1>
<p>Back to <a href="book-anchor:one-later">a heading of chapter one</a>
and to the <a href="book-anchor:contents">contents</a>.<span class=fn id=two-n1>A note in two.</span></p>
<p class=long>Long.</p><p id=two-deep>Deep inside <span id=глубина>two</span>.</p></section>""", 3)


def lay_out(html: str):
    from weasyprint import HTML
    return HTML(string=html, base_url=str(STYLES)).render()


def write_piece(document, variant: str, path):
    """A piece as a worker would write it: the print or screen treatment, the build's dates."""
    finisher = print_finisher(PrintSetup(bleed_mm=3)) if variant == "pdf/x-4" else screen_finisher(0)
    path.write_bytes(piece_bytes(document, finisher, variant, STAMP))
    return path


@pytest.fixture(scope="module")
def laid():
    documents = [lay_out(html) for html in (FRONT, ONE, TWO)]
    counts = [len(d.pages) for d in documents]
    assert counts == [3, 2, 2]  # contents, blank, preface (recto); chapter one; chapter two
    return documents


def pieces_for(laid, tmp_path, variant):
    return [write_piece(d, variant, tmp_path / f"{variant[4:]}-{i}.pdf") for i, d in enumerate(laid)]


LABELS = ["i", "ii", "iii", "1", "2", "3", "4"]


@pytest.fixture(scope="module", params=["pdf/x-4", "pdf/ua-1"])
def joined(request, laid, tmp_path_factory):
    folder = tmp_path_factory.mktemp("join")
    pieces = pieces_for(laid, folder, request.param)
    target = folder / "book.pdf"
    report = join(pieces, target, labels=LABELS, variant=request.param, stamp=STAMP)
    return request.param, pieces, target, report


def page_of(reader: PdfReader, destination) -> int:
    return reader.get_destination_page_number(destination)


def test_pages_in_order_with_their_boxes(joined):
    variant, pieces, target, report = joined
    reader = PdfReader(target)
    sources = [page for p in pieces for page in PdfReader(p).pages]
    assert report.pages == len(reader.pages) == len(sources) == 7
    for page, source in zip(reader.pages, sources):
        assert page.extract_text() == source.extract_text()
        for box in ("/MediaBox", "/TrimBox", "/BleedBox"):
            assert (list(map(float, page[box])) if box in page else None) == \
                   (list(map(float, source[box])) if box in source else None)
    assert "Deep inside two." in reader.pages[6].extract_text()


def test_named_destinations_of_every_piece_point_at_the_joined_pages(joined):
    _, _, target, report = joined
    reader = PdfReader(target)
    at = {name: page_of(reader, d) for name, d in reader.named_destinations.items()}
    assert {k: at[k] for k in ("contents", "preface", "one", "one-n1", "one-later", "two", "two-n1", "two-deep")} == \
           {"contents": 0, "preface": 2, "one": 3, "one-n1": 3, "one-later": 4, "two": 5, "two-n1": 5, "two-deep": 6}
    assert report.destinations == len(at) and not report.duplicate_ids
    with pikepdf.open(target) as pdf:  # a name tree's keys are in the order of their bytes
        flat = pdf.Root.Names.Dests.Names
        keys = [bytes(flat[i]) for i in range(0, len(flat), 2)]
        assert keys == sorted(keys) and keys[-1] == bytes(pikepdf.String("глубина"))


def links(reader: PdfReader) -> list[tuple[int, str, int]]:
    """(page, target name, page the target is on) of every link of the joined PDF."""
    dests = {name: page_of(reader, d) for name, d in reader.named_destinations.items()}
    found = []
    for number, page in enumerate(reader.pages):
        for annotation in page.get("/Annots", []):
            annotation = annotation.get_object()
            assert "/A" not in annotation, annotation  # no URI left: every book-anchor link resolved
            name = str(annotation["/Dest"])
            found.append((number, name, dests[name]))
    return found


def test_links_inside_and_across_pieces_go_to_the_right_pages(joined):
    _, _, target, report = joined
    found = links(PdfReader(target))
    assert sorted(found) == sorted([
        (0, "preface", 2), (0, "one", 3), (0, "two-deep", 6), (0, "глубина", 6),  # contents: inside, across
        (3, "one-end", 4), (3, "two", 5),  # chapter one: inside, then forward across
        (5, "one-later", 4), (5, "contents", 0)])  # chapter two: backwards across
    assert report.cross_links == 6


def test_outline_is_the_pieces_outlines_in_order(joined):
    _, _, target, _ = joined
    reader = PdfReader(target)

    def flat(items, depth=0):
        for item in items:
            if isinstance(item, list):
                yield from flat(item, depth + 1)
            else:
                yield depth, item.title, reader.get_destination_page_number(item)
    assert list(flat(reader.outline)) == [(0, "Contents", 0), (0, "Preface", 2), (0, "Chapter One", 3),
                                          (1, "Later in one", 4), (0, "Chapter Two", 5)]
    with pikepdf.open(target) as pdf:
        root = pdf.Root.Outlines
        assert int(root.Count) == 5 and root.Last.Title == "Chapter Two" and "/Next" not in root.Last
        assert root.First.Next.Next.Prev.Title == "Preface"


def test_qpdf_finds_nothing_wrong(joined):
    _, _, target, _ = joined
    with pikepdf.open(target) as pdf:
        assert pdf.check_pdf_syntax() == []


def test_page_labels_roman_then_arabic(joined):
    _, _, target, _ = joined
    assert list(PdfReader(target).page_labels) == LABELS


@pytest.mark.parametrize("joined", ["pdf/x-4"], indirect=True)
def test_print_join_keeps_pdf_x(joined):
    _, pieces, target, _ = joined
    with pikepdf.open(target) as pdf, pikepdf.open(pieces[0]) as first:
        assert pdf.pdf_version == "1.6"
        intents = pdf.Root.OutputIntents
        assert len(intents) == 1 and intents[0].OutputConditionIdentifier == "FOGRA39"
        assert intents[0].DestOutputProfile.read_bytes() == first.Root.OutputIntents[0].DestOutputProfile.read_bytes()
        profiles = [o for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.get("/N") == 4]
        assert len(profiles) == 1  # the FOGRA39 profile once, not once per piece
        assert pdf.trailer.Info.Trapped == "/False" and pdf.trailer.Info.Title == "Joined Book"
        assert str(pdf.trailer.Info.CreationDate).startswith("D:20260102")
        xmp = pdf.Root.Metadata.read_bytes()
        assert b"PDF/X-4" in xmp and f"xmp.did:{STAMP.document_id('book.pdf')}".encode() in xmp
        assert len(pdf.trailer.ID) == 2
        assert "/ID" not in first.trailer  # a piece is not hashed for an identifier: the join makes the book's


@pytest.mark.parametrize("joined", ["pdf/ua-1"], indirect=True)
def test_screen_join_has_one_structure_tree(joined):
    _, _, target, _ = joined
    with pikepdf.open(target) as pdf:
        root = pdf.Root
        assert root.MarkInfo.Marked and root.Lang == "en" and root.ViewerPreferences.DisplayDocTitle
        tree = root.StructTreeRoot
        [document] = tree.K
        assert document.S == "/Document" and document.P.objgen == tree.objgen
        kids = list(document.K)
        assert all(kid.P.objgen == document.objgen for kid in kids)
        nums = tree.ParentTree.Nums
        keys = [int(nums[i]) for i in range(0, len(nums), 2)]
        assert keys == sorted(keys) and len(set(keys)) == len(keys) and int(tree.ParentTreeNextKey) == keys[-1] + 1
        parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        pages = {page.obj.objgen: n for n, page in enumerate(pdf.pages)}
        for n, page in enumerate(pdf.pages):
            # each page's marked content belongs to elements on that page, in this document's tree
            elements = parents[int(page.obj.StructParents)]
            assert all(pages[e.Pg.objgen] == n for e in elements if "/Pg" in e), n
            for annotation in page.obj.get("/Annots", []):
                element = parents[int(annotation.StructParent)]
                assert element.S == "/Link"
                assert any(k.get("/Type") == "/OBJR" and k.Obj.objgen == annotation.objgen for k in element.K)
        assert len({int(p.obj.StructParents) for p in pdf.pages}) == len(pdf.pages)
        reached, stack = set(), list(kids)
        while stack:
            element = stack.pop()
            reached.add(element.objgen)
            stack += [k for k in (element.K if isinstance(element.get("/K"), pikepdf.Array) else [element.get("/K")])
                      if isinstance(k, pikepdf.Dictionary) and k.get("/Type") != "/OBJR" and "/S" in k]
        headings = [e for e in (pdf.get_object(o) for o in reached) if e.S in ("/H1", "/H2")]
        assert len(headings) == 5
        for values in parents.values():  # every element the parent tree names hangs from the one tree
            for element in (values if isinstance(values, pikepdf.Array) else [values]):
                while element.objgen != document.objgen:
                    element = element.P
                assert element.P.objgen == tree.objgen
        kinds = [o.get("/Type") == "/StructTreeRoot" or o.get("/S") == "/Document" for o in pdf.objects
                 if isinstance(o, pikepdf.Dictionary)]
        assert sum(kinds) == 2  # one root, one Document element: no piece's tree is left behind


def test_the_same_pieces_give_the_same_bytes(joined, tmp_path):
    variant, pieces, target, _ = joined
    again = tmp_path / "book.pdf"
    join([p.read_bytes() for p in pieces], again, labels=LABELS, variant=variant, stamp=STAMP)
    assert again.read_bytes() == target.read_bytes()


def test_identical_font_programs_are_stored_once(laid, tmp_path):
    full = []
    for html in (FRONT, ONE, TWO):
        document = lay_out(html)
        full.append(piece_bytes(document, print_finisher(PrintSetup(bleed_mm=3)), "pdf/x-4", STAMP, full_fonts=True))
    report = join(full, tmp_path / "full.pdf", labels=LABELS, variant="pdf/x-4")
    # each piece embeds the regular face twice (as Lit and as the synthetic Lit-Bold), the same bytes:
    # six copies of one program, five of them dropped
    assert report.shared_streams == 5
    with pikepdf.open(tmp_path / "full.pdf") as pdf:
        programs = {d.FontFile2.objgen for page in pdf.pages for f in page.obj.Resources.Font.values()
                    for d in [f.DescendantFonts[0].FontDescriptor]}
        assert len(programs) == 1


def test_each_font_is_cut_down_once_to_the_glyphs_every_piece_drew(laid, tmp_path):
    """The pieces embed the font whole (cutting each down costs as much as drawing it); the join
    keeps one program, cut down to the glyphs any piece drew, each with its outline, at its id."""
    from fontTools.ttLib import TTFont

    from book.output.join import _widths_listed

    whole = TTFont(STYLES / "fonts" / "Literata-Regular.ttf")
    pieces = [piece_bytes(d, print_finisher(PrintSetup(bleed_mm=3)), "pdf/x-4", STAMP) for d in laid]
    drawn: list[set[int]] = []
    for data in pieces:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            fonts = [f for page in pdf.pages for f in page.obj.Resources.Font.values()]
            assert all(len(f.DescendantFonts[0].FontDescriptor.FontFile2.read_bytes()) > 150_000 for f in fonts)
            drawn.append(set().union(*(_widths_listed(f.DescendantFonts[0].W) for f in fonts)))
    assert drawn[0] - drawn[1] and drawn[1] - drawn[0]  # the pieces draw different glyphs
    report = join(pieces, tmp_path / "book.pdf", labels=LABELS, variant="pdf/x-4")
    assert report.subset_fonts == 1
    with pikepdf.open(tmp_path / "book.pdf") as pdf:
        programs = {d.FontFile2.objgen: d.FontFile2 for page in pdf.pages for f in page.obj.Resources.Font.values()
                    for d in [f.DescendantFonts[0].FontDescriptor]}
        assert len(programs) == 1
        stream = next(iter(programs.values()))
        data = stream.read_bytes()
        assert int(stream.Length1) == len(data) < 60_000
    cut = TTFont(io.BytesIO(data))
    order, kept = whole.getGlyphOrder(), cut.getGlyphOrder()  # glyph names go; glyph ids stay the font's

    def outline(font, name):
        glyph = font["glyf"][name]
        return glyph.numberOfContours, list(glyph.getCoordinates(font["glyf"])[0]) if glyph.numberOfContours else []

    used = set().union(*drawn)
    assert max(used) < len(kept) <= len(order)
    for gid in used:
        assert outline(cut, kept[gid]) == outline(whole, order[gid]), order[gid]
    inked = {gid for gid in range(len(kept)) if whole["glyf"][order[gid]].numberOfContours}
    assert len(inked - used) > 100 and not any(cut["glyf"][kept[gid]].numberOfContours for gid in inked - used - {0})


def test_a_piece_compresses_quickly_what_the_join_writes_again(tmp_path):
    """A piece's font programs are compressed at zlib level 1 (the join cuts them down and compresses
    them again) and its other streams at level 6, not pydyf's 9; every stream holds what the engine
    wrote, and the joined book's font program is compressed at the default level."""
    import zlib

    from book.layout.font_subset import deferred
    from book.output.finish import chain, ligature_text
    from book.output.join import FONT_LEVEL, PIECE_LEVEL

    finisher = print_finisher(PrintSetup(bleed_mm=3))
    data = piece_bytes(lay_out(ONE), finisher, "pdf/x-4", STAMP)
    document = lay_out(ONE)
    document.metadata.created = document.metadata.modified = STAMP.iso
    with deferred():  # the piece as before: the same font, whole, and pydyf's own compression
        engine = document.write_pdf(finisher=chain(finisher, ligature_text), pdf_variant="pdf/x-4")
    levels: dict[str, set[int]] = {}
    with pikepdf.open(io.BytesIO(data)) as ours, pikepdf.open(io.BytesIO(engine)) as theirs:
        def streams(pdf):
            found = [(obj.get("/Length1") is not None, obj.read_bytes(), obj.read_raw_bytes())
                     for obj in pdf.objects if isinstance(obj, pikepdf.Stream) and obj.get("/Filter") == "/FlateDecode"
                     and obj.get("/Type") != "/XRef"]  # the cross-reference table: other offsets
            return sorted(found, key=lambda s: (s[0], len(s[1]), s[1]))
        mine, engines = streams(ours), streams(theirs)
        assert [(font, len(raw)) for font, raw, _ in mine] == [(font, len(raw)) for font, raw, _ in engines]
        for (font, raw, packed), (_, raw_engine, packed_engine) in zip(mine, engines):
            assert raw == raw_engine
            level = FONT_LEVEL if font else PIECE_LEVEL
            assert packed == zlib.compress(raw, level), (font, len(raw))
            assert packed_engine == zlib.compress(raw, 9)
            levels.setdefault("font" if font else "other", set()).add(len(raw))
    assert len(levels["font"]) == 1 and max(levels["font"]) > 150_000  # one face, embedded whole
    assert len(levels["other"]) >= 3  # page content, the ICC profile, glyph maps
    others = [piece_bytes(lay_out(html), finisher, "pdf/x-4", STAMP) for html in (FRONT, TWO)]
    join([others[0], data, others[1]], tmp_path / "book.pdf", labels=LABELS, variant="pdf/x-4")
    with pikepdf.open(tmp_path / "book.pdf") as pdf:
        program = list(pdf.pages[0].obj.Resources.Font.values())[0].DescendantFonts[0].FontDescriptor.FontFile2
        assert program.read_raw_bytes() == zlib.compress(program.read_bytes())


def test_a_link_to_an_id_no_piece_has_is_refused(tmp_path):
    html = piece(f'<p><a href="{anchor_href("nowhere")}">Nowhere</a></p>', 1)
    path = write_piece(lay_out(html), "pdf/x-4", tmp_path / "p.pdf")
    with pytest.raises(JoinError, match="nowhere"):
        join([path], tmp_path / "book.pdf", labels=["1"], variant="pdf/x-4")
    assert not (tmp_path / "book.pdf").exists()


def test_pieces_of_another_variant_are_refused(laid, tmp_path):
    pieces = pieces_for(laid, tmp_path, "pdf/x-4")
    with pytest.raises(JoinError, match="not written as pdf/ua-1"):
        join(pieces, tmp_path / "book.pdf", labels=LABELS, variant="pdf/ua-1")
    with pytest.raises(JoinError, match="labels"):
        join(pieces, tmp_path / "book.pdf", labels=LABELS[:-1], variant="pdf/x-4")


SOFT_LIGATURE = "<p>A dif\u00adferent word.</p>"
"""An ff ligature first drawn across a soft hyphen: WeasyPrint gives a glyph the text of the place
where it first draws it, and this "ff" gets none."""


def test_a_ligature_drawn_across_a_soft_hyphen_keeps_its_text():
    document = lay_out(piece(SOFT_LIGATURE + "<p>Then the staff.</p>", 1))
    raw = PdfReader(io.BytesIO(document.write_pdf())).pages[0].extract_text()
    assert "A dierent word." in raw and "the sta." in raw  # the engine alone
    document = lay_out(piece(SOFT_LIGATURE + "<p>Then the staff.</p>", 1))
    fixed = PdfReader(io.BytesIO(piece_bytes(document, print_finisher(PrintSetup()), "pdf/x-4")))
    text = fixed.pages[0].extract_text()
    assert "A different word." in text and "the staff." in text


def test_a_ligature_that_lost_its_text_in_one_piece_reads_right_when_another_piece_has_it(tmp_path):
    first = tmp_path / "a.pdf"  # written by the engine alone, as ligature_text would not
    first.write_bytes(lay_out(piece(SOFT_LIGATURE, 1)).write_pdf(pdf_variant="pdf/x-4"))
    second = write_piece(lay_out(piece("<p>The staff.</p>", 2)), "pdf/x-4", tmp_path / "b.pdf")
    assert "A dierent word." in PdfReader(first).pages[0].extract_text()
    report = join([first, second], tmp_path / "book.pdf", labels=["1", "2"], variant="pdf/x-4")
    reader = PdfReader(tmp_path / "book.pdf")
    assert "A different word." in reader.pages[0].extract_text()
    assert "The staff." in reader.pages[1].extract_text()
    assert report.glyph_maps == 2  # both pieces' Literata now share one map


@pytest.mark.parametrize("variant", ["pdf/x-4", "pdf/ua-1"])
def test_one_blank_piece_can_pad_twice(laid, tmp_path, variant):
    pieces = pieces_for(laid, tmp_path, variant)
    blank = write_piece(lay_out(piece("", 1)), variant, tmp_path / "blank.pdf").read_bytes()
    order = [pieces[0], blank, pieces[1], blank, pieces[2]]
    labels = ["i", "ii", "iii", "iv", "1", "2", "3", "4", "5"]
    report = join(order, tmp_path / "book.pdf", labels=labels, variant=variant)
    reader = PdfReader(tmp_path / "book.pdf")
    assert len(reader.pages) == 9 and reader.pages[3].extract_text().strip() == "1"  # the blank: its folio alone
    assert {name: reader.get_destination_page_number(d) for name, d in reader.named_destinations.items()
            if name in ("one", "two")} == {"one": 4, "two": 7}
    assert report.duplicate_ids == []
    with pikepdf.open(tmp_path / "book.pdf") as pdf:
        assert pdf.check_pdf_syntax() == []
        assert pdf.pages[3].obj.objgen != pdf.pages[6].obj.objgen
        if variant == "pdf/ua-1":
            keys = [int(p.obj.StructParents) for p in pdf.pages]
            assert len(set(keys)) == len(keys)


def test_a_failed_check_keeps_the_old_file(laid, tmp_path):
    pieces = pieces_for(laid, tmp_path, "pdf/x-4")
    target = tmp_path / "book.pdf"
    target.write_bytes(b"the last good book")

    def refuse(written):
        assert len(PdfReader(written).pages) == 7  # the check sees the joined file
        raise ValueError("preflight says no")
    with pytest.raises(ValueError, match="preflight says no"):
        join(pieces, target, labels=LABELS, variant="pdf/x-4", check=refuse)
    assert target.read_bytes() == b"the last good book"
    assert [p.name for p in tmp_path.iterdir() if p.suffix not in (".pdf",)] == []
