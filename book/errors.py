"""Editor mistakes -> one error type that prints `path:line:col: message` lines.

Every stage reports into a `Problems` collector; at the end of a stage the
collector raises `BookError` when it holds errors, so an editor sees every
problem at once and never a Python traceback.
"""

from __future__ import annotations

import difflib
import sys
from dataclasses import dataclass, field
from pathlib import Path

import click

from .model import Location


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the sources, or in a PDF made from them (preflight)."""

    location: Location | None
    """Where in the sources it is; None for a PDF problem no source place explains."""
    message: str
    """What is wrong; what to do."""
    severity: str = "error"
    """'error' stops the build (or fails preflight); 'warning' does not."""
    code: str = ""
    """Short id of the check that found it, e.g. 'font-not-embedded' (preflight), or empty."""
    page: int | None = None
    """1-based page of the PDF, for a problem found on a page."""

    def __str__(self) -> str:
        where = self.location or (f"page {self.page}" if self.page else "book")
        tag = "" if self.severity == "error" else "warning: "
        return f"{where}: {tag}{self.message}"

    def as_dict(self) -> dict:
        """The problem as JSON-ready values (the preflight report)."""
        loc = self.location
        return {"severity": self.severity, "code": self.code, "message": self.message, "page": self.page,
                "location": str(loc) if loc else None, "path": str(loc.path) if loc else None,
                "line": loc.line if loc else None, "col": loc.col if loc else None}


@dataclass
class Problems:
    """Collects problems from a stage, in the order found."""

    items: list[Problem] = field(default_factory=list)
    """Everything reported so far."""

    def error(self, where: Location | Path, message: str) -> None:
        """Report something that stops the build."""
        self.items.append(Problem(_loc(where), message, "error"))

    def warn(self, where: Location | Path, message: str) -> None:
        """Report something the editor should look at."""
        self.items.append(Problem(_loc(where), message, "warning"))

    @property
    def errors(self) -> list[Problem]:
        """The problems that stop the build."""
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """The problems that do not."""
        return [p for p in self.items if p.severity == "warning"]

    def extend(self, other: "Problems") -> None:
        """Take over another collector's problems."""
        self.items.extend(other.items)

    def raise_if_errors(self) -> None:
        """Stop here when any error was reported (warnings come along)."""
        if self.errors:
            raise BookError(self.items)


def _loc(where: Location | Path) -> Location:
    return where if isinstance(where, Location) else Location(where)


class BookError(click.ClickException):
    """A mistake an editor can make: shown as lines, exit code 1, no traceback."""

    exit_code = 1

    def __init__(self, problems: list[Problem] | str, where: Location | None = None):
        if isinstance(problems, str):
            problems = [Problem(where or Location(Path(".")), problems)]
        self.problems = sorted(problems, key=_order)
        super().__init__("\n".join(str(p) for p in self.problems))

    def show(self, file=None) -> None:
        """Print every problem on its own line, then a count."""
        out = file or sys.stderr
        for problem in self.problems:
            click.echo(str(problem), file=out)
        n = sum(p.severity == "error" for p in self.problems)
        click.echo(f"{n} error{'s' if n != 1 else ''}; nothing was written.", file=out)


def _order(p: Problem):
    loc = p.location or Location(Path(""))
    return (str(loc.path), loc.line, loc.col, p.page or 0)


def suggest(word: str, known) -> str:
    """'did you mean …?' for a misspelt word, or the list of known words."""
    known = list(known)
    close = difflib.get_close_matches(str(word), known, n=3, cutoff=0.6)
    if close:
        return "did you mean " + " or ".join(f"`{c}`" for c in close) + "?"
    if len(known) > SHOWN_KEYS:  # a list of eighty ids helps nobody: the first few, and how many
        return (f"known keys: {', '.join(f'`{k}`' for k in known[:SHOWN_KEYS])} "
                f"and {len(known) - SHOWN_KEYS} more; check the spelling")
    return "known keys: " + ", ".join(f"`{k}`" for k in known)


SHOWN_KEYS = 12
"""How many known words a message lists when none is close to the one written."""
