"""`book watch` keeps one build's layouts, not every build's (issue 13, "flat memory"): over many edits
in a session, what stays alive after a build does not grow, neither the engine's Python objects nor
the C memory of its text layouts (layout/font_features.py)."""

from __future__ import annotations

import ctypes
import gc
import weakref
from pathlib import Path

import pytest
from synth import write_book
from weasyprint.document import Document, Page

from book.layout import font_features, paginate
from book.pipeline import Session, build

WORD = " winter "


def toggle(path: Path) -> None:
    """A one-word edit, undone by the next call: two texts in turn."""
    text = path.read_text(encoding="utf-8")
    text = text.replace(" very" + WORD, WORD, 1) if " very" + WORD in text else text.replace(WORD, " very" + WORD, 1)
    path.write_text(text, encoding="utf-8")


class _Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                                      "fsmblks", "uordblks", "fordblks", "keepcost")]


def malloc_in_use() -> int:
    """Bytes the C allocator has handed out and not had back (glibc's mallinfo2): the C libraries'
    memory (Pango, HarfBuzz, cairo), counted exactly, where the RSS is noisy. Python's small objects
    live in arenas of their own and do not count."""
    try:
        mallinfo2 = ctypes.CDLL(None).mallinfo2
    except (OSError, AttributeError):
        pytest.skip("needs glibc 2.33 or later (mallinfo2)")
    mallinfo2.restype = _Mallinfo2
    info = mallinfo2()
    return info.uordblks + info.hblkhd


def live(kind: type) -> list:
    gc.collect()
    return [thing for thing in gc.get_objects() if isinstance(thing, kind)]


def session_book(tmp_path: Path) -> tuple[Path, Path]:
    source = write_book(tmp_path / "book", chapters=3, paragraphs=12, seed=5)
    chapter = source / "02-chapter.md"
    assert WORD in chapter.read_text(encoding="utf-8")
    return source, chapter


def watch_build(source: Path, out: Path, session: Session):
    """One build as `book watch` makes it."""
    return build(source, out, html=False, edition="draft", session=session, adjust=False)


def test_a_session_holds_the_layouts_of_its_last_build_only(tmp_path):
    """After each build the live Documents are the ones the session keeps on purpose (the layouts
    of that build, by their HTML); a layout the build did not ask for again is gone; the number of
    live Documents and Pages does not grow over edits."""
    source, chapter = session_book(tmp_path)
    session = Session()
    counts = []
    for number in range(12):
        before = [weakref.ref(document) for document, _ in (session.engine.kept.values() if session.engine else ())]
        if number:
            toggle(chapter)
        summary = watch_build(source, tmp_path / "out", session)
        if number:
            assert summary.fresh == ["ch-02-chapter"], "the edit lays out the edited chapter alone again"
        kept = {id(document) for document, _ in session.engine.kept.values()}
        documents = live(Document)
        assert {id(d) for d in documents} <= kept, "a Document outlives its build outside the session's layouts"
        if before:
            gone = [ref for ref in before if ref() is None]
            assert len(gone) == 1, "the edited chapter's old layout is let go, and only it"
        counts.append((len(documents), len(live(Page))))
        del documents, summary
    assert len(set(counts[1:])) == 1 and counts[-1] == counts[0], counts


def test_text_layouts_give_back_their_c_memory(tmp_path, monkeypatch):
    """The C memory in use after a session's builds does not grow with the edits. The engine alone
    (the patch of font_features.py taken out) loses about 100 bytes per text layout with OpenType
    features, i.e. every line of the body (book.css: oldstyle figures): over the later builds that
    is far over the bound here."""
    source, chapter = session_book(tmp_path)

    def growth() -> int:
        session = Session()
        in_use = []
        for number in range(10):
            if number:
                toggle(chapter)
            watch_build(source, tmp_path / "out", session)
            gc.collect()
            in_use.append(malloc_in_use())
        return in_use[-1] - in_use[3]  # six builds after the first layouts of both texts and a warm-up

    with monkeypatch.context() as engine_alone:
        engine_alone.setattr(paginate, "install_font_features", lambda: None)
        font_features.uninstall()
        try:
            leaking = growth()
        finally:
            font_features.install()
    assert leaking > 200_000, "the engine's own setup was expected to lose memory on every build"
    assert growth() < leaking / 10
