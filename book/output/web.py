"""Book -> out/<slug>-web/: a self-contained static web edition with a searchable index of names.

Built from the model, not from the print HTML: each chapter is reflowed (reflow.py: notes at
the end of the chapter, cross-references that name their section), then written through the
templates in book/layout/templates/web/. Every URL is relative, so the folder works from any
static host and when opened from disk; the fonts, the stylesheet and the name search (our own
small script, styles/web/search.js) are copied in. The folder is written beside the old one and
swapped in only when complete.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from ..layout import bibliography as biblio
from ..layout.collate import make_collator
from ..layout.render import TEMPLATES, chapter_numbers, labels_for
from ..model import Book, Person
from ..paths import STYLES
from ..text import plain
from .reflow import Place, Reflowed, reflow_book

ASSETS = STYLES / "web"
"""The web edition's stylesheet and search script."""
FONTS = ("Literata-Regular.ttf", "Literata-Italic.ttf", "Literata-SemiBold.ttf", "Literata-SemiBoldItalic.ttf")
"""The faces the web stylesheet and the EPUB use, from styles/fonts."""
IMAGES = "media"
"""Folder of the edition that holds the book's images."""

WEB_LABELS = {
    "en": dict(skip="Skip to the text", notes="Notes", back="Back to the text", previous="Previous",
               next="Next", home="Title page", find="Find a name", search="Search the names",
               hint="Type a name in any spelling: Latin or Cyrillic, with or without accents.",
               found="{n} of {total} names", none="No name matches; try another spelling.",
               also="Also written", named="Named in", unnamed="Not named in the text.",
               note_number="Note {n}", back_to="Back to the text of note {n}"),
    "ru": dict(skip="Перейти к тексту", notes="Примечания", back="Назад к тексту", previous="Назад",
               next="Дальше", home="Титульная страница", find="Найти имя", search="Поиск по именам",
               hint="Введите имя в любом написании: латиницей или кириллицей.",
               found="{n} из {total}", none="Ничего не найдено; попробуйте другое написание.",
               also="Другие написания", named="Упоминается", unnamed="В тексте не упоминается.",
               note_number="Примечание {n}", back_to="Назад к тексту примечания {n}"),
}
"""Labels of the web edition in the book's language (English when we have none)."""


def web_labels(language: str) -> dict[str, str]:
    """The print labels and the web's own, in the book's language."""
    return {**labels_for(language), **WEB_LABELS.get(language.split("-")[0].lower(), WEB_LABELS["en"])}


@dataclass(frozen=True)
class Link:
    """A link from the index of names to one tagged name."""

    href: str
    """File and id of the tag."""
    text: str
    """The section's title, or for a further mention in the same section its number there."""
    label: str
    """The link's accessible name: the section's title, with the number when there is one."""
    first: bool
    """True for the first mention in its section."""


@dataclass(frozen=True)
class NameEntry:
    """One person on the names page."""

    person: Person
    """The registry entry."""
    group: str
    """Letter group it is filed under."""
    places: tuple[tuple[str, tuple[Link, ...]], ...]
    """(chapter title, links) for every chapter that names the person."""

    @property
    def search(self) -> str:
        """Every form the search matches, separated by '|'."""
        p = self.person
        return "|".join(x for x in (p.name, p.sort, p.native, *p.variants) if x)


def back_places(book: Book, suffix: str, labels: dict[str, str]) -> dict[str, Place]:
    """Ids of the bibliography page and the names page, for cross-references to them."""
    places = {"bibliography": Place(f"bibliography{suffix}", labels["bibliography"], labels["bibliography"], True),
              "index": Place(f"names{suffix}", labels["index"], labels["index"], True)}
    for entry in biblio.entries(book):
        places[entry["anchor"]] = Place(f"bibliography{suffix}", labels["bibliography"], labels["bibliography"])
    return places


def name_entries(book: Book, chapters: list[Reflowed]) -> list[NameEntry]:
    """Every registry entry, collated, with links to every place that names the person: per chapter,
    the section's title for its first mention there and a number for each further one."""
    collator = make_collator(book.manifest.language)
    found: dict[str, list[tuple[str, list[Link]]]] = {}
    for flowed in chapters:
        title = plain(flowed.chapter.title_html or flowed.chapter.title)
        seen: dict[tuple[str, str], int] = {}
        for mention in flowed.chapter.mentions:
            section = flowed.sections.get(mention.anchor, title)
            count = seen[(mention.person, section)] = seen.get((mention.person, section), 0) + 1
            rows = found.setdefault(mention.person, [])
            if not rows or rows[-1][0] != title:
                rows.append((title, []))
            rows[-1][1].append(Link(f"{flowed.file}#{mention.anchor}", section if count == 1 else str(count),
                                    section if count == 1 else f"{section} ({count})", count == 1))
    people = sorted(book.people, key=lambda p: collator.key(p.sort))
    return [NameEntry(p, collator.group(p.sort), tuple((t, tuple(links)) for t, links in found.get(p.id, [])))
            for p in people]


def grouped(entries: list[NameEntry]) -> list[tuple[str, list[NameEntry]]]:
    """Entries under their letter groups, in order."""
    groups: list[tuple[str, list[NameEntry]]] = []
    for entry in entries:
        if not groups or groups[-1][0] != entry.group:
            groups.append((entry.group, []))
        groups[-1][1].append(entry)
    return groups


def contents(book: Book, chapters: list[Reflowed], bibliography: bool, labels: dict[str, str],
             suffix: str) -> list[dict]:
    """The contents: chapters in reading order, then the bibliography and the names."""
    numbers = chapter_numbers(book)
    entries = [dict(href=f.file, title=Markup(f.chapter.title_html or f.chapter.title),
                    number=numbers.get(f.chapter.anchor)) for f in chapters]
    if bibliography:
        entries.append(dict(href=f"bibliography{suffix}", title=labels["bibliography"], number=None))
    if book.people:
        entries.append(dict(href=f"names{suffix}", title=labels["index"], number=None))
    return entries


@dataclass(frozen=True)
class Edition:
    """What the web edition and the EPUB are both made of."""

    labels: dict[str, str]
    """Labels in the book's language."""
    chapters: list[Reflowed]
    """The chapters, reflowed."""
    bibliography: list[dict]
    """Bibliography entries (anchor, html)."""
    toc: list[dict]
    """Contents entries (href, title, number)."""
    numbers: dict[str, int]
    """Chapter anchor -> its number."""
    images: list[str]
    """Images the chapters show, relative to the book folder."""


def prepare(book: Book, suffix: str, epub: bool) -> Edition:
    """The chapters reflowed into files ending in suffix, with everything the pages around them need."""
    labels = web_labels(book.manifest.language)
    chapters = reflow_book(book, suffix, epub=epub, image_dir=IMAGES, back=back_places(book, suffix, labels))
    bibliography = biblio.entries(book)
    return Edition(labels, chapters, bibliography, contents(book, chapters, bool(bibliography), labels, suffix),
                   chapter_numbers(book), sorted({src for f in chapters for src in f.images}))


def write_web(book: Book, target: Path) -> Path:
    """Write the web edition into the folder target (replacing it only when complete)."""
    m = book.manifest
    e = prepare(book, ".html", epub=False)
    labels, chapters, bibliography, toc, numbers = e.labels, e.chapters, e.bibliography, e.toc, e.numbers
    common = dict(m=m, labels=labels, toc=toc, has_names=bool(book.people))
    pages: dict[str, str] = {}
    pages["index.html"] = TEMPLATES.get_template("web/home.html.j2").render(
        colophon=Markup(biblio.colophon_html(book)), page_title=m.title, here="index.html", **common)
    for i, flowed in enumerate(chapters):
        pages[flowed.file] = TEMPLATES.get_template("web/chapter.html.j2").render(
            c=flowed.chapter, body=Markup(flowed.html), notes=flowed.notes, number=numbers.get(flowed.chapter.anchor),
            previous=toc[i - 1] if i else None, next=toc[i + 1] if i + 1 < len(toc) else None,
            page_title=plain(flowed.chapter.title_html or flowed.chapter.title), here=flowed.file, **common)
    if bibliography:
        pages["bibliography.html"] = TEMPLATES.get_template("web/bibliography.html.j2").render(
            entries=bibliography, page_title=labels["bibliography"], here="bibliography.html", **common)
    if book.people:
        entries = name_entries(book, chapters)
        pages["names.html"] = TEMPLATES.get_template("web/names.html.j2").render(
            groups=grouped(entries), total=len(entries), page_title=labels["index"], here="names.html", **common)
    with replacing_folder(target) as folder:
        for name, html in pages.items():
            (folder / name).write_text(html, encoding="utf-8")
        for name in ("web.css", "search.js", "notes.js"):
            shutil.copyfile(ASSETS / name, folder / name)
        (folder / "fonts").mkdir()
        shutil.copyfile(STYLES / "fonts" / "OFL.txt", folder / "fonts" / "OFL.txt")
        characters = {ord(ch) for html in pages.values() for ch in html}
        for name in FONTS:  # the search box is set in the regular face
            typed = TYPED if name == FONTS[0] else set()
            subset_font(STYLES / "fonts" / name, characters | typed, folder / "fonts" / name)
        for src in e.images:
            (folder / IMAGES / src).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(m.root / src, folder / IMAGES / src)
    return target


TYPED = set(range(0x20, 0x7F)) | set(range(0xA0, 0x180)) | set(range(0x400, 0x4B0)) | set(range(0x4B0, 0x530))
"""Characters a visitor may type into the search box, kept in the fonts whatever the book uses:
Latin with its accented letters, Cyrillic with the Kazakh letters."""


def subset_font(source: Path, characters: set[int], target: Path) -> None:
    """Write source cut down to the characters given (about a quarter of its size for a book),
    with its OpenType features, so a phone downloads less; the same input gives the same file."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.recalc_timestamp = False
    font = TTFont(source, recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(characters))
    subsetter.subset(font)
    font.save(target)


class replacing_folder:
    """A fresh folder beside target, swapped in for target only if the block succeeds."""

    def __init__(self, target: Path):
        self.target = target

    def __enter__(self) -> Path:
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self.temporary = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.", dir=self.target.parent))
        return self.temporary

    def __exit__(self, kind, value, traceback) -> None:
        if kind is not None:
            shutil.rmtree(self.temporary, ignore_errors=True)
            return
        umask = os.umask(0)
        os.umask(umask)
        for path in [self.temporary, *self.temporary.rglob("*")]:
            path.chmod((0o777 if path.is_dir() else 0o666) & ~umask)
        old = self.target.with_name(f".{self.target.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        if self.target.exists():
            os.replace(self.target, old)
        os.replace(self.temporary, self.target)
        shutil.rmtree(old, ignore_errors=True)
