"""Collation and letter groups against the lists in tests/fixtures/collation/."""

from __future__ import annotations

import random
from itertools import groupby
from pathlib import Path

import pytest

from book.layout.collate import fold_punctuation, make_collator, sort_texts

FIXTURES = Path(__file__).parent / "fixtures" / "collation"
ORDER_FIXTURES = ["en.txt", "ru.txt", "kk.txt", "ru-alphabet.txt", "kk-alphabet.txt"]
SEEDS = range(5)


def read_rows(name: str) -> list[tuple[str, str]]:
    """(first, second) column pairs of a fixture; comment lines start with "# "."""
    text = (FIXTURES / name).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("# ")]
    return [tuple(line.split("\t")) for line in lines]


def language_of(name: str) -> str:
    """Language tag a fixture is written for: "ru-alphabet.txt" -> "ru"."""
    return name.split(".")[0].split("-")[0]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", ORDER_FIXTURES)
def test_sorts_shuffled_list_back_into_order(name, seed):
    expected = [text for text, _ in read_rows(name)]
    shuffled = expected[:]
    random.Random(seed).shuffle(shuffled)
    assert shuffled != expected
    assert sort_texts(shuffled, language_of(name)) == expected


@pytest.mark.parametrize("name", ORDER_FIXTURES)
def test_groups_every_name(name):
    collator = make_collator(language_of(name))
    rows = read_rows(name)
    assert [(text, collator.group(text)) for text, _ in rows] == rows


@pytest.mark.parametrize("name", ORDER_FIXTURES)
def test_each_group_is_one_run(name):
    groups = [group for _, group in read_rows(name)]
    runs = [group for group, _ in groupby(groups)]
    assert len(runs) == len(set(runs))


@pytest.mark.parametrize("name", ORDER_FIXTURES)
def test_fixture_defeats_naive_sorts(name):
    expected = [text for text, _ in read_rows(name)]
    assert sorted(expected) != expected
    assert sorted(expected, key=str.casefold) != expected


@pytest.mark.parametrize("name", ORDER_FIXTURES)
def test_keys_are_distinct_bytes(name):
    collator = make_collator(language_of(name))
    keys = [collator.key(text) for text, _ in read_rows(name)]
    assert all(isinstance(key, bytes) for key in keys)
    assert len(set(keys)) == len(keys)


@pytest.mark.parametrize(("text", "expected"), read_rows("punctuation.txt"))
def test_folds_punctuation(text, expected):
    assert fold_punctuation(text) == expected


def test_spellings_that_fold_alike_still_order_deterministically():
    texts = ["O'Brien", "OBrien", "O\u2019Brien", "Obrien"]
    orders = {tuple(sort_texts(random.Random(seed).sample(texts, 4), "en")) for seed in SEEDS}
    assert len(orders) == 1


@pytest.mark.parametrize("language", ["xx", "!!!", "", "und", "x-private", "en_GB"])
def test_unknown_or_odd_tag_never_raises(language):
    collator = make_collator(language)
    assert sort_texts(["b", "Á", "a"], language) == ["a", "Á", "b"]
    assert collator.group("émery") == "E"


def test_unknown_language_uses_root_collation():
    assert make_collator("xx").locale == ""


def test_regional_tag_sorts_like_its_language():
    names = [text for text, _ in read_rows("en.txt")]
    assert sort_texts(names[::-1], "en-GB") == names


def test_collator_is_cached_per_language():
    assert make_collator("kk") is make_collator("kk")


def test_group_of_empty_or_punctuation_only_text_is_non_letter():
    collator = make_collator("en")
    assert collator.group("") == "#"
    assert collator.group("\u2014") == "#"
