"""The ALZHIR book as data: everything resolves and is used, quotations are exact, prose is our own."""

from __future__ import annotations

import re
import sys
import unicodedata

import pytest
import yaml

from book.markup.book import load_book
from conftest import ROOT, build_fixture

CHAPTERS = ROOT / "chapters"
SOURCES = ROOT.parent / "shared" / "sources"
COPY_RUN = 12
"""A run of this many words shared with a source, outside quotation marks, counts as copied."""


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"[’‘ʼ`´]", "'", text)
    text = re.sub(r"[“”„«»\"]", "'", text)  # nested quotes may be single in one text, double in another
    text = re.sub(r"[–—‒−]", "-", text)
    text = text.replace("\u00a0", " ")
    return " ".join(text.split()).lower()


@pytest.fixture(scope="module")
def sources_text() -> str:
    if not SOURCES.is_dir():
        pytest.skip("the shared source texts are not beside this checkout")
    return normalize(" ".join(p.read_text(encoding="utf-8") for p in sorted(SOURCES.glob("0*.txt"))))


@pytest.fixture(scope="module")
def book():
    book, problems = load_book(CHAPTERS)
    return book, problems


def test_everything_resolves_and_is_used(book):
    _, problems = book
    assert problems.errors == []
    assert [str(p) for p in problems.warnings] == []


def test_every_person_tagged_and_every_source_cited(book):
    book, _ = book
    mentioned = {m.person for c in book.chapters for m in c.mentions}
    cited = {key for c in book.chapters for key in c.cited}
    assert {p.id for p in book.people} == mentioned
    assert {s.id for s in book.sources} == cited
    assert len(book.sources) == 5


def test_chronology_is_in_date_order_and_long_enough():
    rows = yaml.safe_load((CHAPTERS / "data" / "chronology.yaml").read_text(encoding="utf-8"))
    dates = [str(row["date"]) for row in rows]
    assert dates == sorted(dates)
    assert len(rows) >= 25
    assert dates[0].startswith("1937") and any(d >= "2007" for d in dates)
    assert all("[@" in row["event"] for row in rows), "every chronology entry cites its source"


def quoted_and_own(markdown: str) -> tuple[list[str], list[str]]:
    """Split chapter text into quotations (“…” and block quotes) and our own prose."""
    text = re.sub(r"\A---.*?\n---\n", "", markdown, flags=re.S)
    text = re.sub(r"^```.*?^```", " ", text, flags=re.S | re.M)
    text = re.sub(r"\[@[^\]]*\]|\[\^[^\]]*\]:?", " ", text)
    text = re.sub(r"\[\[([^\]|]*)(?:\|[^\]]*)?\]\]", r"\1", text)
    text = re.sub(r"\[([^\]]*)\]\(#[^)]*\)", r"\1", text)
    text = re.sub(r"\{#[^}]*\}", " ", text)
    quotes, own = [], []
    for block in re.split(r"\n\s*\n", text):
        if block.lstrip().startswith(">"):
            quotes.append(re.sub(r"^\s*>\s?", "", block, flags=re.M))
            continue
        block = re.sub(r"\*[^*\n]+\*", " | ", block)  # titles of works are set in italics
        quotes.extend(re.findall(r"“([^”]*)”", block))
        own.append(re.sub(r"“[^”]*”", " | ", block))
    return quotes, own


def segments(quote: str) -> list[str]:
    """The parts of a quotation between ellipses and editorial brackets, long enough to check."""
    parts = re.split(r"…|\.\.\.|\[[^\]]*\]|\\\n|—\s*[A-Z][^\n]*$", quote)
    cleaned = [normalize(p).strip(" ,.;:-\"'") for p in parts]
    return [p for p in cleaned if len(p.split()) >= 3]


def chapter_files():
    return sorted(CHAPTERS.glob("*.md"))


@pytest.mark.parametrize("path", chapter_files(), ids=lambda p: p.name)
def test_quotations_are_exact(path, sources_text):
    quotes, _ = quoted_and_own(path.read_text(encoding="utf-8"))
    missing = [s for q in quotes for s in segments(q) if s not in sources_text]
    assert missing == []


@pytest.mark.parametrize("path", chapter_files(), ids=lambda p: p.name)
def test_prose_is_our_own(path, sources_text):
    _, own = quoted_and_own(path.read_text(encoding="utf-8"))
    copied = []
    for block in own:
        for piece in block.split("|"):
            words = normalize(piece).split()
            for start in range(len(words) - COPY_RUN + 1):
                run = " ".join(words[start:start + COPY_RUN])
                if run in sources_text:
                    copied.append(run)
    assert copied == []


def test_no_spam_and_no_synthetic_names():
    sys.path.insert(0, str(ROOT / "bench"))
    from synth import PEOPLE
    text = " ".join(p.read_text(encoding="utf-8") for p in CHAPTERS.rglob("*") if p.is_file())
    for word in ("caluanie", "muelear", "lekstreidltd", "Butyrolactone", "Red Mercury"):
        assert word.lower() not in text.lower()
    for name, _, _ in PEOPLE:
        assert name not in text


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The print edition of the book, built once for the tests below: (summary, out folder)."""
    out = tmp_path_factory.mktemp("alzhir")
    return build_fixture(CHAPTERS, out, strict=True, jobs=2), out


def test_two_processes_print_the_book_one_prints(built, tmp_path):
    """With two processes, an adjustment in one process's share moves a cross-reference's target
    across p. 9/10 and the parts of the other's that cite it are laid out again (from the helper's
    guesses, layout/body.py `flipped`): the print edition is the one one process makes, page for page."""
    from pypdf import PdfReader

    summary, out = built
    assert summary.helped, "the helper laid out parts"
    alone = build_fixture(CHAPTERS, tmp_path, strict=True, jobs=1)
    assert [page.extract_text() for page in PdfReader(alone.outputs[0]).pages] == \
        [page.extract_text() for page in PdfReader(summary.outputs[0]).pages]


def test_book_builds_without_warnings_and_no_separated_note(built):
    summary, out = built
    assert summary.warnings == []
    assert 80 <= summary.pages <= 130
    html = (out / "alzhir.html").read_text(encoding="utf-8")
    assert '<td class="col-value num">4,390</td>' in html  # counts grouped by thousands
    assert ">1,937<" not in html and '<td class="col-when">1937</td>' in html  # years as written


def test_uncertain_dates_and_ranges_of_years_take_one_form_throughout(built):
    """Text, notes, bibliography, chronology and index print the house style's one form (ranges: full,
    uncertain: about, the defaults): however sources.yaml, the prose and the data files write them."""
    from pypdf import PdfReader

    summary, _ = built
    text = " ".join((page.extract_text() or "") for page in PdfReader(summary.outputs[0]).pages)
    text = re.sub(r"–\s+", "–", " ".join(text.replace("\u00ad", "").replace("\u00a0", " ").split()))
    assert text.count("about 2023") >= 15  # the notes and the bibliography ("[2023?]" in sources.yaml) and
    # the prose, the chronology and the roll of names ("about 2023" as the editor wrote it)
    assert not re.findall(r"\[\d{4}\?\]|\b(?:c|ca)\.\s?\d{4}|\bcirca\b|\d{4}[?~]", text, re.IGNORECASE)
    assert "1938–1953" in text and "1936–1938" in text and "1941–1952" in text  # prose (1938–53), index, chronology
    short = re.findall(r"(?<![\d:.])(?:1\d|20)\d\d–\d\d(?!\d)", text)
    assert short == [], short  # no range of years abbreviated
    assert not re.findall(r"\b(?:1\d|20)\d\d-(?:1\d|20)\d\d\b", text)  # nor joined by a hyphen


def data_texts() -> list[str]:
    """Every string value in the YAML data files that tables print (cells are Markdown, like chapter text)."""
    texts = []
    for path in sorted((CHAPTERS / "data").glob("*.yaml")):
        for row in yaml.safe_load(path.read_text(encoding="utf-8")):
            texts.extend(v for v in row.values() if isinstance(v, str))
    return texts


def test_table_cells_quote_exactly_and_do_not_copy(sources_text):
    text = "\n\n".join(data_texts())
    quotes, own = quoted_and_own(text)
    assert [s for q in quotes for s in segments(q) if s not in sources_text] == []
    copied = []
    for block in own:
        for piece in block.split("|"):
            words = normalize(piece).split()
            copied += [" ".join(words[i:i + COPY_RUN]) for i in range(len(words) - COPY_RUN + 1)
                       if " ".join(words[i:i + COPY_RUN]) in sources_text]
    assert copied == []


def test_roll_of_names_tags_and_cites_every_line():
    rows = yaml.safe_load((CHAPTERS / "data" / "roll.yaml").read_text(encoding="utf-8"))
    assert len(rows) >= 20
    for row in rows:
        assert row["name"].startswith("[["), row["name"]
        assert "[@" in row["fate"], row["name"]
    book_yaml = yaml.safe_load((CHAPTERS / "book.yaml").read_text(encoding="utf-8"))
    roll = next(c for c in book_yaml["contents"] if "roll" in c)
    assert "data/roll.yaml" in (CHAPTERS / roll).read_text(encoding="utf-8")
