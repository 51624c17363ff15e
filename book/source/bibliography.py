"""The fields of a bibliography entry, per source type: declared once, used by the loader, the
Chicago formatter and the docs.
"""

from __future__ import annotations

FIELDS: dict[str, str] = {
    "title": "title as published; in a document, its own title if it has one",
    "author": "author(s): 'Given Surname', or 'Surname, Given' to fix the split;"
    " an interview's interviewee; a document's writer or signer; a film's director",
    "publisher": "periodical (article), site (web), blog name (blog), program or"
    " channel (interview), publisher (book, memoir), studio or distributor (film),"
    " issuing organization (document)",
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
    "document": ("date",),
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
    "film": ("author", "director", "place", "publisher", "medium") + _ONLINE,
    "document": ("title", "genre", "author", "publisher", "issuer", "recipient", "number",
                 "place", "container") + _ONLINE,
}
"""Fields each type may have (besides id and type)."""

ONE_OF: dict[str, tuple[str, ...]] = {
    "document": ("title", "genre"),
}
"""Types that need at least one of these fields, to say what the source is."""

SAME_AS: dict[tuple[str, str], str] = {
    ("film", "author"): "director",
    ("document", "publisher"): "issuer",
}
"""(type, field) -> the field it means for that type: a film's author is its director, a document's
publisher the organization that issued it."""

TYPES: tuple[str, ...] = tuple(REQUIRED)
"""Every source type, in the order of DESIGN.md."""

TYPE_DOCS: dict[str, str] = {
    "article": "an article in a newspaper, magazine or journal",
    "web": "a page of a web site",
    "blog": "a post on a blog",
    "interview": "an interview, printed, broadcast or online",
    "book": "a published book",
    "memoir": "a memoir or other personal account, published or kept in an archive",
    "film": "a film or video",
    "document": "an official document: an order, a telegram, a letter, a report",
}
"""What each source type is for, for the guide."""
