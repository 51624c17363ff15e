"""Checked markdown-it tokens -> chapter HTML, with every note written at its call.

A note is a `<span class="fn">` floated to the foot of the page by the print
CSS (`float: footnote`). We print the numbers ourselves: the call is a
superscript link to the note, and the note starts with its number as a link
back to the call (HTML allows no link inside a link, so the call is a sibling
of the note, never its parent). Citations become notes (or inline
text when they stand inside an editorial note); name tags become spans with
ids so the layout can tell on which page each landed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token

from .. import cite, policy
from ..model import CrossRef, Mention, Note
from . import figures
from .check import Context
from .parser import Locator
from .records import CiteRef, HeadingId, record


@dataclass
class ChapterWriter:
    """Renders one chapter; collects its notes, mentions and cross-references as it goes."""

    md: MarkdownIt
    """The parser that made the tokens (for its options)."""
    anchor: str
    """The chapter's id; every id written inside starts with it."""
    ctx: Context
    """Registry and bibliography."""
    loc: Locator
    """For locations of notes without their own."""
    notes: list[Note] = field(default_factory=list)
    """Notes in call order."""
    mentions: list[Mention] = field(default_factory=list)
    """Name tags in reading order."""
    xrefs: list[CrossRef] = field(default_factory=list)
    """Cross-references in reading order."""
    cited: list[str] = field(default_factory=list)
    """Source keys in citation order."""
    seen: frozenset = frozenset()
    """Sources already cited in this chapter (full form given)."""
    bodies: dict[str, list[Token]] = field(default_factory=dict)
    """Footnote label -> its block tokens."""
    depth: int = 0
    """How many notes we are inside (citations inside notes stay inline)."""

    def render(self, tokens: list[Token], env: dict) -> str:
        """The chapter body as HTML."""
        tokens = self._take_note_bodies(tokens)
        renderer = _Renderer(self)
        return renderer.render(tokens, self.md.options, env)

    def _take_note_bodies(self, tokens: list[Token]) -> list[Token]:
        out, current, label = [], None, None
        inside = False
        for token in tokens:
            if token.type == "footnote_block_open":
                inside = True
            elif token.type == "footnote_block_close":
                inside = False
            elif token.type == "footnote_open":
                label, current = token.meta["label"], []
            elif token.type == "footnote_close":
                self.bodies[label] = current
            elif inside and current is not None and token.type != "footnote_anchor":
                current.append(token)
            elif not inside:
                out.append(token)
        return out

    # --- pieces --------------------------------------------------------------------

    def note(self, body_html: str, origin) -> str:
        """A numbered note at the current place."""
        number = len(self.notes) + 1
        ident = f"{self.anchor}-n{number}"
        self.notes.append(Note(number, ident, body_html, origin))
        at = policy.attr(ident)
        back = f'<a class="fn-num" href="#call-{at}">{number}</a>'
        # U+2060 WORD JOINER: the call never goes to the next line without the word it follows.
        return (f'\u2060<a class="call" id="call-{at}" href="#{at}">{number}</a>'
                f'<span class="fn" id="{at}">{back} {body_html}</span>')

    def citation(self, token: Token, following: Token | None) -> str:
        """A citation: a note of its own, or text when already inside a note. Inside a note the
        formatted reference keeps its closing period unless the editor's text goes on with other
        punctuation; a period written after it gives way to the formatter's (which Chicago puts
        inside closing quotes): `text()` leaves it out, see `period_taken`."""
        ref = record(token)
        items = ref.items if isinstance(ref, CiteRef) else ()
        text, self.seen = cite.format_note(items, self.ctx.source_map, self.seen,
                                            self.ctx.manifest.style)
        self.cited.extend(item.key for item in items)
        if not self.depth:
            return self.note(text, ref.loc if ref else None)
        after = following.content if following is not None and following.type == "text" else ""
        if after[:1] in (",", ";", ":", ")"):
            text = text[:-1] if text.endswith(".") else text[:-2] + "”" if text.endswith(".”") else text
        return text

    def period_taken(self, tokens: list[Token], idx: int) -> bool:
        """True when the text at idx starts with a period that an in-note citation just before it
        has already written."""
        return (bool(self.depth) and idx > 0 and tokens[idx - 1].type == "citation"
                and tokens[idx].content.startswith("."))

    def footnote(self, token: Token, renderer: "_Renderer", env: dict) -> str:
        """An editorial note: its body rendered here, at the call."""
        body = self.bodies.get(token.meta["label"], [])
        self.depth += 1
        parts = []
        for i, inline in enumerate(t for t in body if t.type == "inline"):
            html = renderer.renderInline(inline.children or [], self.md.options, env)
            parts.append(html if i == 0 else f'<span class="p">{html}</span>')
        self.depth -= 1
        place = record(token)
        return self.note(" ".join(parts).replace("\n", " "), place.loc if place else None)

    def name(self, token: Token) -> str:
        """A tagged name: printed as written, with an id for the index."""
        tag = record(token)
        text = tag.text.replace("'", "’")
        ident = f"{self.anchor}-m{len(self.mentions) + 1}"
        if tag.person:
            self.mentions.append(Mention(tag.person, ident, text, tag.loc))
        return f'<span class="nm" id="{policy.attr(ident)}">{policy.text(" ".join(text.split()))}</span>'


class _Renderer(RendererHTML):
    """markdown-it's HTML renderer with our tokens and print-minded output."""

    def __init__(self, writer: ChapterWriter):
        super().__init__()
        self.w = writer

    def name_tag(self, tokens, idx, options, env):
        return self.w.name(tokens[idx])

    def citation(self, tokens, idx, options, env):
        return self._between_calls(tokens, idx) + self.w.citation(
            tokens[idx], tokens[idx + 1] if idx + 1 < len(tokens) else None)

    def footnote_ref(self, tokens, idx, options, env):
        return self._between_calls(tokens, idx) + self.w.footnote(tokens[idx], self, env)

    def _between_calls(self, tokens, idx) -> str:
        """Two note calls side by side print "24,25", not "2425" (inside a note, a citation is text)."""
        if self.w.depth or idx == 0 or tokens[idx - 1].type not in ("citation", "footnote_ref"):
            return ""
        return '<span class="call-sep">,</span>'

    def text(self, tokens, idx, options, env):
        content = tokens[idx].content
        if self.w.period_taken(tokens, idx):
            content = content[1:]
        return policy.text(content)

    def html_inline(self, tokens, idx, options, env):
        return policy.render_html(tokens[idx].content)

    def html_block(self, tokens, idx, options, env):
        return ""  # only comments pass the check; they are dropped

    def softbreak(self, tokens, idx, options, env):
        return "\n" if not self.w.depth else " "

    def link_open(self, tokens, idx, options, env):
        token = tokens[idx]
        href = token.attrGet("href") or ""
        if href.startswith("#"):
            place = record(token)
            self.w.xrefs.append(CrossRef(href[1:], place.loc if place else None))
            kind = "xref in-parens" if _closes_parenthesis(tokens, idx) else "xref"
            return f'<a class="{kind}" href="{policy.attr(href)}">'
        return f'<a class="url" href="{policy.attr(href)}">' if not policy.check_href(href) else "<a>"

    def heading_open(self, tokens, idx, options, env):
        heading = record(tokens[idx])
        ident = heading.ident if isinstance(heading, HeadingId) else None
        attr = f' id="{policy.attr(ident)}"' if ident else ""
        return f"<{tokens[idx].tag}{attr}>"

    def fence(self, tokens, idx, options, env):
        token = tokens[idx]
        if token.info.strip() in figures.BLOCKS:
            return figures.render_block(token, self.w, self, env)
        return super().fence(tokens, idx, options, env)

    def image(self, tokens, idx, options, env):
        return figures.render_image(tokens[idx], self.w)


def _closes_parenthesis(tokens: list[Token], idx: int) -> bool:
    """True when the link at idx stands inside parentheses, as in "(see [the arrival](#arrival))":
    its page is then printed ", p. 34" rather than " (p. 34)", to avoid nested parentheses."""
    before = "".join(t.content for t in tokens[:idx] if t.type == "text")
    return before.count("(") > before.count(")")


class TitleRenderer(RendererHTML):
    """A title, subtitle or running head: inline Markdown and allowed raw HTML only; tags, citations,
    notes and links print as their text."""

    def text(self, tokens, idx, options, env):
        return policy.text(tokens[idx].content)

    def html_inline(self, tokens, idx, options, env):
        return policy.render_html(tokens[idx].content)

    def name_tag(self, tokens, idx, options, env):
        return policy.text(" ".join(record(tokens[idx]).text.split()))

    def citation(self, tokens, idx, options, env):
        return ""

    def footnote_ref(self, tokens, idx, options, env):
        return ""

    def link_open(self, tokens, idx, options, env):
        return ""

    def link_close(self, tokens, idx, options, env):
        return ""

    def image(self, tokens, idx, options, env):
        return policy.text("".join(c.content for c in tokens[idx].children or []))


def render_title(md: MarkdownIt, children: list[Token]) -> str:
    """Checked inline tokens of a title -> inline HTML."""
    return TitleRenderer().renderInline(children, md.options, {}).strip()
