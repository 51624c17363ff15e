"""The progress line: a total from the start, and a page count that never goes back to 1."""

from __future__ import annotations

import re

from book.pipeline import Reporter, build
from book.progress import StageLine
from conftest import BOOKS


def test_progress_has_a_total_and_never_counts_back(tmp_path):
    events, totals = [], []
    reporter = Reporter(stage=lambda name: events.append(("stage", name)),
                        engine=lambda message: events.append(("engine", message)), plan=totals.append)
    build(BOOKS / "citations-repeat", tmp_path, reporter=reporter)
    stages = [name for kind, name in events if kind == "stage"]
    assert totals == [len(stages)] == [5]  # reading, body, front matter and index, print, cover

    line, shown, raw = StageLine(), [], []
    for kind, text in events:
        if kind == "stage":
            line.start(text)
            shown.append([])
            raw.append([])
            continue
        line.engine(text)
        page = re.search(r"page (\d+)(?: of (\d+))?$", line.text())  # `checking page 3 of 11` counts as 11
        shown[-1].append(int(page.group(2) or page.group(1)) if page else 0)
        if re.search(r"Page \d+$", text):
            raw[-1].append(int(text.rsplit(" ", 1)[1]))
    assert any(pages.count(1) > 1 for pages in raw), "the engine itself starts again from page 1"
    assert all(pages == sorted(pages) for pages in shown)
