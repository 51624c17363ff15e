"""Engine progress messages -> a live status line with rich (or nothing, when quiet)."""

from __future__ import annotations

import re
from contextlib import contextmanager
from typing import Iterator

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from .pipeline import Reporter

PAGE = re.compile(r"Page (\d+)")


@contextmanager
def progress_reporter(quiet: bool) -> Iterator[Reporter]:
    """A Reporter that shows the stage and pages laid out; silent when quiet or not a terminal."""
    if quiet:
        yield Reporter()
        return
    console = Console(stderr=True)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("Loading the layout engine", total=None)
        state = {"stage": "Loading the layout engine"}

        def stage(name: str) -> None:
            state["stage"] = name
            progress.update(task, description=name)

        def engine(message: str) -> None:
            match = PAGE.search(message)
            if match:
                progress.update(task, description=f"{state['stage']}: page {match.group(1)}")

        yield Reporter(stage=stage, engine=engine)
