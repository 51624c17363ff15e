"""Laid-out pages + the chapters' notes -> problems: every note on a page, and on its call's page."""

from __future__ import annotations

from ..errors import Problems
from ..model import Book, Location


def check_notes(book: Book, at: dict[str, int], problems: Problems, strict: bool,
                folios: tuple[str, ...] = ()) -> None:
    """Every note must land on a page, and on the page of its call."""
    def page(index: int) -> str:
        folio = folios[index] if index < len(folios) else ""
        return f"page {folio} (PDF page {index + 1})" if folio else f"PDF page {index + 1}"

    for chapter in book.chapters:
        for note in chapter.notes:
            call, body = at.get("call-" + note.anchor), at.get(note.anchor)
            where = note.origin or Location(chapter.path)
            if body is None:
                problems.error(where, f"note {note.number} was lost by the layout engine; shorten it or "
                               "move its call, then rebuild")
            elif call is not None and call != body:
                report = problems.error if strict else problems.warn
                report(where, f"note {note.number} is printed on {page(body)}, its call on {page(call)}; "
                       "reword the paragraph or the next one so that the page breaks elsewhere")

