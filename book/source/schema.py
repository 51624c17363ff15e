"""YAML text -> plain values that remember their line and column, checked against declared fields.

YAML is read with PyYAML's safe loader only: a `!!python/...` tag is an error
at its line, never code. Mappings come back as `Marked` dicts that know where
each key and value was written, so every later message can point at it.
"""

from __future__ import annotations

import datetime
import difflib
import math
import re
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
        self.reported: set[str] = set()
        """Keys whose value was already reported while reading (an impossible date): not again."""
        self.damaged = False
        """Whether a key could not be read at all; a key then missing is not reported again."""

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


MAX_YAML_BYTES = 2_000_000
"""The largest YAML file read (book.yaml, names.yaml, sources.yaml, a data file): 2 MB."""
MAX_ALIASES = 100
"""How many `*alias` references a YAML file may hold (an alias bomb multiplies them)."""
MAX_DEPTH = 40
"""How deeply lists and mappings may nest."""


class _Refused(yaml.MarkedYAMLError):
    """A limit of ours, raised while composing so that it carries the node's mark."""


def _pos(node: yaml.Node, line_offset: int) -> tuple[int, int]:
    return node.start_mark.line + 1 + line_offset, node.start_mark.column + 1


def _loader(path: Path, line_offset: int, problems: Problems, fast: bool = False) -> type:
    """The loader class for one file: fast, PyYAML's libyaml parser (CSafeLoader), whose nodes are
    checked against the limits once composed (_within_limits); else the pure-Python one, which checks
    them while it composes and words every error."""
    class Loader(yaml.CSafeLoader if fast else yaml.SafeLoader):
        depth = 0
        aliases = 0
        failed: set[int] = set()
        """ids of the nodes whose value could not be built (reported already)."""

        def compose_node(self, parent, index):
            event = self.peek_event()
            if isinstance(event, yaml.AliasEvent):
                Loader.aliases += 1
                if Loader.aliases > MAX_ALIASES:
                    raise _Refused(problem=f"more than {MAX_ALIASES} aliases (*name)", problem_mark=event.start_mark)
            Loader.depth += 1
            try:
                if Loader.depth > MAX_DEPTH:
                    raise _Refused(problem=f"lists and mappings nested more than {MAX_DEPTH} deep",
                                   problem_mark=event.start_mark)
                return super().compose_node(parent, index)
            finally:
                Loader.depth -= 1

        def construct_object(self, node, deep=False):
            try:
                return super().construct_object(node, deep=deep)
            except (ValueError, OverflowError, TypeError) as exc:
                problems.error(Location(path, *_pos(node, line_offset)), _constructor_message(node, exc))
                Loader.failed.add(id(node))
                self.constructed_objects[node] = None
                return None

    def mapping(loader, node):
        out = Marked(path, _pos(node, line_offset))
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not _is_text(key) and not isinstance(key, bool):
                problems.error(Location(path, *_pos(key_node, line_offset)),
                               "a key must be a plain word followed by a colon; write `name: value`")
                out.damaged = True
                continue
            key = str(key) if not isinstance(key, str) else key
            if key in out:
                problems.error(Location(path, *_pos(key_node, line_offset)),
                               f"`{key}` is given twice; keep one")
            out[key] = loader.construct_object(value_node, deep=True)
            if id(value_node) in Loader.failed:
                out.reported.add(key)
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


def _within_limits(root: yaml.Node) -> bool:
    """Whether a composed document keeps to MAX_ALIASES and MAX_DEPTH as the pure-Python loader counts
    them while it composes: in document order, depth first, a node met again is an alias (an anchor
    comes before its aliases), counted at the depth where it is met and not entered again."""
    seen, aliases, stack = set(), 0, [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            aliases += 1
            if aliases > MAX_ALIASES or depth > MAX_DEPTH:
                return False
            continue
        seen.add(id(node))
        if depth > MAX_DEPTH:
            return False
        if isinstance(node, yaml.MappingNode):
            children = [child for pair in node.value for child in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = node.value
        else:
            continue
        stack.extend((child, depth + 1) for child in reversed(children))
    return True


def _constructor_message(node: yaml.Node, exc: Exception) -> str:
    """A value PyYAML recognised but could not build (an impossible date, a huge number)."""
    value = str(node.value)[:30] if isinstance(node, yaml.ScalarNode) else ""
    if node.tag.endswith(":timestamp"):
        return f"{value} is not a real date; correct it, or put it in quotes to keep it as written"
    if node.tag.endswith(":int") or node.tag.endswith(":float"):
        return f"the number {value}… is too long; write a shorter number, or put it in quotes"
    return f"{value or 'this value'} cannot be read ({exc}); put it in quotes"


FAST = getattr(yaml, "__with_libyaml__", False)
"""Whether PyYAML has its libyaml parser (its wheels do): read_yaml tries it first."""
_UNLIKE = re.compile("[\t\r\x85\u2028\u2029\ufeff]|[|>][-+0-9]*#|\\?(?: |\n|$)")
"""Where libyaml and PyYAML's own scanner part ways (a tab after a colon, other line breaks, a
byte-order mark inside the text, a comment right after `|` or `>`, the place of an explicit `? key`'s
missing value): a text with any of these is read by the pure-Python loader alone."""


def read_yaml(text: str, path: Path, problems: Problems, line_offset: int = 0) -> Any:
    """Parse YAML text; on a syntax error, an unsafe tag or a limit passed, report it in an editor's
    words at its line and return None. Values PyYAML cannot build (`2001-02-30`) are reported at
    their place and read as empty.

    A file is read with libyaml's parser when it has it (some eight times as fast: a book's front matter,
    names and sources are read on every build); the pure-Python parser reads it again when libyaml
    finds anything wrong or a limit is passed, so that every message is the same."""
    if len(text) > MAX_YAML_BYTES:
        problems.error(Location(path, line_offset + 1, 1), f"this YAML is {len(text) // 1000} kB, more than "
                       f"the {MAX_YAML_BYTES // 1_000_000} MB allowed; split it or shorten it")
        return None
    if FAST and not _UNLIKE.search(text):
        found = Problems()
        try:
            loader = _loader(path, line_offset, found, fast=True)(text)
            try:
                node = loader.get_single_node()
                if node is None:
                    return None
                if _within_limits(node):
                    value = loader.construct_document(node)
                    problems.extend(found)
                    return value
            finally:
                loader.dispose()
        except (yaml.YAMLError, RecursionError):
            pass  # read again below, and worded
    try:
        return yaml.load(text, Loader=_loader(path, line_offset, problems))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1 + line_offset, mark.column + 1) if mark else (line_offset + 1, 1)
        if isinstance(exc, _Refused):
            problems.error(Location(path, line, col), f"{exc.problem}; write the values out plainly")
            return None
        where, message = yaml_message(exc, text.split("\n"))
        if where is not None:
            line, col = where[0] + 1 + line_offset, where[1] + 1
        problems.error(Location(path, line, col), message)
        return None
    except yaml.YAMLError as exc:
        problems.error(Location(path, line_offset + 1, 1), f"not valid YAML ({exc}); fix the file")
        return None
    except RecursionError:
        problems.error(Location(path, line_offset + 1, 1), "lists and mappings are nested too deeply; "
                       "write the values out plainly")
        return None


def yaml_message(exc: yaml.MarkedYAMLError, lines: list[str]) -> tuple[tuple[int, int] | None, str]:
    """PyYAML's complaint -> (0-based line and column to point at, or None for its own mark; what is
    wrong and what to do, in an editor's words)."""
    problem = exc.problem or ""
    context = exc.context or ""
    mark, start = exc.problem_mark, exc.context_mark
    line = lines[mark.line] if mark and mark.line < len(lines) else ""
    if "could not determine a constructor" in str(exc):
        quoted = re.search(r"'([^']*)'", problem)
        tag = (quoted.group(1) if quoted else problem).replace("tag:yaml.org,2002:", "!!")
        return None, f"the tag {tag} is not allowed; write plain YAML (strings, numbers, lists and mappings)"
    if "could not find expected ':'" in problem and start is not None:
        text = lines[start.line].strip() if start.line < len(lines) else ""
        key, _, rest = text.partition(" ")
        fixed = f"{key}: {rest.strip()}" if rest.strip() else f"{key}: …"
        return (start.line, start.column), (f"`{text[:40]}` is not `key: value`; write a colon and a space "
                                            f"after the key: `{fixed[:40]}`")
    if "mapping values are not allowed" in problem:
        before = line[:mark.column]
        if ":" in before:
            key, _, value = line.partition(":")
            quoted = value.strip().replace('"', '\\"')
            return None, (f"a colon inside a value; put the value in quotes: {key.strip()}: \"{quoted[:50]}\"")
        return None, ("this line is indented under a value that is not a list or mapping; "
                      "line it up with the keys above, or put the value in quotes")
    if "cannot start any token" in problem:
        char = problem.split("'")[1] if "'" in problem else ""
        if char == "\\t":
            return None, "a tab; indent YAML with spaces, never tabs"
        return None, f"a value cannot start with {char}; put the value in quotes"
    if "unknown escape character" in problem or "escape sequence" in problem:
        return None, "a backslash inside double quotes; use single quotes, or write \\\\ for a backslash"
    if "quoted scalar" in context and "end of stream" in problem:
        return ((start.line, start.column) if start else None), "a quotation mark is not closed; close it"
    if "flow sequence" in context:
        return ((start.line, start.column) if start else None), "a list in [ ] is not closed; add ]"
    if "flow mapping" in context:
        return ((start.line, start.column) if start else None), "a mapping in { } is not closed; add }"
    if "expected <block end>" in problem or "block collection" in context or "block mapping" in context:
        return None, ("this line does not line up with the lines above; indent keys of one mapping, "
                      "and the dashes of one list, by the same number of spaces")
    if "undefined alias" in problem:
        return None, "a value cannot start with *; put the value in quotes"
    found = problem.partition("but found ")[2]
    found = found[1:-1] if len(found) >= 3 and found[0] == found[-1] and found[0] in "'\"" else found
    if "expected the node content" in problem:
        if found in ("<stream end>", "<document end>"):
            return None, "a value is missing here; write it, or put the line's value in quotes"
        return None, f"a value cannot start with {found}; put the value in quotes"
    if "alphabetic or numeric character" in problem or ("expected ' '" in problem and found):
        return None, "& * ! and % have a meaning at the start of a YAML value; put the value in quotes"
    if "chomping or indentation indicators" in problem or "expected a comment or a line break" in problem:
        return None, "a value cannot start with | or > followed by other text; put the value in quotes"
    if "<document start>" in problem or "another document" in problem:
        return None, "a line of ---, ... or % ends the YAML here; put the value in quotes"
    if "mapping keys are not allowed" in problem:
        return None, "a value cannot start with ?; put the value in quotes"
    if "sequence entries are not allowed" in problem:
        return None, ("a '- ' list item cannot stand here; put it on its own line under its key, "
                      "or put the value in quotes")
    return None, f"this cannot be read as YAML ({problem or 'unknown problem'}); put the value in quotes"


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
    minimum: float | None = None
    """The smallest value allowed (for a length or size: in millimetres), or None."""
    maximum: float | None = None
    """The largest value allowed (for a length or size: in millimetres), or None."""
    choices: tuple = ()
    """The only values allowed, when not empty."""

    def refuse(self, value: Any) -> str | None:
        """None when a value of the right kind is also in range, else what is allowed."""
        if self.choices and value not in self.choices:
            return "one of " + ", ".join(str(c) for c in self.choices)
        numbers = {"length": lambda v: (parse_length(v),), "size": parse_size,
                   "int": lambda v: (v,), "number": lambda v: (v,)}.get(self.kind)
        if numbers is None or not self.range():
            return None
        low = -math.inf if self.minimum is None else self.minimum
        high = math.inf if self.maximum is None else self.maximum
        return None if all(low <= n <= high for n in numbers(value)) else self.range()

    def range(self) -> str:
        """The declared range in words ("between 0 and 10 mm"), or "" when there is none."""
        unit = " mm" if self.kind in ("length", "size") else ""
        if self.minimum is None and self.maximum is None:
            return ""
        if self.minimum is None:
            return f"at most {self.maximum:g}{unit}"
        if self.maximum is None:
            return f"at least {self.minimum:g}{unit}"
        return f"between {self.minimum:g} and {self.maximum:g}{unit}"


def _is_text(value: Any) -> bool:
    return isinstance(value, (str, int, float, datetime.date)) and not isinstance(value, bool)


CHECKS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "str": (_is_text, "a text"),
    "int": (lambda v: isinstance(v, int) and not isinstance(v, bool), "a whole number"),
    "number": (lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v),
               "a number"),
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
    """Report unknown, missing, mistyped and out-of-range keys of one mapping; True when it is a
    mapping. A value that is reported is taken out of the mapping, so that no later step reads it."""
    if not isinstance(data, Marked):
        problems.error(where, f"{what} must be a mapping of keys to values, one `key: value` a line")
        return False
    misspelt = set()
    for key in data:
        if key not in fields:
            missing = [k for k in fields if fields[k].required and k not in data]
            close = difflib.get_close_matches(str(key), missing, n=1, cutoff=0.6)
            if close:  # one mistake, one message: the required key is there, misspelt
                misspelt.add(close[0])
                problems.error(data.where(key), f"unknown key `{key}` in {what}; did you mean "
                               f"`{close[0]}`? ({close[0]}: {fields[close[0]].doc})")
            else:
                problems.error(data.where(key), f"unknown key `{key}` in {what}; {suggest(key, fields)}")
    for key, spec in fields.items():
        if key in data.reported:
            del data[key]
            continue
        if key not in data:
            if spec.required and not data.damaged and key not in misspelt:
                problems.error(data.where(), f"{what} has no `{key}`; add it ({spec.doc})")
            continue
        ok, expected = CHECKS[spec.kind]
        if data[key] is None or not ok(data[key]):
            problems.error(data.where(key, value=True), _mistyped(key, spec, expected, data[key]))
            del data[key]
            continue
        allowed = spec.refuse(data[key])
        if allowed:
            problems.error(data.where(key, value=True),
                           f"`{key}` must be {allowed}; it is {show(data[key])}")
            del data[key]
    return True


def _mistyped(key: str, spec: Field, expected: str, value: Any) -> str:
    """A value of the wrong kind: what it must be (with its range, if declared), and what it is."""
    if value is None and spec.doc:
        return f"`{key}` is empty; give {expected}: {spec.doc}"
    if spec.range():
        expected += ", " + spec.range()
    return f"`{key}` must be {expected}; it is {show(value)}"


def show(value: Any) -> str:
    """A value as a message shows it: short, and never the repr of a whole structure."""
    if value is None:
        return "empty"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = f'"{value}"' if isinstance(value, str) else str(value)[:40]
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
        return float(value) if 0 <= value < math.inf else None
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    for unit, factor in UNITS.items():
        if text.endswith(unit):
            try:
                number = float(text[: -len(unit)].strip())
            except ValueError:
                return None
            return number * factor if 0 <= number < math.inf else None
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
