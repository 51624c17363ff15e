"""Shared helpers: build a fixture book into tmp_path and read what came out."""

from __future__ import annotations

import os
import shutil
import sys
from contextlib import contextmanager, nullcontext
from pathlib import Path

import pytest
from hypothesis import settings

# Hypothesis: CI runs a fixed, derandomized set of examples (the same every run, no example database);
# HYPOTHESIS_PROFILE=long runs many more, randomly, for a local search (README, "Safety").
settings.register_profile("ci", derandomize=True, database=None, max_examples=150, deadline=None)
settings.register_profile("long", max_examples=3000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BOOKS = HERE / "books"
sys.path.insert(0, str(ROOT / "bench"))


@pytest.fixture
def copy_book(tmp_path):
    """Copy a fixture book from tests/books into a fresh folder and return its path."""
    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(BOOKS / name, target)
        return target
    return copy


@contextmanager
def engine_fault():
    """The engine's own way with a paragraph whose second line does not fit under the page's notes:
    it moves the notes to the next page (note_split.HOLD off). The fixture books note-lost and
    preflight-note-separated reproduce that fault, which repair.py repairs and preflight reports."""
    from book.layout import note_split
    note_split.HOLD = False
    try:
        yield
    finally:
        note_split.HOLD = True


@pytest.fixture
def fault():
    """engine_fault() for the whole test."""
    with engine_fault():
        yield


def build_fixture(source: Path, out: Path, **options):
    """Build a book and fail on any warning from the layout engine."""
    from book.pipeline import build
    summary = build(source, out, **options)
    engine = [w for w in summary.warnings if "layout engine" in w]
    assert not engine, engine
    return summary


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Build a fixture book once per module: returns a function name -> (summary, pdf path)."""
    cache = {}

    def get(name: str, fault: bool = False, **options):
        """fault: built with engine_fault()."""
        key = (name, fault, tuple(sorted(options.items())))
        if key not in cache:
            out = tmp_path_factory.mktemp(name)
            with engine_fault() if fault else nullcontext():
                summary = build_fixture(BOOKS / name, out, **options)
            cache[key] = (summary, summary.outputs[0])
        return cache[key]
    return get


def read_fixture(path: Path) -> list[tuple[str, str, str, int]]:
    """The cases of a fixture file in markdown-it-py's format: a title line, '.', the input, '.',
    the expected output, '.'; as (title, input, expected, line of the title)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    cases, i = [], 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        title, start = lines[i], i + 1
        assert lines[i + 1] == ".", f"{path}:{i + 2}: expected '.' after the title"
        body, i = _block(lines, i + 2)
        expected, i = _block(lines, i)
        cases.append((title, body, expected, start))
    return cases


def _block(lines: list[str], i: int) -> tuple[str, int]:
    """Lines from i up to the next lone '.', and the index after it."""
    end = lines.index(".", i)
    return "\n".join(lines[i:end]), end + 1


# The CLI's last resort re-raises in tests, so that no fixture can reach it unnoticed (tests/test_cli.py).
os.environ["BOOK_LAST_RESORT"] = "raise"


# --- a small valid book, for tests that change one file of it -------------------------------

MANIFEST = """title: Small Book
slug: small
language: en
names: names.yaml
sources: sources.yaml
contents:
  - 01-one.md
"""
NAMES = """- id: ryskulova-aziza
  name: Aziza Ryskulova
  sort: Ryskulova, Aziza
  role: test entry
"""
SOURCES = """- id: qalam-prison-mothers
  type: article
  title: A Prison for Mothers
  publisher: Qalam
"""
CHAPTER = """---
title: One
---

First paragraph mentions [[Aziza Ryskulova]] with a note[^a]
and a citation [@qalam-prison-mothers].

[^a]: The note.
"""


def write_book(folder: Path, **files: str) -> Path:
    """A small valid book, with some files replaced."""
    contents = {"book.yaml": MANIFEST, "names.yaml": NAMES, "sources.yaml": SOURCES, "01-one.md": CHAPTER}
    contents.update({name.replace("__", "."): text for name, text in files.items()})
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in contents.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def run(*args: str):
    """`book ARGS` through click's runner; never a traceback."""
    from click.testing import CliRunner

    from book.cli import main

    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def check_fails(folder: Path, *expected: str) -> str:
    """`book check` fails on the book in folder with each expected path:line:col message."""
    result = run("check", "--source", str(folder))
    assert result.exit_code == 1, result.output
    for line in expected:
        assert f"{folder}/{line}" in result.output, result.output
    return result.output


def noted_paragraphs(rng, count: int, words: list[str], length: int, most_notes: int, spaced=()) -> str:
    """count paragraphs of length random words, each with up to most_notes notes of one to six lines
    (ids n<paragraph>-<note>); the paragraphs numbered in spaced get a random data-fix spacing."""
    out = []
    for p in range(count):
        notes = "".join(f'{" ".join(rng.choice(words) for _ in range(rng.randint(3, 12)))}.'
                        f'<span class="fn" id="n{p}-{k}"><a class="fn-num" href="#c">{k + 1}</a> '
                        f'{" ".join(rng.choice(words) for _ in range(rng.choice((4, 12, 30, 70))))}.</span> '
                        for k in range(rng.randint(0, most_notes)))
        fix = f' data-fix="{rng.choice(("tight", "wide", "tighter"))}"' if p in spaced else ""
        out.append(f"<p{fix}>{' '.join(rng.choice(words) for _ in range(length))}. {notes}</p>")
    return "".join(out)


def engine_without(patch, installer: str, html: str):
    """html laid out by a new Engine with one engine patch (a module of book/layout with install()
    and uninstall()) uninstalled, and not installed again by the Engine (installer: the name
    paginate.py calls it by); the patch is installed again after."""
    from book.layout import paginate
    from book.paths import STYLES

    patch.uninstall()
    install = getattr(paginate, installer)
    setattr(paginate, installer, lambda: None)
    try:
        return paginate.Engine([STYLES]).layout(html, STYLES.as_uri() + "/")
    finally:
        setattr(paginate, installer, install)
        patch.install()
