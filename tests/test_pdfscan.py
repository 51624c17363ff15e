"""Our content-stream tokenizer (book/preflight/pdfscan.py) against a reference parser: pikepdf's
(qpdf's) parse_content_stream, on hand-written streams with every token kind and on every content
stream and form of PDFs the pipeline writes."""

from __future__ import annotations

import decimal

import pikepdf
import pytest

from book.preflight.pdfscan import read_operations
from conftest import BOOKS, build_fixture


def reference(data: bytes) -> list:
    """(operands, operator) pairs as pikepdf reads them, inline images left out (ours skips them)."""
    pdf = pikepdf.new()
    stream = pdf.make_indirect(pikepdf.Stream(pdf, data))
    return [(list(op.operands), str(op.operator)) for op in pikepdf.parse_content_stream(stream)
            if not isinstance(op, pikepdf.ContentStreamInlineImage)]


def same(ours, ref) -> bool:
    """One operand read by us equals the reference's (numbers as floats, names and keywords as text,
    strings as bytes, arrays as lists, a dictionary as the list of its keys and values)."""
    if isinstance(ref, bool):
        return ours == ("true" if ref else "false")
    if ref is None:
        return ours == "null"
    if isinstance(ref, (int, float, decimal.Decimal)):
        return isinstance(ours, float) and abs(ours - float(ref)) < 1e-9
    if isinstance(ref, pikepdf.Name):
        return ours == str(ref)
    if isinstance(ref, pikepdf.String):
        return ours == bytes(ref)
    if isinstance(ref, pikepdf.Dictionary):
        if not isinstance(ours, list) or len(ours) % 2:
            return False
        pairs = dict(zip(ours[0::2], ours[1::2]))
        return set(pairs) == set(ref.keys()) and all(same(pairs[k], ref[k]) for k in ref.keys())
    if isinstance(ref, pikepdf.Array):
        return isinstance(ours, list) and len(ours) == len(ref) and all(map(same, ours, ref))
    raise AssertionError(f"unexpected reference operand {ref!r}")


def assert_same_operations(data: bytes) -> int:
    ours = list(read_operations(data))
    ref = reference(data)
    assert [op for _, op in ours] == [op for _, op in ref]
    for (mine, op), (theirs, _) in zip(ours, ref):
        assert len(mine) == len(theirs), op
        for a, b in zip(mine, theirs):
            assert same(a, b), (op, a, b)
    return len(ours)


STREAMS = {
    "text": b"BT /F1 12 Tf 1 0 0 1 72 700 Tm (Hello) Tj ET",
    "weasyprint TJ": b"BT /F2 9.5 Tf [<0112>15<0161>9<>-14.45<0003>]TJ ET",
    "TJ with literal strings": b"[(A) -120 (W) 5.5 <4142>] TJ",
    "escapes": rb"(a\(b\)c) Tj (\n\r\t\b\f\\) Tj (\053\53\0053) Tj (x\qy) Tj",
    "nested parentheses": b"(a (nested (deep)) string) Tj",
    "line continuation": b"(one\\\ntwo) Tj (three\r\nfour) Tj",
    "odd hex": b"<414> Tj < 41 42\n43 > Tj",
    "names": b"/F#231 1 Tf /A#20B gs /Caf#C3#A9 Do",
    "numbers": b".5 -3 +2 4. -0.25 0 0 cm",
    "marked content": b"/Span <</ActualText (fi) /MCID 7 /Lang (en-GB)>> BDC EMC",
    "nested arrays": b"[[1 2] [/a [3]] 4] /Pattern scn",
    "keywords": b"true false null d0",
    "inline image": b"q BI /W 2 /H 1 /BPC 8 /CS /G ID \x00\xff EI Q 0 g",
    "comments": b"% a comment\n1 g % another\n0 0 m",
    "empty": b"",
}


@pytest.mark.parametrize("name", list(STREAMS))
def test_hand_written_streams_read_like_the_reference(name):
    data = STREAMS[name]
    count = assert_same_operations(data)
    assert count or not data.strip(b" \n%acomment")


def test_a_wrong_reading_is_caught():
    """The comparison is not vacuous: a string read without its escapes differs."""
    ref = reference(rb"(a\053b) Tj")
    assert not same(b"a\\053b", ref[0][0][0])
    assert same(b"a+b", ref[0][0][0])


def content_streams(path) -> list[bytes]:
    """Every page's content and every form XObject it draws, decoded."""
    found = []
    with pikepdf.open(path) as pdf:
        seen = set()
        for page in pdf.pages:
            found.append(page.obj.Contents.read_bytes() if "/Contents" in page.obj else b"")
            stack = [page.obj.get("/Resources")]
            while stack:
                resources = stack.pop()
                if resources is None or "/XObject" not in resources:
                    continue
                for _, xobject in resources.XObject.items():
                    key = xobject.objgen
                    if key in seen or xobject.get("/Subtype") != "/Form":
                        continue
                    seen.add(key)
                    found.append(xobject.read_bytes())
                    stack.append(xobject.get("/Resources"))
    return found


@pytest.mark.parametrize("book", ["page-structure", "preflight-low-dpi", "index-of-names"])
def test_every_stream_the_pipeline_writes_reads_like_the_reference(book, tmp_path):
    summary = build_fixture(BOOKS / book, tmp_path, html=False, preflight=False)
    streams = content_streams(summary.outputs[0])
    assert len(streams) >= 4
    assert sum(assert_same_operations(data) for data in streams) > 100
