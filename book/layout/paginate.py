"""HTML -> WeasyPrint Document (laid-out pages) and the page on which every id landed.

All fetching goes through `ConfinedFetcher`; WeasyPrint's log is captured so
that its warnings reach the editor (and fail the tests), and its progress
messages drive the progress display.
"""

from __future__ import annotations

import hashlib
import io
import logging
import mimetypes
import os
import re
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import unquote, urlsplit

import weasyprint.css
from weasyprint import CSS, HTML
from weasyprint.logger import LOGGER, PROGRESS_LOGGER
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from .fast_paths import install as install_fast_paths
from .font_features import install as install_font_features
from .font_subset import install as install_font_subset
from .footnote_area import install as install_footnote_area
from .line_memo import forget as forget_lines
from .line_memo import install as install_line_memo
from .note_split import holding, take_held
from .note_split import install as install_note_split
from .page_link import install as install_page_link
from ..paths import STYLES
from . import restyle, resume, shared_styles
from .parser_cache import install as install_parser_cache
from .restyle import install as install_restyle
from .resume import install as install_resume
from .shared_styles import install as install_shared_styles
from .used_values import install as install_used_values

IGNORED = ("Using fontTools instead of HarfBuzz-Subset",)
"""Engine messages about the machine, not the book (an optional system library is absent)."""


class ConfinedFetcher(URLFetcher):
    """Serves only data: URIs and files whose real path lies inside one of the allowed folders."""

    def __init__(self, roots: list[Path], **kwargs):
        super().__init__(allowed_protocols={"file", "data"}, **kwargs)
        self.roots = [Path(r).resolve() for r in roots]
        self.refused: list[str] = []
        self.served: list[Path] = []
        """The real path of every file served, in order (the confinement test reads it)."""

    def fetch(self, url: str, headers=None):
        """The file or data behind url; FatalURLFetchingError for anything else."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = Path(unquote(parts.path)).resolve()
            if any(path.is_relative_to(root) for root in self.roots) and path.is_file():
                self.served.append(path)
                kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                data = path.read_bytes()
                if kind == "image/png":
                    data = grey_png(data)
                return URLFetcherResponse(url, data, headers={"Content-Type": kind})
        self.refused.append(url)
        raise FatalURLFetchingError(f"refused to read {url}: only files inside the book's folder are used")


def grey_png(data: bytes) -> bytes:
    """A 1-bit PNG, or a palette PNG whose colours are all greys, as an 8-bit grey PNG (the same
    picture); any other PNG as it is. The engine would embed both kinds as RGB, which print refuses."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.mode == "P":
                palette = image.getpalette() or []
                greys = all(palette[i] == palette[i + 1] == palette[i + 2] for i in range(0, len(palette) - 2, 3))
                if not greys:
                    return data
                grey = image.convert("LA" if "transparency" in image.info else "L")
            elif image.mode == "1":
                grey = image.convert("L")
            else:
                return data
            out = io.BytesIO()
            grey.save(out, "PNG")
            return out.getvalue()
    except Exception:  # a damaged file was refused before layout; leave it to the engine
        return data


class Refused(Exception):
    """The document asked for a file or address outside the allowed folders."""

    def __init__(self, url: str):
        super().__init__(url)
        self.url = url


@dataclass
class Engine:
    """One build's WeasyPrint setup: the fetcher, shared fonts, and what the engine said."""

    roots: list[Path]
    """Folders the build may read."""
    on_progress: Callable[[str], None] | None = None
    """Called with each engine progress message."""
    messages: list[str] = field(default_factory=list)
    """Warnings and errors the engine logged."""

    keep: bool = False
    """Keep every layout, by its HTML, for the next build of the session (`book watch`): a document
    whose HTML has not changed is not laid out again."""

    def __post_init__(self):
        install_footnote_area()  # the footnote area sized from per-note heights (footnote_area.py)
        install_note_split()  # a long note runs over to the next page (note_split.py)
        install_font_features()  # text layouts free their font-feature attributes (font_features.py)
        install_font_subset()  # fonts subset without reading the tables dropped (font_subset.py)
        install_line_memo()  # a line's break worked out once per text, width and style (line_memo.py)
        install_resume()  # a chapter's trial laid out only where it can differ from an earlier one (resume.py)
        install_restyle()  # a chapter's trial styled from an earlier layout where its tokens are the same (restyle.py)
        install_used_values()  # a box's used margins and sizes worked out once per style and containing block (used_values.py)
        install_shared_styles()  # a page's styles taken from an earlier page of the same kind (shared_styles.py)
        install_parser_cache()  # the HTML parser's scanning expressions built once (parser_cache.py)
        install_fast_paths()  # six small engine functions answered with less work (fast_paths.py)
        install_page_link()  # a footnote area's link to its page held weakly, so dropped pages free at once (page_link.py)
        self.fetcher = ConfinedFetcher(self.roots)
        self.fonts = FontConfiguration()
        self.sheets: dict[tuple[str, str], CSS] = {}
        """Linked stylesheets (book.css, grid.css, cover.css) parsed once for all the build's documents."""
        self.kept: dict[str, tuple[object, list[str]]] = {}
        """sha256 of (base URL, HTML) -> the Document laid out and what the engine said meanwhile."""
        self.used: set[str] = set()
        """Keys of kept layouts this build asked for (the others are let go at its end)."""
        self.read: dict[Path, tuple[int, int]] = {}
        """(mtime, size) of every file the kept layouts read: styles, fonts, images."""
        self.layouts = 0
        """Documents laid out by the engine this build (kept ones not counted)."""
        self.shareable_sheets: dict[str, bool] = {}
        """Linked stylesheet URL -> whether it lets trials share styles (restyle.shareable)."""
        self.plain_sheets: dict[str, bool] = {}
        """Linked stylesheet URL -> whether it has no viewport unit (shared_styles.plain)."""

    def begin(self) -> None:
        """A new build of the session starts: if a file the kept layouts read has changed since, they
        are all let go (and the parsed stylesheets and loaded fonts with them)."""
        self.messages.clear()
        self.used.clear()
        self.layouts = 0
        resume.forget()
        for path, stamp in self.read.items():
            if _stamp(path) != stamp:
                self.kept.clear()
                self.sheets.clear()
                self.shareable_sheets.clear()
                self.plain_sheets.clear()
                self.read.clear()
                self.fonts = FontConfiguration()
                break

    def end(self) -> None:
        """The build's layout is over: let go of the kept layouts it did not use (the session's memory
        stays the size of one book); in a single build, of the line breaks remembered (line_memo.py),
        before the pages are drawn; and every layout lets go of what it kept to be resumed and
        restyled from (resume.py)."""
        resume.release()
        if not self.keep:
            forget_lines(self.fonts)
            shared_styles.forget(self.fonts)
            return
        for key in set(self.kept) - self.used:
            del self.kept[key]
        for path in self.fetcher.served:
            self.read.setdefault(path, _stamp(path))
        self.fetcher.served.clear()

    def layout(self, html: str, base_url: str):
        """Lay out one HTML document; returns a weasyprint Document. Raises Refused when the
        document asks for anything outside the allowed folders."""
        key = hashlib.sha256(f"{base_url}\0{html}\0{holding()}".encode()).hexdigest() if self.keep else ""
        if key in self.kept:
            self.used.add(key)
            document, said = self.kept[key]
            self.messages.extend(said)
            return document
        before = len(self.messages)
        self.fetcher.refused.clear()
        with self.listening(), shared_sheets(self.sheets), resume.laying_out(html, self.shareable(html)), \
                shared_styles.crossing(self.plain(html)):
            take_held()
            try:
                document = HTML(string=html, base_url=base_url, url_fetcher=self.fetcher)
                rendered = document.render(font_config=self.fonts)
            except FatalURLFetchingError:
                rendered = None
            record, styles = resume.take_record(), restyle.take()
            if rendered is not None:
                rendered._book_held = take_held()  # paragraphs whose notes were held (note_split.py)
                if record is not None:
                    record.held = rendered._book_held
                    rendered._book_styles = styles
                resume.remember(rendered, record)
                resumed, shared = resume.resumed(), restyle.shared()
                if os.environ.get("BOOK_RESUME_CHECK") and (resumed or shared):
                    with resume.whole():
                        whole = HTML(string=html, base_url=base_url, url_fetcher=self.fetcher).render(
                            font_config=self.fonts)
                    take_held()
                    resume.take_record()
                    restyle.take()
                    resume.compare(rendered, whole)
            if self.fetcher.refused:
                raise Refused(self.fetcher.refused[0])
        self.layouts += 1
        if key:
            self.kept[key] = (rendered, self.messages[before:])
            self.used.add(key)
        return rendered

    def shareable(self, html: str) -> bool:
        """Whether no sheet of the document lets an element's style depend on another's data-fix
        tokens (restyle.py)."""
        return self._every_sheet(html, restyle.shareable, self.shareable_sheets)

    def plain(self, html: str) -> bool:
        """Whether the document's elements may take styles made for earlier documents
        (shared_styles.py): no sheet of it has a viewport unit."""
        return self._every_sheet(html, shared_styles.plain, self.plain_sheets)

    def _every_sheet(self, html: str, test: Callable[[str], bool], linked: dict[str, bool]) -> bool:
        """Whether test(css text) holds for every sheet of the document: its own <style> elements,
        and the sheets it links from styles/ (any other link: no), remembered by URL in linked."""
        head = html[:html.find("<body")]
        if not all(test(text) for text in _STYLE.findall(head)):
            return False
        for url in _LINK.findall(head):
            if url not in linked:
                path = Path(unquote(urlsplit(url).path)) if url.startswith("file:") else None
                inside = path is not None and path.resolve().is_relative_to(STYLES.resolve()) and path.is_file()
                linked[url] = inside and test(path.read_text(encoding="utf-8"))
            if not linked[url]:
                return False
        return True

    @contextmanager
    def listening(self) -> Iterator[None]:
        """Collect the engine's warnings and forward its progress while the block runs."""
        warn, progress = _Collect(self.messages), _Progress(self.on_progress)
        LOGGER.addHandler(warn)
        PROGRESS_LOGGER.addHandler(progress)
        old_level = PROGRESS_LOGGER.level
        PROGRESS_LOGGER.setLevel(logging.INFO if self.on_progress else old_level)
        try:
            yield
        finally:
            LOGGER.removeHandler(warn)
            PROGRESS_LOGGER.removeHandler(progress)
            PROGRESS_LOGGER.setLevel(old_level)


def _stamp(path: Path) -> tuple[int, int]:
    """(mtime in ns, size) of a file; (-1, -1) when it is gone."""
    try:
        stat = path.stat()
    except OSError:
        return (-1, -1)
    return (stat.st_mtime_ns, stat.st_size)


_SHEETS: ContextVar[dict | None] = ContextVar("book_sheets", default=None)
"""The stylesheet cache of the Engine whose layout is running, if any."""


@contextmanager
def shared_sheets(cache: dict) -> Iterator[None]:
    """While the block runs, a `<link rel="stylesheet">` or `<style>` the engine has parsed before
    in this cache is reused instead of being fetched and parsed again (issue 17: book.css was
    parsed once per document, five times a build)."""
    token = _SHEETS.set(cache)
    try:
        yield
    finally:
        _SHEETS.reset(token)


def _linked_sheet(*args, url=None, page_rules=None, layers=None, counter_style=None, color_profiles=None, **kwargs):
    """Stands in for `weasyprint.css.CSS`, which the engine calls to parse each `<style>` and
    `<link>` of a document. A linked sheet (called with url=), and a `<style>` element's text
    (string=, with its base URL), is parsed once per cache: the documents of a build then match
    the same rule objects, which lets their elements share styles (shared_styles.py). It keeps
    its own lists of @page rules and layers rather than the document's shared ones: the cascade
    reads a sheet's @page rules from each sheet in document order, so the result is the same.
    A sheet that defines counter styles or colour profiles, which live in the document, or that
    asked for a file the fetcher refused, is never kept. Without a cache (WeasyPrint used outside
    an Engine) this is WeasyPrint's own CSS."""
    cache = _SHEETS.get()
    string = kwargs.get("string")
    if cache is None or (url is None) == (string is None) or args:
        return CSS(*args, url=url, page_rules=page_rules, layers=layers, counter_style=counter_style,
                   color_profiles=color_profiles, **kwargs)
    media = kwargs.get("media_type", "print")
    key = (url, media) if url is not None else ("<style>", string, kwargs.get("base_url"), media)
    sheet = cache.get(key)
    if sheet is None:
        counters, profiles = dict(counter_style or {}), dict(color_profiles or {})
        refused = list(getattr(kwargs.get("url_fetcher"), "refused", ()))
        sheet = CSS(url=url, counter_style=counter_style, color_profiles=color_profiles, **kwargs)
        if dict(counter_style or {}) == counters and dict(color_profiles or {}) == profiles and \
                list(getattr(kwargs.get("url_fetcher"), "refused", ())) == refused:  # refused again next time
            cache[key] = sheet
    return sheet


weasyprint.css.CSS = _linked_sheet


_STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.S | re.I)
_LINK = re.compile(r'<link\b[^>]*\bhref="([^"]+)"', re.I)


class _Collect(logging.Handler):
    def __init__(self, into: list[str]):
        super().__init__(logging.WARNING)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if not message.startswith(IGNORED):
            self.into.append(message)


class _Progress(logging.Handler):
    def __init__(self, callback):
        super().__init__(logging.INFO)
        self.callback = callback

    def emit(self, record: logging.LogRecord) -> None:
        if self.callback:
            self.callback(record.getMessage())


def blank_pages(pages, padding=()) -> tuple[int, ...]:
    """The pages the engine left blank (a verso before a page that must be a recto) and the padding
    pages given, by index."""
    return tuple(i for i, page in enumerate(pages)
                 if (page._page_box.page_type.blank if hasattr(page, "_page_box") else getattr(page, "blank", False))
                 or any(page is pad for pad in padding))


def anchor_pages(pages) -> dict[str, int]:
    """id -> 0-based index of the first page it appears on."""
    found: dict[str, int] = {}
    for index, page in enumerate(pages):
        for name in page.anchors:
            found.setdefault(name, index)
    return found

