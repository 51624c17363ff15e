"""book/layout/line_tries.py: the engine's line breaking without the tries that cannot fit (the next
word set after the line, hyphenation points past it), giving every line exactly as the engine does."""

from __future__ import annotations

import collections
import random

from weasyprint.text import line_break

from book.layout import line_tries
from book.layout.paginate import Engine
from book.paths import STYLES

WORDS = ("the", "camp", "of", "wives", "ste\xadppe", "ad\xadmin\xadis\xadtra\xadtion", "cor\xadre\xadspon\xaddence",
         "re\xadmem\xadbrance", "Akmolinsk", "1938", "let\xadters", "a", "bar\xadracks", "tran\xadsports",
         "ap\xadproxi\xadmately", "in", "and", "sur\xadviv\xadors")
"""Words as typeset.py sets them: soft hyphens in long lower-case words, none in names or numbers."""


def _styles():
    """Text styles of a laid-out page: book.css's justified, hyphenated body text with each spacing
    the adjustments try, a heading's, one with hyphens: none and one with hyphens: auto."""
    fixes = ("", "tight", "tighter", "tightest", "wide", "wider")
    paragraphs = "".join(f'<p data-fix="{fix}">some words here</p>' for fix in fixes)
    html = (f'<html lang="en"><head><link rel="stylesheet" href="{(STYLES / "book.css").as_uri()}">'
            f"<style>@page {{ size: A5 }} p.none {{ hyphens: none }} p.auto {{ hyphens: auto }}</style></head><body>"
            f"<section class='chapter' id='c'><h2>A heading</h2>{paragraphs}"
            f"<p class='none'>unhyphenated text</p><p class='auto'>automatic hyphenation</p></section></body></html>")
    document = Engine([STYLES]).layout(html, STYLES.as_uri() + "/")
    found = {}
    stack = [document.pages[0]._page_box]
    while stack:
        box = stack.pop()
        if hasattr(box, "text") and box.text.strip():
            found.setdefault(id(box.style), box.style)
        stack.extend(getattr(box, "children", ()))
    return list(found.values())


class _Context:
    dictionaries: dict = {}


def _answer(function, text, style, width):
    layout, length, resume, line_width, height, baseline = function(text, style, _Context(), width, 0)
    return layout.text, length, resume, round(line_width, 6), round(height, 6), round(baseline, 6)


def test_the_copy_is_made_from_the_engine_installed():
    """The build uses the copy only with the engine it was copied from; here that engine is installed
    (if an upgrade changes the engine's function, this fails and the engine's own is used)."""
    assert line_tries.matches()
    assert line_tries.chosen() is line_tries.split_first_line


def test_another_engine_keeps_its_own_function(monkeypatch):
    monkeypatch.setattr(line_tries, "SOURCE", "0" * 64)
    assert line_tries.chosen() is line_break.split_first_line


def test_every_line_breaks_as_the_engines_own():
    """Random runs of hyphenated words at many widths and in every style: the copy gives the same
    first line (its text, length, where the next starts, its size) as the engine. The copy skips
    most of the tries the engine makes, and some lines are hyphenated, so the comparison is not
    idle: a copy that skipped a try that fits would break such a line elsewhere."""
    rng = random.Random(11)
    styles = _styles()
    assert len(styles) >= 7 and "auto" in {style["hyphens"] for style in styles}
    skipped, unset, hyphenated = line_tries.SKIPPED[0], line_tries.NEXT_WORD[0], collections.Counter()
    for _ in range(1500):
        style = rng.choice(styles)
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 40)))
        if style["hyphens"] == "auto":  # the engine's dictionary finds the points
            text = text.replace("\xad", "")
        width = rng.uniform(40, 360)
        theirs = _answer(line_break.split_first_line, text, style, width)
        ours = _answer(line_tries.split_first_line, text, style, width)
        assert ours == theirs, (text, width)
        hyphenated[style["hyphens"]] += theirs[0].endswith(style["hyphenate_character"])
    assert line_tries.SKIPPED[0] - skipped > 500 and line_tries.NEXT_WORD[0] - unset > 500
    assert hyphenated["manual"] > 100 and hyphenated["auto"] > 20


def test_a_layout_with_the_copy_is_the_engines_box_for_box():
    """A chapter of hyphenated, justified paragraphs laid out by the build's engine (the line memo
    working its answers out with the copy) and by the engine alone."""
    from conftest import engine_without

    from book.layout import line_memo

    rng = random.Random(4)
    paragraphs = "".join(f"<p>{' '.join(rng.choice(WORDS) for _ in range(rng.randint(20, 120)))}.</p>"
                         for _ in range(40))
    html = (f'<html lang="en"><head><link rel="stylesheet" href="{(STYLES / "book.css").as_uri()}">'
            f"<style>@page {{ size: A5 }}</style></head><body><section class='chapter' id='c'>"
            f"{paragraphs}</section></body></html>")
    skipped = line_tries.SKIPPED[0]
    ours = Engine([STYLES]).layout(html, STYLES.as_uri() + "/")
    assert line_tries.SKIPPED[0] - skipped > 100
    theirs = engine_without(line_memo, "install_line_memo", html)

    def lines(document):
        return [[(round(b.position_x, 3), round(b.position_y, 3), round(b.width, 3), b.text,
                  getattr(getattr(b, "pango_layout", None), "text", None))
                 for b in page._page_box.descendants() if hasattr(b, "text")] for page in document.pages]

    assert len(ours.pages) == len(theirs.pages) > 3
    assert lines(ours) == lines(theirs)


def test_a_line_and_the_next_word_called_too_wide_never_fit_together():
    """_too_wide's claim checked against Pango: a first line and the next word that it calls too
    wide for a measure never fit on one line of that measure when set together, and at wider
    measures, where they do fit, it says so (a check that always answered "too wide" fails)."""
    from weasyprint.text.line_break import create_layout, line_size

    rng = random.Random(8)
    styles = _styles()
    told = collections.Counter()
    for _ in range(400):
        style = rng.choice(styles)
        text = " ".join(rng.choice(WORDS).replace("\xad", "") for _ in range(rng.randint(8, 30)))
        layout = create_layout(text, style, _Context(), rng.uniform(60, 300), 0)
        first_line, resume = layout.get_first_line()
        if resume is None:
            continue
        width, _ = line_size(first_line, style)
        head, rest = text.encode()[:resume].decode(), text.encode()[resume:].decode()
        word = rest.split(" ")[0]
        for measure in (width + k * 6 for k in range(1, 25)):
            too_wide = line_tries._too_wide(layout, width, len(word.encode()), measure, style)
            together = create_layout(head + word, style, _Context(), measure, 0)
            fits = together.get_first_line()[1] is None
            assert not (too_wide and fits), (head, word, measure)
            told[too_wide, fits] += 1
    assert told[True, False] > 500 and told[False, True] > 500
