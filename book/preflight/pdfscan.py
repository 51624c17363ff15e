"""PDF page -> text runs and image placements, with positions, and its uses of colour.

Every page's content stream (and the form XObjects it draws) is read with a small tokenizer of our
own (`read_operations`: one regular expression over the decoded stream, a flat `[<hex> n …]` TJ
array in one match) and walked operator by operator, once, tracking q/Q/cm, the text state and the
fill colour, so every piece of text and every image has its real place and size on the page, and
every colour set in RGB or text shown in rich black is found where it is drawn (checks.check_colour
words what print refuses of it). pypdf still reads the
objects: pages, resources, fonts, XObjects. Text extents use the PDF fonts' widths and 0.75 em
above, 0.25 em below the baseline. (pypdf's ContentStream parser is not used, being too slow on
WeasyPrint's one-hex-string-per-glyph TJ arrays, nor its extract_text: its visitor reports one
matrix per line, and it cannot decode the /WP-Encod-0 fonts WeasyPrint writes exactly when
glyphs are missing.)
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from pypdf import PdfReader
from pypdf.generic import NameObject

ASCENT, DESCENT = 0.75, 0.25
"""Height above and depth below the baseline of a line of text, in em (for placement checks)."""


# --- fonts ------------------------------------------------------------------------------

class Glyph(NamedTuple):
    """One code of a shown string, as the walk uses it."""

    text: str
    """What it stands for (through ToUnicode)."""
    em: float
    """Advance per unit of font size (the font's width / 1000)."""
    visible: bool
    """Whether it draws ink (its text is not blank)."""
    notdef: bool
    """Whether it is drawn as .notdef."""
    space: bool
    """A 1-byte code 32, which word spacing (Tw) widens."""


@dataclass
class FontInfo:
    """What the walk needs to know of a PDF font."""

    name: str
    """BaseFont without the subset prefix."""
    two_byte: bool
    """Type0 (2-byte codes) or simple (1-byte)."""
    widths: dict[int, float]
    """Code -> advance in thousandths of an em."""
    default_width: float
    """Advance of codes not in widths."""
    unicode: dict[int, str]
    """Code -> text, from ToUnicode."""
    notdef: frozenset[int]
    """Codes drawn as .notdef (no glyph in the font)."""
    embedded: bool
    """Whether a font file is embedded (Type3 glyphs always are)."""
    strings: dict[bytes, tuple[Glyph, ...]] = field(default_factory=dict, repr=False)
    """Shown string -> its glyphs, filled in as strings are met."""

    def glyphs(self, raw: bytes) -> tuple[Glyph, ...]:
        """The glyphs a shown string draws: 1-byte codes, or 2-byte for Type0 (a last odd byte is dropped)."""
        found = self.strings.get(raw)
        if found is None:
            step = 2 if self.two_byte else 1
            found = self.strings[raw] = tuple(self._glyph(int.from_bytes(raw[i:i + step], "big"))
                                              for i in range(0, len(raw) - step + 1, step))
        return found

    def _glyph(self, code: int) -> Glyph:
        text = self.unicode.get(code, "" if self.two_byte else chr(code))
        cid = 0 if code in self.notdef else code
        return Glyph(text, self.widths.get(cid, self.default_width) / 1000, bool(text.strip()),
                     code in self.notdef, not self.two_byte and code == 32)


def read_font(font) -> FontInfo:
    """Read a font dictionary once."""
    name = str(font.get("/BaseFont", "/unnamed")).lstrip("/").split("+")[-1]
    subtype = font.get("/Subtype")
    if subtype == "/Type0":
        descendant = font["/DescendantFonts"][0].get_object()
        descriptor = descendant.get("/FontDescriptor")
        widths, default = read_cid_widths(descendant.get("/W", [])), float(descendant.get("/DW", 1000))
    else:
        descriptor = font.get("/FontDescriptor")
        first = int(font.get("/FirstChar", 0))
        scale = float(font["/FontMatrix"][0]) * 1000 if subtype == "/Type3" and "/FontMatrix" in font else 1.0
        widths = {first + k: float(v) * scale for k, v in enumerate(font.get("/Widths", []))}
        default = 500.0
    descriptor = descriptor.get_object() if descriptor is not None else {}
    embedded = subtype == "/Type3" or any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    unicode = read_to_unicode(font["/ToUnicode"].get_object().get_data()) if "/ToUnicode" in font else {}
    notdef: frozenset[int] = frozenset()
    encoding = font.get("/Encoding")
    if subtype == "/Type0" and encoding is not None and hasattr(encoding.get_object(), "get_data"):
        # WeasyPrint gives a font with missing glyphs an embedded CMap (/WP-Encod-0) that sends
        # those codes to CID 0, .notdef; every other code is its own CID, as with Identity-H.
        data = encoding.get_object().get_data().decode("latin-1")
        notdef = frozenset(int(code, 16) for code, cid in re.findall(r"<([0-9a-fA-F]+)>\s+(\d+)", data)
                           if cid == "0" and int(code, 16))
    return FontInfo(name, subtype == "/Type0", widths, default, unicode, notdef, embedded)


def read_cid_widths(array) -> dict[int, float]:
    """A CIDFont's /W array -> CID -> width."""
    w, widths, i = list(array), {}, 0
    while i + 1 < len(w):
        first, second = int(w[i]), w[i + 1].get_object() if hasattr(w[i + 1], "get_object") else w[i + 1]
        if isinstance(second, list):
            widths.update({first + k: float(width) for k, width in enumerate(second)})
            i += 2
        else:
            widths.update({code: float(w[i + 2]) for code in range(first, int(second) + 1)})
            i += 3
    return widths


def read_to_unicode(data: bytes) -> dict[int, str]:
    """A ToUnicode CMap (bfchar and bfrange sections) -> code -> text."""
    text = data.decode("latin-1")
    out: dict[int, str] = {}

    def utf16(hexes: str) -> str:
        return bytes.fromhex(hexes).decode("utf-16-be", "replace")

    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for code, dest in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>", block):
            out[int(code, 16)] = utf16(dest)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi, dest in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(<[0-9a-fA-F]*>|\[[^\]]*\])", block):
            lo, hi = int(lo, 16), int(hi, 16)
            if dest.startswith("["):
                for k, item in enumerate(re.findall(r"<([0-9a-fA-F]*)>", dest)):
                    out[lo + k] = utf16(item)
            else:
                start = bytes.fromhex(dest[1:-1])
                base = int.from_bytes(start, "big")
                for k in range(hi - lo + 1):
                    out[lo + k] = (base + k).to_bytes(len(start), "big").decode("utf-16-be", "replace")
    return out


# --- reading a content stream ---------------------------------------------------------------

NUMBER = r"(?>[-+]?(?:\d+\.?\d*|\.\d+))"
TOKEN = re.compile(rf"""
    \s+ | %[^\r\n]*                                         # nothing: white space, comments
  | ({NUMBER})                                              # 1 number
  | <((?:[0-9A-Fa-f]{{2}})*+)>                                # 2 hex string, plain
  | <([0-9A-Fa-f\s]*)>                                      # 3 hex string, spaced or odd
  | \[([-+.\d\s]*+(?:<[0-9A-Fa-f\s]*+>[-+.\d\s]*+)*+)\]     # 4 flat array: hex strings and numbers
  | (/[^\s()<>\[\]{{}}/%]*)                                 # 5 name
  | \(((?:[^\\()]|\\.)*)\)                                  # 6 literal string, unnested
  | (\[|<<)                                                 # 7 array or dictionary opens
  | (\]|>>)                                                 # 8 array or dictionary closes
  | ([^\s()<>\[\]{{}}/%]+)                                  # 9 operator (true, false, null in arrays)
  | (.)                                                     # 10 a nested literal string's "(", or stray
""", re.X | re.S | re.A)
"""One token of a content stream (the stream decoded as Latin-1); the group number says which kind."""
ESCAPE = re.compile(r"\\([0-7]{1,3}|\r\n|.)|\r\n?", re.S)
"""An escape in a literal string, or an end of line (read as \\n, as the PDF standard says)."""
KEYWORDS = frozenset({"true", "false", "null"})
"""Tokens that look like operators but are operands."""
ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", "\r\n": "", "\r": "", "\n": ""}


def read_operations(data: bytes):
    """A decoded content stream -> (operands, operator) pairs, as pypdf's ContentStream.operations
    gives them, except that operands are float, str (names, '/F1'; true, false, null), bytes
    (strings) and list (arrays; a dictionary is the list of its keys and values); inline images
    are skipped; and literal strings are read as the standard says (an unknown escape drops its
    backslash, an end of line reads as \\n), where pypdf keeps both as written."""
    text = data.decode("latin-1")
    operands: list = []
    outer: list[list] = []
    pos, size = 0, len(text)
    while pos < size:
        for match in TOKEN.finditer(text, pos):
            kind = match.lastindex
            if kind is None:
                continue
            value = match[kind]
            if kind == 4:
                try:
                    operands.append(read_flat_array(value))
                except ValueError:  # an odd hex string or a malformed number: read it token by token
                    outer.append(operands)
                    operands, pos = [], match.start() + 1
                    break
            elif kind == 2:
                operands.append(bytes.fromhex(value))
            elif kind == 9:
                if outer or value in KEYWORDS:
                    operands.append(value)
                elif value == "BI":
                    pos = skip_inline_image(text, match.end())
                    operands = []
                    break
                else:
                    yield operands, value
                    operands = []
            elif kind == 1:
                operands.append(float(value))
            elif kind == 5:
                operands.append(read_name(value))
            elif kind == 6:
                operands.append(unescape(value))
            elif kind == 3:
                digits = "".join(value.split())
                operands.append(bytes.fromhex(digits + "0" * (len(digits) % 2)))
            elif kind == 7:
                outer.append(operands)
                operands = []
            elif kind == 8:
                if outer:
                    inner, operands = operands, outer.pop()
                    operands.append(inner)
            elif value == "(":
                end = _string_end(text, match.end())
                operands.append(unescape(text[match.end():end]))
                pos = end + 1
                break
        else:
            break


def read_flat_array(body: str) -> list:
    """The inside of an array of hex strings and numbers (a TJ array as WeasyPrint writes it,
    `<0112>15<0161>9<>-14.45`) -> its items; ValueError when one is not well formed."""
    parts = body.replace(">", "<").split("<")
    if not parts[0] or parts[0].isspace():
        try:  # the usual shape, a number after every string: converted without a Python loop
            items: list = [None] * (len(parts) - 1)
            items[0::2] = map(bytes.fromhex, parts[1::2])
            items[1::2] = map(float, parts[2::2])
            return items
        except ValueError:
            pass
    items = [float(n) for n in parts[0].split()]
    for k in range(1, len(parts), 2):
        items.append(bytes.fromhex(parts[k]))
        items += map(float, parts[k + 1].split())
    return items


def read_name(token: str) -> str:
    """A name token, #xx escapes decoded (as UTF-8, else Latin-1), as pypdf's NameObject reads it."""
    if "#" not in token and token.isascii():
        return token
    raw = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m[1], 16)]), token.encode("latin-1"))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def unescape(body: str) -> bytes:
    """The inside of a literal string -> its bytes."""
    def one(match: re.Match) -> str:
        escaped = match[1]
        if escaped is None:
            return "\n"
        if escaped[0] in "01234567":
            return chr(int(escaped, 8) & 0xFF)
        return ESCAPES.get(escaped, escaped)
    return (ESCAPE.sub(one, body) if "\\" in body or "\r" in body else body).encode("latin-1")


def _string_end(text: str, pos: int) -> int:
    """Index of the ")" closing a literal string whose inside starts at pos (balanced parentheses)."""
    depth = 1
    while pos < len(text):
        char = text[pos]
        if char == "\\":
            pos += 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if not depth:
                return pos
        pos += 1
    return len(text)


def skip_inline_image(text: str, pos: int) -> int:
    """Where reading resumes after an inline image whose BI ended at pos: past its EI."""
    data = re.compile(r"\sID\s").search(text, pos - 1)
    end = data and re.compile(r"\sEI(?=\s|$)").search(text, data.end())
    return end.end() if end else len(text)


# --- walking the pages --------------------------------------------------------------------

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
TEXT_STATE = {"Tc": "tc", "Tw": "tw", "Tz": "th", "TL": "leading", "Ts": "rise", "Tr": "render"}
"""Text state operator -> its key in the walk's state."""


def multiply(m: Matrix, n: Matrix) -> Matrix:
    """m then n (PDF row-vector convention: m x n)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    """A point through a matrix."""
    return x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5]


@dataclass
class TextRun:
    """The visible glyphs of one text-showing operator."""

    page: int
    """0-based page."""
    text: str
    """What it says (through ToUnicode)."""
    box: tuple[float, float, float, float]
    """x0, y0, x1, y1 in default user space, approximate height (ASCENT, DESCENT)."""
    font: FontInfo
    """The font it is set in."""
    notdef: str = ""
    """Characters in it drawn as .notdef."""


@dataclass
class Placement:
    """One raster image drawn on a page."""

    page: int
    """0-based page."""
    image: object
    """The image XObject."""
    width: float
    """Placed width in points."""
    height: float
    """Placed height in points."""


@dataclass
class Scan:
    """Every text run, image placement and font of every page."""

    reader: PdfReader
    """The PDF."""
    runs: list[TextRun] = field(default_factory=list)
    """Text, in page and drawing order, one run per text-showing operator."""
    lines: list[TextRun] = field(default_factory=list)
    """The runs joined into the lines they make up (a chart draws one glyph per operator)."""
    images: list[Placement] = field(default_factory=list)
    """Raster images, in page and drawing order."""
    fonts: dict[int, tuple[FontInfo, set[int]]] = field(default_factory=dict)
    """id of the font dictionary -> (font, 0-based pages it is used on)."""
    colour: dict[tuple[str, str], tuple[int, str]] = field(default_factory=dict)
    """(what is wrong for print, what draws it) -> (0-based page, what was found) of the first such use
    of colour: "rgb-blend" (a transparency group blending in RGB), "rgb-colour" (a colour set in RGB,
    or an RGB shading), "rich-black" (text shown in a dark fill that carries C, M or Y as well as K).
    What draws it: "the page", or the form XObject by its name."""

    def __post_init__(self):
        self._infos: dict[int, FontInfo] = {}
        for index, page in enumerate(self.reader.pages):
            self._blend(page, index, "the page")
            contents = page.get_contents()
            if contents is not None:
                self._walk(contents.get_data(), page.get("/Resources") or {}, IDENTITY, index, 0, "the page")
        self.lines = join_lines(self.runs)

    def _font(self, resources, name) -> FontInfo | None:
        ref = ((resources.get("/Font") or {}).get_object()).get(name)
        if ref is None:
            return None
        font = ref.get_object()
        key = id(font)
        if key not in self._infos:
            self._infos[key] = read_font(font)
        return self._infos[key]

    def _blend(self, holder, page: int, what: str) -> None:
        group = holder.get("/Group")
        if group is not None and str(group.get_object().get("/CS", "")) in ("/DeviceRGB", "/CalRGB"):
            self.colour.setdefault(("rgb-blend", what), (page, ""))

    def _walk(self, data: bytes, resources, ctm: Matrix, page: int, depth: int, what: str) -> None:
        resources = resources.get_object()
        state = dict(ctm=ctm, font=None, size=0.0, tc=0.0, tw=0.0, th=1.0, rise=0.0, leading=0.0, render=0,
                     fill=BLACK)
        stack = []
        tm = lm = IDENTITY
        for operands, op in read_operations(data):
            if op in COLOUR:
                self._colour(operands, op, state, resources, page, what)
            if op == "TJ":
                tm = self._show(operands[0], state, tm, page, what)
            elif op == "Tm":
                tm = lm = tuple(operands)
            elif op == "Tf":
                state["font"], state["size"] = self._font(resources, operands[0]), operands[1]
                if state["font"]:
                    self.fonts.setdefault(id(state["font"]), (state["font"], set()))[1].add(page)
            elif op == "q":
                stack.append(dict(state))
            elif op == "Q":
                if stack:
                    state = stack.pop()
            elif op == "cm":
                state["ctm"] = multiply(tuple(operands), state["ctm"])
            elif op == "BT":
                tm = lm = IDENTITY
            elif op == "Tj":
                tm = self._show([operands[0]], state, tm, page, what)
            elif op in TEXT_STATE:
                state[TEXT_STATE[op]] = operands[0] / (100 if op == "Tz" else 1)
            elif op in ("Td", "TD"):
                if op == "TD":
                    state["leading"] = -operands[1]
                tm = lm = multiply((1, 0, 0, 1, operands[0], operands[1]), lm)
            elif op in ("T*", "'", '"'):
                if op == '"':
                    state["tw"], state["tc"] = operands[0], operands[1]
                tm = lm = multiply((1, 0, 0, 1, 0, -state["leading"]), lm)
                if op != "T*":
                    tm = self._show([operands[-1]], state, tm, page, what)
            elif op == "Do":
                self._draw(resources, operands[0], state["ctm"], page, depth)

    def _colour(self, operands: list, op: str, state: dict, resources, page: int, what: str) -> None:
        """Note a colour set in RGB, an RGB shading; keep the fill colour (CMYK) for rich black."""
        if op in ("rg", "RG") or (op in ("cs", "CS") and operands and is_rgb(_space(resources, operands[0]))):
            self.colour.setdefault(("rgb-colour", what), (page, f" ({' '.join(_number(o) for o in operands)} {op})"))
        elif op in ("k", "sc", "scn") and len(operands) == 4 and all(isinstance(v, float) for v in operands):
            state["fill"] = tuple(operands)
        elif op in ("sc", "scn") and len(operands) == 1 and isinstance(operands[0], float):
            state["fill"] = (0.0, 0.0, 0.0, 1 - operands[0])
        elif op == "g" and operands:
            state["fill"] = (0.0, 0.0, 0.0, 1 - float(operands[0]))
        elif op == "sh" and operands:
            shadings = resources.get("/Shading") or {}
            shading = shadings.get_object().get(operands[0]) if shadings else None
            if shading is not None and is_rgb(shading.get_object().get("/ColorSpace")):
                self.colour.setdefault(("rgb-colour", what), (page, " (an RGB shading)"))

    def _draw(self, resources, name, ctm: Matrix, page: int, depth: int) -> None:
        ref = (resources.get("/XObject") or {}).get_object().get(name)
        if ref is None:
            return
        xobject = ref.get_object()
        if xobject.get("/Subtype") == "/Image":
            self.images.append(Placement(page, xobject, math.hypot(ctm[0], ctm[1]), math.hypot(ctm[2], ctm[3])))
        elif xobject.get("/Subtype") == "/Form" and depth < 12:
            what = f"the page's content (form {name})" if depth == 0 else f"a drawing or figure (form {name})"
            self._blend(xobject, page, what)
            matrix = tuple(float(v) for v in xobject.get("/Matrix", IDENTITY))
            self._walk(xobject.get_data(), xobject.get("/Resources") or resources,
                       multiply(matrix, ctm), page, depth + 1, what)

    def _show(self, items, state, tm: Matrix, page: int, what: str) -> Matrix:
        """Advance through a TJ array; record the visible glyphs as one run."""
        if _rich_black(state["fill"]):
            fill = " ".join(f"{v:g}" for v in state["fill"])
            self.colour.setdefault(("rich-black", what), (page, f" (fill {fill} k)"))
        font, size, th = state["font"], state["size"], state["th"]
        if font is None:
            return tm
        tc, tw = state["tc"], state["tw"]
        x, start, end = 0.0, None, None
        chars, missing = [], []
        for item in items:
            if item.__class__ is float:
                x -= item / 1000 * size * th
                continue
            if item.__class__ is not bytes:
                continue
            for text, em, visible, notdef, space in font.strings.get(item) or font.glyphs(item):
                advance = em * size + tc
                if space:
                    advance += tw
                step = advance * th
                if visible:
                    start = x if start is None else start
                    end = x + step
                chars.append(text)
                if notdef:
                    missing.append(text)
                x += step
        if start is not None and state["render"] != 3:
            rendering = multiply(tm, state["ctm"])
            rise = state["rise"]
            corners = [apply(rendering, px, py) for px in (start, end)
                       for py in (rise - DESCENT * size, rise + ASCENT * size)]
            xs, ys = [c[0] for c in corners], [c[1] for c in corners]
            self.runs.append(TextRun(page, "".join(chars), (min(xs), min(ys), max(xs), max(ys)), font,
                                     "".join(missing)))
        return multiply((1, 0, 0, 1, x, 0), tm)


BLACK = (0.0, 0.0, 0.0, 1.0)
"""The fill colour a content stream starts with, as C, M, Y, K."""
COLOUR = frozenset({"rg", "RG", "cs", "CS", "k", "sc", "scn", "g", "sh"})
"""The operators that set a fill colour, a colour space or paint a shading."""


def _space(resources, name):
    if name in ("/DeviceRGB", "/CalRGB", "/DeviceCMYK", "/DeviceGray"):
        return NameObject(name)
    spaces = resources.get("/ColorSpace")
    return spaces.get_object().get(name) if spaces is not None else None


def _number(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _rich_black(fill: tuple[float, ...]) -> bool:
    """True for a dark colour (K at 50 % or more) that also carries C, M or Y: text that should be K only
    but would print in four colours, a rich black that blurs at small sizes."""
    c, m, y, k = fill
    return k >= 0.5 and max(c, m, y) > 0.02 and abs(c - m) < 0.15 and abs(m - y) < 0.15


def is_rgb(space) -> bool:
    space = space.get_object() if space is not None else None
    if space is None:
        return False
    if isinstance(space, str):
        return space in ("/DeviceRGB", "/CalRGB")
    kind = str(space[0])
    if kind == "/ICCBased":
        return int(space[1].get_object().get("/N", 0)) == 3
    if kind == "/Indexed":
        return is_rgb(space[1])
    return kind == "/CalRGB"


def join_lines(runs: list[TextRun]) -> list[TextRun]:
    """Join runs drawn one after another on the same baseline, left to right, into lines."""
    lines: list[TextRun] = []
    for run in runs:
        last = lines[-1] if lines else None
        height = run.box[3] - run.box[1]
        if (last and last.page == run.page and abs(last.box[1] - run.box[1]) < 0.1 * height
                and abs(last.box[3] - run.box[3]) < 0.5 * height
                and -0.1 * height <= run.box[0] - last.box[2] <= 0.6 * height):
            gap = " " if run.box[0] - last.box[2] > 0.15 * height and not last.text.endswith(" ") else ""
            box = (last.box[0], min(last.box[1], run.box[1]),
                   max(last.box[2], run.box[2]), max(last.box[3], run.box[3]))
            lines[-1] = TextRun(run.page, last.text + gap + run.text, box, last.font, last.notdef + run.notdef)
        else:
            lines.append(run)
    return lines
