"""tinyhtml5's cache of the regular expressions its tokenizer scans text with, keyed as it is looked up
(a patch of the HTML parser the engine uses).

`HTMLInputStream.chars_until(characters, opposite)` (tinyhtml5 2.1) returns the run of text up to one
of `characters`, with a regular expression it means to build once per set of characters and keep
in `characters_until_regex`. But it stores the expression with

    characters = characters_until_regex[(characters, opposite)] = regex

which assigns `characters` first, so the entry is keyed by the expression itself and every later
lookup, keyed by the characters, misses: the expression's source is written out again, character by
character, on every call (76,000 times in a one-process ALZHIR build, and half of each parse).

Here the cache builds the expression, exactly as chars_until does, the first time it is looked up
for a set of characters (`dict.__missing__`), so the lookup never misses and chars_until's own
fallback never runs. Parsing the ALZHIR book's HTML takes 0.08 s instead of 0.18 s, and gives the
same tree (tests/test_parser_cache.py).

Isolated like line_memo.py: `install()` is the only way in, `uninstall()` puts the library's own
dict back.
"""

from __future__ import annotations

import re

import tinyhtml5.inputstream as inputstream

_LIBRARY = inputstream.characters_until_regex
"""The library's own cache."""


class Expressions(dict):
    """(characters, opposite) -> the expression chars_until scans for them with."""

    def __missing__(self, key):
        characters, opposite = key
        source = "".join([f"\\x{ord(character):02x}" for character in characters])  # as chars_until writes it
        if not opposite:
            source = f"^{source}"
        expression = self[key] = re.compile(f"[{source}]+")
        return expression


def install() -> None:
    """Keep each expression once in every parse of this process."""
    if not isinstance(inputstream.characters_until_regex, Expressions):
        inputstream.characters_until_regex = Expressions()


def uninstall() -> None:
    """Back to the library's own cache (for tests)."""
    inputstream.characters_until_regex = _LIBRARY
