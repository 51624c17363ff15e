"""Command line -> the pipeline: `book build`, `book check`, `book watch`. Parses options, calls stages."""

from __future__ import annotations

import os
import shlex
import sys
import tempfile
import time
import traceback
import uuid
from pathlib import Path

import click

from .errors import BookError

SOURCE = click.option("--source", default="chapters", show_default=True,
                      type=click.Path(file_okay=False, path_type=Path), help="The book's folder (with book.yaml).")
OUT = click.option("--out", default="out", show_default=True,
                   type=click.Path(file_okay=False, path_type=Path), help="Where the PDFs go.")
QUIET = click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")


@click.group()
@click.version_option(package_name="book")
def main() -> None:
    """Turn a book written as Markdown chapters into a print-ready PDF."""


@main.command()
@SOURCE
@OUT
@click.option("--edition", type=click.Choice(["print", "screen", "booklet", "web", "epub", "all"]), default="print",
              show_default=True, help="print: interior and cover; screen; booklet: A4 two-up; web: a static site "
              "(out/<slug>-web/); epub: EPUB 3; all of them.")
@click.option("--html/--no-html", default=True, show_default=True, help="Also write out/<slug>.html.")
@click.option("--strict", is_flag=True, help="Fail when a note is not on the page of its call.")
@click.option("--draft", is_flag=True, help="Only the print interior, without cover and preflight: a quick look.")
@click.option("--jobs", type=click.IntRange(1, 2), default=None,
              help="Processes laying out the body at once: 1, or 2 (the default when the machine has 2 cores).")
@QUIET
def build(source: Path, out: Path, edition: str, html: bool, strict: bool, draft: bool, jobs: int | None,
          quiet: bool) -> None:
    """Check the sources, lay out the book once and write the PDF(s)."""
    from .pipeline import build as run_build
    from .progress import progress_reporter

    with progress_reporter(quiet) as reporter:
        summary = run_build(source, out, html=html, strict=strict, reporter=reporter,
                            edition="draft" if draft else edition, jobs=jobs)
    for warning in summary.warnings:
        click.echo(warning, err=True)
    if not quiet:
        for line in report_lines(summary):
            click.echo(line)


def report_lines(summary) -> list[str]:
    """The build's report: each note once, then the page count of the PDF written (the print
    edition as padded for the printer) and every file written, with what it is."""
    lines = [f"note: {note}" for note in dict.fromkeys(summary.notes)] + list(summary.repairs)
    pdfs = [p for p in summary.outputs if p in summary.page_counts]
    pages = summary.page_counts[pdfs[0]] if pdfs else summary.pages
    warnings = len(summary.warnings)
    done = f"{pages} pages" if pages else "done"  # the web edition and the EPUB alone lay out no pages
    lines.append(f"{done} in {summary.seconds:.1f} s; {warnings} warning{'s' * (warnings != 1)}; wrote:")
    width = max((len(str(p)) for p in summary.outputs), default=0)
    for path in summary.outputs:
        count = summary.page_counts.get(path)
        what = (f"{count} page{'s' * (count != 1)}" if count is not None else
                "preflight report" if path.name.endswith(".preflight.json") else
                "the book as HTML, for looking into the layout" if path.suffix == ".html" else
                "EPUB" if path.suffix == ".epub" else "web edition" if path.is_dir() else "")
        lines.append(f"  {str(path):<{width}}  {what}".rstrip())
    return lines


@main.command()
@SOURCE
@click.option("--fix-names", is_flag=True, help="Show the [[tags]] that would be added to untagged names.")
@click.option("--yes", is_flag=True, help="With --fix-names: write those tags into the chapter files.")
@QUIET
def check(source: Path, fix_names: bool, yes: bool, quiet: bool) -> None:
    """Validate book.yaml, front matter, Markdown, names and citations, without layout."""
    from .markup.book import load_book
    from .markup.lint import apply_fixes, name_fixes, plan_fixes

    started = time.perf_counter()
    book, problems = load_book(source)
    if fix_names:
        fixes = name_fixes(book.chapters, book.people)
        for where, text, tag in fixes:
            click.echo(f"{where}: {'tagged' if yes else 'would tag'} \"{text}\" as {tag}")
        for edit in plan_fixes(fixes):
            click.echo(edit.diff(), nl=False)
        if yes and fixes:
            apply_fixes(fixes)
        click.echo(f"{len(fixes)} untagged name(s){' tagged' if yes else '; add --yes to write the tags'}")
        return
    for warning in problems.warnings:
        click.echo(str(warning), err=True)
    if not quiet:
        from .text import plain
        words = sum(len(plain(c.html).split()) for c in book.chapters)
        click.echo(f"{len(book.chapters)} chapters, about {words} words, "
                   f"{sum(len(c.notes) for c in book.chapters)} notes: no errors, "
                   f"{len(problems.warnings)} warning(s) ({time.perf_counter() - started:.2f} s)")


@main.command()
@SOURCE
@OUT
@click.option("--edition", type=click.Choice(["print", "screen"]), default="print", show_default=True,
              help="Which written PDF to check.")
@click.option("--strict", is_flag=True, help="Count a note separated from its call as an error.")
def preflight(source: Path, out: Path, edition: str, strict: bool) -> None:
    """Check the written PDF as a print shop would; writes a JSON report beside it."""
    from .errors import Problems
    from .model import Location
    from .preflight import exit_code, report_path, write_report
    from .preflight import preflight as run
    from .source.load import load_manifest

    problems = Problems()
    manifest = load_manifest(source, problems)
    problems.raise_if_errors()
    pdf = out / f"{manifest.slug}-{edition}.pdf"
    if not pdf.is_file():
        raise BookError(f"there is no {pdf}; run `book build --edition {edition}` first",
                        Location(source / "book.yaml"))
    findings = run(pdf, source, edition, strict=strict)
    write_report(findings, report_path(pdf))
    for finding in findings:
        click.echo(str(finding), err=finding.severity == "error")
    errors = sum(f.severity == "error" for f in findings)
    click.echo(f"{pdf}: {errors} error(s), {len(findings) - errors} warning(s); report in {report_path(pdf)}")
    sys.exit(exit_code(findings))


@main.command()
@click.argument("old", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(dir_okay=False, path_type=Path))
def changes(old: Path, new: Path) -> None:
    """List the pages of NEW that differ from OLD (two PDFs of the book), as a print shop asks
    before it accepts a corrected file."""
    from pypdf import PdfReader

    from .model import Location
    from .preflight.changes import compare, describe, page_signatures

    signatures = []
    for path in (old, new):
        try:
            signatures.append(page_signatures(path))
        except Exception as exc:  # pypdf raises many kinds on a file that is not a readable PDF
            raise BookError(f"cannot be read as a PDF ({exc}); give the path of a PDF the build wrote",
                            Location(path)) from None
    found = compare(*signatures)
    labels = [list(PdfReader(path).page_labels) for path in (old, new)]
    click.echo(f"{old}: {len(signatures[0])} pages; {new}: {len(signatures[1])} pages")
    for line in describe(found, *labels):
        click.echo(line)
    if not found:
        click.echo("no page differs")


@main.command()
@SOURCE
@OUT
def watch(source: Path, out: Path) -> None:
    """Rebuild the draft (print interior, no cover) after each save, and say what moved (Ctrl-C to stop)."""
    from .watch import Watcher

    watcher = Watcher(source, out, echo=click.echo, fail=lambda text: click.echo(text, err=True),
                      internal=report_internal_error)
    click.echo(f"watching {', '.join(str(root) for root in watcher.roots)} (Ctrl-C to stop)")
    try:
        watcher.run()
    except KeyboardInterrupt:  # Ctrl-C during a build: the outputs are swapped in whole or not at all
        pass
    click.echo("stopped watching")


@main.command()
@click.argument("folder", type=click.Path(path_type=Path))
def new(folder: Path) -> None:
    """Write a small complete book into FOLDER (new or empty) to start from."""
    from .starter import write_starter

    written = write_starter(folder)
    click.echo(f"wrote a small book in {folder} ({len(written)} files):")
    for path in written:
        click.echo(f"  {path}")
    where = shlex.quote(str(folder))
    click.echo(f"next: book check --source {where}; then book build --source {where} --out {where}/out")


LAST_RESORT = "BOOK_LAST_RESORT"
"""Environment variable: `raise` makes the last resort re-raise (the tests set it, so that no fixture
can reach it unnoticed)."""


def run(args: list[str] | None = None) -> None:
    """Entry point: every path ends in a message and exit code 1, or in success. An unexpected exception
    is a bug of ours: the editor sees a short trace id, the traceback goes to a file in the temp dir.
    As the command itself (args None), the process then ends at once (`leave`); called with args (the
    tests), success returns and a failure raises SystemExit."""
    code = outcome(args)
    if args is None:
        leave(code)
    if code:
        sys.exit(code)


def outcome(args: list[str] | None) -> int:
    """Run the command line args (None: the process's); its exit code."""
    try:
        main(args=args, standalone_mode=False)
    except click.exceptions.Exit as done:
        return done.exit_code
    except SystemExit as done:  # a command that ends with sys.exit(code) (or with a message, as Python would)
        if done.code is None or isinstance(done.code, int):
            return done.code or 0
        click.echo(str(done.code), err=True)
        return 1
    except click.ClickException as error:  # BookError and usage errors: the message, exit 1
        error.show()
        return 1
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception:
        if os.environ.get(LAST_RESORT) == "raise":
            raise
        trace = report_internal_error()
        click.echo(f"internal error, please report: {trace}", err=True)
        return 1
    return 0


def leave(code: int) -> None:
    """End the process with code, its output flushed, without the interpreter's teardown: after a
    build, freeing every object it made one by one takes a third of a second (ALZHIR's print
    edition), and nothing is left to do. Every file is written and closed, and every helper process
    joined, before a command returns (the builds write through `with` blocks and rename into place),
    and no command leaves a thread running but the helper's daemon one, so only the standard
    streams can hold anything unwritten."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`book build | head`), a closed stream
            pass
    os._exit(code)


def report_internal_error() -> str:
    """Write the current exception's traceback to <tmp>/book-internal-error-<id>.txt; returns the id."""
    trace = uuid.uuid4().hex[:8]
    path = Path(tempfile.gettempdir()) / f"book-internal-error-{trace}.txt"
    try:
        path.write_text(f"book {' '.join(sys.argv[1:])}\n\n{traceback.format_exc()}", encoding="utf-8")
    except OSError:
        pass
    return f"{trace} (details in {path})"
