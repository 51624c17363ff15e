"""Chapter Markdown -> Chapter: HTML with notes at their calls, plus the notes, names and links found.

markdown-it-py parses CommonMark with footnotes and tables; three inline
rules of ours add citations `[@key]`, name tags `[[Name]]` / `[[text|id]]`
and cross-references `[text](#id)`. A first walk (check.py) finds the source
line and column of every such piece and checks it; a second walk (writer.py)
renders HTML, numbering notes in call order within the chapter.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import Problems
from ..model import Chapter, Location, Manifest
from .check import Context, check_tokens
from .parser import Locator, make_parser, plain
from ..cite import house_titles
from .typeset import hyphenator_for, style_titles, typeset
from .writer import ChapterWriter


def parse_chapter(path: Path, source: str, body_start: int, anchor: str, kind: str, title: str,
                  subtitle: str, short_title: str, title_at: Location, context: Context,
                  problems: Problems) -> Chapter:
    """Front matter values + Markdown source -> Chapter."""

    md = make_parser(context.manifest.language)
    lines = source.split("\n")
    body = "\n".join(lines[body_start:])
    env: dict = {}
    tokens = md.parse(body, env)
    loc = Locator(path, lines, body_start)
    before = len(problems.errors)
    found = check_tokens(tokens, env, loc, context, problems)
    if not title.strip():
        problems.error(title_at, "the title is empty; give the chapter a title")
    writer = ChapterWriter(md=md, anchor=anchor, ctx=context, loc=loc)
    html = "" if len(problems.errors) > before else writer.render(tokens, env)
    html = typeset(style_titles(html, *house_titles(context.sources)), hyphenator_for(context.manifest))
    check_note_lengths(writer.notes, context.manifest, problems)
    title_html = md.renderInline(title).strip() if title else ""
    return Chapter(
        path=path, anchor=anchor, title=plain(title_html), kind=kind, html=html,
        subtitle=plain(md.renderInline(subtitle).strip()) if subtitle else "",
        title_html=title_html, short_title=plain(md.renderInline(short_title)) if short_title else "",
        notes=tuple(writer.notes), mentions=tuple(writer.mentions), xrefs=tuple(writer.xrefs),
        ids=tuple(found.ids), cited=tuple(dict.fromkeys(writer.cited)))


def note_capacity(manifest: Manifest) -> int:
    """Roughly how many characters of note text fill half a page of this trim (7.6 pt notes)."""
    width, height = manifest.trim
    per_line = (width - 34) / 1.45
    lines = (height - 36) / 3.53
    return int(per_line * lines / 2)


def check_note_lengths(notes, manifest: Manifest, problems: Problems) -> None:
    """WeasyPrint never splits a note across pages: a note longer than half a page is an error,
    one longer than a sixth a warning (long notes are the ones that leave their call's page)."""
    limit = note_capacity(manifest)
    for note in notes:
        size = len(plain(note.html))
        if size > limit:
            problems.error(note.origin, f"note {note.number} is {size} characters long, too long to sit at "
                           f"the foot of one page (at most {limit}); move part of it into the text")
        elif size > limit // 3:
            problems.warn(note.origin, f"note {note.number} is {size} characters long; notes over "
                          f"{limit // 3} often cannot stay on the page of their call")
