"""CiteItems + sources -> Chicago notes and bibliography entries (HTML).


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

import contextvars
import datetime
import difflib
import html
import re
from collections.abc import Iterable, Mapping, Sequence
from contextlib import contextmanager

from ..model import HouseStyle, Source
from ..policy import check_href
from ..source.bibliography import REQUIRED
from ..text import house_dates, number_range, uncertain, year_range
from .parse import CitationError, CiteItem, _print_range


_STYLE: contextvars.ContextVar[HouseStyle] = contextvars.ContextVar("house_style", default=HouseStyle())
"""The house style the formatting functions below follow (US Chicago unless a book says otherwise)."""


@contextmanager
def house_style(style: HouseStyle | None):
    """Format in the book's house style (dates, quotation punctuation) inside the block."""
    token = _STYLE.set(style or HouseStyle())
    try:
        yield
    finally:
        _STYLE.reset(token)


def format_note(
    items: Iterable[CiteItem],
    sources: Mapping[str, Source],
    seen: frozenset[str],
    style: HouseStyle | None = None,
) -> tuple[str, frozenset[str]]:
    """The HTML of the footnote for one bracket, and the keys now cited, in the house style."""
    with house_style(style):
        return _format_note(items, sources, seen)


def _format_note(items: Iterable[CiteItem], sources: Mapping[str, Source],
                 seen: frozenset[str]) -> tuple[str, frozenset[str]]:
    parts = []
    for item in items:
        source = _source_for(item, sources)
        locator = _ranges(item.locator)
        body = _short_note(source, locator) if item.key in seen else _full_note(source, locator)
        prefix = _text(item.prefix) if parts else _capitalize(_text(item.prefix))
        parts.append(f"{prefix} {body}" if prefix else body)
        seen = seen | {item.key}
    return _end("; ".join(parts)), seen


def format_bibliography_entry(source: Source, style: HouseStyle | None = None) -> str:
    """The HTML of the source's bibliography entry, ending with a period, in the house style."""
    with house_style(style):
        return _end(_join(_BIB[_kind(source)](source), "."))


def format_date(text: str, style: HouseStyle | None = None) -> str:
    """An ISO date (2013-05-30, 2013-05) in the house style; anything else as written."""
    with house_style(style):
        return _date(text)


def bibliography_sort_text(source: Source) -> str:
    """Plain text to collate the bibliography on: who (inverted), then title."""
    who = _plain(_bib_who(source))
    title = _sort_title(source.title or source.get("genre"))
    return f"{who}. {title}" if who and title else who or title


ITALIC_CONTAINERS = ("article", "blog", "interview")
"""Kinds whose publisher is a periodical, blog or programme, set in italics like a book's title."""
ITALIC_TITLES = ("book", "film")
"""Kinds whose own title is italic; every other title is quoted."""


def house_titles(sources: Iterable[Source]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(names set in italics, titles set in quotation marks) for running text, the way the notes
    set them: periodicals, blogs, books and films in italics; articles, posts and documents quoted."""
    italic, quoted = [], []
    for s in sources:
        kind = _kind(s)
        name = _clean(s.publisher)
        if kind in ITALIC_CONTAINERS and len(name) >= 4 and name.lower() not in ("n.p.", "n.p"):
            italic.append(name)
        title = _smarten(_clean(s.title)).replace("*", "")
        if title and len(title) >= 8:
            (italic if kind in ITALIC_TITLES else quoted).append(title)
    return tuple(dict.fromkeys(italic)), tuple(dict.fromkeys(quoted))


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
    pages = _text(_ranges(_print_range(s.get("pages")))) if s.get("pages") else ""
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


_UNCERTAIN_DATE = re.compile(r"(?:about|c\.|ca\.|circa)\s*([\d-]+)|\[([\d-]+)\?\]|([\d-]+)[?~%]", re.IGNORECASE)
"""An uncertain date as editors and CSL/EDTF write it: about 2023, c. 2023, circa 2023, [2023?], 2023?, 2023~."""
_DATE_RANGE = re.compile(r"(\d{4})(?:\s*[–/]\s*(\d{4}|\d{2})|-(\d{4}))")
"""A range of years in a date field: 1938–1946, 1938–46, 1938/1946 (EDTF), 1938-1946 (never 1938-05,
which is May 1938)."""


def _date(text: str) -> str:
    """2013-05-30 -> May 30, 2013 (or 30 May 2013 in day-month-year style); 2013-05 -> May 2013;
    an uncertain date (about 2023, [2023?], 2023~) and a range of years in the house style;
    others as written."""
    text = _clean(text)
    style = _STYLE.get()
    if (unsure := _UNCERTAIN_DATE.fullmatch(text)) and _ISO.fullmatch(inner := next(g for g in unsure.groups() if g)):
        return uncertain(_date(inner), style.uncertain)
    if (span := _DATE_RANGE.fullmatch(text)) and \
            (years := year_range(span.group(1), span.group(2) or span.group(3), style.ranges)):
        return years
    match = _ISO.fullmatch(text)
    if not match:
        return _text(house_dates(text, style.ranges, style.uncertain))
    year, month, day = (int(g) if g else 0 for g in match.groups())
    try:
        datetime.date(year, month or 1, day or 1)
    except ValueError:
        return _text(text)
    if not month:
        return str(year)
    name = _MONTHS[month - 1]
    if not day:
        return f"{name} {year}"
    if style.dates == "day-month-year":
        return f"{day} {name} {year}"
    return f"{name} {day}, {year}"


def _ranges(printed: str) -> str:
    """Page ranges of a printed locator (4–5, 123–28) in full or abbreviated, as the house writes them."""
    return re.sub(r"(?<![\d:.])(\d+)–(\d+)(?![\d:.])", lambda m: number_range(m.group(1), m.group(2), _STYLE.get().ranges), printed)


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
    if url.startswith("#") or check_href(url):  # refused at load; never a live link
        return "".join(out)
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
    """Add a comma or period: inside closing quotes (US) or after them (logical house style);
    no period after ? ! or `.`."""
    tags = re.search(r"(?:</[a-z]+>)*$", fragment).group()
    core = fragment[:len(fragment) - len(tags)]
    quotes = _closing_quotes(core)
    body = core[:len(core) - quotes]
    if mark == "." and body[-1:] in ("?", "!", "."):
        return fragment
    if quotes and not tags and _STYLE.get().quotes != "logical":
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
