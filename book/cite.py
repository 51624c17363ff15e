"""Citation brackets + sources -> Chicago notes and bibliography entries (HTML).

Chicago Manual of Style, 17th edition, notes and bibliography: the first
citation of a source in a chapter gets the full note, later ones the short
form (surname, short title, locator); "Ibid." is never used. Every function
returns inline HTML: text escaped, titles in typographic quotes or <i>, URLs
as <a class="url"> with Chicago's break points (<wbr>), no raw newlines.

The fields a source may have, per type, are declared in REQUIRED and
OPTIONAL; FIELDS says what each one means. Field names are the keys of
sources.yaml: `author` fills Source.authors; `title`, `publisher`, `date`,
`url`, `note` fill the Source fields of those names; every other field lives
in Source.extra as a single string.
"""

from __future__ import annotations

import datetime
import difflib
import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from book.model import Source

FIELDS: dict[str, str] = {
    "title": "title as published; in a document, its own title if it has one",
    "author": "author(s): 'Given Surname', or 'Surname, Given' to fix the split;"
    " an interview's interviewee; a document's writer or signer",
    "publisher": "periodical (article), site (web), blog name (blog), program or"
    " channel (interview), publisher (book, memoir), studio or distributor (film)",
    "date": "date of publication, release or issue: 2013, 2013-05 or 2013-05-30;"
    " anything else is printed as written",
    "url": "where the source can be read or watched, printed in full",
    "note": "editorial note about the source; never printed in citations",
    "short": "short title for later notes, when the automatic one is unclear",
    "accessed": "date the page was consulted (2025-05-01), printed before the URL",
    "volume": "volume of a journal",
    "issue": "issue number of a journal",
    "pages": "page range of an article in a journal, for the bibliography",
    "container": "blog: the larger publication hosting it; interview: the network"
    " or platform (NPR, YouTube); memoir, document: the archive holding it",
    "interviewer": "who conducted the interview ('author' for the book's author)",
    "medium": "how a film or interview was consulted: DVD, YouTube video, audio",
    "place": "book, memoir, film: place of publication; interview, document:"
    " where it took place or was issued",
    "edition": "edition statement, printed as written: 2nd ed., rev. ed.",
    "editor": "editor of a book or memoir, display form",
    "translator": "translator of a book or memoir, display form",
    "director": "director of a film: 'Given Surname' or 'Surname, Given'",
    "issuer": "organization that issued a document (NKVD of the USSR)",
    "genre": "what kind of document, as printed: Operational Order, ciphered telegram",
    "number": "a document's number, printed after 'No.': 00486",
    "recipient": "to whom a document (telegram, memorandum) was addressed",
}
"""Every field a source may have beyond id and type, with its meaning."""

_ONLINE = ("url", "accessed", "short", "note")

REQUIRED: dict[str, tuple[str, ...]] = {
    "article": ("title", "publisher"),
    "web": ("title", "publisher"),
    "blog": ("title", "publisher"),
    "interview": ("author",),
    "book": ("title", "publisher", "date"),
    "memoir": ("title", "author"),
    "film": ("title", "date"),
    "document": ("genre", "date"),
}
"""Fields each type must have (besides id and type)."""

OPTIONAL: dict[str, tuple[str, ...]] = {
    "article": ("author", "date", "volume", "issue", "pages") + _ONLINE,
    "web": ("author", "date") + _ONLINE,
    "blog": ("author", "container", "date") + _ONLINE,
    "interview": ("title", "interviewer", "publisher", "container", "place", "date",
                  "medium") + _ONLINE,
    "book": ("author", "editor", "translator", "edition", "place") + _ONLINE,
    "memoir": ("editor", "translator", "edition", "place", "publisher", "date",
               "container") + _ONLINE,
    "film": ("director", "place", "publisher", "medium") + _ONLINE,
    "document": ("title", "author", "issuer", "recipient", "number", "place",
                 "container") + _ONLINE,
}
"""Fields each type may have (besides id and type)."""

TYPES: tuple[str, ...] = tuple(REQUIRED)
"""Every source type, in the order of DESIGN.md."""


# -- parsing -----------------------------------------------------------------


@dataclass(frozen=True)
class CiteItem:
    """One reference inside a citation bracket: `see @key, p. 3`."""

    key: str
    """The source id, without the @."""
    prefix: str = ""
    """Text written before the @ (see, cf.), whitespace collapsed; or empty."""
    locator: str = ""
    """The locator as printed in a Chicago note (3, 4–5, chap. 2, 12:40), or empty."""
    offset: int = 0
    """0-based offset of the key (after the @) within the bracket's text."""


class CitationError(ValueError):
    """A citation that cannot be read or formatted, with where in the bracket."""

    def __init__(self, offset: int, message: str):
        super().__init__(f"{offset}: {message}")
        self.offset = offset
        """0-based offset into the bracket's text of the offending part."""
        self.message = message
        """What is wrong and what to do, for the editor."""


_KEY = re.compile(r"[\w.:-]*")
_LABELS = {
    "page": ("", "", "p p. pp pp. page pages"),
    "chapter": ("chap.", "chaps.", "ch. chap. chaps. chapter chapters"),
    "section": ("sec.", "secs.", "sec. secs. section sections § §§"),
    "paragraph": ("para.", "paras.", "par. para. paras. paragraph paragraphs ¶"),
    "note": ("n.", "nn.", "n. nn. note notes"),
    "figure": ("fig.", "figs.", "fig. figs. figure figures"),
    "volume": ("vol.", "vols.", "vol. vols. volume volumes"),
    "line": ("line", "lines", "l. ll. line lines"),
    "column": ("col.", "cols.", "col. cols. column columns"),
    "part": ("pt.", "pts.", "pt. pts. part parts"),
    "folio": ("fol.", "fols.", "fol. fols. folio folios"),
    "table": ("table", "tables", "table tables"),
}
_LABEL_OF = {w: name for name, (_, _, ws) in _LABELS.items() for w in ws.split()}
_TERM = r"(?:\d{1,2}(?::\d{2}){1,2}|\d+n\d+|\d+[a-z]?|[ivxlcdm]+|[IVXLCDM]+)"
_RANGE = rf"{_TERM}(?:\s*[-–—]\s*{_TERM})?"
_VALUE = re.compile(rf"{_RANGE}(?:\s*,\s*{_RANGE})*")
_WORD = re.compile(r"[^\s\d]+")
_HINT = "write a page (p. 3), a range (pp. 4–5), chap. 2, or a time (12:40)"


def parse_citation(text: str) -> tuple[CiteItem, ...]:
    """Read the inside of a [...] citation: items separated by semicolons."""
    if not text.strip():
        raise CitationError(0, "empty citation; write [@key] or [@key, p. 3]")
    items, start = [], 0
    for part in text.split(";"):
        end = start + len(part)
        if not part.strip():
            raise CitationError(*_empty_part(text, start, end))
        items.append(_parse_item(text, start, end))
        start = end + 1
    return tuple(items)


def _empty_part(text: str, start: int, end: int) -> tuple[int, str]:
    """Where and why an empty part between semicolons is wrong."""
    if start == 0:
        return end, "nothing before this semicolon; remove it or put @key before it"
    if end == len(text):
        return start - 1, "nothing after this semicolon; remove it or add @key after it"
    return end, "two semicolons with nothing between them; remove one"


def _parse_item(text: str, start: int, end: int) -> CiteItem:
    """One part: optional prefix, @key, optional `, locator`."""
    at = text.find("@", start, end)
    if at < 0:
        first = start + len(text[start:end]) - len(text[start:end].lstrip())
        raise CitationError(first, "no source key here; write @key (see @key, p. 3)")
    prefix = " ".join(text[start:at].split())
    if prefix and not text[at - 1].isspace():
        message = ("-@key (author suppression) is not supported; write @key"
                   if text[at - 1] == "-" else "put a space between the prefix and @")
        raise CitationError(at, message)
    key_end = at + 1 + len(_KEY.match(text, at + 1, end).group().rstrip(".:"))
    key = text[at + 1:key_end]
    if not key or not (key[0].isalnum() or key[0] == "_"):
        raise CitationError(at, "@ must be followed by a source key "
                                "(letters, digits, - _ . :), as in @qalam-2023")
    locator = _parse_rest(text, key_end, end)
    return CiteItem(key=key, prefix=prefix, locator=locator, offset=at + 1)


def _parse_rest(text: str, pos: int, end: int) -> str:
    """What follows a key: nothing, or a comma and a locator."""
    if pos < end and text[pos] in ".:":
        raise CitationError(pos, f'a key cannot end in "{text[pos]}"; remove it')
    pos = _skip_space(text, pos, end)
    if pos == end:
        return ""
    if text[pos] == "@":
        raise CitationError(pos, "two keys in one part; separate them with ;")
    if text[pos] != ",":
        raise CitationError(pos, "expected a comma and a locator after the key "
                                 "(@key, p. 3), or ; before the next key")
    comma, pos = pos, _skip_space(text, pos + 1, end)
    if pos == end:
        raise CitationError(comma, f"nothing after this comma; {_HINT}, "
                                   "or remove the comma")
    return _parse_locator(text, pos, end)


def _parse_locator(text: str, pos: int, end: int) -> str:
    """A locator at text[pos:end], printed the Chicago way."""
    word = _WORD.match(text, pos, end)
    label = _LABEL_OF.get(word.group().lower()) if word else None
    start = _skip_space(text, word.end(), end) if label else pos
    value = _VALUE.match(text, start, end)
    if not value and label:
        raise CitationError(pos, f'"{word.group()}" needs a number after it; '
                                 f"{_HINT}")
    if not value:
        what = word.group() if word else text[pos:end].split()[0]
        raise CitationError(pos, f'locator "{what}" not understood; {_HINT}')
    rest = _skip_space(text, value.end(), end)
    if rest != end:
        raise CitationError(rest, "text after the locator not understood; write "
                                  "only the locator (p. 3, pp. 4–5, 12:40), "
                                  "and put other words before the @")
    return _print_locator(label or "page", value.group())


def _skip_space(text: str, pos: int, end: int) -> int:
    """The first non-space offset at or after pos (or end)."""
    while pos < end and text[pos].isspace():
        pos += 1
    return pos


def _print_locator(label: str, value: str) -> str:
    """The locator as a Chicago note prints it: `4–5`, `chap. 2`, `12:40`."""
    ranges = [_print_range(r) for r in re.split(r"\s*,\s*", value.strip())]
    plural = len(ranges) > 1 or any("–" in r for r in ranges)
    singular, plural_label, _ = _LABELS[label]
    name = plural_label if plural else singular
    return f"{name} {', '.join(ranges)}" if name else ", ".join(ranges)


def _print_range(text: str) -> str:
    """One number or range, with an en dash, page ranges abbreviated (CMOS 9.61)."""
    ends = [e.strip() for e in re.split(r"[-–—]", text)]
    if len(ends) == 1:
        return ends[0]
    first, last = ends
    if first.isdigit() and last.isdigit():
        last = _abbreviate(first, last)
    return f"{first}–{last}"


def _abbreviate(first: str, last: str) -> str:
    """The second number of an inclusive range as CMOS 9.61 writes it."""
    a, b = int(first), int(last)
    if a < 100 or a % 100 == 0 or b <= a or len(last) != len(first):
        return last
    keep = 1 if a % 100 < 10 else 2
    changed = next(i for i, (x, y) in enumerate(zip(first, last)) if x != y)
    return last[min(changed, len(last) - keep):]


# -- formatting: public --------------------------------------------------------


def format_note(
    items: Iterable[CiteItem],
    sources: Mapping[str, Source],
    seen: frozenset[str],
) -> tuple[str, frozenset[str]]:
    """The HTML of the footnote for one bracket, and the keys now cited."""
    parts = []
    for item in items:
        source = _source_for(item, sources)
        body = _short_note(source, item.locator) if item.key in seen \
            else _full_note(source, item.locator)
        prefix = _text(item.prefix) if parts else _capitalize(_text(item.prefix))
        parts.append(f"{prefix} {body}" if prefix else body)
        seen = seen | {item.key}
    return _end("; ".join(parts)), seen


def format_bibliography_entry(source: Source) -> str:
    """The HTML of the source's bibliography entry, ending with a period."""
    return _end(_join(_BIB[_kind(source)](source), "."))


def bibliography_sort_text(source: Source) -> str:
    """Plain text to collate the bibliography on: who (inverted), then title."""
    who = _plain(_bib_who(source))
    title = _sort_title(source.title or source.get("genre"))
    return f"{who}. {title}" if who and title else who or title


def _source_for(item: CiteItem, sources: Mapping[str, Source]) -> Source:
    """The source an item names, or an error pointing at its key."""
    if item.key in sources:
        return sources[item.key]
    close = difflib.get_close_matches(item.key, list(sources), n=1)
    hint = f'; did you mean "{close[0]}"?' if close else \
        "; add it to the sources file or correct the key"
    raise CitationError(item.offset, f'unknown source "{item.key}"{hint}')


def _kind(source: Source) -> str:
    """The formatting family of a source: its type, memoirs split by publisher."""
    if source.type not in REQUIRED:
        raise ValueError(f"{source.id}: unknown source type {source.type!r}")
    if source.type == "memoir":
        return "book" if source.publisher else "manuscript"
    return source.type


# -- full notes ----------------------------------------------------------------


def _full_note(s: Source, locator: str) -> str:
    """The first, complete note for a source (no final period)."""
    parts = _FULL[_kind(s)](s, _text(locator))
    return _join(parts + _access(s, "accessed"), ",")


def _note_article(s: Source, locator: str) -> list[str]:
    """Author, “Title,” Periodical, date, 3 — or Journal 12, no. 3 (date): 3."""
    parts = [_names_note(s.authors), _title(s, "quoted")]
    if s.get("volume") or s.get("issue"):
        return parts + [_journal(s, locator)]
    return parts + [_italic(s.publisher), _date(s.date), locator]


def _note_web(s: Source, locator: str) -> list[str]:
    """Author, “Title,” Site, date, locator."""
    return [_names_note(s.authors), _title(s, "quoted"), _text(s.publisher),
            _date(s.date), locator]


def _note_blog(s: Source, locator: str) -> list[str]:
    """Author, “Post,” Blog (blog), Larger Publication, date, locator."""
    return [_names_note(s.authors), _title(s, "quoted"), _blog_name(s),
            _italic(s.get("container")), _date(s.date), locator]


def _note_interview(s: Source, locator: str) -> list[str]:
    """Interviewee, “Title,” interview by X, Program, NPR, place, date, medium."""
    by = _text(s.get("interviewer"))
    return [_names_note(s.authors), _title(s, "quoted"),
            f"interview by {by}" if by else "interview", _italic(s.publisher),
            _text(s.get("container")), _text(s.get("place")), _date(s.date),
            _text(s.get("medium")), locator]


def _note_book(s: Source, locator: str) -> list[str]:
    """Author, Title, ed. X, trans. Y, 2nd ed. (Place: Publisher, date), 3."""
    parts = [_names_note(s.authors), _title(s, "italic"), _by("ed.", s, "editor"),
             _by("trans.", s, "translator"), _text(s.get("edition"))]
    return _with_facts(parts, _facts(s)) + [locator]


def _note_manuscript(s: Source, locator: str) -> list[str]:
    """Author, “Title” (unpublished memoir, place, date), 3, Archive."""
    facts = _join(["unpublished memoir", _text(s.get("place")), _date(s.date)], ",")
    parts = [_names_note(s.authors), _title(s, "quoted")]
    return _with_facts(parts, facts) + [locator, _text(s.get("container"))]


def _note_film(s: Source, locator: str) -> list[str]:
    """Title, directed by X (Place: Studio, date), medium, 12:40."""
    director = _text(_display(s.get("director")))
    parts = [_title(s, "italic"), f"directed by {director}" if director else ""]
    return _with_facts(parts, _facts(s)) + [_text(s.get("medium")), locator]


def _note_document(s: Source, locator: str) -> list[str]:
    """Who to Recipient, genre No. N, “Title,” place, date, sec. 2, Archive."""
    who, to = _who_note(s), _text(s.get("recipient"))
    if who and to:
        who = f"{who} to {to}"
    what = _designation(s, recipient=not who)
    return [who, what if who else _capitalize(what), _title(s, "quoted"),
            _text(s.get("place")), _date(s.date), locator,
            _text(s.get("container"))]


def _with_facts(parts: list[str], facts: str) -> list[str]:
    """The non-empty parts, the last followed by `(facts)` when there are any."""
    parts = [p for p in parts if p]
    if facts and parts:
        parts[-1] += f" ({facts})"
    elif facts:
        parts = [f"({facts})"]
    return parts


_FULL = {
    "article": _note_article, "web": _note_web, "blog": _note_blog,
    "interview": _note_interview, "book": _note_book,
    "manuscript": _note_manuscript, "film": _note_film,
    "document": _note_document,
}


# -- short notes ---------------------------------------------------------------


def _short_note(s: Source, locator: str) -> str:
    """A later note for the same source: surname, short title, locator."""
    kind = _kind(s)
    if kind == "interview" and not s.title:
        parts = [_names_short(s.authors), "interview"]
    elif kind == "film":
        parts = [_title(s, "italic", short=True)]
    elif kind == "document":
        parts = _short_document(s)
    else:
        style = "italic" if kind == "book" else "quoted"
        parts = [_names_short(s.authors), _title(s, style, short=True)]
    return _join(parts + [_text(locator)], ",")


def _short_document(s: Source) -> list[str]:
    """Who, genre No. N (or the given short title); the date when unnumbered."""
    who = _names_short(s.authors) or _text(s.get("issuer"))
    what = _text(s.get("short")) or _designation(s, recipient=False)
    date = "" if s.get("number") else _date(s.date)
    return [who, what if who else _capitalize(what), date]


# -- bibliography --------------------------------------------------------------


def _bib_who(s: Source) -> str:
    """Who leads the entry: authors inverted, a director, or an issuer."""
    if s.type == "film" and s.get("director"):
        return _text(_inverted(s.get("director")))
    if s.type == "document" and not s.authors:
        return _text(s.get("issuer"))
    who = _names_bib(s.authors)
    if s.type == "document" and who and s.get("issuer"):
        who += f" ({_text(s.get('issuer'))})"
    return who


def _bib_article(s: Source) -> list[str]:
    """Surname, Given. “Title.” Periodical, date."""
    pages = _text(_print_range(s.get("pages"))) if s.get("pages") else ""
    where = _journal(s, pages) if s.get("volume") or s.get("issue") \
        else _join([_italic(s.publisher), _date(s.date)], ",")
    return [_bib_who(s), _title(s, "quoted"), where] + _access(s, "Accessed")


def _bib_web(s: Source) -> list[str]:
    """Surname, Given. “Title.” Site. Date."""
    return [_bib_who(s), _title(s, "quoted"), _text(s.publisher), _date(s.date)] \
        + _access(s, "Accessed")


def _bib_blog(s: Source) -> list[str]:
    """Surname, Given. “Post.” Blog (blog). Larger Publication, date."""
    when = _join([_italic(s.get("container")), _date(s.date)], ",")
    return [_bib_who(s), _title(s, "quoted"), _blog_name(s), when] \
        + _access(s, "Accessed")


def _bib_interview(s: Source) -> list[str]:
    """Surname, Given. “Title.” Interview by X. Program, NPR, date. Medium."""
    by = _text(s.get("interviewer"))
    where = _join([_italic(s.publisher), _text(s.get("container")),
                   _text(s.get("place")), _date(s.date)], ",")
    return [_bib_who(s), _title(s, "quoted"),
            f"Interview by {by}" if by else "Interview", where,
            _capitalize(_text(s.get("medium")))] + _access(s, "Accessed")


def _bib_book(s: Source) -> list[str]:
    """Surname, Given. Title. Edited by X. Translated by Y. Place: Publisher, date."""
    return [_bib_who(s), _title(s, "italic"), _by("Edited by", s, "editor"),
            _by("Translated by", s, "translator"), _text(s.get("edition")),
            _facts(s)] + _access(s, "Accessed")


def _bib_manuscript(s: Source) -> list[str]:
    """Surname, Given. “Title.” Unpublished memoir, place, date. Archive."""
    what = _join(["Unpublished memoir", _text(s.get("place")), _date(s.date)], ",")
    return [_bib_who(s), _title(s, "quoted"), what, _text(s.get("container"))] \
        + _access(s, "Accessed")


def _bib_film(s: Source) -> list[str]:
    """Surname, Given, dir. Title. Place: Studio, date. Medium."""
    who = _bib_who(s)
    return [f"{who}, dir." if who else "", _title(s, "italic"), _facts(s),
            _capitalize(_text(s.get("medium")))] + _access(s, "Accessed")


def _bib_document(s: Source) -> list[str]:
    """Who. Genre No. N to Recipient, “Title.” Place, date. Archive."""
    what = _join([_capitalize(_designation(s, recipient=True)),
                  _title(s, "quoted")], ",")
    when = _join([_text(s.get("place")), _date(s.date)], ",")
    return [_bib_who(s), what, when, _text(s.get("container"))] \
        + _access(s, "Accessed")


_BIB = {
    "article": _bib_article, "web": _bib_web, "blog": _bib_blog,
    "interview": _bib_interview, "book": _bib_book,
    "manuscript": _bib_manuscript, "film": _bib_film,
    "document": _bib_document,
}


# -- elements shared by several types ------------------------------------------


def _journal(s: Source, pages: str = "") -> str:
    """Journal 12, no. 3 (2010), then `: pages` when given."""
    issue = f"no. {_text(s.get('issue'))}" if s.get("issue") else ""
    numbers = _join([_text(s.get("volume")), issue], ",")
    out = " ".join(p for p in [_italic(s.publisher), numbers] if p)
    if s.date:
        out += f" ({_date(s.date)})"
    return f"{out}: {pages}" if pages else out


def _blog_name(s: Source) -> str:
    """The blog's name in italics, with “(blog)” unless the name says so."""
    name = _italic(s.publisher)
    return name if "blog" in s.publisher.lower() else f"{name} (blog)"


def _facts(s: Source) -> str:
    """Place: Publisher, date — the publication facts of a book or film."""
    place, who = _text(s.get("place")), _text(s.publisher)
    where = f"{place}: {who}" if place and who else place or who
    return _join([where, _date(s.date)], ",")


def _by(role: str, s: Source, field: str) -> str:
    """`ed. Name`, `Translated by Name`, or empty."""
    name = _text(s.get(field))
    return f"{role} {name}" if name else ""


def _designation(s: Source, recipient: bool) -> str:
    """genre No. N (to Recipient): what a document is."""
    genre, number = _text(s.get("genre")), _text(s.get("number"))
    if number:
        label = "No." if genre[:1].isupper() else "no."
        genre = f"{genre} {label} {number}" if genre else f"No. {number}"
    to = _text(s.get("recipient"))
    return f"{genre} to {to}" if recipient and to else genre


def _who_note(s: Source) -> str:
    """A document's author(s) or issuer, or both as `Author (Issuer)`."""
    who, issuer = _names_note(s.authors), _text(s.get("issuer"))
    return f"{who} ({issuer})" if who and issuer else who or issuer


def _access(s: Source, word: str) -> list[str]:
    """`accessed May 1, 2025` and the URL, as far as given."""
    when = _date(s.get("accessed"))
    return [f"{word} {when}" if when else "", _url(s.url)]


# -- names ---------------------------------------------------------------------


def _split_name(name: str) -> tuple[str, str]:
    """(surname, given) of 'Given Surname' or 'Surname, Given'."""
    name = _clean(name)
    if "," in name:
        surname, given = name.split(",", 1)
        return surname.strip(), given.strip()
    given, _, surname = name.rpartition(" ")
    return surname, given


def _display(name: str) -> str:
    """'Given Surname', the form used in notes."""
    surname, given = _split_name(name)
    return f"{given} {surname}" if given else surname


def _inverted(name: str) -> str:
    """'Surname, Given', the form that leads a bibliography entry."""
    surname, given = _split_name(name)
    return f"{surname}, {given}" if given else surname


def _names_note(names: Sequence[str]) -> str:
    """Authors for a full note: A; A and B; A, B, and C; A et al."""
    shown = [_text(_display(n)) for n in names if n.strip()]
    return _series(shown, et_al_from=4, keep=1)


def _names_short(names: Sequence[str]) -> str:
    """Surnames for a short note: Smith; Smith and Jones; Smith et al."""
    shown = [_text(_split_name(n)[0]) for n in names if n.strip()]
    return _series(shown, et_al_from=4, keep=1)


def _names_bib(names: Sequence[str]) -> str:
    """Authors for the bibliography: Surname, Given, B, and C (up to ten)."""
    names = [n for n in names if n.strip()]
    if not names:
        return ""
    shown = [_text(_inverted(names[0]))] + [_text(_display(n)) for n in names[1:]]
    if len(shown) == 2:
        comma = "," if "," in shown[0] else ""
        return f"{shown[0]}{comma} and {shown[1]}"
    return _series(shown, et_al_from=11, keep=7)


def _series(names: list[str], et_al_from: int, keep: int) -> str:
    """Join names the Chicago way: A and B; A, B, and C; A, B, … et al."""
    if len(names) >= et_al_from:
        lead = ", ".join(names[:keep])
        return f"{lead} et al." if keep == 1 else f"{lead}, et al."
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + ", and " + names[-1]


# -- titles --------------------------------------------------------------------

_ARTICLE = re.compile(r"(?:the|an?)\s+", re.IGNORECASE)
_SUBTITLE = re.compile(r"(?<=[?!])\s|:\s|\s[-–—]\s")
_SMALL = {"a", "an", "the", "and", "or", "nor", "but", "of", "for", "in", "on",
          "to", "at", "by", "with", "from", "as"}


def _title(s: Source, style: str, short: bool = False) -> str:
    """The title as HTML: “quoted” or <i>italic</i>; short form on request."""
    text = (s.get("short") or _shorten(s.title)) if short else s.title
    text = _smarten(_clean(text))
    if not text:
        return ""
    if style == "quoted":
        text = text.replace("“", "‘").replace("”", "’")
    runs = _emphasis_runs(text)
    out = "".join(f"<i>{_escape(t)}</i>" if em != (style == "italic") else _escape(t)
                  for t, em in runs if t)
    return f"“{out}”" if style == "quoted" else out


def _shorten(title: str) -> str:
    """Chicago's short title: main title, no leading article, four words at most."""
    main = _SUBTITLE.split(_clean(title), 1)[0]
    main = _ARTICLE.sub("", main, count=1) if _ARTICLE.match(main) else main
    words = main.split()
    if len(words) > 4:
        words = words[:4]
        while len(words) > 1 and words[-1].lower().strip(",;") in _SMALL:
            words.pop()
        words[-1] = re.sub(r"[,;:]+(?=['’\"”*]*$)", "", words[-1])
    short = " ".join(words)
    return short if short.count("*") % 2 == 0 else short + "*"


def _sort_title(title: str) -> str:
    """A title to collate on: no markup, quotes or leading article."""
    text = re.sub(r"[*“”\"]", "", _clean(title))
    text = re.sub(r"^\W+", "", text)
    return _ARTICLE.sub("", text, count=1) if _ARTICLE.match(text) else text


def _emphasis_runs(text: str) -> list[tuple[str, bool]]:
    """Split `a *b* c` into runs, each marked emphasised or not."""
    pieces = text.split("*")
    if len(pieces) % 2 == 0:
        return [(text, False)]
    return [(p, i % 2 == 1) for i, p in enumerate(pieces)]


def _smarten(text: str) -> str:
    """Straight quotes and apostrophes made typographic."""
    out = []
    for i, ch in enumerate(text):
        opening = i == 0 or text[i - 1].isspace() or text[i - 1] in "([{“‘—–-/"
        if ch == '"':
            ch = "“" if opening else "”"
        elif ch == "'":
            ch = "‘" if opening else "’"
        out.append(ch)
    return "".join(out)


def _italic(text: str) -> str:
    """Escaped text in <i>, or empty."""
    text = _text(text)
    return f"<i>{text}</i>" if text else ""


# -- dates and URLs ------------------------------------------------------------

_MONTHS = ("January February March April May June July August September "
           "October November December").split()
_ISO = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


def _date(text: str) -> str:
    """2013-05-30 -> May 30, 2013; 2013-05 -> May 2013; others as written."""
    text = _clean(text)
    match = _ISO.fullmatch(text)
    if not match:
        return _text(text)
    year, month, day = (int(g) if g else 0 for g in match.groups())
    try:
        datetime.date(year, month or 1, day or 1)
    except ValueError:
        return _text(text)
    if not month:
        return str(year)
    name = _MONTHS[month - 1]
    return f"{name} {day}, {year}" if day else f"{name} {year}"


_BREAK_BEFORE = set("/~.,-_?#%")
_BREAK_AROUND = set("=&")
_NO_BREAK_AFTER = set("-/?!")
_WORD_JOINER = "&#x2060;"


def _url(url: str) -> str:
    """A link printing the URL in full, breakable where CMOS 14.18 allows."""
    url = "".join(url.split())
    if not url:
        return ""
    breaks = _url_breaks(url)
    out = []
    for i, ch in enumerate(url):
        if i in breaks:
            out.append("<wbr>")
        out.append(html.escape(ch))
        if ch in _NO_BREAK_AFTER and url[i + 1:i + 2].isalnum() \
                and i + 1 not in breaks:
            out.append(_WORD_JOINER)
    return f'<a class="url" href="{html.escape(url)}">{"".join(out)}</a>'


def _url_breaks(url: str) -> set[int]:
    """Offsets a line may break before: after // or :, before / . - ? # etc."""
    scheme = re.match(r"[A-Za-z][\w+.-]*://", url)
    start = scheme.end() if scheme else 0
    breaks = {start} if scheme else set()
    for i in range(start + 1, len(url)):
        ch = url[i]
        if ch in _BREAK_BEFORE or ch in _BREAK_AROUND:
            breaks.add(i)
        if url[i - 1] in _BREAK_AROUND or url[i - 1] == ":" or url[i - 2:i] == "//":
            breaks.add(i)
    breaks.discard(len(url))
    if url.endswith("/"):
        breaks.discard(len(url) - 1)
    return breaks


# -- text and punctuation ------------------------------------------------------


def _clean(text: object) -> str:
    """Text with every run of whitespace (newlines too) made one space."""
    return " ".join(str(text or "").split())


def _text(text: object) -> str:
    """Plain text as escaped HTML, whitespace collapsed."""
    return _escape(_clean(text))


def _escape(text: str) -> str:
    """Text as HTML, spaces kept as they are."""
    return html.escape(text, quote=False)


def _plain(fragment: str) -> str:
    """HTML back to plain text (for collation)."""
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def _capitalize(fragment: str) -> str:
    """The first letter upper-cased, as at the start of a note or sentence."""
    return fragment[:1].upper() + fragment[1:]


def _join(parts: Iterable[str], mark: str) -> str:
    """Non-empty parts joined by `mark `, US style: , and . inside quotes."""
    out = ""
    for part in parts:
        if part:
            out = f"{_punctuate(out, mark)} {part}" if out else part
    return out


def _end(fragment: str) -> str:
    """The fragment closed with a period."""
    return _punctuate(fragment, ".")


def _punctuate(fragment: str, mark: str) -> str:
    """Add a comma or period: inside closing quotes; no period after ? ! or `.`."""
    tags = re.search(r"(?:</[a-z]+>)*$", fragment).group()
    core = fragment[:len(fragment) - len(tags)]
    quotes = _closing_quotes(core)
    body = core[:len(core) - quotes]
    if mark == "." and body[-1:] in ("?", "!", "."):
        return fragment
    if quotes and not tags:
        return body + mark + core[len(body):]
    return fragment + mark


def _closing_quotes(text: str) -> int:
    """How many closing quotation marks end the text (apostrophes excluded)."""
    open_singles, closers = 0, set()
    for i, ch in enumerate(text):
        if ch == "‘":
            open_singles += 1
        elif ch == "’" and open_singles and not text[i + 1:i + 2].isalpha():
            open_singles -= 1
            closers.add(i)
        elif ch == "”":
            closers.add(i)
    count = 0
    while count < len(text) and len(text) - 1 - count in closers:
        count += 1
    return count
