"""The index of names: page numbers proven against the text of the pages, ranges, see-references, lint."""

from __future__ import annotations

import re
import shutil

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from book.cli import main
from book.markup.book import load_book
from book.layout.index import derive_sort, join_ranges
from conftest import BOOKS, build_fixture
from conftest import CHAPTER, NAMES, check_fails, write_book

BOOK = "index-of-names"


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    summary = build_fixture(BOOKS / BOOK, tmp_path_factory.mktemp("index"))
    reader = PdfReader(summary.outputs[0])
    book, _ = load_book(BOOKS / BOOK)
    texts = [" ".join((page.extract_text() or "").split()) for page in reader.pages]
    return summary, book, texts


def forms_of(book) -> dict[str, set[str]]:
    """Registry id -> every text under which it was tagged (as printed)."""
    forms: dict[str, set[str]] = {}
    for chapter in book.chapters:
        for mention in chapter.mentions:
            forms.setdefault(mention.person, set()).add(" ".join(mention.text.split()))
    return forms


def expand(locator: str, labels: tuple[str, ...]) -> list[int]:
    """'7–10' or 'vii' -> the page indices it stands for."""
    first, _, last = locator.partition("–")
    start = labels.index(first)
    return list(range(start, labels.index(last) + 1)) if last else [start]


def contains(text: str, form: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(form)}(?!\w)", text) is not None


def test_every_printed_number_points_at_a_page_naming_the_person(index):
    summary, book, texts = index
    people = {p.sort: p for p in book.people}
    forms = forms_of(book)
    checked = 0
    for entry in (e for e in summary.index if not e.see):
        person = people[entry.sort]
        for text, _anchor in entry.pages:
            for page in expand(text, summary.layout.labels):
                assert any(contains(texts[page], form) for form in forms[person.id]), (entry.sort, text, page)
                checked += 1
    assert checked > 40


def test_every_page_naming_a_person_is_in_the_index(index):
    summary, book, texts = index
    at = summary.layout.pages
    listed = {e.sort: {p for text, _ in e.pages for p in expand(text, summary.layout.labels)}
              for e in summary.index if not e.see}
    people = {p.id: p for p in book.people}
    index_pages = set(range(at["index"], len(texts)))
    for person_id, forms in forms_of(book).items():
        pages = {i for i, text in enumerate(texts) if i not in index_pages
                 and any(contains(text, form) for form in forms)}
        assert pages and pages <= listed[people[person_id].sort], (person_id, sorted(pages - listed[people[person_id].sort]))


def test_front_matter_mentions_get_roman_numbers(index):
    summary, _, _ = index
    sample = next(e for e in summary.index if e.sort == "Sample, Boris")
    assert sample.pages[0][0] == "vii"


def test_index_page_prints_the_entries(index):
    summary, _, texts = index
    printed = " ".join(texts[summary.layout.pages["index"]:])
    for entry in summary.index:
        if entry.see:
            assert f"{entry.sort}, see {entry.see}" in printed
        else:
            numbers = ", ".join(text for text, _ in entry.pages)
            assert f"{entry.sort} ({entry.role}) {numbers}" in printed, entry.sort


def test_see_references_are_never_blind(index):
    summary, _, _ = index
    with_pages = {e.sort for e in summary.index if e.pages}
    sees = [e for e in summary.index if e.see]
    assert {e.sort for e in sees} == {"Testerova, Anna", "Fixture, Klara", "Probe, Emile"}
    assert all(e.see in with_pages for e in sees)


def test_letter_groups_follow_the_sort_order(index):
    summary, _, _ = index
    labels = [e.label for e in summary.index]
    assert labels == sorted(labels)
    assert all(e.sort.startswith(e.label) for e in summary.index)


def test_ranges_join_consecutive_pages_and_dedupe():
    folios = ["i", "ii", "iii"] + [str(n) for n in range(1, 60)]
    pages = {3: "a", 4: "b", 5: "c", 10: "d", 12: "e", 13: "f", 1: "g", 2: "h"}
    assert join_ranges(pages, folios) == (("ii–iii", "g"), ("1–3", "a"), ("8", "d"), ("10–11", "e"))


def test_variant_sort_forms_are_derived_surname_last():
    assert derive_sort("Gulzhamal Maylina") == "Maylina, Gulzhamal"
    assert derive_sort("Misha") == "Misha"


def test_ambiguous_tag_lists_the_candidates(tmp_path):
    names = NAMES + """- id: ryskulova-other
  name: Other Ryskulova
  sort: Ryskulova, Other
  variants: [Ryskulova]
  ambiguous: [Ryskulova]
"""
    names = names.replace("  role: test entry\n", "  role: test entry\n  variants: [Ryskulova]\n  ambiguous: [Ryskulova]\n", 1)
    chapter = CHAPTER.replace("[[Aziza Ryskulova]]", "[[Aziza Ryskulova]] and [[Ryskulova]]")
    check_fails(write_book(tmp_path / "book", names__yaml=names, **{"01-one__md": chapter}),
                '01-one.md:5:50: "Ryskulova" matches several people (ryskulova-aziza, ryskulova-other); '
                "write [[Ryskulova|id]] with one of them")


def test_shared_variant_must_be_marked_ambiguous(tmp_path):
    names = NAMES.replace("  role: test entry\n", "  role: test entry\n  variants: [Aziza]\n") + \
        "- id: other-aziza\n  name: Aziza Other\n  sort: Other, Aziza\n  variants: [Aziza]\n"
    check_fails(write_book(tmp_path / "book", names__yaml=names),
                'names.yaml:6:3: "Aziza" belongs to several entries (ryskulova-aziza, other-aziza)')


def test_lint_warns_about_untagged_names_and_fix_names_tags_them(tmp_path):
    folder = tmp_path / BOOK
    shutil.copytree(BOOKS / BOOK, folder)
    chapter = folder / "02-chapter.md"
    lines = chapter.read_text().split("\n")
    line = next(i for i, text in enumerate(lines) if "[[Daria Mock]]" in text)
    col = lines[line].index("[[Daria Mock]]") + 1
    lines[line] = lines[line].replace("[[Daria Mock]]", "Daria Mock", 1)
    chapter.write_text("\n".join(lines))
    runner = CliRunner()
    result = runner.invoke(main, ["check", "--source", str(folder)])
    assert result.exit_code == 0
    where = f"{chapter}:{line + 1}:{col}"
    assert f'{where}: warning: "Daria Mock" is not tagged; write [[Daria Mock]]' in result.output
    dry = runner.invoke(main, ["check", "--source", str(folder), "--fix-names"])
    assert f'{where}: would tag "Daria Mock" as [[Daria Mock]]' in dry.output
    assert "[[Daria Mock]]" not in chapter.read_text().split("\n")[line][col - 1:col + 13]
    runner.invoke(main, ["check", "--source", str(folder), "--fix-names", "--yes"])
    assert chapter.read_text() == (BOOKS / BOOK / "02-chapter.md").read_text()
    clean = runner.invoke(main, ["check", "--source", str(folder)])
    assert "not tagged" not in clean.output


def test_entry_never_mentioned_is_a_warning(tmp_path):
    names = NAMES + "- id: nobody\n  name: No Body\n  sort: Body, No\n"
    result = CliRunner().invoke(main, ["check", "--source", str(write_book(tmp_path / "b", names__yaml=names))])
    assert result.exit_code == 0
    assert '"No Body" (nobody) is never mentioned with a tag' in result.output


def test_index_prints_one_pair_of_parentheses_and_no_see_entry_under_a_given_name():
    from book.layout.index import display_heading, see_forms
    from book.model import Location, Person

    assert display_heading("Pilnyak, Boris (son)", "son of Kira Andronikashvili") == \
        ("Pilnyak, Boris", "son of Kira Andronikashvili")
    assert display_heading("Saduakasova, Elizaveta (Zeynep-Kanipa)", "prisoner") == \
        ("Saduakasova, Elizaveta", "Zeynep-Kanipa; prisoner")
    assert display_heading("Smith, Ann", "in the film Traitors (1990)") == ("Smith, Ann", "in the film Traitors [1990]")
    person = Person(id="m", name="Rachel Messerer", sort="Messerer-Plisetskaya, Rachel Mikhailovna",
                    origin=Location("names.yaml"), variants=("Rachel Mikhailovna", "Rachel Messerer", "Misha"),
                    variant_sorts=(("Rachel Mikhailovna", "Rachel Mikhailovna"),))
    assert see_forms(person) == ["Messerer, Rachel", "Misha"]
