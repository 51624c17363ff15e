"""Hostile sources: nothing outside the book folder is read, no network, no code, no markup injection."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from weasyprint.urls import FatalURLFetchingError

from book.errors import BookError
from book.layout.paginate import ConfinedFetcher, Engine, Refused
from book.pipeline import build
from book.paths import STYLES
from conftest import CHAPTER, MANIFEST, check_fails, run, write_book


@pytest.fixture
def secret(tmp_path) -> Path:
    path = tmp_path / "secret.png"
    path.write_bytes(b"\x89PNG secret outside the book")
    return path


def test_fetcher_serves_the_book_and_styles(tmp_path):
    book = write_book(tmp_path / "book")
    fetcher = ConfinedFetcher([book, STYLES])
    assert fetcher.fetch((book / "book.yaml").as_uri()).read().startswith(b"title: Small Book")
    assert b"@font-face" in fetcher.fetch((STYLES / "book.css").as_uri()).read()


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "http://127.0.0.1:9/evil.css",
    "https://example.org/x.png",
    "ftp://127.0.0.1/x",
])
def test_fetcher_refuses_outside_and_network(tmp_path, url):
    fetcher = ConfinedFetcher([write_book(tmp_path / "book")])
    with pytest.raises(FatalURLFetchingError):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_fetcher_resolves_dotdot_and_symlinks(tmp_path, secret):
    book = write_book(tmp_path / "book")
    (book / "link.png").symlink_to(secret)
    fetcher = ConfinedFetcher([book])
    for url in [(book / "link.png").as_uri(), book.as_uri() + "/../secret.png"]:
        with pytest.raises(FatalURLFetchingError):
            fetcher.fetch(url)


def test_engine_refuses_every_way_of_fetching(tmp_path, secret):
    book = write_book(tmp_path / "book")
    engine = Engine([book])
    hostile = f"""<html><head><link rel=stylesheet href="{secret.as_uri()}">
      <style>@import url("http://127.0.0.1:9/x.css"); p {{ background: url({secret.as_uri()}) }}</style></head>
      <body><p>x</p><img src="{secret.as_uri()}"><a rel=attachment href="file:///etc/hostname">a</a>
      <object data="{secret.as_uri()}">fallback</object></body></html>"""
    with pytest.raises(Refused):
        engine.layout(hostile, book.as_uri() + "/")
    assert engine.fetcher.refused
    assert all(not url.startswith(book.as_uri()) for url in engine.fetcher.refused)


def test_a_style_that_asked_for_a_refused_file_is_refused_every_time(tmp_path, secret):
    """A <style> element is parsed once a build and its sheet kept (paginate._linked_sheet), but not
    one that asked for a file outside: the second layout is refused as the first was."""
    book = write_book(tmp_path / "book")
    engine = Engine([book])
    for name in ("@import", "@font-face"):
        rule = (f'@import url("{secret.as_uri()}");' if name == "@import" else
                f'@font-face {{ font-family: "X"; src: url({secret.as_uri()}) }} p {{ font-family: "X" }}')
        html = f"<html><head><style>{rule}</style></head><body><p>x</p></body></html>"
        for _ in range(2):
            with pytest.raises(Refused):
                engine.layout(html, book.as_uri() + "/")
            assert engine.fetcher.refused == [secret.as_uri()], name


def test_symlinked_image_is_refused_at_its_line(tmp_path, secret):
    book = write_book(tmp_path / "book", **{"01-one__md": CHAPTER + "\n![x](inside.png)\n"})
    (book / "inside.png").symlink_to(secret)
    check_fails(book, '01-one.md:10:1: image "inside.png" lies outside the book folder')


def test_symlinked_chapter_is_refused(tmp_path):
    outside = tmp_path / "elsewhere.md"
    outside.write_text(CHAPTER, encoding="utf-8")
    book = write_book(tmp_path / "book", book__yaml=MANIFEST.replace("01-one.md", "02-two.md"))
    os.symlink(outside, book / "02-two.md")
    check_fails(book, 'book.yaml:7:5: chapter file "02-two.md" lies outside the book folder')


def test_yaml_tags_run_no_code(tmp_path):
    marker = tmp_path / "hacked"
    names = f"- !!python/object/apply:os.system ['touch {marker}']\n"
    check_fails(write_book(tmp_path / "book", names__yaml=names), "names.yaml:1:3: the tag")
    assert not marker.exists()


def test_titles_are_escaped(tmp_path):
    book = write_book(tmp_path / "book", book__yaml=MANIFEST.replace("Small Book", '"<script>x</script> & co"'))
    out = tmp_path / "out"
    assert run("build", "--source", str(book), "--out", str(out), "--quiet").exit_code == 0
    html = (out / "small.html").read_text()
    assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt; &amp; co" in html
    assert "</style><" not in html.replace("</style>\n<link", "")


def test_refused_fetch_is_a_message_not_a_traceback(tmp_path, monkeypatch, secret):
    book = write_book(tmp_path / "book")
    from book.layout import render
    original = render.render_body

    def with_image(*args, **kwargs):
        return original(*args, **kwargs).replace("</main>", f'<img src="{secret.as_uri()}"></main>')
    monkeypatch.setattr("book.pipeline.render_body", with_image)
    with pytest.raises(BookError) as error:
        build(book, tmp_path / "out")
    assert "outside the book folder" in str(error.value)
    assert not (tmp_path / "out" / "small-print.pdf").exists()


def test_book_yaml_linked_from_outside_is_refused(tmp_path):
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text(MANIFEST, encoding="utf-8")
    book = write_book(tmp_path / "book")
    (book / "book.yaml").unlink()
    (book / "book.yaml").symlink_to(outside)
    check_fails(book, "book.yaml: book.yaml lies outside the book folder")


def test_every_fetch_of_a_build_stays_in_the_book_and_styles(tmp_path, monkeypatch):
    """Confinement without strace: every file the engine fetches during a whole build (all editions, with
    an image) is logged by the fetcher, and none lies outside the book folder and styles/."""
    from PIL import Image
    from book.layout import paginate
    book = write_book(tmp_path / "book", **{"01-one__md": CHAPTER + "\n![A square](square.png)\n"})
    Image.new("L", (600, 600), 128).save(book / "square.png")
    fetchers = []
    original = paginate.ConfinedFetcher.__init__

    def logged(self, *args, **kwargs):
        original(self, *args, **kwargs)
        fetchers.append(self)
    monkeypatch.setattr(paginate.ConfinedFetcher, "__init__", logged)
    build(book, tmp_path / "out", edition="all", preflight=False)  # the image is too coarse for print
    served = [path for fetcher in fetchers for path in fetcher.served]
    assert fetchers and not any(f.refused for f in fetchers)
    assert (book / "square.png").resolve() in served and (STYLES / "book.css").resolve() in served
    roots = (book.resolve(), STYLES.resolve())
    assert all(any(path.is_relative_to(root) for root in roots) for path in served), served
