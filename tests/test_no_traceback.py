"""Ordinary mistakes in table and figure blocks, their data files, names.yaml and sources.yaml are
located errors, never a traceback (issue 10, class 3)."""

from __future__ import annotations

import pytest

from book.errors import BookError
from book.markup.book import load_book
from conftest import CHAPTER, NAMES, SOURCES, write_book


def block(kind: str, body: str) -> str:
    return CHAPTER + f"\n```{kind}\n{body}```\n"


BARS = "data: d.yaml\nchart: bars\ncaption: c\n"


@pytest.mark.parametrize("files, expected", [
    (dict(names__yaml=NAMES + "  variant_sorts: [a]\n"), "names.yaml:5:18: `variant_sorts` must be a mapping"),
    (dict(sources__yaml=SOURCES.replace("type: article", "type: [book]")), "sources.yaml:2:9: `type` must be one word, one of article"),
    ({"01-one__md": block("figure", "data: d.yaml\nchart: [bars]\ncaption: c\n"), "d__yaml": "- {label: a, value: 1}\n"},
     "01-one.md:12:8: `chart` must be a text"),
    ({"01-one__md": block("table", "data: d.yaml\ncolumns: {}\n"), "d__yaml": "- {a: 1}\n"},
     "01-one.md:12:10: `columns` is empty"),
    ({"01-one__md": block("figure", BARS), "d__yaml": "- {label: a, value: lots}\n"},
     "d.yaml:1:21: a bar's `value` must be a number of 0 or more; it is \"lots\""),
    ({"01-one__md": block("figure", BARS), "d__yaml": "- {label: a, value: -5}\n"},
     "d.yaml:1:21: a bar's `value` must be a number of 0 or more; it is -5"),
    ({"01-one__md": block("figure", BARS), "d__yaml": "- {label: a, value: .inf}\n"},
     "d.yaml:1:21: a bar's `value` must be a number of 0 or more; it is inf"),
    ({"01-one__md": block("figure", BARS), "d__yaml": "[]\n"}, "d.yaml:1:1: the data file has no rows"),
    ({"01-one__md": block("figure", "data: d.yaml\nchart: timeline\ncaption: c\n"), "d__yaml": "[]\n"},
     "d.yaml:1:1: the data file has no rows"),
    ({"01-one__md": block("table", "caption: no data\n")}, "01-one.md:11:1: a table block has no `data`"),
], ids=["variant-sorts-list", "type-list", "chart-list", "empty-columns", "bars-lots", "bars-negative", "bars-inf",
        "bars-empty", "timeline-empty", "table-without-data"])
def test_mistake_in_a_block_or_registry_is_located(tmp_path, files, expected):
    book = write_book(tmp_path / "book", **files)
    with pytest.raises(BookError) as raised:
        load_book(book)
    assert f"{book}/{expected}" in str(raised.value)


def test_data_file_not_utf8_is_located(tmp_path):
    book = write_book(tmp_path / "book", **{"01-one__md": block("table", "data: d.yaml\ncolumns: {a: A}\n")})
    (book / "d.yaml").write_bytes(b"- {a: 1}\n- {a: \xff}\n")
    with pytest.raises(BookError) as raised:
        load_book(book)
    assert f"{book}/d.yaml:2:7: this is not UTF-8 text; save the file as UTF-8" in str(raised.value)
