"""markdown-it tokens -> the same tokens checked and located: every tag, citation, note call, link,
raw HTML, table, figure and image is found at its file:line:col and checked against the registry,
the bibliography and the book folder; Markdown that would print literally is reported. What the
writer needs is left on each token as a typed record (records.py).
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field, replace

from markdown_it.token import Token

from .. import cite
from ..errors import Problems, suggest
from ..model import Location, Manifest, Person, Source
from ..paths import inside
from ..policy import Balance, check_href, check_html_block, check_id, read_html
from ..source.load import read_file
from ..source.schema import MarkedList, as_text, check_fields, read_yaml, show
from .figures import BLOCKS, CHARTS, IMAGE_TYPES, SPECS, cell_text, is_number
from .images import check_image_file
from .parser import Locator, Scanner, make_parser, normalize
from .records import BlockSpec, CiteRef, HeadingId, NameTag, Place, attach, record


@dataclass
class Context:
    """What every chapter is checked against: the manifest, the registry, the bibliography."""

    manifest: Manifest
    """book.yaml."""
    people: tuple[Person, ...] = ()
    """The names registry."""
    sources: tuple[Source, ...] = ()
    """The bibliography."""
    names_complete: bool = True
    """False when names.yaml had errors: a tag it cannot resolve may name a broken entry, so it
    is not reported (the registry's own errors are)."""
    sources_complete: bool = True
    """False when a sources file had errors: an unknown key is then not reported, likewise."""
    forms: dict[str, tuple[str, ...]] = field(default_factory=dict, init=False)
    """Normalised name or variant -> ids of the entries that carry it."""
    by_id: dict[str, Person] = field(default_factory=dict, init=False)
    """Registry id -> entry."""
    source_map: dict[str, Source] = field(default_factory=dict, init=False)
    """Citation key -> source."""

    def __post_init__(self):
        forms: dict[str, list[str]] = {}
        for person in self.people:
            for form in {normalize(f) for f in (person.name, *person.variants)}:
                forms.setdefault(form, []).append(person.id)
        self.forms = {k: tuple(v) for k, v in forms.items()}
        self.by_id = {p.id: p for p in self.people}
        self.source_map = {s.id: s for s in self.sources}


# --- first walk: locate and check ------------------------------------------------------

@dataclass
class Found:
    """What the first walk learned about a chapter."""

    ids: list[str] = field(default_factory=list)
    """Heading ids defined."""


NOTE_BLOCKS = {"fence": "a code block", "code_block": "a code block", "table_open": "a table",
               "heading_open": "a heading", "html_block": "raw HTML", "hr": "a rule",
               "bullet_list_open": "a list", "ordered_list_open": "a list", "blockquote_open": "a quotation"}
"""Blocks a note cannot hold (a note is printed as one run of text at the foot of the page)."""


def check_tokens(tokens: list[Token], env: dict, loc: Locator, ctx: Context,
                 problems: Problems) -> Found:
    """Locate every tag, citation, note call, link and raw HTML; report what is wrong."""
    found = Found()
    in_note = 0
    reported_to = 0  # a block in a note is reported once, not again for the blocks inside it
    for token in tokens:
        if token.type == "footnote_open":
            in_note += 1
        elif token.type == "footnote_close":
            in_note -= 1
        elif in_note and token.type in NOTE_BLOCKS and token.map and token.map[0] >= reported_to:
            reported_to = token.map[1]
            problems.error(loc.find(token.map, loc.lines[token.map[0] + loc.offset].strip()[:20]),
                           f"a note holds only paragraphs of text, and {NOTE_BLOCKS[token.type]} here would "
                           "not be printed; move it into the chapter text")
        if token.type == "heading_open" and token.tag == "h1":
            problems.error(loc.find(token.map, "#", 0), "a chapter has one title, in its front matter; "
                           "use ## for sections")
        if token.type == "heading_open" and isinstance(record(token), HeadingId):
            check_heading_id(token, loc, problems, found)
        if token.type == "html_block":
            message = check_html_block(token.content)
            if message:
                problems.error(loc.find(token.map, token.content.strip().split("\n")[0][:20], 0), message)
        if token.type == "fence" and token.info.strip() in BLOCKS:
            check_block(token, loc, ctx, problems)
        if token.type == "inline":
            check_inline(token, loc, ctx, problems, found)
    check_note_definitions(env, loc, problems)
    return found


def check_heading_id(token: Token, loc: Locator, problems: Problems, found: Found) -> None:
    """A heading's {#id}: well formed and used once in the chapter."""
    heading = record(token)
    where = loc.find(token.map, "{#" + heading.ident)
    attach(token, replace(heading, loc=where))
    message = check_id(heading.ident)
    if message:
        problems.error(where, message)
    elif heading.ident in found.ids:
        problems.error(where, f'heading id "{heading.ident}" is used twice in this chapter; '
                       "give this heading another id")
    else:
        found.ids.append(heading.ident)


def check_note_definitions(env: dict, loc: Locator, problems: Problems) -> None:
    """A note written twice (the first text would be lost), and a note written but never called."""
    data = env.get("footnotes", {})
    called = {v.get("label") for v in data.get("list", {}).values()}
    first: dict[str, int] = {}
    for label, block in env.get("note_definitions", []):
        where = loc.find(block, f"[^{label}]:")
        if label in first:
            problems.error(where, f"note [^{label}] is written twice (first at line {first[label]}); "
                           "keep one text, or give this one a label of its own and call it")
            continue
        first[label] = where.line
        if label not in called:
            problems.warn(where, f"note [^{label}] is written but never called; call it or delete it")


LITERAL = re.compile(
    r"(?P<note>\[\^(?P<label>[^\]\s]*)(?P<closed>\])?)"
    r"|(?P<cite>\[-?@[^\[\]]{0,30})(?P<cite_closed>\])?"
    r"|(?P<empty>\[\[\s*\]\])"
    r"|(?P<tag>\[\[[^\[\]]{0,30})"
    r"|(?P<mark>==(?=[^\s=])[^=\n]*?==)"
    r"|(?P<strike>~~(?=[^\s~])[^~\n]*?~~)"
    r"|(?P<id>\{#[^{}\s]*\})")
"""Markdown left as text by the parser, which would be printed as written."""


def literal_markup(match: re.Match) -> str:
    """What is wrong with one piece of LITERAL, and what to do."""
    text = match.group(0).rstrip()
    if match.group("note") is not None:
        label = match.group("label")
        if match.group("closed"):
            return f"note [^{label}] is called but never written; add a line '[^{label}]: …' or remove the call"
        if label.endswith(":"):
            return f"note definition `{text}` has no closing bracket; write [^{label[:-1]}]: and the note"
        clean = label.rstrip(".,;:!?)")
        return f"note call `{text}` has no closing bracket; write [^{clean or 'label'}]"
    if match.group("cite") is not None:
        if match.group("cite_closed"):
            return (f"`{text}` is not a citation: a source key follows @ at once; write it as "
                    "[@key, p. 3]")
        return f"citation `{text}` has no closing bracket; close it with ], as in [@key, p. 3]"
    if match.group("empty") is not None:
        return "an empty name tag [[ ]]; write the name inside, as [[Aziza Ryskulova]], or delete it"
    if match.group("tag") is not None:
        return f"name tag `{text}` has no closing ]]; close it, as in [[Aziza Ryskulova]]"
    if match.group("mark") is not None:
        return (f"{text} would be printed as written (a book has no highlighter); "
                f"write *{text[2:-2]}* for emphasis, or remove the ==")
    if match.group("strike") is not None:
        return f"{text} would be printed as written; delete the words, or write <s>{text[2:-2]}</s>"
    return (f"{text} would be printed as written; an id is read only at the end of a heading line, "
            "as in ## Arrival {#arrival}")


def check_inline(block: Token, loc: Locator, ctx: Context, problems: Problems, found: Found) -> None:
    """Locate and check every piece of one inline block, in the order written."""
    scanner = loc.scanner(block.map)
    balance = Balance()
    children = block.children or []
    for index, child in enumerate(children):
        if child.type == "name_tag":
            tag = record(child)
            tag = attach(child, replace(tag, loc=scanner.next(tag.raw)))
            attach(child, replace(tag, person=resolve_name(tag, ctx, problems)))
        elif child.type == "citation":
            ref = record(child)
            ref = attach(child, replace(ref, loc=scanner.next(ref.raw)))
            attach(child, replace(ref, items=_parse_cite(ref, ctx, problems)))
        elif child.type == "footnote_ref":
            label = child.meta["label"]
            place = attach(child, Place(scanner.next(f"[^{label}]")))
            if child.meta.get("subId", 0) > 0:
                problems.error(place.loc, f"note [^{label}] is called twice; a note has one call, "
                               "so give the second a note of its own")
        elif child.type == "link_open":
            auto = child.markup == "autolink" and index + 1 < len(children)
            attach(child, Place(scanner.next("<" + children[index + 1].content if auto
                                             else "](" + (child.attrGet("href") or ""))))
            check_link(child, problems)
        elif child.type == "image":
            attach(child, Place(scanner.next("![")))
            check_image(child, loc, ctx, problems)
        elif child.type == "html_inline":
            place = attach(child, Place(scanner.next(child.content)))
            tag, message = read_html(child.content)
            message = message or (balance.add(tag, place.loc) if tag else None)
            if message:
                problems.error(place.loc, message)
        elif child.type == "code_inline":  # step over it: what looks like markup inside is code
            scanner.next((child.content.split() or ["`"])[0])  # its line breaks were made spaces
        elif child.type == "text":
            check_text(child.content, scanner, problems)
    for at, message in balance.unclosed():
        problems.error(at, message)


def check_text(text: str, scanner: Scanner, problems: Problems) -> None:
    """Report Markdown that the parser left as text (an unclosed bracket, ==marks==, ~~strikes~~)."""
    for match in LITERAL.finditer(text):
        problems.error(scanner.next(match.group(0)), literal_markup(match))


def resolve_name(tag: NameTag, ctx: Context, problems: Problems) -> str | None:
    """The registry id a [[tag]] stands for, or None after reporting why."""
    text, ident, where = tag.text, tag.ident, tag.loc
    if text.strip().startswith("#"):
        problems.error(where, f"{tag.raw} looks like a link to a heading; write a cross-reference "
                       "[the words](#heading-id) to a heading that ends with {#heading-id}")
        return None
    if ident is not None:
        if ident in ctx.by_id:
            return ident
        if ctx.names_complete:
            problems.error(where, f'unknown person id "{ident}" in {tag.raw}; {_near_ids(ident, ctx)}')
        return None
    ids = ctx.forms.get(normalize(text), ())
    if len(ids) == 1:
        return ids[0]
    if ids:
        choices = ", ".join(ids)
        problems.error(where, f'"{text}" matches several people ({choices}); write [[{text}|id]] with one of them')
        return None
    if ctx.names_complete:
        problems.error(where, f'unknown person "{normalize(text)}"; {_near_names(text, ctx)}')
    return None


def _near_names(text: str, ctx: Context) -> str:
    close = difflib.get_close_matches(normalize(text), list(ctx.forms), n=3, cutoff=0.6)
    if not close:
        return "add the person to names.yaml, or write [[text|id]] with a registry id"
    return "did you mean " + " or ".join(f'"{c}" ({", ".join(ctx.forms[c])})' for c in close) + "?"


def _near_ids(ident: str, ctx: Context) -> str:
    return suggest(ident, sorted(ctx.by_id)).replace("known keys", "known ids")


def _parse_cite(ref: CiteRef, ctx: Context, problems: Problems) -> tuple:
    where = ref.loc
    try:
        items = cite.parse_citation(ref.inner)
    except cite.CitationError as exc:
        problems.error(Location(where.path, where.line, where.col + 1 + exc.offset), f"{exc.message}")
        return ()
    for item in items:
        if item.key not in ctx.source_map:
            if not ctx.sources_complete:
                return ()
            at = Location(where.path, where.line, where.col + 1 + item.offset)
            problems.error(at, f'unknown source "@{item.key}"; '
                           + suggest(item.key, sorted(ctx.source_map)).replace("known keys", "known sources"))
            return ()
    return items


def check_link(token: Token, problems: Problems) -> None:
    """Links go to #ids in the book or to web pages; nothing else is allowed (policy.check_href)."""
    message = check_href(token.attrGet("href") or "")
    if message:
        problems.error(record(token).loc, message)


# --- tables, figures and images ----------------------------------------

def check_block(token: Token, loc, ctx, problems: Problems) -> None:
    """Read and check a table or figure block; leave a BlockSpec record for rendering."""

    kind = token.info.strip()
    first = (token.map[0] if token.map else 0) + loc.offset + 1
    before = len(problems.errors)
    spec = read_yaml(token.content, loc.path, problems, line_offset=first)
    if spec is None and len(problems.errors) > before:
        return
    if not check_fields(spec, SPECS[kind], problems, f"a {kind} block", Location(loc.path, first, 1)):
        return
    if spec.get("id") is not None and check_id(as_text(spec["id"])):
        problems.error(spec.where("id", True), check_id(as_text(spec["id"])))
    if kind == "table" and "columns" in spec and not spec["columns"]:
        problems.error(spec.where("columns", True), "`columns` is empty; list each row key with its "
                       "heading, as in `name: Name`")
    if len(problems.errors) > before:
        return
    path = inside(ctx.manifest.root, as_text(spec["data"]), spec.where("data", True), problems, "data file")
    if path is None:
        return
    text = read_file(path, problems)
    rows = read_yaml(text, path, problems) if text else None
    if len(problems.errors) > before:
        return
    if not isinstance(rows, MarkedList) or not all(isinstance(r, dict) for r in rows):
        problems.error(Location(path, 1, 1), "a data file must be a YAML list of mappings, one per row")
        return
    if not rows:
        problems.error(Location(path, 1, 1), f"the data file has no rows, so the {kind} would be empty; "
                       "add rows, each starting with '- '")
        return
    need = list(spec["columns"]) if kind == "table" else list(CHARTS[spec["chart"]])
    for i, row in enumerate(rows):
        for key in need:
            if key not in row:
                problems.error(rows.where(i), f"this row has no `{key}`; the {kind} block at "
                               f"{loc.path.name}:{first} needs it")
            elif kind == "figure" and spec["chart"] == "bars" and key == "value" and not _amount(row[key]):
                problems.error(row.where(key, True), f"a bar's `value` must be a number of 0 or more; "
                               f"it is {show(row[key])}")
    if len(problems.errors) > before:
        return
    md = _parser(ctx)
    data_loc = Locator(path, text.split("\n"), 0)
    texts = {}
    numeric = {k for k in (spec["columns"] if kind == "table" else ()) if all(is_number(r.get(k)) for r in rows)}
    for i, row in enumerate(rows):
        for key in (spec["columns"] if kind == "table" else ()):
            value = row.get(key)
            text = cell_text(value, ctx.manifest.language) if key in numeric else as_text(value)
            texts[(i, key)] = check_inline_text(md, text, data_loc,
                                      row.where(key, True).line, ctx, problems)
    caption = check_inline_text(md, as_text(spec.get("caption", "")), loc, spec.where("caption", True).line,
                      ctx, problems) if spec.get("caption") else None
    attach(token, BlockSpec(spec=spec, rows=tuple(rows), texts=texts, caption=caption,
                            numeric=frozenset(numeric)))


def _amount(value) -> bool:
    return is_number(value) and math.isfinite(value) and value >= 0


def _parser(ctx):
    return make_parser(ctx.manifest.language)


def check_inline_text(md, text, loc, line, ctx, problems) -> Token:
    """A YAML value written at line, parsed as inline Markdown and checked like chapter text."""
    env: dict = {}
    block = Token("inline", "", 0)
    block.content = text
    block.map = [line - 1 - loc.offset, line + text.count("\n") + 2 - loc.offset]
    block.children = []
    md.inline.parse(text, md, env, block.children)
    check_inline(block, loc, ctx, problems, Found())
    return block



# --- images ----------------------------------------------------------------------------

def check_image(token: Token, loc, ctx, problems: Problems) -> None:
    """An image must be a PNG, JPEG or SVG file inside the book folder."""
    src = token.attrGet("src") or ""
    where = record(token).loc or Location(loc.path)
    if not src.lower().endswith(IMAGE_TYPES):
        problems.error(where, f'image "{src}" must be a .png, .jpg or .svg file')
        return
    path = inside(ctx.manifest.root, src, where, problems, "image")
    if path is None:
        return
    message = check_image_file(path)
    if message:
        problems.error(where, f'image "{src}" {message}')
        return
    attach(token, Place(where, path.relative_to(ctx.manifest.root).as_posix()))
