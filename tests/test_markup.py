r"""Markdown -> chapter HTML, and every editor's mistake -> its messages, from fixture files.

tests/fixtures/markup/<feature>.md: title / . / chapter Markdown / . / the chapter's HTML / .
(the invisible WORD JOINER before each note call is written there as &#x2060;)
tests/fixtures/errors/<topic>.txt: title / . / files (each after a `=== name` line) laid over the
book tests/books/editor-mistakes (`\ufeff` and `\xNN` stand for those bytes) / . / every message
`check` gives, one a line, or (none) / .
Both run through the real source and markup stages, with that book's registry and bibliography.
"""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import pytest
from conftest import BOOKS, HERE, read_fixture

from book.errors import BookError, Problems
from book.markup.book import load_book
from book.markup.chapter import parse_chapter
from book.markup.check import Context, check_tokens
from book.markup.parser import Locator, make_parser
from book.markup.writer import ChapterWriter
from book.model import Location
from book.source.load import load_manifest, load_people, load_sources
from book.source.schema import read_yaml

BASE = BOOKS / "editor-mistakes"
FRONT = "---\ntitle: One\n---\n"


def cases(folder: str, pattern: str) -> list:
    """pytest params for every case of every fixture file in tests/fixtures/<folder>."""
    params = []
    for path in sorted((HERE / "fixtures" / folder).glob(pattern)):
        for title, given, expected, line in read_fixture(path):
            params.append(pytest.param(given, expected, id=f"{path.stem}:{line}:{title}"))
    assert params, folder
    return params


def context() -> Context:
    problems = Problems()
    manifest = load_manifest(BASE, problems)
    ctx = Context(manifest=manifest, people=load_people(manifest, problems),
                  sources=load_sources(manifest, problems))
    assert not problems.items, problems.items
    return ctx


def chapter_html(markdown: str, problems: Problems):
    return parse_chapter(path=BASE / "01-one.md", source=FRONT + markdown, body_start=3, anchor="ch-one",
                         kind="chapter", title="One", subtitle="", short_title="",
                         title_at=Location(BASE / "01-one.md", 2, 8), context=context(), problems=problems)


@pytest.mark.parametrize("given, expected", cases("markup", "*.md"))
def test_markdown_renders_as_fixture(given, expected):
    problems = Problems()
    chapter = chapter_html(given, problems)
    assert not problems.errors, [str(p) for p in problems.items]
    assert visible(chapter.html).strip() == expected.strip()


def visible(html: str) -> str:
    """The invisible characters the writer and the typesetting pass put in, as entities a reader of
    the fixture files can see: word joiner, soft hyphen, no-break space."""
    return html.replace("\u2060", "&#x2060;").replace("\u00ad", "&shy;").replace("\u00a0", "&nbsp;")


def book_with(tmp_path: Path, files: str) -> Path:
    """The base book with each `=== name` file of a fixture written over it."""
    folder = tmp_path / "book"
    shutil.copytree(BASE, folder)
    name = None
    texts: dict[str, list[str]] = {}
    for line in files.split("\n"):
        if line.startswith("=== "):
            name = line[4:].strip()
            texts[name] = []
        else:
            assert name is not None, "a fixture's files each start with a line `=== name`"
            texts[name].append(line)
    for name, lines in texts.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        data = "\n".join(lines).replace("\\ufeff", "\ufeff").encode("utf-8") + b"\n"
        target.write_bytes(re.sub(rb"\\x([0-9a-f]{2})", lambda m: bytes.fromhex(m.group(1).decode()), data))
    return folder


def messages(folder: Path) -> list[str]:
    """Every problem `check` reports, as it prints them, with paths relative to the book."""
    try:
        items = load_book(folder)[1].items
    except BookError as error:
        items = error.problems
    return [str(p).replace(f"{folder}/", "") for p in items]


@pytest.mark.parametrize("given, expected", cases("errors", "*.txt"))
def test_mistake_gives_exactly_these_messages(tmp_path, given, expected):
    wanted = [] if expected.strip() == "(none)" else expected.strip().split("\n")
    assert sorted(messages(book_with(tmp_path, given))) == sorted(wanted)


def test_base_book_is_clean():
    assert messages(BASE) == []


def test_rendering_twice_gives_the_same_html():
    """Rendering reads the checked tokens and never edits them (a period after an in-note
    citation is left out by looking, not by cutting it from the next token)."""
    ctx, problems = context(), Problems()
    source = FRONT + "Text[^a].\n\n[^a]: As shown [@qalam-prison-mothers, p. 3]. More.\n"
    md = make_parser("en")
    env: dict = {}
    tokens = md.parse(source.split("\n", 3)[3], env)
    loc = Locator(BASE / "01-one.md", source.split("\n"), 3)
    check_tokens(tokens, env, loc, ctx, problems)
    assert not problems.items
    first = ChapterWriter(md=md, anchor="ch-one", ctx=ctx, loc=loc).render(tokens, env)
    second = ChapterWriter(md=md, anchor="ch-one", ctx=ctx, loc=loc).render(tokens, env)
    assert first == second
    assert '3. More' in first and "3.." not in first


def test_many_tags_and_notes_in_one_paragraph_are_located(tmp_path):
    """10,000 tags and 20,000 note calls in one paragraph: located one by one, in linear time."""
    tags = " ".join("[[Aziza]]" for _ in range(10_000))
    calls = "".join(f"x[^n{i}] " for i in range(20_000))
    notes = "\n".join(f"[^n{i}]: Note {i}." for i in range(20_000))
    folder = book_with(tmp_path, "=== 01-one.md\n" + FRONT + "\n" + tags + " [[Nobody Known]] " + calls
                       + "[[Varvara Ivanova]] [@qalam-prison-mothers]\n\n" + notes)
    found = [m for m in messages(folder) if "Nobody" in m]
    assert found == ['01-one.md:5:100001: unknown person "Nobody Known"; add the person to names.yaml, '
                     "or write [[text|id]] with a registry id"]


def test_many_unclosed_tags_and_citations_are_each_reported(tmp_path):
    """10,000 unclosed `[[` and `[@` in one paragraph: each is one error at its column (the closing
    bracket is looked for a bounded distance ahead, so this is linear too)."""
    text = " ".join("[[Aziza [@smith-book" for _ in range(10_000))
    folder = book_with(tmp_path, "=== 01-one.md\n" + FRONT + "\n" + text)
    found = messages(folder)
    assert len(found) == 20_000
    assert found[0].startswith("01-one.md:5:1: name tag `[[Aziza` has no closing ]]")
    assert found[-1].startswith(f"01-one.md:5:{len(text) - len('[@smith-book') + 1}: citation `[@smith-book` "
                                "has no closing bracket")


MARKDOWN_PIECES = ["[[", "]]", "|", "[^", "]", "]:", "[@", "@smith-book", ", p. 3", ";", "{#", "}", "==", "~~",
                   "`", "```", "```table\ndata: data/rows.yaml\n", "\n", "\n\n", "    ", "- ", "> ", "## ", "#",
                   "Aziza", "Varvara Ivanova", " ", "a", "<!--", "-->", "<sup>", "</sup>", "<b", "'", '"', ":",
                   "*", "_", "![", "](", "#arrival", "(", ")", "\t", "\\", "\u2060", "&amp;", "1."]
YAML_PIECES = ["title", "subtitle", "kind", "id", ":", " ", ": ", "\n", "  ", "- ", "[", "]", "{", "}", ",", "&a ",
               "*a", "!!str ", "!!python/name:os.system", "2001-02-30", "1e400", "9" * 40, "'", '"', "#", "|",
               ">", "@", "%", "\t", "---", "...", "?", "One", "chapter", "\\x", "null", "~"]


def random_text(rng, pieces: list[str], count: int) -> str:
    return "".join(rng.choice(pieces) for _ in range(count))


def test_random_markdown_and_front_matter_give_located_messages_never_a_traceback(tmp_path):
    """300 chapters of random Markdown and front matter pieces (a fixed seed, so that a failure can
    be replayed): each ends in messages that all have a line and column, or in none."""
    rng = random.Random(11)
    for n in range(300):
        front = "title: One\n" if n % 3 else random_text(rng, YAML_PIECES, rng.randint(1, 30))
        body = random_text(rng, MARKDOWN_PIECES, rng.randint(1, 80))
        folder = book_with(tmp_path / str(n), f"=== 01-one.md\n---\n{front}\n---\n\n{body}")
        try:
            items = load_book(folder)[1].items
        except BookError as error:
            items = error.problems
        for problem in items:
            where = problem.location
            assert where is not None and where.line >= 1 and where.col >= 1, (front, body, str(problem))
            assert "Traceback" not in problem.message and "DESIGN" not in problem.message


def _read_both(text: str, monkeypatch) -> list:
    """What read_yaml gives for text with libyaml's parser and with the pure-Python one: the value with
    every mark of a Marked mapping or list, and the problems."""
    from book.source import schema

    def shown(value):
        if isinstance(value, schema.Marked):
            return ("map", value.at, [(k, shown(v)) for k, v in value.items()], sorted(value.key_at.items()),
                    sorted(value.value_at.items()), sorted(value.reported), value.damaged)
        if isinstance(value, schema.MarkedList):
            return ("list", value.at, [shown(v) for v in value], list(value.item_at))
        return (type(value).__name__, value)
    out = []
    for fast in (True, False):
        monkeypatch.setattr(schema, "FAST", fast)
        problems = Problems()
        out.append((shown(read_yaml(text, BASE / "x.yaml", problems, 2)), [str(p) for p in problems.items]))
    return out


def test_libyaml_reads_yaml_as_the_pure_python_loader_does(monkeypatch):
    """read_yaml parses with libyaml first (its marks, values and problems are the pure-Python
    loader's); the limits are counted as the pure-Python loader counts them while it composes."""
    from book.source import schema

    assert schema.FAST, "PyYAML's wheels have libyaml"
    nested = lambda n: "k: " + "[" * (n - 1) + "]" * (n - 1) + "\n"  # noqa: E731  (n levels with the root)
    bomb = lambda n: "a: &a [x]\nb: [" + ", ".join(["*a"] * n) + "]\n"  # noqa: E731
    texts = [
        "title: «Мать» и дети\nyear: 1938\nwhen: 2001-02-30\nsame: 1\nsame: 2\nlist:\n  - one\n  - {x: é, y: [1, 2]}\n",
        nested(40), nested(41), bomb(100), bomb(101),
        "deep: &d " + "[" * 38 + "]" * 38 + "\nshallow: *d\n",  # an anchor 39 deep, its alias 2 deep
        "a: &d [x]\nb: " + "[" * 39 + "*d" + "]" * 39 + "\n",  # an alias 41 deep: refused
        "a: &r [*r]\n", "", "# nothing\n", "a: [1, 2\n", "key: {\n",
        "a:\tb\n", "a: |#c\n", "? k\n", "a: b\r\nc: d\r\n", "a: \ufeffb\n",  # where the two part ways
    ]
    rng = random.Random(12)
    texts += [random_text(rng, YAML_PIECES, rng.randint(1, 40)) for _ in range(1500)]
    for text in texts:
        fast, pure = _read_both(text, monkeypatch)
        assert fast == pure, text
    assert "nested more than 40 deep" in str(_read_both(nested(41), monkeypatch)[0])
    assert "more than 100 aliases" in str(_read_both(bomb(101), monkeypatch)[0])
    assert "more than 100 aliases" not in str(_read_both(bomb(100), monkeypatch)[0])
    kinds = []
    real = schema._loader
    monkeypatch.setattr(schema, "FAST", True)
    monkeypatch.setattr(schema, "_loader", lambda *a, **k: (kinds.append(k.get("fast", False)), real(*a, **k))[1])
    read_yaml(texts[0], BASE / "x.yaml", Problems())
    assert kinds == [True], "an ordinary text is read by libyaml alone"


def test_random_yaml_gives_located_messages_in_an_editors_words():
    """2,000 texts of random YAML pieces through the one loader: no traceback, every problem at a
    line and column, and PyYAML's own words only ever in brackets after ours."""
    rng = random.Random(10)
    for _ in range(2000):
        text = random_text(rng, YAML_PIECES, rng.randint(1, 40))
        problems = Problems()
        read_yaml(text, BASE / "x.yaml", problems)
        for problem in problems.items:
            assert problem.location.line >= 1 and problem.location.col >= 1, text
            assert not problem.message.startswith(("expected", "found", "while", "could not")), (text, problem)
