"""What the checking pass (check.py) learns about a token -> typed records the writing pass reads.

Each record is frozen and rides on its token under one key, `token.meta["record"]`. The parser
puts down what it read (`NameTag`, `CiteRef`, `HeadingId` without a place); the checking pass
replaces them with located, resolved copies; the writer only reads them, so rendering the same
tokens twice gives the same HTML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markdown_it.token import Token

from ..model import Location

KEY = "record"
"""The one token.meta key a record is kept under."""


@dataclass(frozen=True)
class NameTag:
    """A `[[Name]]` or `[[text|id]]` tag."""

    raw: str
    """The tag as written, brackets included."""
    text: str
    """The words printed."""
    ident: str | None = None
    """The registry id written after `|`, if any."""
    loc: Location | None = None
    """Where the tag starts (set by the checking pass)."""
    person: str | None = None
    """The registry id it stands for, once resolved; None when it could not be."""


@dataclass(frozen=True)
class CiteRef:
    """A `[@key, p. 3; @other]` citation."""

    raw: str
    """The citation as written, brackets included."""
    inner: str
    """What stands between the brackets."""
    loc: Location | None = None
    """Where the citation starts."""
    items: tuple = ()
    """The parsed cite.CiteItem values, once checked; empty when it could not be read."""


@dataclass(frozen=True)
class HeadingId:
    """An id written at the end of a heading line, `## Arrival {#arrival}`."""

    ident: str
    """The id, without `{#` and `}`."""
    loc: Location | None = None
    """Where `{#` stands."""


@dataclass(frozen=True)
class Place:
    """Where a note call, link, raw HTML tag or image was written."""

    loc: Location | None
    """Its file:line:col."""
    path: str | None = None
    """For an image: its file relative to the book folder, once checked."""


@dataclass(frozen=True)
class BlockSpec:
    """A checked ```table``` or ```figure``` block: what rendering needs."""

    spec: Any
    """The block's YAML mapping (schema.Marked)."""
    rows: tuple
    """The data file's rows (schema.Marked each)."""
    texts: dict[tuple[int, str], Token] = field(default_factory=dict)
    """(row index, column key) -> the cell's inline Markdown, parsed and checked."""
    caption: Token | None = None
    """The caption's inline Markdown, parsed and checked."""
    numeric: frozenset[str] = frozenset()
    """Columns holding only numbers (set right-aligned)."""


def record(token: Token | None) -> Any:
    """The record a token carries, or None."""
    return token.meta.get(KEY) if token is not None and token.meta else None


def attach(token: Token, value: Any) -> Any:
    """Put a record on a token (replacing the one it had) and return it."""
    if token.meta is None:
        token.meta = {}
    token.meta[KEY] = value
    return value
