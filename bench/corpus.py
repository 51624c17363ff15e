"""Seed and size -> the benchmark corpus of issue 17: a book folder and plain HTML of the same text.

The shape is the issue's: A5, 25 notes and 40 name tags per chapter (about ten pages), names drawn
from a registry of 150 synthetic people so that the index has several pages, a citation every
third paragraph. The same text is also written as plain HTML (`plain.html`): paragraphs,
headings and footnotes (`float: footnote`), the book's font and page size, page numbers, no
hyphenation, no index or contents, which is what a user would give WeasyPrint by hand. It is the
anchor: `book build` should cost per page at most what bare WeasyPrint costs on it.

Usage: python bench/corpus.py DIR [--chapters 20]
"""

from __future__ import annotations

import argparse
import random
from html import escape
from pathlib import Path

from synth import sentence

FIRST = "Anna Berta Clara Daria Elena Fatima Galina Irina Katya Lidia Maria Nina Olga Raisa Sofia".split()
LAST = ("Abenova Barkova Chernova Dosova Ermekova Fedorova Gromova Ilyina Kasymova Lebedeva Mukanova "
        "Orlova Petrova Rakhimova Sidorova Tulegenova Usova Volkova Yakovleva Zhunusova").split()
PEOPLE = 150
NOTES, NAMES, PARAGRAPHS = 25, 40, 50
"""Per chapter: notes, name tags (in the text), paragraphs."""

PLAIN_CSS = """
@font-face { font-family: "Literata"; src: url({fonts}/Literata-Regular.ttf); }
@font-face { font-family: "Literata"; src: url({fonts}/Literata-Italic.ttf); font-style: italic; }
@page { size: A5; margin: 17mm 15mm 19mm 19mm; @bottom-center { content: counter(page) } }
html { font-family: "Literata", serif; font-size: 9.6pt; line-height: 13.4pt; }
p { margin: 0; text-align: justify; }
p + p { text-indent: 1.2em; }
h1 { break-before: right; font-size: 17pt; font-weight: 400; margin: 26mm 0 14mm; }
h2 { font-size: 10.5pt; margin: 13.4pt 0 6.7pt; }
.fn { float: footnote; font-size: 7.6pt; line-height: 10pt; text-indent: 0; text-align: left; }
"""


def person(number: int) -> tuple[str, str]:
    """The display name and sort form of synthetic person number."""
    first, last = FIRST[number % len(FIRST)], LAST[(number // len(FIRST) + number) % len(LAST)]
    return f"{first} {last}", f"{last}, {first}"


def write_corpus(folder: Path, chapters: int = 20, seed: int = 17) -> Path:
    """Write the book (folder/book) and its plain HTML (folder/plain.html); returns the book folder."""
    rng = random.Random(seed)
    book = folder / "book"
    book.mkdir(parents=True, exist_ok=True)
    people = sorted({person(i) for i in range(PEOPLE)})
    plain_body, files, tag_number = [], [], 0
    for number in range(1, chapters + 1):
        md, plain, defs = [], [f"<h1>Chapter Title {number}</h1>"], []
        for index in range(PARAGRAPHS):
            if index and index % 12 == 0:
                md.append(f"## Section {number}.{index // 12}")
                plain.append(f"<h2>Section {number}.{index // 12}</h2>")
            parts = [sentence(rng, rng.randint(9, 18)) for _ in range(5)]
            md_parts, html_parts = list(parts), [escape(p) for p in parts]
            if index * NAMES // PARAGRAPHS != (index + 1) * NAMES // PARAGRAPHS:
                name = people[tag_number * 7 % len(people)][0]
                tag_number += 1
                rest = parts[1][0].lower() + parts[1][1:]
                md_parts[1], html_parts[1] = f"[[{name}]] {rest}", f"{escape(name)} {escape(rest)}"
            if index * NOTES // PARAGRAPHS != (index + 1) * NOTES // PARAGRAPHS:
                note = sentence(rng, rng.randint(8, 24))
                md_parts[2] = parts[2][:-1] + f"[^n{index}]."
                html_parts[2] = escape(parts[2][:-1]) + f'<span class="fn">{escape(note)}</span>.'
                defs.append(f"[^n{index}]: {note}")
            if index % 3 == 0:
                page = index % 40 + 1
                md_parts[4] = parts[4][:-1] + f" [@source-{index % 3 + 1}, p. {page}]."
                html_parts[4] = escape(parts[4][:-1]) + \
                    f'<span class="fn">Author Number{index % 3 + 1}, <i>Synthetic Book</i>, {page}.</span>.'
            md.append(" ".join(md_parts))
            plain.append("<p>" + " ".join(html_parts) + "</p>")
        name = f"{number:02d}-chapter.md"
        files.append(name)
        (book / name).write_text(f"---\ntitle: Chapter Title {number}\n---\n\n" + "\n\n".join(md) + "\n\n"
                                 + "\n\n".join(defs) + "\n", encoding="utf-8")
        plain_body.append("\n".join(plain))
    (book / "names.yaml").write_text("".join(
        f"- id: p{i}\n  name: {n}\n  sort: {s}\n  role: synthetic person {i}\n"
        for i, (n, s) in enumerate(people)), encoding="utf-8")
    (book / "sources.yaml").write_text("".join(
        f"- id: source-{i}\n  type: book\n  title: Synthetic Book {i}\n  author: Author Number{i}\n"
        f"  publisher: Test Press\n  date: 200{i}\n" for i in range(1, 4)), encoding="utf-8")
    manifest = ["title: Synthetic Book", "subtitle: For Measuring", "slug: synthetic", "authors: [Test Author]",
                "language: en", "edition: Test edition", "year: 2026", "publisher: Test Press",
                "trim: 148mm 210mm", "names: names.yaml", "sources: sources.yaml", "contents:"]
    (book / "book.yaml").write_text("\n".join(manifest + [f"  - {f}" for f in files]) + "\n", encoding="utf-8")
    fonts = (Path(__file__).resolve().parent.parent / "styles" / "fonts").as_uri()
    (folder / "plain.html").write_text(
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Synthetic Book</title>'
        f"<style>{PLAIN_CSS.replace('{fonts}', fonts)}</style></head><body>\n"
        + "\n".join(plain_body) + "\n</body></html>\n", encoding="utf-8")
    return book


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--chapters", type=int, default=20)
    args = parser.parse_args()
    print(write_corpus(args.folder, args.chapters))


if __name__ == "__main__":
    main()
