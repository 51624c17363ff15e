"""Editor mistakes: exit code 1, every problem as path:line:col, no traceback, nothing written."""

from __future__ import annotations

import pytest
from conftest import CHAPTER, MANIFEST, SOURCES, check_fails, run, write_book


def test_valid_book_passes(tmp_path):
    result = run("check", "--source", str(write_book(tmp_path)))
    assert result.exit_code == 0, result.output


CASES = {
    "misspelt manifest key": (dict(book__yaml=MANIFEST.replace("language:", "langauge:")),
                              ["book.yaml:3:1: unknown key `langauge` in book.yaml; did you mean `language`?"]),
    "missing chapter file": (dict(book__yaml=MANIFEST.replace("01-one.md", "01-onw.md")),
                             ['book.yaml:7:5: chapter file "01-onw.md" does not exist; did you mean `01-one.md`?']),
    "misspelt front matter key": (dict(**{"01-one__md": CHAPTER.replace("title: One", "title: One\nsubtitel: x")}),
                                  ["01-one.md:3:1: unknown key `subtitel` in the front matter; did you mean `subtitle` or `title`?"]),
    "undefined footnote": (dict(**{"01-one__md": CHAPTER.replace("[^a]:", "[^b]:")}),
                           ["01-one.md:5:57: note [^a] is called but never written"]),
    "unknown citation key": (dict(**{"01-one__md": CHAPTER.replace("[@qalam-prison-mothers]", "[@qalam-prison-mother]")}),
                             ['01-one.md:6:18: unknown source "@qalam-prison-mother"; did you mean `qalam-prison-mothers`?']),
    "empty locator": (dict(**{"01-one__md": CHAPTER.replace("[@qalam-prison-mothers]", "[@qalam-prison-mothers, ]")}),
                      ["01-one.md:6:38: nothing after this comma"]),
    "malformed citation": (dict(**{"01-one__md": CHAPTER.replace("[@qalam-prison-mothers]",
                                                                  "[@qalam-prison-mothers;; @x]")}),
                           ["01-one.md:6:39: two semicolons with nothing between them; remove one"]),
    "unknown name": (dict(**{"01-one__md": CHAPTER.replace("[[Aziza Ryskulova]]", "[[Aziza Riskulova]]")}),
                     ['01-one.md:5:26: unknown person "Aziza Riskulova"; did you mean "Aziza Ryskulova" (ryskulova-aziza)?']),
    "unknown person id": (dict(**{"01-one__md": CHAPTER.replace("[[Aziza Ryskulova]]", "[[Aziza|ryskulova-aziz]]")}),
                          ['01-one.md:5:26: unknown person id "ryskulova-aziz"']),
    "yaml syntax": (dict(book__yaml=MANIFEST.replace("slug: small", "slug: [small")),
                    ["book.yaml:2:7: a list in [ ] is not closed; add ]"]),
    "python tag": (dict(names__yaml="- !!python/object/apply:os.system ['echo hacked']\n"),
                   ["names.yaml:1:3: the tag"]),
    "unknown source type": (dict(sources__yaml=SOURCES.replace("type: article", "type: artcle")),
                            ['sources.yaml:2:9: unknown source type "artcle"; did you mean `article`?']),
    "duplicate source id": (dict(sources__yaml=SOURCES + SOURCES),
                            ['sources.yaml:5:7: id "qalam-prison-mothers" is used twice']),
    "missing source field": (dict(sources__yaml=SOURCES.replace("  publisher: Qalam\n", "")),
                             ["sources.yaml:1:3: a sources.yaml entry has no `publisher`"]),
    "raw script": (dict(**{"01-one__md": CHAPTER.replace("with a note", "with <script>alert(1)</script> a note")}),
                   ["01-one.md:5:51: raw HTML <script> is not allowed"]),
    "link to a file": (dict(**{"01-one__md": CHAPTER + "\nSee [this](file:///etc/passwd).\n"}),
                       ['01-one.md:10:10: link to "file:///etc/passwd" is not allowed']),
    "bad cross-reference": (dict(**{"01-one__md": CHAPTER + "\nSee [there](#nowhere).\n"}),
                            ['01-one.md:10:11: cross-reference to "#nowhere", which no heading has']),
    "image outside the book": (dict(**{"01-one__md": CHAPTER + "\n![x](../../secret.png)\n"}),
                               ['01-one.md:10:1: image "../../secret.png" lies outside the book folder']),
    # Inputs too large for a fixture file; the rest of the YAML mistakes are in tests/fixtures/errors/.
    "a number of 4,400 digits": (dict(book__yaml=MANIFEST + "year: " + "9" * 4400 + "\n"),
                                 ["book.yaml:8:7: the number 999999999999999999999999999999… is too long"]),
    "lists nested 100,000 deep": (dict(book__yaml=MANIFEST + "keywords: " + "[" * 100_000 + "]" * 100_000),
                                  ["book.yaml:8:50: lists and mappings nested more than 40 deep"]),
    "a mapping nested 1,000 deep": (dict(book__yaml=MANIFEST + "".join(" " * i + "k:\n" for i in range(1000))),
                                    ["book.yaml:47:40: lists and mappings nested more than 40 deep"]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_mistake_is_reported_at_its_place(tmp_path, name):
    files, expected = CASES[name]
    check_fails(write_book(tmp_path / "book", **files), *expected)


def test_all_problems_are_reported_together(tmp_path):
    chapter = CHAPTER.replace("[[Aziza Ryskulova]]", "[[Aziza Riskulova]]").replace("[^a]:", "[^b]:")
    folder = write_book(tmp_path / "book", **{"01-one__md": chapter})
    output = check_fails(folder, "01-one.md:5:26: unknown person", "01-one.md:5:57: note [^a]")
    assert "2 errors" in output


def test_line_is_the_line_of_the_mistake_not_the_paragraph(tmp_path):
    chapter = CHAPTER.replace("and a citation [@qalam-prison-mothers].",
                              "and a citation [@qalam-prison-mothers].\nA third line with [[Nobody Known]].")
    check_fails(write_book(tmp_path / "book", **{"01-one__md": chapter}), "01-one.md:7:19: unknown person")


def test_failed_build_keeps_the_last_good_pdf(tmp_path):
    folder, out = write_book(tmp_path / "book"), tmp_path / "out"
    assert run("build", "--source", str(folder), "--out", str(out), "--quiet").exit_code == 0
    pdf = out / "small-print.pdf"
    before = pdf.read_bytes()
    (folder / "01-one.md").write_text(CHAPTER.replace("[[Aziza Ryskulova]]", "[[Nobody]]"), encoding="utf-8")
    result = run("build", "--source", str(folder), "--out", str(out), "--quiet")
    assert result.exit_code == 1
    assert "01-one.md:5:26: unknown person" in result.output
    assert pdf.read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["small-cover.pdf", "small-print.pdf",
                                                     "small-print.preflight.json", "small.html"]
