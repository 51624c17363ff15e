"""Seed and size -> a synthetic book folder (book.yaml, names, sources, chapters) for benchmarks and tests.

The text is deterministic nonsense built from a fixed word list, with notes,
citations and name tags at a steady rate, so that timings and page counts
are comparable from run to run. Synthetic names exist only here and in
tests, never in chapters/.
"""

from __future__ import annotations

import random
from pathlib import Path

WORDS = ("the camp road winter field letter station order barrack steppe reed water bread "
         "morning evening train wagon mother child school village river lake wind snow work "
         "sewing garden house name list record memory archive museum wall stone arch path "
         "quiet long short early late distant near cold warm small large old new first last "
         "was were had came went wrote read kept carried built counted waited walked returned "
         "and but with from into under over after before during without between among through").split()

PEOPLE = [("Anna Tester", "Tester, Anna", ["Anna Testerova"]),
          ("Boris Sample", "Sample, Boris", []),
          ("Clara Fixture", "Fixture, Clara", ["Klara Fixture"]),
          ("Daria Mock", "Mock, Daria", []),
          ("Emil Probe", "Probe, Emil", ["Emile Probe"])]


def sentence(rng: random.Random, words: int) -> str:
    """One capitalised sentence of the given length."""
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def tag(index: int) -> str:
    """A name tag for a person of the list: mostly the display name, sometimes a variant or a first name."""
    number = index % len(PEOPLE)
    name, _, variants = PEOPLE[number]
    if variants and index % 4 == 3:
        return f"[[{variants[0]}]]"
    if index % 5 == 4:
        return f"[[{name.split()[0]}|p{number}]]"
    return f"[[{name}]]"


def paragraph(rng: random.Random, index: int, notes: bool, names: bool, cite: bool) -> tuple[str, list[str]]:
    """A paragraph of five sentences, with an optional note, citation and name tag."""
    parts = [sentence(rng, rng.randint(9, 18)) for _ in range(5)]
    defs = []
    if names:
        parts[1] = f"{tag(index)} " + parts[1][0].lower() + parts[1][1:]
    if notes and index % 2 == 0:
        label = f"n{index}"
        parts[2] = parts[2][:-1] + f"[^{label}]."
        extra = f" See also {tag(index + 2)}." if names and index % 4 == 0 else ""
        defs.append(f"[^{label}]: {sentence(rng, rng.randint(8, 24))}{extra}")
    if cite and index % 3 == 0:
        parts[4] = parts[4][:-1] + f" [@source-{index // 3 % 3 + 1}, p. {index % 40 + 1}]."
    return " ".join(parts), defs


def write_book(folder: Path, chapters: int = 4, paragraphs: int = 12, seed: int = 1,
               notes: bool = True, names: bool = True, cite: bool = True, about: bool = True) -> Path:
    """Write a synthetic book into folder and return it."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    if about:
        files.append("00-about.md")
        text, _ = paragraph(rng, 1, False, names, False)
        (folder / "00-about.md").write_text(f"---\ntitle: About This Book\nkind: about\n---\n\n{text}\n",
                                            encoding="utf-8")
    for number in range(1, chapters + 1):
        name = f"{number:02d}-chapter.md"
        files.append(name)
        body, defs = [], []
        for index in range(paragraphs):
            if index and index % 6 == 0:
                body.append(f"## Section {number}.{index // 6}")
            text, more = paragraph(rng, index + number, notes, names, cite)
            body.append(text)
            defs.extend(more)
        (folder / name).write_text(
            f"---\ntitle: Chapter Title {number}\n---\n\n" + "\n\n".join(body) + "\n\n" + "\n\n".join(defs) + "\n",
            encoding="utf-8")
    people = "".join(f"- id: p{i}\n  name: {n}\n  sort: {s}\n  variants: [{', '.join(v)}]\n  role: test person {i}\n"
                     for i, (n, s, v) in enumerate(PEOPLE)) if names else "[]\n"
    (folder / "names.yaml").write_text(people, encoding="utf-8")
    sources = "".join(f"- id: source-{i}\n  type: book\n  title: Synthetic Book {i}\n  author: Author Number{i}\n"
                      f"  publisher: Test Press\n  date: 200{i}\n" for i in range(1, 4)) if cite else "[]\n"
    (folder / "sources.yaml").write_text(sources, encoding="utf-8")
    manifest = ["title: Synthetic Book", "subtitle: For Measuring", "slug: synthetic", "authors: [Test Author]",
                "language: en", "edition: Test edition", "year: 2026", "publisher: Test Press",
                "trim: 148mm 210mm", "names: names.yaml", "sources: sources.yaml", "contents:"]
    manifest += [f"  - {f}" for f in files]
    (folder / "book.yaml").write_text("\n".join(manifest) + "\n", encoding="utf-8")
    return folder
