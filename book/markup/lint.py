"""Registry, bibliography and chapters -> warnings an editor should look at, and `--fix-names`.

Unused sources and people, and registered names written in plain text
without a tag, are reported at the line where they stand.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import Problems
from ..model import Chapter, Location
from ..source.load import split_front_matter
from ..text import normalize


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
    """One regex matching every unambiguous name and variant as whole words."""
    forms = sorted({f for p in people for f in (p.name, *p.variants) if f not in p.ambiguous},
                   key=len, reverse=True)
    if not forms:
        return None
    alternation = "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in forms)
    return re.compile(rf"(?<![\w\[|])({alternation})(?![\w’'])")


MASK = re.compile(r"\[\[[^\]]*\]\]|\]\([^)]*\)|`[^`]*`")


def find_untagged(path: Path, pattern: re.Pattern, people):
    """(location, text, tag to write) for each plain-text occurrence of a registered form."""
    by_form = {}
    for person in people:
        for form in (person.name, *person.variants):
            by_form.setdefault(normalize(form), []).append(person)
    text = path.read_text(encoding="utf-8")
    front = split_front_matter(text)
    body_start = front[1] if front else 0
    for number, line in enumerate(text.split("\n")):
        if number < body_start:
            continue
        masked = MASK.sub(lambda m: " " * len(m.group(0)), line)
        for match in pattern.finditer(masked):
            text = " ".join(match.group(1).split())
            owners = by_form.get(normalize(text), [])
            if len(owners) != 1:
                continue
            yield Location(path, number + 1, match.start(1) + 1), text, f"[[{text}]]"


def name_fixes(chapters: tuple[Chapter, ...], people) -> list[tuple[Location, str, str]]:
    """(location, text, tag) for every untagged occurrence of an unambiguous registered name."""
    pattern = forms_pattern(people)
    if pattern is None:
        return []
    return [fix for chapter in chapters for fix in find_untagged(chapter.path, pattern, people)]


def apply_fixes(fixes: list[tuple[Location, str, str]]) -> int:
    """Write the tags into the chapter files (right to left on each line, so columns stay true)."""
    by_path: dict[Path, list[tuple[Location, str, str]]] = {}
    for fix in fixes:
        by_path.setdefault(fix[0].path, []).append(fix)
    for path, items in by_path.items():
        lines = path.read_text(encoding="utf-8").split("\n")
        for where, text, tag in sorted(items, key=lambda f: (f[0].line, f[0].col), reverse=True):
            line = lines[where.line - 1]
            start = where.col - 1
            span = _span(line, start, text)
            lines[where.line - 1] = line[:start] + tag + line[start + span:]
        path.write_text("\n".join(lines), encoding="utf-8")
    return len(fixes)


def _span(line: str, start: int, text: str) -> int:
    """Length in the line of text written from start (the line may have other whitespace in it)."""
    words = text.split()
    match = re.match(r"\s+".join(re.escape(w) for w in words), line[start:])
    return match.end() if match else len(text)
