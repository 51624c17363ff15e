"""Command line -> the pipeline: `book build`, `book check`, `book watch`. Parses options, calls stages."""

from __future__ import annotations

import sys
import time
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
@click.option("--edition", type=click.Choice(["print", "screen", "booklet", "all"]), default="print",
              show_default=True, help="print: interior and cover; screen; booklet: A4 two-up; all of them.")
@click.option("--html/--no-html", default=True, show_default=True, help="Also write out/<slug>.html.")
@click.option("--strict", is_flag=True, help="Fail when a note is not on the page of its call.")
@click.option("--draft", is_flag=True, help="Only the print interior, without cover and preflight: a quick look.")
@QUIET
def build(source: Path, out: Path, edition: str, html: bool, strict: bool, draft: bool, quiet: bool) -> None:
    """Check the sources, lay out the book once and write the PDF(s)."""
    from .pipeline import build as run_build
    from .progress import progress_reporter

    with progress_reporter(quiet) as reporter:
        summary = run_build(source, out, html=html, strict=strict, reporter=reporter,
                            edition="draft" if draft else edition)
    for warning in summary.warnings:
        click.echo(warning, err=True)
    if not quiet:
        for note in summary.notes:
            click.echo(f"note: {note}")
        for repair in summary.repairs:
            click.echo(repair)
        paths = ", ".join(str(p) for p in summary.outputs)
        click.echo(f"{summary.pages} pages in {summary.seconds:.1f} s; "
                   f"{len(summary.warnings)} warning(s); wrote {paths}")


@main.command()
@SOURCE
@click.option("--fix-names", is_flag=True, help="Show the [[tags]] that would be added to untagged names.")
@click.option("--yes", is_flag=True, help="With --fix-names: write those tags into the chapter files.")
@QUIET
def check(source: Path, fix_names: bool, yes: bool, quiet: bool) -> None:
    """Validate book.yaml, front matter, Markdown, names and citations, without layout."""
    from .markup.book import load_book
    from .markup.lint import apply_fixes, name_fixes

    started = time.perf_counter()
    book, problems = load_book(source)
    if fix_names:
        fixes = name_fixes(book.chapters, book.people)
        for where, text, tag in fixes:
            click.echo(f"{where}: {'tagged' if yes else 'would tag'} \"{text}\" as {tag}")
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
@click.option("--edition", type=click.Choice(["print", "screen"]), default="print", show_default=True)
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
@SOURCE
@OUT
@click.option("--interval", default=0.5, show_default=True, help="Seconds between looks at the files.")
def watch(source: Path, out: Path, interval: float) -> None:
    """Rebuild the draft (print interior, no cover or preflight) whenever a file changes (Ctrl-C to stop)."""
    from .pipeline import build as run_build

    seen: dict[Path, float] = {}
    click.echo(f"watching {source} (Ctrl-C to stop)")
    while True:
        now = {p: p.stat().st_mtime for p in sorted(source.rglob("*")) if p.is_file()}
        if now != seen:
            seen = now
            try:
                summary = run_build(source, out, edition="draft")
                click.echo(f"{time.strftime('%H:%M:%S')} {summary.pages} pages in {summary.seconds:.1f} s")
                for repair in summary.repairs:
                    click.echo(repair)
                for warning in summary.warnings:
                    click.echo(warning, err=True)
            except BookError as error:
                error.show()
        time.sleep(interval)


def run() -> None:
    """Entry point: never show a traceback for an editor's mistake."""
    try:
        main(standalone_mode=True)
    except KeyboardInterrupt:
        sys.exit(130)
