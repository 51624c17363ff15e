"""`book check --fix-names --yes` adds "[[" and "]]" around untagged names in prose, and nothing else:
never inside code, raw HTML, comments, attributes, links, tags or the YAML of a table block; never
splitting "Jane Doe's"; atomically, keeping line ends, encoding and permissions."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from book.cli import main
from book.errors import BookError
from book.markup.book import load_book
from book.markup.lint import find_untagged, forms_pattern, plan_fixes
from book.model import Location, Person
from book.text import plain
from conftest import CHAPTER, NAMES, check_fails, write_book

NAMES_WITH_VARIANT = NAMES.replace("  role: test entry\n", "  role: test entry\n  variants: [Aziza]\n")
FRONT = "---\ntitle: One\n---\n\n"


def fix(tmp_path: Path, body: str, *, yes: bool = True, names: str = NAMES_WITH_VARIANT,
        newline: str = "\n", bom: bool = False) -> tuple[str, str]:
    """Write a chapter, run `check --fix-names [--yes]`; -> (the command's output, the file's text)."""
    book = write_book(tmp_path / "book", names__yaml=names)
    chapter = book / "01-one.md"
    text = (FRONT + body + "\n" + CHAPTER.split("---\n", 2)[2]).replace("\n", newline)
    chapter.write_bytes((codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8"))
    chapter.chmod(0o640)
    result = CliRunner().invoke(main, ["check", "--source", str(book), "--fix-names", *(["--yes"] if yes else [])],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert chapter.stat().st_mode & 0o777 == 0o640
    raw = chapter.read_bytes()
    assert raw.startswith(codecs.BOM_UTF8) == bom
    return result.output, raw.decode("utf-8-sig")


@pytest.mark.parametrize("body, expected", [
    ("Aziza Ryskulova came.", "[[Aziza Ryskulova]] came."),
    ("Aziza Ryskulova's letter.", "[[Aziza Ryskulova]]'s letter."),
    ("Aziza Ryskulova’s letter and Aziza's.", "[[Aziza Ryskulova]]’s letter and [[Aziza]]'s."),
    ("Code `Aziza Ryskulova` stays.", "Code `Aziza Ryskulova` stays."),
    ("Code ``a ` Aziza`` stays.", "Code ``a ` Aziza`` stays."),
    ('A <span title="Aziza Ryskulova">word</span>.', 'A <span title="Aziza Ryskulova">word</span>.'),
    ("A comment <!-- Aziza Ryskulova --> stays.", "A comment <!-- Aziza Ryskulova --> stays."),
    ("<!--\nAziza Ryskulova\n-->", "<!--\nAziza Ryskulova\n-->"),
    ("See [Aziza Ryskulova](https://example.org/Aziza) now.", "See [Aziza Ryskulova](https://example.org/Aziza) now."),
    ("Mail <https://example.org/Aziza> now.", "Mail <https://example.org/Aziza> now."),
    ("Already [[Aziza Ryskulova]] and [[Aziza|ryskulova-aziza]].",
     "Already [[Aziza Ryskulova]] and [[Aziza|ryskulova-aziza]]."),
    ("A cite [see Aziza @qalam-prison-mothers].", "A cite [see Aziza @qalam-prison-mothers]."),
    ("```\nAziza Ryskulova\n```", "```\nAziza Ryskulova\n```"),
    ("    Aziza Ryskulova in indented code", "    Aziza Ryskulova in indented code"),
    ("In *Aziza Ryskulova* emphasis.", "In *[[Aziza Ryskulova]]* emphasis."),
    ("Escaped \\*Aziza\\* here.", "Escaped \\*[[Aziza]]\\* here."),
    ("Odd [Aziza] brackets.", "Odd [Aziza] brackets."),
    ("Aziza-Ryskulova and Ryskulova-Aziza.", "Aziza-Ryskulova and Ryskulova-Aziza."),
    ("word*Aziza Ryskulova* and *Aziza*.", "word*Aziza Ryskulova* and *[[Aziza]]*."),
])
def test_fix_names_tags_prose_only(tmp_path, body, expected):
    _, text = fix(tmp_path, body)
    assert text.startswith(FRONT + expected + "\n"), text


def test_table_block_yaml_is_never_tagged(tmp_path):
    body = "```table\ndata: data.yaml\ncolumns: {who: Aziza}\ncaption: Aziza Ryskulova's table.\n```"
    book = write_book(tmp_path / "book", names__yaml=NAMES_WITH_VARIANT)
    (book / "data.yaml").write_text("- who: Aziza Ryskulova\n")
    (book / "01-one.md").write_text(FRONT + body + "\n" + CHAPTER.split("---\n", 2)[2])
    CliRunner().invoke(main, ["check", "--source", str(book), "--fix-names", "--yes"], catch_exceptions=False)
    assert (book / "01-one.md").read_text().startswith(FRONT + body + "\n")
    load_book(book)  # still a valid book


def test_line_ends_and_byte_order_mark_are_kept(tmp_path):
    _, text = fix(tmp_path, "Aziza Ryskulova came.\nAnd Aziza went.", newline="\r\n", bom=True)
    assert text.startswith(FRONT.replace("\n", "\r\n") + "[[Aziza Ryskulova]] came.\r\nAnd [[Aziza]] went.\r\n")
    assert "\n" not in text.replace("\r\n", "")


def test_dry_run_shows_a_unified_diff_and_writes_nothing(tmp_path):
    output, text = fix(tmp_path, "Aziza Ryskulova came.", yes=False)
    assert "-Aziza Ryskulova came.\n+[[Aziza Ryskulova]] came.\n" in output and output.count("+++ ") == 1
    assert text.startswith(FRONT + "Aziza Ryskulova came.")


@pytest.mark.parametrize("variant", ['""', "A", "' '"])
def test_empty_or_one_letter_variant_is_refused_at_the_registry(tmp_path, variant):
    names = NAMES.replace("  role: test entry\n", f"  role: test entry\n  variants: [{variant}]\n")
    output = check_fails(write_book(tmp_path / "book", names__yaml=names), "names.yaml:1:3:")
    assert "is too short to be a name" in output


# --- the property: for any chapter, removing the added tags gives back the original bytes -------------

PEOPLE = (Person("doe-jane", "Jane Doe", "Doe, Jane", Location(Path("names.yaml"), 1, 3), variants=("Jane",)),
          Person("roe-rick", "Rick Roe", "Roe, Rick", Location(Path("names.yaml"), 5, 3)))
PIECES = ["Jane Doe", "Jane", "Rick Roe", "Jane Doe's", "Rick", " ", " ", "\n", "\n\n", "\r\n", "word", "Doe",
          "`", "``", "*", "_", "[", "]", "(", ")", "<", ">", "!", "#", "-", "'", "’", "\\", "&amp;", "|", ":",
          "[[", "]]", "<!--", "-->", '<span title="', '">', "</span>", "[@", "[^1]", "```", "```table\n", "    ",
          "> ", "1. ", "https://x.org/Jane", "{#id}", "---\n", "&"]
TAG = re.compile(r"\[\[((?:Jane Doe|Jane|Rick Roe))\]\]")


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_removing_the_added_tags_gives_back_the_original(tmp_path, pieces):
    chapter = tmp_path / "chapter.md"
    original = "".join(pieces)
    chapter.write_bytes(original.encode("utf-8"))
    fixes = list(find_untagged(chapter, forms_pattern(PEOPLE), PEOPLE))
    edits = plan_fixes(fixes)
    after = edits[0].after if edits else original
    added = [m for m in TAG.finditer(after)]
    assert len(added) - len(TAG.findall(original)) == len(fixes)
    assert TAG.sub(r"\1", after) == TAG.sub(r"\1", original)
    assert after.encode("utf-8").replace(b"[[", b"").replace(b"]]", b"") == \
        original.encode("utf-8").replace(b"[[", b"").replace(b"]]", b"")


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(PIECES), max_size=30))
def test_tags_added_never_change_the_printed_text(tmp_path, pieces):
    book = write_book(tmp_path / "prop", names__yaml="- id: doe-jane\n  name: Jane Doe\n  sort: Doe, Jane\n"
                      "  variants: [Jane]\n- id: roe-rick\n  name: Rick Roe\n  sort: Roe, Rick\n",
                      **{"01-one__md": FRONT + "".join(pieces).replace("[^1]", "") + "\n"})
    try:
        before, _ = load_book(book, lint_names=False)
    except BookError:
        return  # only books that build are compared
    fixes = list(find_untagged(book / "01-one.md", forms_pattern(before.people), before.people))
    for edit in plan_fixes(fixes):
        edit.path.write_text(edit.after, encoding="utf-8")
    after, _ = load_book(book, lint_names=False)
    printed = [" ".join(plain(b.chapters[0].html).split()) for b in (before, after)]  # as HTML collapses spaces
    assert printed[1] == printed[0]
    assert len(after.chapters[0].mentions) == len(before.chapters[0].mentions) + len(fixes)
