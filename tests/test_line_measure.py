"""book/layout/measure.py: a line box keeps its measure, and measures again when its text was written
over (body.stamp_numbers), when it was moved (depth.justify moves boxes on copies of a page), or when
it is asked for under another block."""

from __future__ import annotations

from test_shared_styles import DOCUMENTS

from book.layout import measure
from book.layout.body import stamp_numbers
from book.layout.paginate import Engine
from book.paths import STYLES

XREF = DOCUMENTS[0].replace(
    "</section>",
    '<p id="target">Back to the camp, as told before <a class="xref" href="#target" data-page="00">there</a> '
    'and once more in a long sentence that runs on to a second line of its own.</p></section>', 1)
"""A chapter with a cross-reference laid out with zeros, as the parts are (layout/body.py)."""


def _document(html: str):
    return Engine([STYLES]).layout(html, STYLES.as_uri() + "/")


def test_a_line_is_measured_once_and_as_a_fresh_measure_gives_it(monkeypatch):
    document = _document(XREF)
    calls = []
    real = measure._measured
    monkeypatch.setattr(measure, "_measured", lambda *a: (calls.append(1), real(*a))[1])
    first = measure.body_lines(document.pages)
    measured = len(calls)
    again = measure.body_lines(document.pages)
    assert first and measured >= len(first) and len(calls) == measured  # nothing measured the second time
    assert all(a is b for a, b in zip(first, again)) and len(first) == len(again)
    fresh = []
    for index, page in enumerate(document.pages):
        for box, chapter in measure._blocks(page._page_box, ""):
            fresh += [real(index, chapter, box, line) for line in box.children if type(line).__name__ == "LineBox"]
    assert [line for line in fresh if line is not None] == first


def test_a_number_written_over_the_zeros_is_in_the_lines_measured_after():
    document = _document(XREF)
    before = measure.body_lines(document.pages)
    assert any("(p.\u00a000)" in line.text for line in before)
    stamp_numbers(document, {"target": "12"})
    after = measure.body_lines(document.pages)
    assert any("(p.\u00a012)" in line.text for line in after)
    assert not any("(p.\u00a000)" in line.text for line in after)


def test_a_line_moved_on_a_copy_of_its_page_is_measured_where_it_is():
    document = _document(XREF)
    lines = measure.body_lines(document.pages)
    copy = document.pages[0]._page_box.deepcopy()  # as depth.justify does, then moves the boxes
    for child in copy.children:
        child.translate(dy=10)

    class Page:
        _page_box = copy
    moved = measure.body_lines([Page()])
    on_first = [line for line in lines if line.page == 0]
    assert len(moved) == len(on_first) and moved
    assert all(m.baseline == o.baseline + 10 and m.top == o.top + 10 for m, o in zip(moved, on_first))
    assert all(m.paragraph != o.paragraph for m, o in zip(moved, on_first))  # measured under the copied blocks
