"""Editor mistakes -> one error type that prints `path:line:col: message` lines.

Every stage reports into a `Problems` collector; at the end of a stage the
collector raises `BookError` when it holds errors, so an editor sees every
problem at once and never a Python traceback.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import click

from .model import Location


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in the sources."""

    location: Location
    """Where it is."""
    message: str
    """What is wrong; what to do."""
    severity: str = "error"
    """'error' stops the build; 'warning' does not."""

    def __str__(self) -> str:
        tag = "" if self.severity == "error" else "warning: "
        return f"{self.location}: {tag}{self.message}"


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
    return (str(p.location.path), p.location.line, p.location.col)
