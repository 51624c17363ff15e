"""Typography: hyphenation for the book's language, proper names never hyphenated, typographic quotes."""

from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

from conftest import BOOKS, build_fixture

NAMES = ["Andronikashvili", "Zhurgenova", "Kozhanova", "Ryskulova", "Dzhangizhirskiy", "Temlyakovskiy",
         "Messerschmidtova", "Zhalanashkolova"]
HYPHENS = ("-", "\u2010", "\xad")


@pytest.fixture(scope="module")
def lines(tmp_path_factory):
    summary = build_fixture(BOOKS / "narrow-measure", tmp_path_factory.mktemp("narrow"))
    reader = PdfReader(summary.outputs[0])
    body = range(summary.front_pages, len(reader.pages))
    return [line.strip() for i in body for line in (reader.pages[i].extract_text() or "").split("\n")]


def test_common_words_are_hyphenated(lines):
    broken = [line for line in lines if line.endswith(HYPHENS)]
    assert len(broken) >= 5, lines


def test_proper_names_are_never_hyphenated(lines):
    checked = 0
    for line in lines:
        if not line.endswith(HYPHENS):
            continue
        last = re.split(r"\s+", line)[-1].rstrip("".join(HYPHENS))
        checked += 1
        assert not last[:1].isupper(), line
        assert not any(name.startswith(last) for name in NAMES if len(last) > 1), line
    assert checked


def test_quotes_and_dashes_are_typographic(lines):
    text = " ".join(" ".join(lines).split())
    assert "“Quoted” words – a range, a dash — and ‘single’ ones." in text
