"""markdown-it tokens -> the same tokens checked and located: every tag, citation, note call, link,
raw HTML, table, figure and image is found at its file:line:col and checked against the registry,
the bibliography and the book folder. What the writer needs is left in token.meta.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from markdown_it.token import Token

from .. import cite
from ..errors import Problems, suggest
from ..model import Location, Manifest, Person, Source
from ..paths import inside
from ..policy import Balance, check_href, check_html_block, check_id, read_html
from ..source.load import read_file
from ..source.schema import MarkedList, as_text, check_fields, read_yaml
from .figures import BLOCKS, CHARTS, IMAGE_TYPES, SPECS, cell_text, is_number
from .images import check_image_file
from .parser import Locator, make_parser, normalize

UNDEFINED_NOTE = re.compile(r"\[\^([^\]\s]+)\]")
HEADING_ID = re.compile(r"\s*\{#([^{}\s]*)\}\s*$")


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
        if token.type == "html_block":
            message = check_html_block(token.content)
            if message:
                problems.error(loc.find(token.map, token.content.strip().split("\n")[0][:20], 0), message)
        if token.type == "fence" and token.info.strip() in BLOCKS:
            check_block(token, loc, ctx, problems)
        if token.type == "inline":
            check_inline(token, loc, ctx, problems, found)
    _check_unused_notes(env, loc, problems)
    return found


def check_inline(block: Token, loc: Locator, ctx: Context, problems: Problems, found: Found) -> None:
    counts: dict[str, int] = {}

    def where(needle: str) -> Location:
        nth = counts.get(needle, 0)
        counts[needle] = nth + 1
        return loc.find(block.map, needle, nth)

    children = block.children or []
    if children and children[-1].type == "text" and HEADING_ID.search(children[-1].content):
        ident = HEADING_ID.search(children[-1].content).group(1)
        message = check_id(ident)
        if message:
            problems.error(where("{#" + ident), message)
        children[-1].content = HEADING_ID.sub("", children[-1].content)
        block.meta["heading_id"] = ident
        found.ids.append(ident)
    balance = Balance()
    for index, child in enumerate(children):
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
            auto = child.markup == "autolink" and index + 1 < len(children)
            child.meta["loc"] = where("<" + children[index + 1].content if auto else "](" + child.attrGet("href"))
            check_link(child, problems)
        elif child.type == "image":
            child.meta["loc"] = where("![")
            check_image(child, loc, ctx, problems)
        elif child.type == "html_inline":
            child.meta["loc"] = where(child.content)
            tag, message = read_html(child.content)
            message = message or (balance.add(tag, child.meta["loc"]) if tag else None)
            if message:
                problems.error(child.meta["loc"], message)
        elif child.type == "text":
            for match in UNDEFINED_NOTE.finditer(child.content):
                problems.error(where(match.group(0)), f"note [^{match.group(1)}] is called but never "
                               f"written; add a line '[^{match.group(1)}]: …' or remove the call")
            child.meta["loc"] = loc.find(block.map, child.content[:30], 0) if child.content.strip() else None
    for at, message in balance.unclosed():
        problems.error(at, message)


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


def check_link(token: Token, problems: Problems) -> None:
    """Links go to #ids in the book or to web pages; nothing else is allowed (policy.check_href)."""
    message = check_href(token.attrGet("href") or "")
    if message:
        problems.error(token.meta["loc"], message)


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



# --- tables, figures and images ----------------------------------------

def check_block(token: Token, loc, ctx, problems: Problems) -> None:
    """Read and check a table or figure block; keep what rendering needs in token.meta."""

    kind = token.info.strip()
    first = (token.map[0] if token.map else 0) + loc.offset + 1
    spec = read_yaml(token.content, loc.path, problems, line_offset=first)
    before = len(problems.errors)
    if not check_fields(spec, SPECS[kind], problems, f"a {kind} block", Location(loc.path, first, 1)) \
            or len(problems.errors) > before:
        return
    if spec.get("id") is not None and check_id(as_text(spec["id"])):
        problems.error(spec.where("id", True), check_id(as_text(spec["id"])))
    if kind == "figure" and as_text(spec.get("chart")) not in CHARTS:
        problems.error(spec.where("chart", True), f'unknown chart "{spec.get("chart")}"; use timeline or bars')
        return
    path = inside(ctx.manifest.root, as_text(spec["data"]), spec.where("data", True), problems, "data file")
    if path is None:
        return
    text = read_file(path, problems)
    if len(problems.errors) > before:
        return
    lines = text.split("\n")
    rows = read_yaml(text, path, problems)
    if not isinstance(rows, MarkedList) or not all(isinstance(r, dict) for r in rows):
        problems.error(Location(path, 1, 1), "a data file must be a YAML list of mappings, one per row")
        return
    if not check_rows(kind, spec, rows, f"the {kind} block at {loc.path.name}:{first}", problems):
        return
    md = _parser(ctx)
    data_loc = Locator(path, lines, 0)
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
    token.meta.update(spec=spec, rows=rows, texts=texts, caption=caption, numeric=numeric)



def check_rows(kind: str, spec, rows: MarkedList, block: str, problems: Problems) -> bool:
    """A table's or chart's rows: at least one, each with the keys the block needs, bar values numbers
    of zero or more; True when they can be drawn."""
    before = len(problems.errors)
    if kind == "table" and not spec["columns"]:
        problems.error(spec.where("columns", True), "columns is empty; give at least one row key and its heading")
    if not rows:
        problems.error(rows.where(), f"the data file has no rows; {block} needs at least one")
    need = list(spec["columns"]) if kind == "table" else list(CHARTS[spec["chart"]])
    for i, row in enumerate(rows):
        for key in need:
            if key not in row:
                problems.error(rows.where(i), f"this row has no `{key}`; {block} needs it")
        value = row.get("value")
        if kind == "figure" and spec["chart"] == "bars" and "value" in row \
                and not (is_number(value) and 0 <= value < float("inf")):
            problems.error(row.where("value", True), f"value {value!r} is not a number of zero or more; "
                           "write a number such as 4390")
    return len(problems.errors) == before


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
    where = token.meta.get("loc") or Location(loc.path)
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
    token.meta["path"] = path.relative_to(ctx.manifest.root).as_posix()
