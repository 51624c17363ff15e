"""The one escaping policy: what an editor's text may put into the HTML, and how it is written there.

Every string that reaches HTML passes through here: text and attribute values
are escaped (`text`, `attr`), ids must match `[a-z0-9-]+` (`check_id`), links
go only to http, https, mailto or an in-book `#id` (`check_href`), and raw
HTML is read by a real parser (`html.parser`) and allowed only as a few inline
tags with harmless attributes (documented in README), balanced within their
paragraph (`Balance`). What is allowed is written back from the parse, never
copied (`render_html`), and HTML comments are dropped. What WeasyPrint may
fetch is confined separately, by `layout.paginate.ConfinedFetcher`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser

SAFE_TAGS = frozenset({"br", "wbr", "sup", "sub", "small", "span", "abbr", "i", "b", "em",
                       "strong", "cite", "q", "s", "u"})
"""Inline tags an editor may write as raw HTML."""
VOID_TAGS = frozenset({"br", "wbr"})
"""Allowed tags that have no closing tag."""
SAFE_ATTRS = frozenset({"class", "title", "lang"})
"""Attributes allowed on them."""
SCHEMES = ("http://", "https://", "mailto:")
"""Link schemes allowed besides an in-book #id."""
ID = re.compile(r"\A[a-z][a-z0-9-]*\Z")
"""What an id written by an editor looks like: a letter, then lower-case letters, digits and hyphens
(a digit first would need escaping in CSS)."""


def text(value: str) -> str:
    """Plain text as HTML text."""
    return escape(value, quote=False)


def attr(value: str) -> str:
    """Plain text as the value of a double-quoted HTML attribute."""
    return escape(value, quote=True)


def check_id(ident: str) -> str | None:
    """None when ident may be an id in the HTML, else what is wrong and what to do."""
    if ID.match(ident or ""):
        return None
    fixed = re.sub(r"[^a-z0-9]+", "-", (ident or "").lower()).strip("-").lstrip("0123456789-") or "section"
    first = "" if (ident or "a")[:1].isalpha() else ", starting with a letter"
    return f'id "{ident}" must be lower-case letters, digits and hyphens{first}; write "{fixed}"'


def check_href(href: str) -> str | None:
    """None when a link may point at href, else what is wrong and what to do."""
    if href.startswith("#") and len(href) > 1:
        problem = check_id(href[1:])
        return f'link to "{href}": {problem}' if problem else None
    compact = "".join(href.split()).lower()
    if compact.startswith(SCHEMES) and len(compact) > len("mailto:") and not re.search(r"[\x00-\x1f]", href):
        return None
    return (f'link to "{href}" is not allowed; link to a #heading-id in the book or to an http(s) '
            "or mailto: address")


# --- raw HTML ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Tag:
    """One raw HTML tag as the parser read it."""

    name: str
    """Lower-case tag name."""
    closing: bool = False
    """True for </name>."""
    attrs: tuple[tuple[str, str], ...] = ()
    """Attributes as (name, unescaped value)."""

    @property
    def void(self) -> bool:
        """True for a tag that has no closing tag (br, wbr)."""
        return self.name in VOID_TAGS


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.events: list[tuple[str, object]] = []

    def handle_starttag(self, tag, attrs):
        self.events.append(("tag", Tag(tag, False, tuple((k, v or "") for k, v in attrs))))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        self.events.append(("tag", Tag(tag, True)))

    def handle_comment(self, data):
        self.events.append(("comment", data))

    def handle_data(self, data):
        self.events.append(("data", data))

    def handle_decl(self, decl):
        self.events.append(("other", decl))

    def handle_pi(self, data):
        self.events.append(("other", data))

    def unknown_decl(self, data):
        self.events.append(("other", data))


def _read(raw: str) -> list[tuple[str, object]]:
    reader = _Reader()
    reader.feed(raw)
    reader.close()
    return reader.events


def read_html(raw: str) -> tuple[Tag | None, str | None]:
    """One piece of inline raw HTML (a tag or a comment, as markdown-it cuts them) -> (the allowed
    tag, or None for a comment; why it is refused, or None)."""
    events = _read(raw)
    if events and all(kind == "comment" for kind, _ in events):
        return None, None
    tags = [value for kind, value in events if kind == "tag"]
    if len(events) != 1 or len(tags) != 1:
        return None, f"raw HTML {raw.strip()[:30]!r} is not allowed; write Markdown instead"
    tag = tags[0]
    if tag.name not in SAFE_TAGS:
        return None, (f"raw HTML <{'/' if tag.closing else ''}{tag.name}> is not allowed; write Markdown "
                      f"instead (allowed inline tags: {', '.join(sorted(SAFE_TAGS))})")
    for name, _ in tag.attrs:
        if name not in SAFE_ATTRS:
            return None, (f"attribute {name}= on <{tag.name}> is not allowed; only "
                          f"{', '.join(sorted(SAFE_ATTRS))}")
    return tag, None


def check_html_block(raw: str) -> str | None:
    """A raw HTML block is allowed only when it is nothing but comments (which are dropped)."""
    events = _read(raw)
    if all(kind == "comment" or (kind == "data" and not str(value).strip()) for kind, value in events):
        return None
    return "raw HTML blocks are not allowed; write Markdown instead"


def render_html(raw: str) -> str:
    """Allowed inline raw HTML written back from its parse (comments and anything refused: nothing)."""
    tag, problem = read_html(raw)
    if tag is None or problem:
        return ""
    if tag.closing:
        return f"</{tag.name}>"
    attrs = "".join(f' {name}="{attr(value)}"' for name, value in tag.attrs)
    return f"<{tag.name}{attrs}>"


@dataclass
class Balance:
    """Tags opened and closed within one paragraph (or note, cell, caption, title): they must pair up."""

    open: list[tuple[str, object]] = field(default_factory=list)
    """Tags still open, as (name, where it was opened)."""

    def add(self, tag: Tag, where) -> str | None:
        """Take one tag; what is wrong when it closes nothing open."""
        if tag.void:
            return None
        if not tag.closing:
            self.open.append((tag.name, where))
            return None
        if self.open and self.open[-1][0] == tag.name:
            self.open.pop()
            return None
        expected = f"</{self.open[-1][0]}> first" if self.open else f"an opening <{tag.name}> before it"
        return f"</{tag.name}> closes nothing open here; write {expected}, or remove it"

    def unclosed(self) -> list[tuple[object, str]]:
        """(where, message) for every tag left open at the end of the paragraph."""
        return [(where, f"<{name}> is never closed in this paragraph; add </{name}>")
                for name, where in self.open]
