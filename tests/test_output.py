"""What a build leaves in out/: the whole set or nothing (a failed or killed build changes nothing),
the same bytes from the same sources, no temporary files, and a clear message when out/ cannot be
written."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from book.cli import main
from book.errors import BookError
from book.paths import STAGING, clean_stale
from book.pipeline import build

BOOKS = Path(__file__).resolve().parent / "books"


def listing(out: Path, hidden: bool = True) -> dict[str, str]:
    """Every file under out (relative path -> sha256), staging folders left out unless hidden."""
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()
            and (hidden or not p.relative_to(out).parts[0].startswith(STAGING))}


@pytest.fixture(scope="module")
def built_once(tmp_path_factory):
    """page-structure built once (all editions), for every test that needs a previous build."""
    book = tmp_path_factory.mktemp("first") / "book"
    shutil.copytree(BOOKS / "page-structure", book)
    out = book.parent / "out"
    build(book, out, edition="all")
    return book, out


@pytest.fixture
def old_build(built_once, tmp_path):
    """A copy of that build in out/, with its sources changed, so that a new build would change every
    output."""
    book, out = tmp_path / "book", tmp_path / "out"
    shutil.copytree(built_once[0], book)
    shutil.copytree(built_once[1], out, symlinks=True)
    chapter = book / "01-chapter.md"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("\n\n", "\n\nA new sentence.\n\n", 1),
                       encoding="utf-8")
    return book, out, listing(out)


def run_cli(*args: str, env: dict | None = None, temp: Path | None = None):
    environment = {**os.environ, **(env or {})}
    if temp is not None:
        environment["TMPDIR"] = str(temp)
    return subprocess.run([sys.executable, "-m", "book", *args], capture_output=True, text=True,
                          env=environment, cwd=Path(__file__).resolve().parent.parent)


@pytest.mark.parametrize("point", ["loaded", "laid-out", "written", "swap:synthetic-cover.pdf",
                                   "swap:synthetic.html", "swapped"])
def test_killed_build_leaves_out_as_it_was(old_build, tmp_path, point):
    book, out, before = old_build
    temp = tmp_path / "tmp"
    temp.mkdir()
    result = run_cli("build", "--source", str(book), "--out", str(out), "--edition", "all", "-q",
                     env={"BOOK_TEST_KILL_AT": point}, temp=temp)
    assert result.returncode == -9, result.stderr
    if not point.startswith("swap"):  # before the swap nothing visible has changed (after it, everything)
        assert (listing(out, hidden=False) == before) == (point != "swapped")
    assert not list(temp.glob("weasyprint-*")), "the engine's font folders stay inside out/"
    clean_stale(out)  # what the next build does first
    after = listing(out)
    if point == "swapped":
        assert after != before and set(after) == set(before)
    else:
        assert after == before
    assert not list(out.glob(STAGING + "*"))


def test_build_writes_every_output_and_no_temporary_file(tmp_path):
    temp = tmp_path / "tmp"
    temp.mkdir()
    out = tmp_path / "out"
    result = run_cli("build", "--source", str(BOOKS / "page-structure"), "--out", str(out), "-q", temp=temp)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["synthetic-cover.pdf", "synthetic-print.pdf",
                                                      "synthetic-print.preflight.json", "synthetic.html"]
    assert list(temp.iterdir()) == []


def test_the_command_ends_at_once_with_its_output_written(tmp_path):
    """`book` as a command ends without the interpreter's teardown (cli.leave): everything it printed
    to a pipe comes out, every file is whole, and the exit code is the command's (an exit with the
    wrong code, or before the output is out, fails)."""
    out = tmp_path / "out"
    result = run_cli("build", "--source", str(BOOKS / "page-structure"), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "28 pages in" in result.stdout and result.stdout.rstrip().endswith("for looking into the layout")
    assert "cover: made for perfect binding" in result.stdout
    for name in ("synthetic-print.pdf", "synthetic-print.preflight.json", "synthetic-cover.pdf", "synthetic.html"):
        assert name in result.stdout and (out / name).stat().st_size > 0
    failed = run_cli("build", "--source", str(tmp_path / "nowhere"), "--out", str(out))
    assert failed.returncode == 1 and "there is no book.yaml here" in failed.stderr


def test_the_benchmarks_unadjusted_build_is_the_print_build_without_the_adjustments(tmp_path):
    """bench/unadjusted.py's command (loop.py and anchor.py --unadjusted) writes everything a print
    build writes, and the print PDF is the one a build without the typographic adjustments makes, not
    the adjusted one (the typography fixture has loose lines and a grid to adjust)."""
    import unadjusted  # bench/unadjusted.py

    out = tmp_path / "out"
    done = subprocess.run(unadjusted.command(sys.executable, BOOKS / "typography", out, 1, html=False),
                          capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    names = {"typography-print.pdf", "typography-print.preflight.json", "typography-cover.pdf"}
    assert names <= {p.name for p in out.iterdir()} and not (out / "typography.html").exists()
    plain = build(BOOKS / "typography", tmp_path / "plain", html=False, jobs=1, adjust=False).outputs[0]
    adjusted = build(BOOKS / "typography", tmp_path / "adjusted", html=False, jobs=1).outputs[0]
    made = (out / "typography-print.pdf").read_bytes()
    assert made == plain.read_bytes() and made != adjusted.read_bytes()


def test_build_failing_preflight_replaces_nothing(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    for name in ("tofu-print.pdf", "tofu-print.preflight.json", "tofu.html", "tofu-cover.pdf"):
        (out / name).write_text(f"the last good {name}")
    before = listing(out)
    with pytest.raises(BookError) as raised:
        build(BOOKS / "preflight-tofu", out)
    assert "U+4E2D" in str(raised.value)
    assert listing(out) == before


def test_two_builds_are_byte_identical(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    build(BOOKS / "page-structure", first, edition="all")
    build(BOOKS / "page-structure", second, edition="all")
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert {p.suffix for p in first.iterdir()} == {".pdf", ".json", ".html", ".epub", ""}  # "": the web folder
    assert len(list(first.glob("*.pdf"))) == 4  # print, cover, screen, booklet
    assert (first / "synthetic-web" / "names.html").is_file()


def test_source_date_epoch_and_book_date_fix_the_pdf_dates(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "946684800")
    build(BOOKS / "page-structure", tmp_path / "a", edition="draft", html=False)
    info = PdfReader(tmp_path / "a" / "synthetic-print.pdf").metadata
    assert info["/CreationDate"] == info["/ModDate"] == "D:20000101000000+00'00"
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    book = tmp_path / "book"
    shutil.copytree(BOOKS / "page-structure", book)
    with open(book / "book.yaml", "a", encoding="utf-8") as handle:
        handle.write("date: 2025-05-31\n")
    build(book, tmp_path / "b", edition="draft", html=False)
    assert PdfReader(tmp_path / "b" / "synthetic-print.pdf").metadata["/CreationDate"].startswith("D:20250531")


def test_book_date_must_be_a_date(tmp_path):
    book = tmp_path / "book"
    shutil.copytree(BOOKS / "page-structure", book)
    with open(book / "book.yaml", "a", encoding="utf-8") as handle:
        handle.write("date: next spring\n")
    result = CliRunner().invoke(main, ["check", "--source", str(book)])
    assert result.exit_code == 1
    assert 'date "next spring" is not a date; write it as YYYY-MM-DD' in result.output


# --- an output folder that cannot be written ------------------------------------------------------

def fails_cleanly(*args: str, expect: str) -> None:
    result = CliRunner().invoke(main, ["build", "--source", str(BOOKS / "page-structure"), "-q", *args])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert expect in result.output and "Traceback" not in result.output


def test_out_under_a_file(tmp_path):
    (tmp_path / "file").write_text("x")
    fails_cleanly("--out", str(tmp_path / "file" / "out"), expect="cannot write the book there")


def test_out_is_a_dangling_symlink(tmp_path):
    (tmp_path / "out").symlink_to(tmp_path / "nowhere")
    fails_cleanly("--out", str(tmp_path / "out"), expect="cannot write the book there")


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES])
@pytest.mark.parametrize("failing", [1, 2])
def test_full_disk_or_read_only_out_keeps_the_old_files(tmp_path, monkeypatch, code, failing):
    """The swap fails at its first or second file (the first then already replaced): out/ is as it was."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "synthetic-print.pdf").write_text("the last good one")
    before = listing(out)
    real, calls = os.replace, []

    def refuse(source, target, *args, **kwargs):
        if Path(target).parent == out and Path(source).parent.name != "old":  # not the roll-back
            calls.append(target)
            if len(calls) == failing:
                raise OSError(code, os.strerror(code), str(target))
        return real(source, target, *args, **kwargs)
    monkeypatch.setattr(os, "replace", refuse)
    fails_cleanly("--out", str(out), expect=os.strerror(code))
    assert listing(out) == before


# --- preflight on a file that is not a whole PDF ------------------------------------------------

@pytest.mark.parametrize("content, message", [
    (b"hello, not a pdf", "this is not a PDF"),
    (b"", "this is not a PDF"),
    (None, "the PDF is cut short"),
    (b"%PDF-1.7\n1 0 obj garbage\n%%EOF\n", "the PDF is damaged"),
])
def test_preflight_on_a_broken_pdf_is_a_message(tmp_path, content, message):
    out = tmp_path / "out"
    if content is None:
        build(BOOKS / "preflight-clean", out, html=False, edition="draft")
        pdf = next(out.glob("*-print.pdf"))
        pdf.write_bytes(pdf.read_bytes()[:-4000])
    else:
        out.mkdir()
        (out / "clean-print.pdf").write_bytes(content)
    result = CliRunner().invoke(main, ["preflight", "--source", str(BOOKS / "preflight-clean"), "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output, result.output
