"""The EPUB (out/<slug>.epub): a valid container, footnotes, navigation, the index of names as
links, embedded fonts and metadata; epubcheck reports nothing on a fixture book or the ALZHIR book."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest

from book.pipeline import build
from conftest import BOOKS, ROOT

EPUBCHECK = Path("/usr/share/java/epubcheck.jar")
"""Debian's epubcheck (apt-get install epubcheck); .ci/run installs it."""
NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


def epub_of(source: Path, out: Path) -> Path:
    summary = build(source, out, edition="epub")
    return summary.outputs[0]


@pytest.fixture(scope="module")
def epub(tmp_path_factory) -> Path:
    return epub_of(BOOKS / "web-edition", tmp_path_factory.mktemp("epub"))


def xml(archive: zipfile.ZipFile, name: str) -> ElementTree.Element:
    return ElementTree.fromstring(archive.read(name))


def test_the_container_starts_with_a_stored_mimetype(epub):
    with zipfile.ZipFile(epub) as archive:
        first = archive.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert archive.read("mimetype") == b"application/epub+zip"
        assert first.extra == b""
        rootfile = xml(archive, "META-INF/container.xml").find(".//{*}rootfile").get("full-path")
        assert rootfile == "EPUB/package.opf"


def test_metadata_manifest_and_embedded_fonts(epub):
    with zipfile.ZipFile(epub) as archive:
        package = xml(archive, "EPUB/package.opf")
        names = set(archive.namelist())
    meta = package.find("opf:metadata", NS)
    assert meta.find("dc:title", NS).text == "Web Test: A Small Book for the Web Edition"
    assert meta.find("dc:language", NS).text == "en"
    assert meta.find("dc:identifier", NS).text.startswith("urn:uuid:")
    assert meta.find("dc:date", NS).text == "2026"
    modified = [m.text for m in meta.findall("opf:meta", NS) if m.get("property") == "dcterms:modified"]
    assert len(modified) == 1 and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", modified[0])
    items = {i.get("href"): i for i in package.find("opf:manifest", NS)}
    assert {f"EPUB/{href}" for href in items} | {"mimetype", "META-INF/container.xml", "EPUB/package.opf"} == names
    assert items["nav.xhtml"].get("properties") == "nav"
    assert items["03-dates.xhtml"].get("properties") == "svg"  # the time line is inline SVG
    assert items["fonts/Literata-Regular.ttf"].get("media-type") == "font/ttf"
    spine = [items_by_id.get("href") for items_by_id in
             (next(i for i in items.values() if i.get("id") == ref.get("idref")) for ref in package.find("opf:spine", NS))]
    assert spine == ["title.xhtml", "00-about.xhtml", "01-arrival.xhtml", "02-registry.xhtml", "03-dates.xhtml",
                     "bibliography.xhtml", "names.xhtml"]


def test_notes_are_epub_footnotes_with_noterefs(epub):
    with zipfile.ZipFile(epub) as archive:
        chapter = xml(archive, "EPUB/01-arrival.xhtml")
    refs = [a for a in chapter.iter("{http://www.w3.org/1999/xhtml}a") if a.get(EPUB_TYPE) == "noteref"]
    notes = {a.get("id"): a for a in chapter.iter("{http://www.w3.org/1999/xhtml}aside")
             if a.get(EPUB_TYPE) == "footnote"}
    assert len(refs) == len(notes) == 4
    for ref in refs:
        note = notes[ref.get("href")[1:]]
        back = note.find(".//x:a", NS)
        assert back.get("href") == f"#{ref.get('id')}"


def test_navigation_and_the_index_of_names_link_into_the_chapters(epub):
    with zipfile.ZipFile(epub) as archive:
        nav = xml(archive, "EPUB/nav.xhtml")
        names = xml(archive, "EPUB/names.xhtml")
        files = set(archive.namelist())
    toc = next(n for n in nav.iter("{http://www.w3.org/1999/xhtml}nav") if n.get(EPUB_TYPE) == "toc")
    assert [a.get("href") for a in toc.iter("{http://www.w3.org/1999/xhtml}a")][:3] == [
        "title.xhtml", "00-about.xhtml", "01-arrival.xhtml"]
    links = [a.get("href") for a in names.iter("{http://www.w3.org/1999/xhtml}a")]
    assert len(links) == 10 and all(f"EPUB/{href.split('#')[0]}" in files for href in links)
    assert "01-arrival.xhtml#ch-01-arrival-m1" in links


def test_two_builds_are_byte_identical(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    first = epub_of(BOOKS / "web-edition", tmp_path / "a").read_bytes()
    second = epub_of(BOOKS / "web-edition", tmp_path / "b").read_bytes()
    assert first == second
    with zipfile.ZipFile(tmp_path / "a" / "webtest.epub") as archive:
        assert b"2026-01-01T00:00:00Z" in archive.read("EPUB/package.opf")


def epubcheck(path: Path) -> str:
    if not (shutil.which("java") and EPUBCHECK.is_file()):
        pytest.skip("epubcheck is not installed (apt-get install -y epubcheck; .ci/run does it)")
    done = subprocess.run(["java", "-jar", str(EPUBCHECK), str(path)], capture_output=True, text=True, timeout=300)
    report = done.stdout + done.stderr
    assert done.returncode == 0, report
    return report


def test_epubcheck_passes_the_fixture_book(epub):
    assert "Messages: 0 fatals / 0 errors / 0 warnings / 0 infos" in epubcheck(epub)


def test_epubcheck_passes_the_alzhir_book(tmp_path):
    assert "Messages: 0 fatals / 0 errors / 0 warnings / 0 infos" in epubcheck(epub_of(ROOT / "chapters", tmp_path))
