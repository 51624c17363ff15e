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
from html import escape

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token

from .. import cite
from ..model import CrossRef, Mention, Note
from . import figures
from .check import Context
from .parser import Locator, hyphen_safe


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
        back = f'<a class="fn-num" href="#call-{ident}">{number}</a>'
        # U+2060 WORD JOINER: the call never goes to the next line without the word it follows.
        return (f'\u2060<a class="call" id="call-{ident}" href="#{ident}">{number}</a>'
                f'<span class="fn" id="{ident}">{back} {body_html}</span>')

    def citation(self, token: Token, following: Token | None) -> str:
        """A citation: a note of its own, or text when already inside a note. Inside a note the
        formatted reference keeps its closing period unless the editor's text goes on with other
        punctuation; a period written after it gives way to the formatter's (which Chicago puts
        inside closing quotes)."""
        items = token.meta.get("items") or ()
        text, self.seen = cite.format_note(items, self.ctx.source_map, self.seen,
                                            self.ctx.manifest.style)
        self.cited.extend(item.key for item in items)
        if not self.depth:
            return self.note(text, token.meta.get("loc"))
        after = following.content if following is not None and following.type == "text" else ""
        if after.startswith("."):
            following.content = after[1:]
        elif after[:1] in (",", ";", ":", ")"):
            text = text[:-1] if text.endswith(".") else text[:-2] + "”" if text.endswith(".”") else text
        return text

    def footnote(self, token: Token, renderer: "_Renderer", env: dict) -> str:
        """An editorial note: its body rendered here, at the call."""
        body = self.bodies.get(token.meta["label"], [])
        self.depth += 1
        parts = []
        for i, inline in enumerate(t for t in body if t.type == "inline"):
            html = renderer.renderInline(inline.children or [], self.md.options, env)
            parts.append(html if i == 0 else f'<span class="p">{html}</span>')
        self.depth -= 1
        return self.note(" ".join(parts).replace("\n", " "), token.meta.get("loc"))

    def name(self, token: Token) -> str:
        """A tagged name: printed as written, with an id for the index."""
        text = token.meta["text"].replace("'", "’")
        ident = f"{self.anchor}-m{len(self.mentions) + 1}"
        person = token.meta.get("person")
        if person:
            self.mentions.append(Mention(person, ident, text, token.meta.get("loc")))
        return f'<span class="nm" id="{ident}">{escape(" ".join(text.split()))}</span>'


class _Renderer(RendererHTML):
    """markdown-it's HTML renderer with our tokens and print-minded output."""

    def __init__(self, writer: ChapterWriter):
        super().__init__()
        self.w = writer

    def name_tag(self, tokens, idx, options, env):
        return self.w.name(tokens[idx])

    def citation(self, tokens, idx, options, env):
        return self.w.citation(tokens[idx], tokens[idx + 1] if idx + 1 < len(tokens) else None)

    def footnote_ref(self, tokens, idx, options, env):
        return self.w.footnote(tokens[idx], self, env)

    def text(self, tokens, idx, options, env):
        return hyphen_safe(escape(tokens[idx].content, quote=False))

    def softbreak(self, tokens, idx, options, env):
        return "\n" if not self.w.depth else " "

    def link_open(self, tokens, idx, options, env):
        token = tokens[idx]
        href = token.attrGet("href") or ""
        if href.startswith("#"):
            self.w.xrefs.append(CrossRef(href[1:], token.meta.get("loc")))
            kind = "xref in-parens" if _closes_parenthesis(tokens, idx) else "xref"
            return f'<a class="{kind}" href="{escape(href)}">'
        return f'<a class="url" href="{escape(href)}">'

    def heading_open(self, tokens, idx, options, env):
        ident = tokens[idx + 1].meta.get("heading_id")
        attr = f' id="{escape(ident)}"' if ident else ""
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
