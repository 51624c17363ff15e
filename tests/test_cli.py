"""The command line's last resort (a bug of ours shows a trace id, never a traceback, and no fixture
reaches it). `book watch` is tested in test_watch.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from book import cli
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
