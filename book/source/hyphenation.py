"""hyphenation.txt (the book's hyphenation exceptions) -> (word, breaks) entries and the problems found."""

from __future__ import annotations

import re


def parse_exceptions(lines: list[str]) -> tuple[list[tuple[str, tuple[int, ...]]], list[tuple[int, int, str]]]:
    """hyphenation.txt lines -> (word, breaks) entries and problems as (line, column, text).
    One word a line, hyphens where it may break (`ex-empt-ed`), none to keep it whole; # comments."""
    entries, problems = [], []
    for number, raw in enumerate(lines, 1):
        text = raw.split("#", 1)[0].strip()
        if not text:
            continue
        bad = re.search(r"[^\w\-\u00ad’']|[\d_]", text)
        if bad or " " in text:
            col = raw.find(text) + (bad.start() if bad else 0) + 1
            problems.append((number, col, f'"{text}" is not one word with hyphens at its breaks; '
                                          'write it like ex-empt-ed, one word a line'))
            continue
        word, cuts = "", []
        for ch in text.replace("\u00ad", "-"):
            if ch == "-":
                if word and (not cuts or cuts[-1] != len(word)):
                    cuts.append(len(word))
            else:
                word += ch
        entries.append((word.lower(), tuple(c for c in cuts if 0 < c < len(word))))
    return entries, problems
