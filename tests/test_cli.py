"""The command line's last resort (a bug of ours shows a trace id, never a traceback, and no fixture
reaches it) and `book watch` (ignores its own output and editors' scratch files, survives every error)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from book import cli
from book.errors import BookError
from conftest import write_book

BOOKS = Path(__file__).resolve().parent / "books"


def test_unexpected_exception_shows_a_trace_id_and_writes_the_traceback(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(cli.LAST_RESORT, raising=False)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))

    def broken(*args, **kwargs):
        raise RuntimeError("a bug of ours")
    monkeypatch.setattr("book.markup.book.load_book", broken)
    with pytest.raises(SystemExit) as done:
        cli.run(["check", "--source", str(write_book(tmp_path / "book"))])
    assert done.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("internal error, please report: ") and "Traceback" not in err
    [report] = tmp_path.glob("book-internal-error-*.txt")
    assert report.stem.rsplit("-", 1)[1] in err
    assert "RuntimeError: a bug of ours" in report.read_text(encoding="utf-8")


def test_the_tests_make_the_last_resort_raise(tmp_path, monkeypatch):
    assert os.environ.get(cli.LAST_RESORT) == "raise"  # set in conftest for every test
    monkeypatch.setattr("book.markup.book.load_book", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        cli.run(["check", "--source", str(write_book(tmp_path / "book"))])


@pytest.mark.parametrize("book", sorted(p.name for p in BOOKS.iterdir()))
def test_no_fixture_reaches_the_last_resort(book):
    try:
        cli.run(["check", "--source", str(BOOKS / book), "--quiet"])  # success returns
    except SystemExit as done:
        assert done.code == 1


def test_usage_errors_exit_1(capsys):
    with pytest.raises(SystemExit) as done:
        cli.run(["build", "--no-such-option"])
    assert done.value.code == 1
    assert "No such option" in capsys.readouterr().err


# --- watch -----------------------------------------------------------------------------------------

def watch_rounds(monkeypatch, source: Path, out: Path, rounds: list) -> list[Path]:
    """Run `book watch` for len(rounds) looks; rounds[i]() runs before look i+1. -> builds started."""
    from book import pipeline
    builds, real = [], pipeline.build

    def counted(*args, **kwargs):
        builds.append(args[0])
        return real(*args, **kwargs)
    monkeypatch.setattr(pipeline, "build", counted)
    steps = iter(rounds)

    def sleep(_):
        step = next(steps, None)
        if step is None:
            raise KeyboardInterrupt
        step()
    monkeypatch.setattr(cli.time, "sleep", sleep)
    with pytest.raises(KeyboardInterrupt):
        cli.watch.callback(source=source, out=out, interval=0)
    return builds


def test_watch_ignores_its_own_output_and_scratch_files(tmp_path, monkeypatch):
    book = write_book(tmp_path / "book")
    scratch = [".01-one.md.swp", "01-one.md~", "4913", ".#01-one.md", "#01-one.md#"]

    def touch_scratch():
        for name in scratch:
            (book / name).write_text("x")
        (book / ".git").mkdir(exist_ok=True)
        (book / ".git" / "index").write_text("x")

    def edit():
        (book / "01-one.md").write_text((book / "01-one.md").read_text() + "\nMore.\n")
    builds = watch_rounds(monkeypatch, book, book / "out", [lambda: None, touch_scratch, lambda: None, edit,
                                                             lambda: None])
    assert len(builds) == 2  # the first look and the edit; not the outputs in book/out, not the scratch files
    assert (book / "out" / "small-print.pdf").is_file()


def test_watch_survives_every_error(tmp_path, monkeypatch, capsys):
    book = write_book(tmp_path / "book")
    monkeypatch.delenv(cli.LAST_RESORT, raising=False)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise BookError("a mistake of the editor's")
        raise RecursionError("a bug of ours")
    monkeypatch.setattr("book.pipeline.build", failing)
    steps = iter([lambda: (book / "01-one.md").write_text("changed"), lambda: None])
    monkeypatch.setattr(cli.time, "sleep", lambda _: (next(steps, None) or (lambda: (_ for _ in ()).throw(
        KeyboardInterrupt)))())
    with pytest.raises(KeyboardInterrupt):
        cli.watch.callback(source=book, out=tmp_path / "out", interval=0)
    err = capsys.readouterr().err
    assert len(calls) == 2
    assert "a mistake of the editor's" in err and "internal error, please report" in err
