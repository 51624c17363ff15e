"""Stage names and engine progress messages -> one live progress line with rich (nothing when quiet).

The bar counts the build's stages (`3/6`), so it has a total from the start. Within a stage the
page shown only grows: WeasyPrint lays the pages out again from page 1 when a later page changes
an earlier one (repagination), and the small layouts of the front matter and the cover start from
page 1 too; those passes show as "checking page N of M" or not at all, instead of a count that
restarts.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from .pipeline import Reporter

PAGE = re.compile(r"Page (\d+)")
REPAGINATION = "Repagination"


@dataclass
class StageLine:
    """What the progress line says: the stage, and the furthest page the engine reached in it."""

    stage: str = "Loading the layout engine"
    """The stage running."""
    pages: int = 0
    """The highest page laid out in this stage."""
    page: int = 0
    """The page the engine is on now."""
    checking: bool = False
    """The engine is laying out the pages again from the first (repagination)."""

    def start(self, stage: str) -> None:
        """A new stage: its pages count from zero."""
        self.stage, self.pages, self.page, self.checking = stage, 0, 0, False

    def engine(self, message: str) -> None:
        """Take one WeasyPrint progress message into account."""
        if REPAGINATION in message:
            self.checking = True
            return
        match = PAGE.search(message)
        if match:
            self.pages = max(self.pages, int(match.group(1)))
            self.page = int(match.group(1))

    def text(self) -> str:
        """The line as shown."""
        if not self.pages:
            return self.stage
        if self.checking:
            return f"{self.stage}: checking page {min(self.page, self.pages)} of {self.pages}"
        return f"{self.stage}: page {self.pages}"


@contextmanager
def progress_reporter(quiet: bool) -> Iterator[Reporter]:
    """A Reporter that shows the stage (n of total) and pages laid out; silent when quiet."""
    if quiet:
        yield Reporter()
        return
    console = Console(stderr=True)
    columns = (SpinnerColumn(), BarColumn(bar_width=20), MofNCompleteColumn(), TextColumn("{task.description}"),
               TimeElapsedColumn())
    line = StageLine()
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(line.text(), total=None)
        started = [False]

        def plan(stages: int) -> None:
            progress.update(task, total=stages)

        def stage(name: str) -> None:
            if started[0]:
                progress.advance(task)
            started[0] = True
            line.start(name)
            progress.update(task, description=line.text())

        def engine(message: str) -> None:
            line.engine(message)
            progress.update(task, description=line.text())

        yield Reporter(stage=stage, engine=engine, plan=plan)
