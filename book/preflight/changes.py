"""Two PDFs of the book -> the pages that differ: what a print shop asks before it accepts a
corrected file.

Each page is reduced to what prints: its text (with the place and size of every line), its images
(size, place and pixels) and its vector drawing (every path and colour operator, numbers rounded to
a hundredth of a point), read through our own content-stream walk (pdfscan), forms included. Names
that differ from build to build without changing the print (font subset prefixes, resource names,
marked-content ids) are left out. The pages of the two files are aligned on what they print
between the margins, so that a page which only moved, or whose only change is its folio or
running head, is told apart from a page whose text changed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

from pypdf import PdfReader

from ..model import PT_PER_MM
from .pdfscan import Scan, read_operations

MARGIN_MM = 15.0
"""Text wholly within this distance of the trim's top or bottom edge is a running head or folio."""
TEXT_OPS = frozenset({"BT", "ET", "Tf", "Tj", "TJ", "'", '"', "Tm", "Td", "TD", "T*", "Tc", "Tw", "Tz",
                      "TL", "Ts", "Tr", "BDC", "BMC", "EMC", "MP", "DP", "Do", "gs", "BX", "EX"})
"""Operators left out of the drawing signature: text (read through the scan instead), marked
content (ids differ between builds), XObjects and graphics states (their names differ; forms are
walked, images read through the scan)."""


@dataclass(frozen=True)
class PageSignature:
    """What one page prints, reduced to two digests."""

    body: str
    """Digest of the text between the margins, the images and the drawing."""
    whole: str
    """Digest of everything, running head and folio included."""


@dataclass(frozen=True)
class Change:
    """A run of pages that differ, in the new file's numbering (or the old's, for removed pages)."""

    kind: str
    """'changed' (text or drawing between the margins), 'margins' (only the running head or folio
    changed, e.g. after pages moved), 'added' or 'removed'."""
    first: int
    """0-based first page of the run (new file; old file for 'removed')."""
    last: int
    """0-based last page of the run."""
    old_first: int | None = None
    """0-based page of the old file the run corresponds to, where there is one."""


def page_signatures(path: Path) -> list[PageSignature]:
    """One signature per page of a PDF."""
    reader = PdfReader(path)
    scan = Scan(reader)
    texts: dict[int, list[tuple]] = {}
    margins: dict[int, list[tuple]] = {}
    bands = [_bands(page) for page in reader.pages]
    for line in scan.lines:
        x0, y0, x1, y1 = (round(v, 1) for v in line.box)
        item = (line.text, x0, y0, x1, y1, line.font.name)
        low, high = bands[line.page]
        (margins if y1 <= low or y0 >= high else texts).setdefault(line.page, []).append(item)
    images: dict[int, list[tuple]] = {}
    for placed in scan.images:
        data = hashlib.sha256(placed.image.get_data()).hexdigest()
        images.setdefault(placed.page, []).append((round(placed.width, 1), round(placed.height, 1), data))
    signatures = []
    for index, page in enumerate(reader.pages):
        drawing = _drawing(page)
        body = repr((texts.get(index, []), images.get(index, []), drawing))
        whole = repr((body, margins.get(index, [])))
        signatures.append(PageSignature(_digest(body), _digest(whole)))
    return signatures


def compare(old: list[PageSignature], new: list[PageSignature]) -> list[Change]:
    """The runs of pages that differ, in reading order of the new file (removed runs where they
    were)."""
    matcher = SequenceMatcher(None, [s.body for s in old], [s.body for s in new], autojunk=False)
    changes: list[Change] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            run_start = None
            for k in range(i2 - i1):
                differs = old[i1 + k].whole != new[j1 + k].whole
                if differs and run_start is None:
                    run_start = k
                if run_start is not None and (not differs or k == i2 - i1 - 1):
                    end = k if differs else k - 1
                    changes.append(Change("margins", j1 + run_start, j1 + end, i1 + run_start))
                    run_start = None
        elif tag == "replace":
            common = min(i2 - i1, j2 - j1)
            changes.append(Change("changed", j1, j1 + common - 1, i1))
            if j2 - j1 > common:
                changes.append(Change("added", j1 + common, j2 - 1))
            if i2 - i1 > common:
                changes.append(Change("removed", i1 + common, i2 - 1, i1 + common))
        elif tag == "insert":
            changes.append(Change("added", j1, j2 - 1))
        elif tag == "delete":
            changes.append(Change("removed", i1, i2 - 1, i1))
    return changes


def describe(changes: list[Change], old_labels: list[str], new_labels: list[str]) -> list[str]:
    """One line per run, in the words a print shop uses: PDF pages, then the printed folios."""
    what = {"changed": "text or pictures changed", "margins": "only the running head or folio changed",
            "added": "new pages", "removed": "pages taken out"}
    lines = []
    for change in changes:
        labels = old_labels if change.kind == "removed" else new_labels
        where = _span("PDF page", change.first, change.last, labels)
        if change.kind == "removed":
            where = "old " + where
        elif change.old_first is not None and change.old_first != change.first:
            where += f", was PDF page {change.old_first + 1}" + ("ff." if change.last > change.first else "")
        lines.append(f"{where}: {what[change.kind]}")
    return lines


def _span(word: str, first: int, last: int, labels: list[str]) -> str:
    pages = f"{word} {first + 1}" if first == last else f"{word}s {first + 1}–{last + 1}"
    folios = [labels[i] for i in (first, last) if i < len(labels) and labels[i]]
    if len(folios) == 2 and first != last:
        return f"{pages} (pp. {folios[0]}–{folios[1]})"
    return f"{pages} (p. {folios[0]})" if folios else pages


def _bands(page) -> tuple[float, float]:
    box = page.trimbox
    margin = MARGIN_MM * PT_PER_MM
    return float(box.bottom) + margin, float(box.top) - margin


def _drawing(page) -> list[tuple]:
    """Every drawing operator of a page and of the forms it draws, numbers rounded."""
    out: list[tuple] = []
    contents = page.get_contents()
    if contents is not None:
        _walk(contents.get_data(), page.get("/Resources"), out, 0)
    return out


def _walk(data: bytes, resources, out: list, depth: int) -> None:
    resources = resources.get_object() if resources is not None else {}
    xobjects = resources.get("/XObject")
    xobjects = xobjects.get_object() if xobjects is not None else {}
    for operands, op in read_operations(data):
        if op == "Do" and depth < 8:
            form = xobjects.get(operands[0]) if operands else None
            form = form.get_object() if form is not None else None
            if form is not None and form.get("/Subtype") == "/Form":
                out.append(("form", tuple(round(float(v), 2) for v in form.get("/BBox", []))))
                _walk(form.get_data(), form.get("/Resources"), out, depth + 1)
        elif op not in TEXT_OPS:
            out.append((op, tuple(round(v, 2) if isinstance(v, float) else v for v in operands
                                  if not isinstance(v, (list, bytes)))))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
