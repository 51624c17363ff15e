"""YAML text -> plain values that remember their line and column, checked against declared fields.

YAML is read with PyYAML's safe loader only: a `!!python/...` tag is an error
at its line, never code. Mappings come back as `Marked` dicts that know where
each key and value was written, so every later message can point at it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import yaml

from ..errors import Problems, suggest
from ..model import Location


class Marked(dict):
    """A YAML mapping with the position of the mapping, each key and each value."""

    def __init__(self, path: Path, at: tuple[int, int]):
        super().__init__()
        self.path = path
        self.at = at
        self.key_at: dict[str, tuple[int, int]] = {}
        self.value_at: dict[str, tuple[int, int]] = {}

    def where(self, key: str | None = None, value: bool = False) -> Location:
        """Location of the mapping, of a key, or of a key's value."""
        table = self.value_at if value else self.key_at
        line, col = table.get(key, self.at) if key is not None else self.at
        return Location(self.path, line, col)


class MarkedList(list):
    """A YAML sequence with the position of each item."""

    def __init__(self, path: Path, at: tuple[int, int]):
        super().__init__()
        self.path = path
        self.at = at
        self.item_at: list[tuple[int, int]] = []

    def where(self, index: int | None = None) -> Location:
        """Location of the sequence or of one item."""
        line, col = self.at if index is None else self.item_at[index]
        return Location(self.path, line, col)


def _pos(node: yaml.Node, line_offset: int) -> tuple[int, int]:
    return node.start_mark.line + 1 + line_offset, node.start_mark.column + 1


def _loader(path: Path, line_offset: int, problems: Problems) -> type:
    class Loader(yaml.SafeLoader):
        pass

    def mapping(loader, node):
        out = Marked(path, _pos(node, line_offset))
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            key = str(key) if not isinstance(key, str) else key
            if key in out:
                problems.error(Location(path, *_pos(key_node, line_offset)),
                               f"`{key}` is given twice; keep one")
            out[key] = loader.construct_object(value_node, deep=True)
            out.key_at[key] = _pos(key_node, line_offset)
            out.value_at[key] = _pos(value_node, line_offset)
        return out

    def sequence(loader, node):
        out = MarkedList(path, _pos(node, line_offset))
        for item in node.value:
            out.append(loader.construct_object(item, deep=True))
            out.item_at.append(_pos(item, line_offset))
        return out

    Loader.add_constructor("tag:yaml.org,2002:map", mapping)
    Loader.add_constructor("tag:yaml.org,2002:seq", sequence)
    return Loader


def read_yaml(text: str, path: Path, problems: Problems, line_offset: int = 0) -> Any:
    """Parse YAML text; on a syntax error or unsafe tag, report it and return None."""
    try:
        return yaml.load(text, Loader=_loader(path, line_offset, problems))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1 + line_offset, mark.column + 1) if mark else (0, 0)
        what = exc.problem or "not valid YAML"
        if "could not determine a constructor" in str(exc):
            what = f"the tag {exc.problem.split('tag')[-1].strip()} is not allowed"
        problems.error(Location(path, line, col),
                       f"{what}; write plain YAML (strings, numbers, lists and mappings)")
        return None
    except yaml.YAMLError as exc:
        problems.error(Location(path, 1, 1), f"not valid YAML ({exc}); fix the file")
        return None


# --- declared fields ---------------------------------------------------------------

@dataclass(frozen=True)
class Field:
    """One declared key of a YAML mapping."""

    kind: str
    """str, int, number, list, length, path, strlist (a string or a list of strings), map, any."""
    required: bool = False
    """Whether the key must be present."""
    doc: str = ""
    """What the key means, for messages."""


def _is_text(value: Any) -> bool:
    return isinstance(value, (str, int, float, datetime.date)) and not isinstance(value, bool)


CHECKS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "str": (_is_text, "a text"),
    "int": (lambda v: isinstance(v, int) and not isinstance(v, bool), "a whole number"),
    "number": (lambda v: isinstance(v, (int, float)) and not isinstance(v, bool), "a number"),
    "list": (lambda v: isinstance(v, list), "a list"),
    "strlist": (lambda v: _is_text(v) or (isinstance(v, list) and all(_is_text(x) for x in v)),
                "a text or a list of texts"),
    "length": (lambda v: parse_length(v) is not None, "a length such as 3mm, 0.1mm or 6pt"),
    "size": (lambda v: parse_size(v) is not None, "a width and height such as 148mm 210mm"),
    "map": (lambda v: isinstance(v, dict), "a mapping"),
    "any": (lambda v: True, "anything"),
}


def check_fields(data: Any, fields: dict[str, Field], problems: Problems, what: str,
                 where: Location) -> bool:
    """Report unknown, missing and mistyped keys of one mapping; True when it is a mapping."""
    if not isinstance(data, Marked):
        problems.error(where, f"{what} must be a mapping of keys to values; see DESIGN.md")
        return False
    for key in data:
        if key not in fields:
            problems.error(data.where(key), f"unknown key `{key}` in {what}; {suggest(key, fields)}")
    for key, spec in fields.items():
        if key not in data:
            if spec.required:
                problems.error(data.where(), f"{what} has no `{key}`; add it ({spec.doc})")
            continue
        ok, expected = CHECKS[spec.kind]
        if data[key] is None or not ok(data[key]):
            problems.error(data.where(key, value=True),
                           f"`{key}` must be {expected}; it is {_show(data[key])}")
    return True


def _show(value: Any) -> str:
    if value is None:
        return "empty"
    text = repr(value) if not isinstance(value, str) else f'"{value}"'
    return text if len(text) < 40 else text[:37] + "…"


def as_text(value: Any) -> str:
    """A YAML scalar as the text the editor wrote (dates back to ISO form)."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return "" if value is None else str(value)


def as_texts(value: Any) -> tuple[str, ...]:
    """A text or a list of texts as a tuple."""
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple(as_text(v) for v in value)
    return (as_text(value),)


UNITS = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72}


def parse_length(value: Any) -> float | None:
    """'3mm', '0.1 mm', '6pt', '1in' -> millimetres; a bare number counts as mm."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value) if value >= 0 else None
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    for unit, factor in UNITS.items():
        if text.endswith(unit):
            try:
                number = float(text[: -len(unit)].strip())
            except ValueError:
                return None
            return number * factor if number >= 0 else None
    return None


def parse_size(value: Any) -> tuple[float, float] | None:
    """'148mm 210mm' -> (148.0, 210.0); A5/A4/A6 by name."""
    named = {"a4": (210.0, 297.0), "a5": (148.0, 210.0), "a6": (105.0, 148.0)}
    if isinstance(value, str) and value.strip().lower() in named:
        return named[value.strip().lower()]
    if not isinstance(value, str):
        return None
    parts = value.split()
    if len(parts) != 2:
        return None
    width, height = (parse_length(p) for p in parts)
    if not width or not height:
        return None
    return width, height
