"""The schema declarations, the commands and the real error messages -> docs/editing.md.

`python -m book.docs` writes docs/editing.md from docs/editing.md.j2: the prose is written by
hand there; every table of fields, types, locators, tags and options, and every error message
shown, is made here from the declarations the tool itself checks against (and the messages
from running it on small broken books), so the guide cannot drift from the tool.
tests/test_docs.py fails when docs/editing.md differs from what this writes.
"""

from __future__ import annotations

import ast
import inspect
import sys
import tempfile
from pathlib import Path

import click
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .cite.parse import LABELS
from .errors import BookError
from .markup.book import load_book
from .markup.figures import CHARTS, IMAGE_TYPES, SPECS
from .model import FRONT_KINDS, HOUSE_STYLES, KINDS, HouseStyle
from .policy import SAFE_ATTRS, SAFE_TAGS
from .source import bibliography, bibtex, csl
from .source.load import FRONT_MATTER, MANIFEST, MANIFEST_DEFAULTS, PERSON
from .source.schema import Field

DOCS = Path(__file__).resolve().parent.parent / "docs"
"""The repository's docs folder."""
TEMPLATE = "editing.md.j2"
TARGET = DOCS / "editing.md"

KIND_WORDS = {"str": "text", "strlist": "text or list", "int": "whole number", "number": "number",
              "list": "list", "length": "length", "size": "width height", "map": "mapping",
              "any": "anything", "path": "file"}
"""Field kinds in an editor's words."""


def render() -> str:
    """The text of docs/editing.md."""
    env = Environment(loader=FileSystemLoader(DOCS), undefined=StrictUndefined, keep_trailing_newline=True,
                      comment_start_string="<!--#", comment_end_string="#-->",  # {#id} is Markdown here
                      autoescape=False)
    return env.get_template(TEMPLATE).render(**tables())


def tables() -> dict[str, str]:
    """Every generated part of the guide, by the name the template uses."""
    return {
        "manifest": fields_table(MANIFEST, defaults=True),
        "house_style": house_style_table(),
        "front_matter": fields_table(FRONT_MATTER),
        "kinds": ", ".join(f"`{k}`" for k in sorted(KINDS)),
        "front_kinds": ", ".join(f"`{k}`" for k in sorted(FRONT_KINDS & KINDS)),
        "person": fields_table(PERSON),
        "source_types": source_types_table(),
        "source_fields": source_fields_table(),
        "csl_types": mapping_table(csl.TYPES, "CSL type"),
        "csl_fields": mapping_table(csl.FIELDS, "CSL variable"),
        "bib_types": mapping_table(bibtex.TYPES, "entry type", prefix="@"),
        "bib_fields": mapping_table(bibtex.FIELDS, "BibTeX field"),
        "blocks": blocks_table(),
        "charts": ", ".join(f"`{name}` (each row with {' and '.join(f'`{c}`' for c in cols)})"
                            for name, cols in CHARTS.items()),
        "image_types": ", ".join(IMAGE_TYPES),
        "locators": locators_table(),
        "html_tags": ", ".join(f"`<{t}>`" for t in sorted(SAFE_TAGS)),
        "html_attrs": ", ".join(f"`{a}`" for a in sorted(SAFE_ATTRS)),
        "commands": commands_text(),
        "errors": errors_text(),
    }


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def fields_table(fields: dict[str, Field], defaults: bool = False) -> str:
    """A table of declared fields: name, required, kind, meaning (and the default)."""
    head = "| field | required | value | meaning |" + (" default |" if defaults else "")
    rule = "|---|---|---|---|" + ("---|" if defaults else "")
    rows = [head, rule]
    for name, spec in fields.items():
        row = f"| `{name}` | {'yes' if spec.required else ''} | {KIND_WORDS[spec.kind]} | {cell(spec.doc)} |"
        if defaults:
            row += f" {cell(default_text(name))} |"
        rows.append(row)
    return "\n".join(rows)


def house_style_table() -> str:
    """book.yaml `style`: each key, the values it takes, its default and what it decides."""
    defaults = HouseStyle()
    docs = field_docs(HouseStyle)
    rows = ["| key | values | default | what it decides |", "|---|---|---|---|"]
    for key, values in HOUSE_STYLES.items():
        rows.append(f"| `{key}` | {', '.join(f'`{v}`' for v in values)} | `{getattr(defaults, key)}` | "
                    f"{cell(docs.get(key, ''))} |")
    return "\n".join(rows)


def field_docs(cls) -> dict[str, str]:
    """The one-line docstring under each field of a dataclass, by field name."""
    body = ast.parse(inspect.getsource(cls)).body[0].body
    return {a.target.id: b.value.value for a, b in zip(body, body[1:])
            if isinstance(a, ast.AnnAssign) and isinstance(a.target, ast.Name)
            and isinstance(b, ast.Expr) and isinstance(b.value, ast.Constant)}


def default_text(name: str) -> str:
    """The default of a book.yaml key as an editor would write it."""
    value = MANIFEST_DEFAULTS.get(name)
    if name not in MANIFEST_DEFAULTS or value in ("", (), None):
        return ""
    if name == "trim":
        return f"{value[0]:g}mm {value[1]:g}mm"
    if MANIFEST[name].kind == "length":
        return f"{value:g}mm"
    return str(value)


def source_types_table() -> str:
    """One row per source type: what it is for, its required and its optional fields."""
    rows = ["| type | for | must have | may have |", "|---|---|---|---|"]
    for kind in bibliography.TYPES:
        required = [f"`{f}`" for f in bibliography.REQUIRED[kind]]
        if kind in bibliography.ONE_OF:
            required.append(" or ".join(f"`{f}`" for f in bibliography.ONE_OF[kind]))
        optional = [f"`{f}`" for f in bibliography.OPTIONAL[kind] if f not in bibliography.ONE_OF.get(kind, ())]
        rows.append(f"| `{kind}` | {bibliography.TYPE_DOCS[kind]} | {', '.join(required)} | {', '.join(optional)} |")
    return "\n".join(rows)


def source_fields_table() -> str:
    """Every source field with its meaning, and the fields that mean another for some type."""
    rows = ["| field | meaning |", "|---|---|", "| `id` | the citation key, written after `@` |",
            "| `type` | one of the types above |"]
    rows += [f"| `{name}` | {cell(doc)} |" for name, doc in bibliography.FIELDS.items()]
    same = "; ".join(f"a {kind}'s `{name}` is its `{means}`" for (kind, name), means in bibliography.SAME_AS.items())
    return "\n".join(rows) + f"\n\nFields that mean another for one type: {same}."


def mapping_table(mapping: dict[str, str], what: str, prefix: str = "") -> str:
    """A format's names -> ours, grouped by our name."""
    ours: dict[str, list[str]] = {}
    for theirs, mine in mapping.items():
        ours.setdefault(mine, []).append(f"`{prefix}{theirs}`")
    rows = [f"| {what} | read as |", "|---|---|"]
    rows += [f"| {', '.join(names)} | `{mine}` |" for mine, names in ours.items()]
    return "\n".join(rows)


def blocks_table() -> str:
    """The keys of ```table and ```figure blocks."""
    rows = ["| block | key | required | meaning |", "|---|---|---|---|"]
    for block, fields in SPECS.items():
        for name, spec in fields.items():
            rows.append(f"| `{block}` | `{name}` | {'yes' if spec.required else ''} | {cell(spec.doc)} |")
    return "\n".join(rows)


def locators_table() -> str:
    """The locator words a citation accepts, and how the note prints them."""
    rows = ["| locator | you may write | printed |", "|---|---|---|"]
    for kind, (one, many, words) in LABELS.items():
        printed = "the number alone: `3`, `4–5`" if not one else f"`{one} 2`, `{many} 2–3`"
        rows.append(f"| {kind} | {', '.join(f'`{w}`' for w in words.split())} | {printed} |")
    return "\n".join(rows)


def commands_text() -> str:
    """Every command with its options, from the command line's own declarations."""
    from .cli import main

    order = ["check", "build", "watch", "preflight", "new"]
    parts = []
    for name in sorted(main.commands, key=lambda n: order.index(n) if n in order else len(order)):
        command = main.commands[name]
        ctx = click.Context(command, info_name=f"book {name}")
        parts.append(f"### `book {name}`\n\n{command.help}\n\n```\n{command.get_usage(ctx)}\n```\n")
        rows = []
        for param in command.params:
            if isinstance(param, click.Option):
                names = ", ".join(f"`{o}`" for o in param.opts + param.secondary_opts)
                shown = param.default if param.show_default and param.default is not None else ""
                default = f" (default: `{shown}`)" if shown not in ("", None) else ""
                choices = (f" One of {', '.join(f'`{c}`' for c in param.type.choices)}."
                           if isinstance(param.type, click.Choice) else "")
                rows.append(f"| {names} | {cell((param.help or '') + choices)}{default} |")
        if rows:
            parts.append("| option | what it does |\n|---|---|\n" + "\n".join(rows) + "\n")
    return "\n".join(parts).rstrip()


# --- the common errors, as the tool reports them ---------------------------------------------

BASE = {
    "book.yaml": "title: A Book\nnames: names.yaml\nsources: sources.yaml\ncontents:\n  - 01-start.md\n",
    "names.yaml": "- id: example-ana\n  name: Ana Example\n  sort: Example, Ana\n",
    "sources.yaml": ("- id: example-history\n  type: book\n  title: A History\n  author: Ana Example\n"
                     "  publisher: Example Press\n  date: 1975\n"),
    "01-start.md": ("---\ntitle: Start\n---\n\n[[Ana Example]] kept the mill.[@example-history, p. 3]\n\n"
                    "## The mill {#mill}\n\nSee [the mill](#mill).\n"),
}
"""A correct small book; each common error changes one file of it."""

COMMON_ERRORS: list[tuple[str, str, str, str, str]] = [
    ("A person who is not in names.yaml", "01-start.md", "[[Ana Example]]", "[[Anna Example]]",
     "Correct the spelling, or add the form to the person's `variants` in names.yaml, or write "
     "`[[Anna|example-ana]]` to tag another form."),
    ("A citation key that is not in sources.yaml", "01-start.md", "[@example-history, p. 3]",
     "[@example-histroy, p. 3]", "Copy the key from sources.yaml (the `id:` of the entry)."),
    ("A page that is not a locator", "01-start.md", "[@example-history, p. 3]",
     "[@example-history, page three]", "Write the number: `p. 3`, `pp. 4–5`, `chap. 2` (see the "
     "locators above)."),
    ("A note that is called but not written", "01-start.md", "kept the mill.",
     "kept the mill.[^mill]", "Write the note at the end of the chapter: `[^mill]: The text.`"),
    ("A cross-reference to a heading that has no such id", "01-start.md", "[the mill](#mill)",
     "[the mill](#mil)", "Use the id written after the heading in `{#…}`."),
    ("A misspelt key in front matter", "01-start.md", "title: Start", "titel: Start",
     "Correct the key; the guide's table of front matter fields lists them all."),
    ("A colon in a title", "01-start.md", "title: Start", "title: Start: The Mill",
     "Put the title in quotes: `title: \"Start: The Mill\"`."),
    ("A chapter listed in book.yaml that is not there", "book.yaml", "  - 01-start.md",
     "  - 01-start.md\n  - 02-next.md", "Correct the file name in `contents`, or create the file."),
    ("A source without a field its type needs", "sources.yaml", "  publisher: Example Press\n", "",
     "Add the field (the table of source types says which each type needs)."),
    ("Raw HTML that is not allowed", "01-start.md", "kept the mill.",
     "kept the <div>mill</div>.", "Write Markdown instead; only a few inline tags are allowed (above)."),
]
"""(what, file, text replaced, replacement, what to do): the mistakes editors make most."""


def error_message(file: str, old: str, new: str) -> str:
    """What `book check` reports for the base book with one change, one message a line, the paths
    relative to the book."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "book"
        root.mkdir()
        for name, text in BASE.items():
            (root / name).write_text(text.replace(old, new) if name == file else text, encoding="utf-8")
        try:
            load_book(root)
        except BookError as error:
            return "\n".join(str(p).replace(f"{root}/", "") for p in error.problems if p.severity == "error")
    raise AssertionError(f"{file}: {new!r} passed the checks; it is not an error example")


def errors_text() -> str:
    """The common errors: what was written, what the tool says, what to do."""
    parts = []
    for number, (title, file, old, new, fix) in enumerate(COMMON_ERRORS, 1):
        wrote = new.strip("\n") or f"(no `{old.strip().split(':')[0]}` line)"
        parts.append(f"{number}. **{title}.** In `{file}`:\n\n   ```\n   {indent(wrote)}\n"
                     f"   ```\n\n   `book check` says:\n\n   ```\n   {indent(error_message(file, old, new))}\n   ```\n\n"
                     f"   {fix}\n")
    return "\n".join(parts).rstrip()


def indent(text: str) -> str:
    """Lines after the first indented to sit inside a numbered list item."""
    return text.replace("\n", "\n   ")


def main() -> int:
    """Write docs/editing.md; with --check, only say whether it is up to date (exit 1 if not)."""
    text = render()
    if "--check" in sys.argv[1:]:
        same = TARGET.is_file() and TARGET.read_text(encoding="utf-8") == text
        print(f"{TARGET} is {'up to date' if same else 'out of date; run python -m book.docs'}")
        return 0 if same else 1
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
