"""Registry, bibliography and chapters -> warnings an editor should look at, and `--fix-names`.

Unused sources and people, and registered names written in plain text
without a tag, are reported at the line where they stand.
"""

from __future__ import annotations

import codecs
import difflib
import re
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import BookError, Problems
from ..model import Chapter, Location
from ..paths import replacing
from ..source.load import split_front_matter
from ..text import ABOUT_YEAR, HYPHEN_RANGE, normalize, uncertain, year_range
from .parser import make_parser


def check_unused(people, sources, chapters: tuple[Chapter, ...],
                 problems: Problems) -> None:
    """Warn about sources never cited, people never mentioned, and untagged names in the text."""
    cited = {key for c in chapters for key in c.cited}
    for source in sources:
        if source.id not in cited:
            problems.warn(source.origin, f'source "{source.id}" is never cited; cite it or remove it')
    mentioned = {m.person for c in chapters for m in c.mentions}
    for person in people:
        if person.id not in mentioned:
            problems.warn(person.origin, f'"{person.name}" ({person.id}) is never mentioned with a tag; '
                          "tag a mention or remove the entry")
    pattern = forms_pattern(people)
    if pattern is not None:
        for chapter in chapters:
            for where, text, suggestion in find_untagged(chapter.path, pattern, people):
                problems.warn(where, f'"{text}" is not tagged; write {suggestion}')


def forms_pattern(people) -> re.Pattern | None:
    """One regex matching every unambiguous name and variant as whole words (a possessive 's may
    follow: "Jane Doe's" is "Jane Doe", never "Jane")."""
    forms = sorted({f for p in people for f in (p.name, *p.variants) if f not in p.ambiguous
                    and len(normalize(f)) > 1}, key=len, reverse=True)
    if not forms:
        return None
    alternation = "|".join(re.escape(f).replace(r"\ ", r"[ \t]+") for f in forms)
    return re.compile(rf"(?<![\w\[|’'-])({alternation})(?:(?=['’]s(?![\w’'-]))|(?![\w’'\]-]))")


@dataclass(frozen=True)
class Fix:
    """An untagged registered name in a chapter, and the tag that would be written around it."""

    location: Location
    """Where the name starts (1-based line and column of the file)."""
    text: str
    """The name exactly as written."""
    tag: str
    """What replaces it: [[text]]."""

    def __iter__(self):
        return iter((self.location, self.text, self.tag))


LINE_END = re.compile(r"(\r\n?|\n)")


def split_lines(text: str) -> tuple[list[str], list[str]]:
    """Text -> its lines and their line ends (the last one ''), split where markdown-it splits them."""
    parts = LINE_END.split(text)
    return parts[0::2], parts[1::2] + [""]


def find_untagged(path: Path, pattern: re.Pattern, people, text: str | None = None):
    """Fix for each plain-text occurrence of a registered form in the prose of a chapter."""
    by_form = {}
    for person in people:
        for form in (person.name, *person.variants):
            by_form.setdefault(normalize(form), []).append(person)
    if text is None:
        text = path.read_text(encoding="utf-8-sig")
    lines, _ = split_lines(text)
    front = split_front_matter("\n".join(lines))
    body_start = front[1] if front else 0
    found: dict[tuple[int, int], list[Fix]] = {}
    for block, line, start, end in prose_spans(lines, body_start):
        for match in pattern.finditer(lines[line], start, end):
            owners = by_form.get(normalize(match.group(1)), [])
            if len(owners) == 1:
                found.setdefault(block, []).append(Fix(Location(path, line + 1, match.start(1) + 1),
                                                       match.group(1), f"[[{match.group(1)}]]"))
    yield from _keeping_shape(lines, found)


def _keeping_shape(lines: list[str], found: dict[tuple[int, int], list[Fix]]) -> list[Fix]:
    """The fixes that leave the chapter's structure as it was: a tag must not end an emphasis, a link or
    anything else the text around it made (as in "word*Jane Doe*", where "*[[" would not open one).
    found: the fixes by the lines of their paragraph; in a paragraph whose fixes change it together,
    each is kept only if it changes nothing with those kept before it."""
    fixes = [fix for group in found.values() for fix in group]
    if not fixes or _shape(_tagged(lines, fixes)) == _shape(lines):
        return fixes
    kept = []
    for (first, last), group in found.items():
        block = lines[first:last]
        moved = [replace(f, location=replace(f.location, line=f.location.line - first)) for f in group]
        shape = _shape(block)
        if _shape(_tagged(block, moved)) == shape:
            kept += group
            continue
        taken: list[Fix] = []
        for fix, here in zip(group, moved):  # one by one, each with those taken before it
            if _shape(_tagged(block, [*taken, here])) == shape:
                taken.append(here)
                kept.append(fix)
    return kept


def _tagged(lines: list[str], fixes: list[Fix]) -> list[str]:
    """The lines with "[[" and "]]" around each fix (fixes in one line applied right to left)."""
    out = list(lines)
    for fix in sorted(fixes, key=lambda f: (f.location.line, f.location.col), reverse=True):
        line, start = fix.location.line - 1, fix.location.col - 1
        out[line] = out[line][:start] + "[[" + fix.text + "]]" + out[line][start + len(fix.text):]
    return out


def _shape(lines: list[str]) -> list[tuple]:
    """The chapter's tokens, a name tag read as the text it holds and runs of text as one: what tagging
    must not change."""
    shape: list[tuple] = []
    for token in make_parser("en", verbatim=True).parse("\n".join(lines), {}):
        shape.append((token.type, token.tag, token.nesting))
        for child in token.children or []:
            if child.type not in ("text", "name_tag"):
                shape.append((child.type, child.tag, child.nesting))
            elif shape[-1][0] == "text":
                shape[-1] = ("text", shape[-1][1] + child.content)
            else:
                shape.append(("text", child.content))
    return shape


def prose_spans(lines: list[str], body_start: int):
    """((first, last) lines of its paragraph, line index, start, end) of every prose text node of the
    chapter body, found from the parser's token map: never code, raw HTML or comments, attributes,
    links, images, existing tags, citations, or the YAML of ```table and ```figure blocks."""
    md = make_parser("en", verbatim=True)
    tokens = md.parse("\n".join(lines[body_start:]), {})
    for block in tokens:
        if block.type != "inline" or not block.map:
            continue
        first = block.map[0] + body_start
        segment = "\n".join(lines[first:block.map[1] + body_start])
        starts = [0]
        for text_line in segment.split("\n")[:-1]:
            starts.append(starts[-1] + len(text_line) + 1)
        for start, end in _text_nodes(block.children or [], segment):
            line = next(i for i in range(len(starts) - 1, -1, -1) if starts[i] <= start)
            if segment.find("\n", start, end) < 0:
                yield (first, block.map[1] + body_start), first + line, start - starts[line], end - starts[line]


def _text_nodes(children, segment: str):
    """(start, end) in segment of each text child outside links and images, found in reading order."""
    cursor, depth, skip = 0, 0, False
    for child in children:
        kind = child.type
        if skip:
            skip = kind != "link_close"
            continue
        if kind == "text":
            at = segment.find(child.content, cursor)
            if at < 0:
                continue
            if depth == 0 and child.content:
                yield at, at + len(child.content)
            cursor = at + len(child.content)
        elif kind in ("html_inline", "text_special", "name_tag", "citation", "footnote_ref", "code_inline"):
            raw = {"html_inline": child.content, "text_special": child.markup,
                   "name_tag": child.meta.get("raw", ""), "citation": child.meta.get("raw", ""),
                   "footnote_ref": f"[^{child.meta.get('label', '')}]"}.get(kind)
            cursor = _after_code(segment, cursor, child.markup) if kind == "code_inline" \
                else _after(segment, cursor, raw)
        elif kind == "link_open" and child.markup == "autolink":
            cursor, skip = _after(segment, segment.find("<", cursor), ">"), True
        elif kind == "link_open":
            depth += 1
        elif kind == "link_close":
            depth -= 1
            cursor = _after_destination(segment, cursor)
        elif kind == "image":
            cursor = _after_destination(segment, _after(segment, cursor, "]"))


def _after(segment: str, cursor: int, needle: str | None) -> int:
    at = segment.find(needle, max(cursor, 0)) if needle else -1
    return at + len(needle) if at >= 0 else len(segment)  # lost: tag nothing more in this paragraph


def _after_code(segment: str, cursor: int, ticks: str) -> int:
    run = re.compile(rf"(?<!`){re.escape(ticks)}(?!`)")
    opening = run.search(segment, cursor)
    closing = run.search(segment, opening.end()) if opening else None
    return closing.end() if closing else len(segment)


def _after_destination(segment: str, cursor: int) -> int:
    """The end of a link's or image's `](destination)` or `][label]` (cursor at or before its ']')."""
    close = segment.find("]", cursor)
    if close < 0:
        return len(segment)
    if segment.startswith("[", close + 1):
        return _after(segment, close + 1, "]")
    if not segment.startswith("(", close + 1):
        return close + 1
    depth = 0
    for i in range(close + 1, len(segment)):
        depth += {"(": 1, ")": -1}.get(segment[i], 0)
        if depth == 0:
            return i + 1
    return len(segment)


def name_fixes(chapters: tuple[Chapter, ...], people) -> list[Fix]:
    """Every untagged occurrence of an unambiguous registered name, in the chapters' prose."""
    pattern = forms_pattern(people)
    if pattern is None:
        return []
    return [fix for chapter in chapters for fix in find_untagged(chapter.path, pattern, people)]


@dataclass
class Edit:
    """One chapter file before and after its tags are written in."""

    path: Path
    """The chapter file."""
    before: str
    """Its text as read (line ends and all)."""
    after: str
    """Its text with the tags."""
    bom: bool
    """Whether the file starts with a UTF-8 byte order mark (kept)."""

    def diff(self) -> str:
        """A unified diff of the change."""
        name = str(self.path)
        return "".join(difflib.unified_diff(self.before.splitlines(keepends=True),
                                            self.after.splitlines(keepends=True), name, name))


def plan_fixes(fixes: list[Fix]) -> list[Edit]:
    """The chapter files with the tags written in: only "[[" and "]]" are added, around the text as
    written; each result is parsed again and must hold exactly the tags added more."""
    by_path: dict[Path, list[Fix]] = {}
    for fix in fixes:
        by_path.setdefault(fix.location.path, []).append(fix)
    edits = []
    for path, items in by_path.items():
        raw = path.read_bytes()
        bom = raw.startswith(codecs.BOM_UTF8)
        before = raw.decode("utf-8-sig")
        lines, ends = split_lines(before)
        for fix in items:
            line, start = fix.location.line - 1, fix.location.col - 1
            if line >= len(lines) or lines[line][start:start + len(fix.text)] != fix.text:
                raise BookError(f'"{fix.text}" is no longer there; run `book check --fix-names` again',
                                fix.location)
        after = "".join(text + end for text, end in zip(_tagged(lines, items), ends))
        if _count_tags(after) != _count_tags(before) + len(items):
            raise BookError("the tags could not be added without changing the chapter's meaning; "
                            "tag the names by hand", Location(path))
        edits.append(Edit(path, before, after, bom))
    return edits


def _count_tags(text: str) -> int:
    tokens = make_parser("en", verbatim=True).parse("\n".join(split_lines(text)[0]), {})
    return sum(child.type == "name_tag" for t in tokens if t.type == "inline" for child in t.children or [])


def apply_fixes(fixes: list[Fix]) -> int:
    """Write the tags into the chapter files, each atomically, keeping its line ends, encoding and
    permissions."""
    edits = plan_fixes(fixes)
    for edit in edits:
        with replacing(edit.path, edit.path.stat().st_mode & 0o7777) as temporary:
            temporary.write_bytes((codecs.BOM_UTF8 if edit.bom else b"") + edit.after.encode("utf-8"))
    return len(fixes)


# -- dates the typesetting pass cannot put in the house style by itself ----------------------------

NOT_PROSE = re.compile(r"`+[^`]*`+|<[^>]*>|\]\([^)]*\)|\[@[^\]]*\]|https?://\S+")
"""Code, HTML and autolinks, link targets, citations and bare URLs: blanked before a line is searched."""
DATA_LINE = re.compile(r"^\s*data\s*:\s*[\"']?([^\"'#]+?)[\"']?\s*(?:#.*)?$", re.MULTILINE)
"""The `data:` line of a ```table or ```figure block."""


def check_date_forms(manifest, chapters: tuple[Chapter, ...], problems: Problems) -> None:
    """Warn, at file:line:col, about dates written in a form the house style does not print and the
    typesetting pass cannot safely change: `about 2023` where the house marks uncertain dates another
    way (it may be a count), and years joined by a hyphen. In the chapters' prose, their data files and
    names.yaml."""
    style = manifest.style
    data: dict[Path, None] = {}
    for chapter in chapters:
        text = chapter.path.read_text(encoding="utf-8-sig")
        lines, _ = split_lines(text)
        front = split_front_matter("\n".join(lines))
        fence = ""
        for number in range(front[1] if front else 0, len(lines)):
            line = lines[number]
            opened = re.match(r"\s*(`{3,}|~{3,})", line)
            if opened and (not fence or opened.group(1).startswith(fence)):
                fence = "" if fence else opened.group(1)
            elif not fence:
                _date_notes(chapter.path, number, NOT_PROSE.sub(lambda m: " " * len(m.group()), line),
                            0, len(line), style, problems)
        data.update(dict.fromkeys(_data_files(manifest.root, text)))
    for path in [*data, *([manifest.names] if manifest.names and manifest.names.is_file() else [])]:
        _yaml_date_notes(path, style, problems)


def _data_files(root: Path, text: str) -> list[Path]:
    """The data files a chapter's blocks name that lie inside the book folder (others are errors already)."""
    found = []
    for match in DATA_LINE.finditer(text):
        path = (root / match.group(1).strip()).resolve()
        if path.is_relative_to(root.resolve()) and path.is_file() and path.suffix in (".yaml", ".yml"):
            found.append(path)
    return found


def _yaml_date_notes(path: Path, style, problems: Problems) -> None:
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").split("\n")):
        if not line.lstrip().startswith("#"):  # a comment line is not printed
            _date_notes(path, number, line, 0, len(line), style, problems)


def _date_notes(path: Path, number: int, line: str, start: int, end: int, style, problems: Problems) -> None:
    """The date notes for line[start:end] (number is 0-based)."""
    if style.uncertain != "about":
        for match in ABOUT_YEAR.finditer(line, start, end):
            house = uncertain(match.group(2), style.uncertain, capital=match.group(1) == "A")
            problems.warn(Location(path, number + 1, match.start() + 1),
                          f'"{match.group()}": if it is a date, the house style (uncertain: {style.uncertain}) '
                          f'writes it {house.replace(chr(160), " ")}; write that (if it is a count, leave it)')
    for match in HYPHEN_RANGE.finditer(line, start, end):
        years = year_range(match.group(1), match.group(2), style.ranges)
        if years:
            problems.warn(Location(path, number + 1, match.start() + 1),
                          f'"{match.group()}": a range of years takes an en dash; write {years}')
