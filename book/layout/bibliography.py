"""Book -> the bibliography (every cited source once, collated) and the colophon's HTML."""

from __future__ import annotations

from .. import cite
from ..markup.typeset import typeset
from ..model import Book
from .collate import make_collator


def entries(book: Book) -> list[dict]:
    """Bibliography entries of the cited sources, sorted by author or title in the book's language."""
    cited = {key for chapter in book.chapters for key in chapter.cited}
    sources = [s for s in book.sources if s.id in cited]
    collator = make_collator(book.manifest.language)
    sources.sort(key=lambda s: collator.key(cite.bibliography_sort_text(s)))
    return [dict(anchor=f"src-{s.id}", html=typeset(cite.format_bibliography_entry(s, book.manifest.style), None,
                                                       style=book.manifest.style)) for s in sources]


def colophon_html(book: Book) -> str:
    """The editor's colophon text (Markdown in book.yaml) as HTML, checked by the markup stage."""
    return book.colophon_html
