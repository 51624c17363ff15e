"""Checked ```table``` / ```figure``` blocks and images -> HTML tables and SVG charts.

A block names a YAML data file inside the book folder. Tables print chosen
columns; figures are drawn at build time as vector SVG (a time line, a bar
chart). Cell texts and captions are Markdown, so they may cite and tag names;
they are checked with the chapter (markup.check) and rendered here.
"""

from __future__ import annotations

from html import escape

from markdown_it.token import Token

from ..source.schema import Field, as_text
from .records import BlockSpec, Place, record

BLOCKS = frozenset({"table", "figure"})
CHARTS = {"timeline": ("date", "short"), "bars": ("label", "value")}
SPECS = {
    "table": {"data": Field("str", True, "a YAML file of rows, relative to book.yaml"),
              "columns": Field("map", True, "each row key with its column heading, as in `year: Year`"),
              "caption": Field("str"), "id": Field("str")},
    "figure": {"data": Field("str", True, "a YAML file, relative to book.yaml"),
               "chart": Field("str", True, "timeline or bars", choices=tuple(CHARTS)),
               "caption": Field("str", True, "what the figure shows, with its source"),
               "id": Field("str")},
}
IMAGE_TYPES = (".png", ".jpg", ".jpeg", ".svg")


def cell_text(value, language: str) -> str:
    """A number in a column of numbers, grouped by thousands as the language writes them (4,390).
    (A column that mixes numbers and text, such as years among dates, is left as written.)"""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 1000:
        grouped = f"{value:,}"
        return grouped if language.startswith("en") else grouped.replace(",", "\u202f")
    return as_text(value)



def render_block(token: Token, writer, renderer, env) -> str:
    """The HTML of a checked table or figure block."""
    meta = record(token)
    if not isinstance(meta, BlockSpec):
        return ""
    spec = meta.spec
    caption = renderer.renderInline(meta.caption.children, writer.md.options, env) if meta.caption else ""
    ident = f' id="{escape(as_text(spec["id"]))}"' if spec.get("id") else ""
    if token.info.strip() == "table":
        return _table(spec, meta, caption, ident, writer, renderer, env)
    chart = timeline_svg if spec["chart"] == "timeline" else bars_svg
    return (f'<figure class="chart"{ident}>{chart(meta.rows)}'
            f'<figcaption>{caption}</figcaption></figure>\n')


def is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _table(spec, meta, caption, ident, writer, renderer, env) -> str:
    columns = spec["columns"]
    head = "".join(f'<th class="col-{escape(k)}">{escape(as_text(v))}</th>' for k, v in columns.items())
    body = []
    for i, _ in enumerate(meta.rows):
        cells = "".join(
            f'<td class="col-{escape(k)}{" num" if k in meta.numeric else ""}">'
            f'{renderer.renderInline(meta.texts[(i, k)].children, writer.md.options, env)}</td>'
            for k in columns)
        body.append(f"<tr>{cells}</tr>")
    # The caption is a paragraph kept with the table: a <caption> can be left alone at a page's foot.
    cap = f'<p class="table-caption">{caption}</p>' if caption else ""
    return (f'{cap}<table class="data"{ident}><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>\n')


# --- charts ----------------------------------------------------------------------------

def _year(value) -> float:
    text = as_text(value)
    parts = [int(p) for p in text.split("-") if p.isdigit()]
    year = parts[0] if parts else 0
    month = parts[1] if len(parts) > 1 else 6
    return year + (month - 0.5) / 12


def timeline_svg(rows) -> str:
    """Dated rows -> a vertical time line: one evenly spaced line per event, the year printed at the
    first event of each year, and a break in the axis where more than ten years pass without an event."""
    events = sorted(((_year(r["date"]), as_text(r["short"])) for r in rows), key=lambda e: e[0])
    step, gap, top, axis, width = 10.5, 9.0, 8.0, 46.0, 300.0
    ys, y = [], top
    for index, (date, _) in enumerate(events):
        if index and date - events[index - 1][0] > 10:
            y += gap
        ys.append(y)
        y += step
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {ys[-1] + 8:.0f}" '
             'class="timeline" font-family="Literata" font-size="7.5">']
    start = ys[0]
    for index in range(1, len(events) + 1):
        if index == len(events) or ys[index] - ys[index - 1] > step:
            parts.append(f'<line x1="{axis}" y1="{start - 4:.1f}" x2="{axis}" y2="{ys[index - 1] + 4:.1f}" '
                         'stroke="black" stroke-width=".8"/>')
            if index < len(events):
                mid = (ys[index - 1] + ys[index]) / 2
                for shift in (-1.5, 1.5):  # an axis break: two short strokes
                    parts.append(f'<line x1="{axis - 3}" y1="{mid + shift + 1.5:.1f}" x2="{axis + 3}" '
                                 f'y2="{mid + shift - 1.5:.1f}" stroke="black" stroke-width=".6"/>')
                start = ys[index]
    for index, ((date, label), y) in enumerate(zip(events, ys)):
        if index == 0 or int(date) != int(events[index - 1][0]):
            parts.append(f'<text x="{axis - 8}" y="{y + 2.6:.1f}" text-anchor="end">{int(date)}</text>')
        parts.append(f'<circle cx="{axis}" cy="{y:.1f}" r="1.8" fill="black"/>')
        parts.append(f'<text x="{axis + 9}" y="{y + 2.6:.1f}">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def bars_svg(rows) -> str:
    """Labelled values -> a horizontal bar chart, largest first."""
    items = sorted(((as_text(r["label"]), float(r["value"])) for r in rows), key=lambda x: -x[1])
    width, row_h = 300.0, 12.0
    label_w = min(150.0, 10 + 4.3 * max(len(label) for label, _ in items))  # 8-unit Literata: ~4.3 per char
    top = max(v for _, v in items) or 1.0
    height = row_h * len(items) + 4
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
             f'class="bars" font-family="Literata" font-size="8">']
    for i, (label, value) in enumerate(items):
        y = 2 + i * row_h
        bar = (width - label_w - 40) * value / top
        parts.append(f'<text x="{label_w - 4}" y="{y + 8:.1f}" text-anchor="end">{escape(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 1.5:.1f}" width="{bar:.1f}" height="{row_h - 4:.1f}" '
                     'fill="#555"/>')
        shown = f"{value:,.0f}" if value >= 1 else f"{value:g}"
        parts.append(f'<text x="{label_w + bar + 3:.1f}" y="{y + 8:.1f}">{shown}</text>')
    parts.append("</svg>")
    return "".join(parts)



def render_image(token: Token, writer) -> str:
    """<img> with its alt text; the caption is the alt text when the image stands alone."""
    place = record(token)
    src = place.path if isinstance(place, Place) else None
    alt = "".join(c.content for c in token.children or [])
    return f'<img src="{escape(src or "")}" alt="{escape(alt)}">' if src else ""
