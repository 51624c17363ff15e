"""The note numbers' widths -> the padding rules in book.css (run again when the notes' font or size changes).

A note starts with its number in a box at least 1.1em wide, then a space. An inline-block with
`min-width` draws that, but the engine measures an inline-block's content (shrink-to-fit) each time
it lays out the footnote area, which it does again for every note added to a page: on a 200-page
book of 400 notes that was about 2,500 inline-block layouts and 5 % of the whole run. The number
is therefore an inline box, and numbers narrower than 1.1em get the missing width as right padding,
one class per number (`n1` … `n99`, written by book/layout/render.py); three digits are always
wider. This script lays the numbers out in the engine, as inline boxes with book.css, and writes
those classes between the markers in book.css. tests/test_lighter.py checks that every note's text
starts where the inline-block put it.

Usage: python styles/make_note_numbers.py
"""

from __future__ import annotations

import re
from pathlib import Path

from weasyprint import HTML

HERE = Path(__file__).resolve().parent
BEGIN = "/* Note numbers, from styles/make_note_numbers.py: the width an inline number lacks to 1.1em. */"
END = "/* End of the note numbers. */"
MIN_WIDTH = 1.1
"""The number's box, in em of the note's type."""
LAST = 99
"""Three-digit numbers are always wider than MIN_WIDTH."""


def number_widths() -> dict[int, float]:
    """Note number -> the width of its inline box, in em, laid out with book.css."""
    notes = "".join(f'<span class="fn"><a class="fn-num">{n}</a> x</span>' for n in range(1, LAST + 1))
    html = (f'<html><head><link rel="stylesheet" href="{(HERE / "book.css").as_uri()}"><style>'
            '@page { size: A5 } .fn .fn-num[class] { padding: 0 }</style></head>'
            f'<body><section class="chapter"><p>{"Text. " * 40}{notes}</p></section></body></html>')
    document = HTML(string=html, base_url=HERE.as_uri() + "/").render()
    widths: dict[int, float] = {}

    def walk(box) -> None:
        if getattr(box, "element_tag", None) == "a" and "fn-num" in (box.element.get("class") or ""):
            text = "".join(getattr(child, "text", "") for child in box.children)
            if text:  # not the empty rest of a box split at a line's end
                widths[int(text)] = box.width / box.style["font_size"]
        for child in getattr(box, "children", ()):
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    missing = set(range(1, LAST + 1)) - set(widths)
    if missing:
        raise SystemExit(f"numbers not laid out: {sorted(missing)}")
    return widths


def rules(widths: dict[int, float]) -> str:
    """The padding rules, one per number narrower than MIN_WIDTH."""
    lines = [BEGIN]
    for number, width in sorted(widths.items()):
        if width < MIN_WIDTH:
            lines.append(f".fn .n{number} {{ padding-right: {MIN_WIDTH - width:.6f}em; }}")
    return "\n".join(lines + [END])


def main() -> None:
    sheet = HERE / "book.css"
    text = sheet.read_text(encoding="utf-8")
    block = rules(number_widths())
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        raise SystemExit(f"{sheet}: the markers are missing; put these two lines where the rules go:\n{BEGIN}\n{END}")
    sheet.write_text(pattern.sub(lambda _: block, text), encoding="utf-8")
    print(f"{sheet}: {block.count('padding-right')} note numbers padded")


if __name__ == "__main__":
    main()
