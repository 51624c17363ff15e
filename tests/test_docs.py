"""docs/editing.md is what `python -m book.docs` writes from the declarations: it cannot drift."""

from __future__ import annotations

from pathlib import Path

import pytest

from book import docs
from book.source.load import FRONT_MATTER, MANIFEST, PERSON

ROOT = Path(__file__).resolve().parent.parent


def test_the_guide_is_what_the_declarations_make():
    written = (ROOT / "docs" / "editing.md").read_text(encoding="utf-8")
    assert written == docs.render(), "docs/editing.md is out of date: run .venv/bin/python -m book.docs"


@pytest.mark.parametrize("table", [MANIFEST, FRONT_MATTER, PERSON], ids=["book.yaml", "front matter", "names.yaml"])
def test_every_field_says_what_it_means(table):
    assert [name for name, spec in table.items() if not spec.doc] == []


def test_the_guide_lists_every_field_command_and_option():
    from book.cli import main

    text = docs.render()
    for name in [*MANIFEST, *FRONT_MATTER, *PERSON]:
        assert f"| `{name}` |" in text, name
    for name, command in main.commands.items():
        assert f"### `book {name}`" in text
        for param in command.params:
            for option in getattr(param, "opts", []):
                if option.startswith("--"):
                    assert f"`{option}`" in text, (name, option)


def test_each_common_error_is_an_error_the_tool_reports():
    assert len(docs.COMMON_ERRORS) == 10
    messages = [docs.error_message(file, old, new) for _, file, old, new, _ in docs.COMMON_ERRORS]
    assert all(messages) and len(set(messages)) == 10
    assert messages[0] == '01-start.md:5:1: unknown person "Anna Example"; did you mean "Ana Example" (example-ana)?'


def test_readme_links_the_guide_at_the_top():
    head = (ROOT / "README.md").read_text(encoding="utf-8")[:1200]
    assert "(docs/editing.md)" in head
