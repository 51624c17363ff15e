"""Written PDF + book folder -> preflight findings: what a print shop would refuse, tied to the sources.

`preflight()` reads only the PDF and the book's source files: the page boxes,
the fonts, the text runs and image placements that `pdfscan.Scan` finds on every
page (each with its real place and size) and the named destinations WeasyPrint
writes for every id. Where a problem comes from a source, the finding carries
its `path:line:col`: a missing character, every place it is written; an image,
the `![…](file)` whose file has its pixel size; a note, its call; text over the
edge, the longest run of its words found in the page's chapter (or the data and
YAML files), else the chapter file.

| code              | what is wrong                                                   | severity                   |
|-------------------|-----------------------------------------------------------------|----------------------------|
| font-not-embedded | a font used on a page has no embedded font file                 | error                      |
| tofu              | a printed character that no font in styles/fonts has            | error                      |
| image-low-dpi     | a raster image under 300 dpi at its placed size                 | error (print only)         |
| image-rgb         | a raster image in RGB                                           | error (print only)         |
| rgb-blend         | a page or form blends transparency in DeviceRGB (`/Group /CS`)  | error (print only)         |
| rgb-colour        | a colour set in RGB (rg, RG, an RGB colour space or shading)    | error (print only)         |
| rich-black        | black or grey text made of C, M and Y as well as K              | error (print only)         |
| boxes             | no TrimBox; BleedBox not TrimBox + bleed (within 0.01 mm);      | error                      |
|                   | MediaBox not holding the BleedBox; trim not book.yaml's `trim`  |                            |
| page-count        | page count not a multiple of page_multiple (4)                  | error (print only)         |
| overflow          | text drawn outside the TrimBox (or the MediaBox)                | error                      |
| safety-margin     | text within book.yaml's `safety_margin` (5 mm) of the trim      | warning (print only)       |
| note-separated    | a note printed on another page than its call                    | warning; error when strict |
| no-destinations   | the book has notes but the PDF no destinations for their calls  | warning                    |

Exit semantics for the command line (`exit_code`): any error -> 1, warnings only -> 0.
The screen edition skips the print-only checks (bleed, dpi, RGB, page count, safety margin).
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pypdf import PdfReader

from ..errors import BookError, Problem, Problems
from ..model import PT_PER_MM, Location, Manifest
from ..source.load import chapter_anchor, load_manifest, split_front_matter
from ..source.schema import Marked, as_text, read_yaml
from .pdfscan import Scan, TextRun, is_rgb

MM = PT_PER_MM
"""Points per millimetre."""
TOLERANCE = 0.01 * MM
"""How far two boxes may differ and still count as equal (0.01 mm)."""
MIN_DPI = 300
"""Lowest effective resolution of a raster image in print."""
SHOWN = 3
"""How many source places a message names."""



def finding(severity: str, code: str, message: str, location: Location | None = None,
            page: int | None = None) -> Problem:
    """One thing the print shop would refuse (error) or query (warning)."""
    return Problem(location, message, severity, code, page)


def preflight(pdf: Path, book_root: Path, edition: str = "print", *, strict: bool = False,
              book=None, anchors: dict[str, int] | None = None) -> list[Problem]:
    """Check a written PDF of the book in book_root; every finding, in the order of the checks.
    A build passes the Book it has loaded, so that the sources are not read twice, and the page of
    every id in its layout (anchors), which are the PDF's named destinations, so that they are not
    read back from the file. A file that is not a whole PDF is a BookError."""
    reader = open_pdf(pdf)
    settings = book.manifest if book is not None else load_manifest(book_root, Problems())
    sources = Sources.of(book, book_root) if book is not None else Sources.read(book_root)
    scan = Scan(reader)
    print_edition = edition == "print"
    destinations = anchors if anchors is not None else destination_pages(reader)
    starts = chapter_starts(destinations, sources)
    findings = [*check_fonts(scan), *check_glyphs(scan, sources)]
    if print_edition:
        findings += check_images(scan, sources, starts)
        findings += check_colour(reader, sources, starts, scan)
    findings += check_boxes(reader, settings, print_edition)
    if print_edition and settings.page_multiple > 1 and len(reader.pages) % settings.page_multiple:
        extra = -len(reader.pages) % settings.page_multiple
        findings.append(finding("error", "page-count", f"the book has {len(reader.pages)} pages, not a multiple "
                                f"of {settings.page_multiple}; add {extra} blank page{'s' if extra > 1 else ''} at the "
                                "end so that it folds into whole sheets", settings.at("page_multiple")))
    findings += check_placement(scan, reader, settings, sources, starts, print_edition)
    findings += check_notes(reader, destinations, sources, strict)
    return findings


def open_pdf(pdf: Path) -> PdfReader:
    """The PDF at pdf, read; BookError when it is not a PDF, is cut short or cannot be read."""
    again = "build it again with `book build`"
    try:
        with open(pdf, "rb") as handle:
            head = handle.read(1024)
            handle.seek(max(0, pdf.stat().st_size - 1024))
            tail = handle.read()
    except OSError as error:
        raise BookError(f"cannot read the PDF ({error.strerror}); {again}", Location(pdf)) from None
    if not head.startswith(b"%PDF-"):
        raise BookError(f"this is not a PDF; {again}", Location(pdf))
    if b"%%EOF" not in tail:
        raise BookError(f"the PDF is cut short (no end-of-file mark); {again}", Location(pdf))
    try:
        reader = PdfReader(pdf, strict=False)
        if not len(reader.pages):
            raise ValueError("no pages")
        reader.pages[0].mediabox
    except Exception as error:  # pypdf raises many kinds for a damaged file
        raise BookError(f"the PDF is damaged ({type(error).__name__}: {error}); {again}", Location(pdf)) from None
    return reader


def exit_code(findings: list[Problem]) -> int:
    """1 when any finding is an error, else 0."""
    return int(any(f.severity == "error" for f in findings))


def report_path(pdf: Path) -> Path:
    """Where the report of a PDF goes: out/<slug>-print.pdf -> out/<slug>-print.preflight.json."""
    return pdf.with_suffix(".preflight.json")


def write_report(findings: list[Problem], target: Path) -> None:
    """Write the findings as a JSON report (atomically)."""
    from ..paths import write_text

    data = {"errors": sum(f.severity == "error" for f in findings),
            "warnings": sum(f.severity == "warning" for f in findings),
            "findings": [f.as_dict() for f in findings]}
    write_text(target, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


# --- what the book folder says ---------------------------------------------------------

@dataclass
class ChapterFile:
    """One chapter as preflight sees it."""

    anchor: str
    """The chapter's id (a named destination in the PDF)."""
    path: Path
    """The Markdown file."""
    text: str
    """Its contents."""


@dataclass
class Sources:
    """The book's source files, searchable, and the note calls the loader located."""

    chapters: list[ChapterFile] = field(default_factory=list)
    """Chapters in reading order."""
    others: list[tuple[Path, str]] = field(default_factory=list)
    """book.yaml, names, sources and data files: their text is printed too."""
    notes: dict[str, Location] = field(default_factory=dict)
    """Note anchor -> where its call is written."""

    @classmethod
    def read(cls, root: Path) -> "Sources":
        """The chapters of book.yaml's contents, through the loader when the book loads cleanly."""
        from ..markup.book import load_book

        try:
            book, _ = load_book(root, lint_names=False)
        except BookError:
            return cls.fallback(root)
        return cls.of(book, root)

    @classmethod
    def of(cls, book, root: Path) -> "Sources":
        """The sources of a Book already loaded."""
        sources = cls([ChapterFile(c.anchor, c.path, _text(c.path)) for c in book.chapters])
        sources.notes = {n.anchor: n.origin or Location(c.path) for c in book.chapters for n in c.notes}
        sources.others = _other_files(root, sources.chapters)
        return sources

    @classmethod
    def fallback(cls, root: Path) -> "Sources":
        """Chapters straight from book.yaml's contents, for a book that does not load cleanly: the
        anchor from the front matter's id where it can be read, else ch-<stem>."""
        chapters = []
        for path in load_manifest(root, Problems()).contents:
            text = _text(path)
            front = split_front_matter(text)
            meta = read_yaml(front[0], path, Problems(), line_offset=1) if front else None
            given = as_text(meta.get("id")) if isinstance(meta, Marked) else ""
            chapters.append(ChapterFile(chapter_anchor(path, given), path, text))
        return cls(chapters, _other_files(root, chapters))

    def files(self, chapter: Path | None = None) -> list[tuple[Path, str]]:
        """The texts to search: one chapter (text on its pages comes from it) or every chapter, then
        the other files (titles, names, references and data are printed too)."""
        chapters = [(c.path, c.text) for c in self.chapters if chapter is None or c.path == chapter]
        return chapters + self.others

    def find_char(self, char: str) -> list[Location]:
        """Every place the character is written, in reading order."""
        return [at for path, text in self.files() for at in _places(path, text, re.escape(char))]

    def find_text(self, printed: str, chapter: Path | None) -> Location | None:
        """Where a printed piece of text is written: the longest run of its words found in one source
        (the page's chapter, or the other files); else the chapter file itself."""
        words = re.findall(r"\w+", printed)
        for n in range(min(len(words), 6), 0, -1):
            for i in range(len(words) - n + 1):
                if n == 1 and len(words[i]) < 4:
                    continue
                pattern = r"\b" + r"\W+".join(re.escape(w) for w in words[i:i + n]) + r"\b"
                for path, text in self.files(chapter):
                    for at in _places(path, text, pattern):
                        return at
        return Location(chapter) if chapter else None

    def find_image(self, width: int, height: int, chapter: Path | None) -> tuple[Location | None, str]:
        """Where an image of this pixel size is placed (![…](file)), and the file's name: searched in the
        page's chapter (or all chapters); else the chapter file and no name."""
        for c in self.chapters:
            if chapter is None or c.path == chapter:
                for match in re.finditer(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)", c.text):
                    if _pixel_size(c.path.parent / match.group(1)) == (width, height):
                        return _location(c.path, c.text, match.start()), match.group(1)
        return (Location(chapter) if chapter else None), ""


def _other_files(root: Path, chapters: list[ChapterFile]) -> list[tuple[Path, str]]:
    """Every other Markdown or YAML file in the book folder, book.yaml first."""
    taken = {c.path.resolve() for c in chapters}
    found = sorted((p for p in root.rglob("*") if p.suffix in (".md", ".yaml", ".yml") and p.is_file()),
                   key=lambda p: (p.name != "book.yaml", str(p)))
    return [(p, _text(p)) for p in found if p.resolve() not in taken]


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _places(path: Path, text: str, pattern: str):
    for match in re.finditer(pattern, text):
        yield _location(path, text, match.start())


def _location(path: Path, text: str, offset: int) -> Location:
    line = text.count("\n", 0, offset) + 1
    return Location(path, line, offset - (text.rfind("\n", 0, offset) + 1) + 1)


def _pixel_size(path: Path) -> tuple[int, int] | None:
    from PIL import Image
    try:
        with Image.open(path) as image:
            return image.size
    except (OSError, ValueError):
        return None


def chapter_starts(pages: dict[str, int], sources: Sources) -> list[tuple[int, ChapterFile]]:
    """(0-based first page, chapter) for every chapter whose id is a named destination, in page order."""
    return sorted(((pages[c.anchor], c) for c in sources.chapters if c.anchor in pages), key=lambda s: s[0])


def chapter_at(starts: list[tuple[int, ChapterFile]], page: int) -> ChapterFile | None:
    """The chapter a 0-based page belongs to (the last one opening at or before it)."""
    found = None
    for first, chapter in starts:
        if first <= page:
            found = chapter
    return found


def destination_pages(reader: PdfReader) -> dict[str, int]:
    """Named destination (WeasyPrint writes one per id) -> 0-based page index."""
    out = {}
    for name, destination in reader.named_destinations.items():
        try:
            out[str(name)] = reader.get_destination_page_number(destination)
        except Exception:  # a destination to a page that is not in the page tree points nowhere
            continue
    return out


# --- the bundled fonts ----------------------------------------------------------------

@lru_cache(maxsize=1)
def bundled_characters() -> frozenset[int]:
    """Every code point some font in styles/fonts has a glyph for."""
    from fontTools.ttLib import TTFont

    from ..paths import STYLES

    points: set[int] = set()
    for path in sorted((STYLES / "fonts").glob("*.[ot]tf")):
        with TTFont(path, lazy=True) as font:
            points.update(font.getBestCmap() or {})
    return frozenset(points)


# --- checks -------------------------------------------------------------------------------

def check_fonts(scan: Scan) -> list[Problem]:
    """Every font must be embedded."""
    out = []
    for font, pages in scan.fonts.values():
        if not font.embedded:
            out.append(finding("error", "font-not-embedded",
                               f'the font "{font.name}" is not embedded ({_on_pages(sorted(pages))}); the printer '
                               "would substitute another; use only the fonts in styles/fonts through @font-face",
                               None, min(pages) + 1))
    return out


def check_glyphs(scan: Scan, sources: Sources) -> list[Problem]:
    """Every printed character must be in a bundled font."""
    bundled = bundled_characters()
    seen: dict[str, tuple[list[int], set[str], bool]] = {}
    for run in scan.runs:
        for char in run.text:
            if ord(char) in bundled or char.isspace() or unicodedata.category(char) in ("Cc", "Cf"):
                continue
            pages, fonts, blank = seen.setdefault(char, ([], set(), False))
            pages.append(run.page)
            fonts.add(run.font.name)
            seen[char] = (pages, fonts, blank or char in run.notdef)
    out = []
    for char, (pages, fonts, blank) in seen.items():
        name = unicodedata.name(char, "unnamed character")
        how = (f"so it prints as an empty box {_on_pages(pages)}" if blank else
               f"so {_on_pages(pages)} it was printed from the system font {', '.join(sorted(fonts))}, which "
               "does not match the book and may be missing at the printer")
        places = sources.find_char(char)
        where = places[0] if places else None
        written = " (it is in no source file, so it comes from a template or a label)" if not places else ""
        if len(places) > 1:
            more = f", {len(places)} places in all" if len(places) > SHOWN else ""
            written = f" (also written at {', '.join(str(p) for p in places[1:SHOWN])}{more})"
        out.append(finding("error", "tofu",
                           f'"{char}" (U+{ord(char):04X} {name}) is in no font in styles/fonts, {how}{written}; '
                           "replace the character, or add a font that has it to styles/fonts and book.css",
                           where, min(pages) + 1))
    return out


def check_images(scan: Scan, sources: Sources, starts) -> list[Problem]:
    """Raster images in print: at least 300 dpi where placed, and not RGB."""
    out, seen_rgb, seen_dpi = [], set(), set()
    for placed in scan.images:
        image = placed.image
        if image.get("/ImageMask"):
            continue
        width, height = int(image.get("/Width", 0)), int(image.get("/Height", 0))
        chapter = chapter_at(starts, placed.page)
        where, name = sources.find_image(width, height, chapter.path if chapter else None)
        what = f'the image "{name}"' if name else "an image"
        size = f"{width}×{height} px at {placed.width / MM:.1f}×{placed.height / MM:.1f} mm"
        if placed.width > 0 and placed.height > 0:
            dpi = min(width / (placed.width / 72), height / (placed.height / 72))
            key = (id(image), round(dpi))
            if round(dpi) < MIN_DPI and key not in seen_dpi:
                seen_dpi.add(key)
                out.append(finding("error", "image-low-dpi",
                                   f"{what} is printed at {dpi:.0f} dpi ({size}); print needs {MIN_DPI} dpi: "
                                   f"use a file of at least {math.ceil(placed.width / 72 * MIN_DPI)} px wide, "
                                   "or print it smaller", where, placed.page + 1))
        if is_rgb(image.get("/ColorSpace")) and id(image) not in seen_rgb:
            seen_rgb.add(id(image))
            out.append(finding("error", "image-rgb",
                               f"{what} is in RGB ({size}), which the print edition cannot use; convert the "
                               "file to CMYK with the printer's profile, or to grayscale",
                               where, placed.page + 1))
    return out


def check_colour(reader: PdfReader, sources: Sources, starts, scan: Scan | None = None) -> list[Problem]:
    """No RGB in print: transparency groups, colour operators, shadings; and black text in K alone (as the
    scan of the pages found them, pdfscan.Scan.colour; the pages are scanned here when no scan is given).
    Each finding names the page, what draws it (the page or a form XObject such as a figure) and the
    chapter the page belongs to."""
    found = (scan or Scan(reader)).colour
    out = []
    messages = {
        "rgb-blend": "blends transparency in RGB (/Group /CS /DeviceRGB), so its black separates into four "
                     "colours; rebuild with this version of book, which converts it",
        "rgb-colour": "sets a colour in RGB; give the colour in CMYK (device-cmyk()) or grey",
        "rich-black": "prints black or grey text with C, M and Y under the K; set it in K alone "
                      "(device-cmyk(0 0 0 1) or a grey)",
    }
    for (code, what), (index, detail) in found.items():
        chapter = chapter_at(starts, index)
        where = Location(chapter.path) if chapter else None
        out.append(finding("error", code, f"{what} on page {index + 1} {messages[code]}{detail}", where, index + 1))
    return out


def check_boxes(reader: PdfReader, settings: Manifest, print_edition: bool) -> list[Problem]:
    """TrimBox on every page; BleedBox = TrimBox + bleed; MediaBox holds the BleedBox; trim as book.yaml."""
    bleed = settings.bleed * MM if print_edition else 0.0
    problems: list[tuple[int, str, Location | None]] = []
    for index, page in enumerate(reader.pages):
        media = _box(page.mediabox)
        if "/TrimBox" not in page:
            if print_edition:
                problems.append((index, "the page has no TrimBox; the printer cannot tell where to cut: "
                                 "the build must write one on every page", None))
            continue
        trim = _box(page.trimbox)
        width, height = (trim[2] - trim[0]) / MM, (trim[3] - trim[1]) / MM
        if max(abs(width - settings.trim[0]), abs(height - settings.trim[1])) > 0.01:
            problems.append((index, f"the TrimBox is {width:.2f}×{height:.2f} mm, but book.yaml asks for "
                             f"{settings.trim[0]:g}×{settings.trim[1]:g} mm; rebuild the PDF", settings.at("trim")))
        if print_edition:
            want = (trim[0] - bleed, trim[1] - bleed, trim[2] + bleed, trim[3] + bleed)
            have = _box(page.bleedbox)
            if max(abs(a - b) for a, b in zip(want, have)) > TOLERANCE:
                grown = [(t - h) / MM for t, h in zip(trim[:2], have[:2])] + \
                        [(h - t) / MM for t, h in zip(trim[2:], have[2:])]
                problems.append((index, f"the BleedBox should be the TrimBox grown by {settings.bleed:g} mm on "
                                 "every side, but it is grown by " + _sides(grown) + "; the build must add "
                                 "the bleed from book.yaml", settings.at("bleed")))
            outer = have
        else:
            outer = trim
        if not _contains(media, outer):
            problems.append((index, f"the MediaBox does not hold the {'BleedBox' if print_edition else 'TrimBox'}"
                             "; part of the page would be cut away: the build must make the page larger", None))
    out = []
    for message, location, pages in _group(problems):
        out.append(finding("error", "boxes", f"{message} ({_on_pages(pages)})", location, pages[0] + 1))
    return out


def _box(rect) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (float(v) for v in rect)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _contains(outer, inner) -> bool:
    return (outer[0] <= inner[0] + TOLERANCE and outer[1] <= inner[1] + TOLERANCE
            and outer[2] >= inner[2] - TOLERANCE and outer[3] >= inner[3] - TOLERANCE)


def _sides(mm: list[float]) -> str:
    if max(mm) - min(mm) < 0.01:
        return f"{mm[0]:.2f} mm"
    return "{:.2f} mm left, {:.2f} mm bottom, {:.2f} mm right, {:.2f} mm top".format(*mm)


def check_placement(scan: Scan, reader: PdfReader, settings: Manifest, sources: Sources, starts,
                    print_edition: bool) -> list[Problem]:
    """No text outside the trim (overflow, error); none within the safety margin of it (warning, print)."""
    margin = settings.safety_margin * MM
    found: dict[tuple[int, str], list[tuple[TextRun, str]]] = {}
    for line in scan.lines:
        page = reader.pages[line.page]
        trim = _box(page.trimbox)
        x0, y0, x1, y1 = line.box
        gaps = {"left": x0 - trim[0], "bottom": y0 - trim[1], "right": trim[2] - x1, "top": trim[3] - y1}
        side, gap = min(gaps.items(), key=lambda item: item[1])
        if gap < -TOLERANCE:
            edge = "page" if not _contains(_box(page.mediabox), line.box) else "trim"
            found.setdefault((line.page, "overflow"), []).append(
                (line, f"runs {-gap / MM:.1f} mm past the {side} edge of the {edge}"))
        elif print_edition and gap < margin - TOLERANCE:
            found.setdefault((line.page, "safety-margin"), []).append(
                (line, f"is {gap / MM:.1f} mm from the {side} edge of the trim, inside the "
                       f"{settings.safety_margin:g} mm safety margin"))
    out = []
    for (index, kind), lines in sorted(found.items()):
        line, how = lines[0]
        chapter = chapter_at(starts, index)
        where = sources.find_text(line.text, chapter.path if chapter else None)
        shown = " ".join(line.text.split())
        shown = shown if len(shown) <= 40 else shown[:39] + "…"
        more = f" ({len(lines)} lines on this page)" if len(lines) > 1 else ""
        if kind == "overflow":
            out.append(finding("error", kind, f'on page {index + 1}, "{shown}" {how}{more}, so it will be cut '
                               "off; shorten or rewrap the text (break a long word or address by hand), or "
                               "make the note, table or figure smaller", where, index + 1))
        else:
            out.append(finding("warning", kind, f'on page {index + 1}, "{shown}" {how}{more}, so it may be '
                               "trimmed off; rewrap the text, or widen the page margins in styles/book.css",
                               where, index + 1))
    return out


def check_notes(reader: PdfReader, pages: dict[str, int], sources: Sources, strict: bool) -> list[Problem]:
    """Every note body on the page of its call (from the named destinations call-X and X)."""
    if sources.notes and not any("call-" + anchor in pages for anchor in sources.notes):
        return [finding("warning", "no-destinations", "the PDF has no named destinations for the note calls, "
                        "so the notes cannot be checked against the pages of their calls; keep the destinations "
                        "WeasyPrint writes when the PDF is processed further")]
    labels = _labels(reader)
    by_anchor = sorted((c.anchor for c in sources.chapters), key=len, reverse=True)
    paths = {c.anchor: c.path for c in sources.chapters}
    out = []
    for name, call in sorted(pages.items(), key=lambda item: (item[1], item[0])):
        if not name.startswith("call-") or name[5:] not in pages:
            continue
        anchor, body = name[5:], pages[name[5:]]
        if body == call:
            continue
        chapter = next((a for a in by_anchor if anchor.startswith(a + "-")), None)
        where = sources.notes.get(anchor) or (Location(paths[chapter]) if chapter else None)
        number = anchor.rsplit("-n", 1)[-1] if "-n" in anchor else anchor
        out.append(finding("error" if strict else "warning", "note-separated",
                           f"note {number} is printed on page {body + 1}{labels(body)}, its call on page "
                           f"{call + 1}{labels(call)}; shorten the note or the paragraph, or move the call",
                           where, call + 1))
    return out


def _labels(reader: PdfReader):
    try:
        printed = list(reader.page_labels)
    except Exception:  # a broken /PageLabels tree: fall back to physical numbers only
        printed = []

    def label(index: int) -> str:
        if index < len(printed) and printed[index] != str(index + 1):
            return f" (folio {printed[index]})"
        return ""
    return label


def _group(problems: list[tuple[int, str, Location | None]]):
    """Same message on several pages -> one entry with the pages."""
    grouped: dict[str, tuple[Location | None, list[int]]] = {}
    for index, message, location in problems:
        grouped.setdefault(message, (location, []))[1].append(index)
    return [(message, location, pages) for message, (location, pages) in grouped.items()]


def _on_pages(indexes: list[int]) -> str:
    """0-based page indexes -> 'on page 3' or 'on pages 3, 5–9'."""
    text = _pages(indexes)
    return f"on page{'s' if ',' in text or '–' in text else ''} {text}"


def _pages(indexes: list[int]) -> str:
    """0-based page indexes -> '3, 5–9' (1-based, ranges joined)."""
    numbers = sorted({i + 1 for i in indexes})
    parts, start = [], None
    for i, n in enumerate(numbers):
        start = n if start is None else start
        if i + 1 == len(numbers) or numbers[i + 1] != n + 1:
            parts.append(str(n) if n == start else f"{start}–{n}")
            start = None
    return ", ".join(parts)
