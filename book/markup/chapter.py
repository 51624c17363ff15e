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
from ..text import house_dates_html
from .check import LITERAL, Context, check_inline_text, check_tokens, literal_markup
from .parser import Locator, make_parser, plain
from ..cite import house_titles
from .typeset import hyphenator_for, style_titles, typeset
from .writer import ChapterWriter, render_title


def parse_chapter(path: Path, source: str, body_start: int, anchor: str, kind: str, title: str,
                  subtitle: str, short_title: str, title_at: Location, context: Context,
                  problems: Problems, places: dict[str, Location] | None = None) -> Chapter:
    """Front matter values + Markdown source -> Chapter."""

    md = make_parser(context.manifest.language)
    lines = source.split("\n")
    body = "\n".join(lines[body_start:])
    env: dict = {}
    tokens = md.parse(body, env)
    loc = Locator(path, lines, body_start)
    before = len(problems.errors)
    found = check_tokens(tokens, env, loc, context, problems)
    writer = ChapterWriter(md=md, anchor=anchor, ctx=context, loc=loc)
    html = "" if len(problems.errors) > before else writer.render(tokens, env)
    style = context.manifest.style
    html = typeset(style_titles(html, *house_titles(context.sources)), hyphenator_for(context.manifest), style=style)
    check_note_lengths(writer.notes, context.manifest, problems)
    titles = {}
    places = {"title": title_at, **(places or {})}
    for key, text in (("title", title), ("subtitle", subtitle), ("short_title", short_title)):
        at = places.get(key, title_at)
        block = check_inline_text(md, text, Locator(path, lines, 0), at.line, context, problems) if text else None
        titles[key] = house_dates_html(render_title(md, block.children), style.ranges, style.uncertain) \
            if block else ""
    return Chapter(
        path=path, anchor=anchor, title=plain(titles["title"]), kind=kind, html=html,
        subtitle=plain(titles["subtitle"]), title_html=titles["title"], short_title=plain(titles["short_title"]),
        notes=tuple(writer.notes), mentions=tuple(writer.mentions), xrefs=tuple(writer.xrefs),
        ids=tuple(found.ids), cited=tuple(dict.fromkeys(writer.cited)))


TITLE_REFUSED = {"citation": "a citation", "name_tag": "a name tag", "footnote_ref": "a note call",
                 "image": "an image", "link_open": "a link"}
"""What a title cannot hold: it is printed again in the contents and the running heads."""


def check_title(md, text: str, what: str, where: Location, problems: Problems) -> bool:
    """A chapter's title (or subtitle) is plain text with emphasis: no citation, tag or note. False
    after reporting what it holds."""
    if not text:
        return True
    for child in md.parseInline(text, {})[0].children or []:
        if child.type in TITLE_REFUSED:
            problems.error(where, _refused(what, child.type))
            return False
        for match in LITERAL.finditer(child.content if child.type == "text" else ""):
            if match.group("closed"):  # [^a]: a note call, whose note a title cannot have
                problems.error(where, _refused(what, "footnote_ref"))
            else:
                problems.error(where, f"in the {what}: {literal_markup(match)}")
            return False
    return True


def _refused(what: str, kind: str) -> str:
    return (f"the {what} holds {TITLE_REFUSED[kind]}, which a title cannot carry (it is printed again "
            "in the contents and running heads); move it into the chapter's first paragraph")


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
