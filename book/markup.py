"""Chapter Markdown -> Chapter: HTML with notes at their calls, plus the notes, names and links found.

markdown-it-py parses CommonMark with footnotes and tables; three inline
rules of ours add citations `[@key]`, name tags `[[Name]]` / `[[text|id]]`
and cross-references `[text](#id)`. A first walk over the tokens finds the
source line and column of every such piece and checks it; a second walk
renders HTML, numbering notes in call order within the chapter.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from . import cite, figures
from .errors import Problems
from .model import Chapter, Location, Manifest, Person, Source
from .safety import check_html_tag
from .schema import suggest

QUOTES = {"en": "“”‘’", "ru": "«»„“", "kk": "«»„“", "de": "„“‚‘", "fr": "«»‹›"}
UNDEFINED_NOTE = re.compile(r"\[\^([^\]\s]+)\]")
HEADING_ID = re.compile(r"\s*\{#([A-Za-z][\w.:-]*)\}\s*$")
PROPER = re.compile(r"(?<![\w’'-])([A-ZÀ-ÖØ-ÞА-ЯЁӘҒҚҢӨҰҮҺІ][\w’'-]{3,})")


def normalize(text: str) -> str:
    """The form names are matched in: NFC, one space, straight apostrophes."""
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"[’‘ʼ`´]", "'", text)
    return " ".join(text.split())


@dataclass
class Context:
    """What every chapter is checked against: the manifest, the registry, the bibliography."""

    manifest: Manifest
    """book.yaml."""
    people: tuple[Person, ...] = ()
    """The names registry."""
    sources: tuple[Source, ...] = ()
    """The bibliography."""
    forms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Normalised name or variant -> ids of the entries that carry it."""

    def __post_init__(self):
        forms: dict[str, list[str]] = {}
        for person in self.people:
            for form in {normalize(f) for f in (person.name, *person.variants)}:
                forms.setdefault(form, []).append(person.id)
        self.forms = {k: tuple(v) for k, v in forms.items()}
        self.by_id = {p.id: p for p in self.people}
        self.source_map = {s.id: s for s in self.sources}


# --- parser ------------------------------------------------------------------------

def _name_rule(state, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if not src.startswith("[[", pos):
        return False
    end = src.find("]]", pos + 2)
    inner = src[pos + 2:end] if end >= 0 else ""
    if end < 0 or not inner.strip() or "[" in inner or "]" in inner:
        return False
    if not silent:
        text, _, ident = inner.partition("|")
        token = state.push("name_tag", "", 0)
        token.meta = {"raw": src[pos:end + 2], "text": text, "id": ident.strip() or None}
    state.pos = end + 2
    return True


CITE_KEY = re.compile(r"(?:^|[\s;\[])-?@[\w]")


def _cite_rule(state, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if src[pos] != "[" or src.startswith("[[", pos) or src.startswith("[^", pos):
        return False
    end = src.find("]", pos + 1)
    if end < 0 or not CITE_KEY.search(src[pos + 1:end]) or "[" in src[pos + 1:end]:
        return False
    if not silent:
        token = state.push("citation", "", 0)
        token.meta = {"raw": src[pos:end + 1], "inner": src[pos + 1:end]}
    state.pos = end + 1
    return True


@lru_cache(maxsize=8)
def make_parser(language: str) -> MarkdownIt:
    """CommonMark + footnotes + tables + our rules, with quotes for the language."""
    quotes = QUOTES.get(language.split("-")[0].lower(), QUOTES["en"])
    md = MarkdownIt("commonmark", {"typographer": True, "html": True, "quotes": quotes})
    md.validateLink = lambda url: True  # every link is parsed, so that check_link can refuse it by name
    md.use(footnote_plugin, inline=False)
    md.enable(["replacements", "smartquotes", "table"])
    md.inline.ruler.before("link", "name_tag", _name_rule)
    md.inline.ruler.before("link", "citation", _cite_rule)
    return md


# --- locating ----------------------------------------------------------------------

@dataclass
class Locator:
    """Finds the line and column of a piece of markup inside a block."""

    path: Path
    """The chapter file."""
    lines: list[str]
    """The file's lines."""
    offset: int
    """Lines of front matter before the Markdown body."""

    def find(self, block: list[int] | None, needle: str, nth: int) -> Location:
        """Where the nth (0-based) occurrence of needle in the block starts."""
        if not block:
            return Location(self.path, self.offset + 1, 1)
        start, end = block[0] + self.offset, block[1] + self.offset
        first = needle.split("\n")[0]
        seen = 0
        for number in range(start, min(end, len(self.lines))):
            col = self.lines[number].find(first)
            while col >= 0:
                if seen == nth:
                    return Location(self.path, number + 1, col + 1)
                seen += 1
                col = self.lines[number].find(first, col + 1)
        return Location(self.path, start + 1, 1)


# --- first walk: locate and check ------------------------------------------------------

@dataclass
class Found:
    """What the first walk learned about a chapter."""

    notes_by_label: dict[str, list[Token]] = field(default_factory=dict)
    """Footnote label -> body tokens."""
    ids: list[str] = field(default_factory=list)
    """Heading ids defined."""


def check_tokens(tokens: list[Token], env: dict, loc: Locator, ctx: Context,
                 problems: Problems) -> Found:
    """Locate every tag, citation, note call, link and raw HTML; report what is wrong."""
    found = Found()
    for token in tokens:
        if token.type == "heading_open" and token.tag == "h1":
            problems.error(loc.find(token.map, "#", 0), "a chapter has one title, in its front matter; "
                           "use ## for sections")
        if token.type == "html_block" and not token.content.lstrip().startswith("<!--"):
            problems.error(loc.find(token.map, token.content.strip()[:20], 0),
                           "raw HTML blocks are not allowed; write Markdown instead")
        if token.type == "fence" and token.info.strip() in figures.BLOCKS:
            figures.check_block(token, loc, ctx, problems)
        if token.type == "inline":
            _check_inline(token, loc, ctx, problems, found)
    _check_unused_notes(env, loc, problems)
    return found


def _check_inline(block: Token, loc: Locator, ctx: Context, problems: Problems, found: Found) -> None:
    counts: dict[str, int] = {}

    def where(needle: str) -> Location:
        nth = counts.get(needle, 0)
        counts[needle] = nth + 1
        return loc.find(block.map, needle, nth)

    children = block.children or []
    if children and children[-1].type == "text" and HEADING_ID.search(children[-1].content):
        ident = HEADING_ID.search(children[-1].content).group(1)
        children[-1].content = HEADING_ID.sub("", children[-1].content)
        block.meta["heading_id"] = ident
        found.ids.append(ident)
    for child in children:
        if child.type == "name_tag":
            child.meta["loc"] = where(child.meta["raw"])
            child.meta["person"] = resolve_name(child.meta, ctx, problems)
        elif child.type == "citation":
            child.meta["loc"] = where(child.meta["raw"])
            child.meta["items"] = _parse_cite(child.meta, ctx, problems)
        elif child.type == "footnote_ref":
            label = child.meta["label"]
            child.meta["loc"] = where(f"[^{label}]")
            if child.meta.get("subId", 0) > 0:
                problems.error(child.meta["loc"], f"note [^{label}] is called twice; a note has one call, "
                               "so give the second a note of its own")
        elif child.type == "link_open":
            child.meta["loc"] = where("](" + child.attrGet("href"))
            check_link(child, problems)
        elif child.type == "image":
            child.meta["loc"] = where("![")
            figures.check_image(child, loc, ctx, problems)
        elif child.type == "html_inline":
            child.meta["loc"] = where(child.content)
            message = check_html_tag(child.content)
            if message:
                problems.error(child.meta["loc"], message)
        elif child.type == "text":
            for match in UNDEFINED_NOTE.finditer(child.content):
                problems.error(where(match.group(0)), f"note [^{match.group(1)}] is called but never "
                               f"written; add a line '[^{match.group(1)}]: …' or remove the call")
            child.meta["loc"] = loc.find(block.map, child.content[:30], 0) if child.content.strip() else None


def resolve_name(meta: dict, ctx: Context, problems: Problems) -> str | None:
    """The registry id a [[tag]] stands for, or None after reporting why."""
    text, ident, where = meta["text"], meta["id"], meta["loc"]
    if ident is not None:
        if ident in ctx.by_id:
            return ident
        problems.error(where, f'unknown person id "{ident}" in {meta["raw"]}; {_near_ids(ident, ctx)}')
        return None
    ids = ctx.forms.get(normalize(text), ())
    if len(ids) == 1:
        return ids[0]
    if ids:
        choices = ", ".join(ids)
        problems.error(where, f'"{text}" matches several people ({choices}); write [[{text}|id]] with one of them')
        return None
    problems.error(where, f'unknown person "{normalize(text)}"; {_near_names(text, ctx)}')
    return None


def _near_names(text: str, ctx: Context) -> str:
    import difflib
    close = difflib.get_close_matches(normalize(text), list(ctx.forms), n=3, cutoff=0.6)
    if not close:
        return "add the person to names.yaml, or write [[text|id]] with a registry id"
    return "did you mean " + " or ".join(f'"{c}" ({", ".join(ctx.forms[c])})' for c in close) + "?"


def _near_ids(ident: str, ctx: Context) -> str:
    return suggest(ident, sorted(ctx.by_id)).replace("known keys", "known ids")


def _parse_cite(meta: dict, ctx: Context, problems: Problems) -> tuple:
    try:
        items = cite.parse_citation(meta["inner"])
    except cite.CitationError as exc:
        problems.error(Location(meta["loc"].path, meta["loc"].line, meta["loc"].col + 1 + exc.offset),
                       f"{exc.message}")
        return ()
    for item in items:
        if item.key not in ctx.source_map:
            at = Location(meta["loc"].path, meta["loc"].line, meta["loc"].col + 1 + item.offset)
            problems.error(at, f'unknown source "@{item.key}"; '
                           + suggest(item.key, sorted(ctx.source_map)).replace("known keys", "known sources"))
            return ()
    return items


SAFE_SCHEMES = ("http://", "https://", "mailto:")


def check_link(token: Token, problems: Problems) -> None:
    """Links go to #ids in the book or to web pages; nothing else is allowed."""
    href = token.attrGet("href") or ""
    if href.startswith("#") and len(href) > 1:
        return
    if not href.lower().startswith(SAFE_SCHEMES):
        problems.error(token.meta["loc"], f'link to "{href}" is not allowed; link to a #heading-id in the book '
                       "or to an http(s) address")


def _check_unused_notes(env: dict, loc: Locator, problems: Problems) -> None:
    data = env.get("footnotes", {})
    called = {v.get("label") for v in data.get("list", {}).values()}
    for key in data.get("refs", {}):
        label = key[1:]
        if label not in called:
            needle = f"[^{label}]:"
            for number, line in enumerate(loc.lines):
                if line.lstrip().startswith(needle):
                    problems.warn(Location(loc.path, number + 1, line.find(needle) + 1),
                                  f"note [^{label}] is written but never called; call it or delete it")
                    break


# --- second walk: render ---------------------------------------------------------------

def parse_chapter(path: Path, source: str, body_start: int, anchor: str, kind: str, title: str,
                  subtitle: str, short_title: str, title_at: Location, context: Context,
                  problems: Problems) -> Chapter:
    """Front matter values + Markdown source -> Chapter."""
    from .writer import ChapterWriter

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


def plain(html: str) -> str:
    """Inline HTML -> its text."""
    from html import unescape
    return unescape(re.sub(r"<[^>]+>", "", html)).strip()


def hyphen_safe(text_html: str) -> str:
    """Wrap capitalised words so that proper names are never hyphenated."""
    return PROPER.sub(r'<span class="pn">\1</span>', text_html)

