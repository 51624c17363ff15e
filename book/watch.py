"""`book watch`: the editor's loop. File events from the book's own inputs (watchfiles), settled into
batches; one draft build per batch (saves made during a build fold into the next one); after each
build, one line per kind of what moved since the previous build of this session."""

from __future__ import annotations

import fnmatch
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from .errors import BookError
from .paths import STAGING, STYLES

SCRATCH = ("*.swp", "*.swo", "*.swx", "*~", ".#*", "#*#", "4913", "*.tmp", "*.part")
"""Editors' swap, backup and lock files: never a reason to rebuild."""
QUIET_MS = 300
"""A burst of saves has settled when nothing changed for this long."""
LONGEST_WAIT_MS = 3000
"""Build at the latest this long after the first save of a burst that does not settle."""
SHOWN = 4
"""Items named per report line; the rest are counted."""


def scratch(name: str) -> bool:
    """Whether a file name is hidden, or an editor's swap, backup or lock file."""
    return name.startswith(".") or any(fnmatch.fnmatch(name, pattern) for pattern in SCRATCH)


def resolved(path: Path) -> Path:
    """path made absolute, links followed where they can be."""
    try:
        return path.resolve()
    except OSError:
        return path.absolute()


def counts(path: Path, roots: Iterable[Path], out: Path) -> bool:
    """Whether a change to path can change the book: inside one of the roots, not in the output
    folder, no hidden file or folder on the way, not a swap or backup file."""
    path, out = resolved(path), resolved(out)
    if path == out or out in path.parents:
        return False
    for root in roots:
        root = resolved(root)
        if path == root or root in path.parents:
            parts = path.relative_to(root).parts
            return bool(parts) and not any(scratch(part) or part.startswith(STAGING) for part in parts)
    return False


@dataclass
class Snapshot:
    """What the previous good build printed, kept to tell what moved."""

    signatures: list
    """preflight.changes.PageSignature of every page of the print PDF."""
    labels: tuple[str, ...]
    """Printed folio of every page."""
    chapters: dict[str, tuple[str, int]]
    """Chapter anchor -> (title, 0-based first page)."""
    index: dict[tuple[str, str], tuple[str, ...]]
    """(name, role) -> printed locators."""


@dataclass
class Watcher:
    """Builds the draft of the book in `source` into `out` once per batch of changed files, and says
    what moved since the previous build."""

    source: Path
    """The book's folder."""
    out: Path
    """Where the PDFs go."""
    echo: Callable[[str], None] = print
    """Prints a line of the report."""
    fail: Callable[[str], None] = print
    """Prints an error at once."""
    internal: Callable[[], str] = lambda: "(no details)"
    """Records an unexpected exception, returns how to find it."""
    builds: int = 0
    """Builds started."""
    last: Snapshot | None = None
    """The last good build, or None before the first."""
    roots: list[Path] = field(default_factory=list)
    """Folders watched: the book's folder and the house styles."""
    session: object = None
    """The layouts of the last build, kept for the next (pipeline.Session): only the parts of the
    book an edit changed are laid out again."""

    def __post_init__(self) -> None:
        self.roots = [self.source] + ([STYLES] if STYLES.is_dir() else [])

    def counts(self, path: Path) -> bool:
        """Whether a change to path is a reason to build."""
        return counts(path, self.roots, self.out)

    def handle(self, changed: Iterable[Path]) -> bool:
        """One settled batch of changed files: one build if any of them counts. True if it built."""
        if not any(self.counts(Path(p)) for p in changed):
            return False
        self.build()
        return True

    def build(self) -> None:
        """One draft build and its report; every error is shown and the watch goes on (the last good
        PDF stays where it was: outputs are swapped in only on success)."""
        from . import pipeline

        self.builds += 1
        try:
            self.session = self.session or pipeline.Session()
            summary = pipeline.build(self.source, self.out, edition="draft", session=self.session, adjust=False)
            snapshot = snapshot_of(summary)
        except BookError as error:
            self.fail(error.format_message())
            return
        except Exception:  # a bug of ours must not end the watch
            self.fail(f"internal error, please report: {self.internal()}")
            return
        pdf = summary.outputs[0]
        pages = summary.page_counts.get(pdf, summary.pages)
        self.echo(f"{time.strftime('%H:%M:%S')} {pages} pages in {summary.seconds:.1f} s: {pdf}")
        for line in what_moved(self.last, snapshot, summary.repairs):
            self.echo(line)
        for warning in summary.warnings:
            self.fail(warning)
        self.last = snapshot

    def run(self, stop: threading.Event | None = None, ready: Callable[[], None] = lambda: None) -> None:
        """Build once, then once per settled batch of saves until Ctrl-C or `stop` is set. The
        watcher's events pile up while a build runs and come out as one batch after it."""
        from watchfiles import watch

        self.build()
        events = watch(*self.roots, watch_filter=lambda _, path: self.counts(Path(path)), debounce=LONGEST_WAIT_MS,
                       step=QUIET_MS, stop_event=stop, raise_interrupt=False, rust_timeout=500,
                       yield_on_timeout=True)
        ready_told = False
        for batch in events:
            if not ready_told:
                ready()
                ready_told = True
            if batch:
                self.handle(path for _, path in batch)


def snapshot_of(summary) -> Snapshot:
    """What a build printed, read back from its print PDF and its summary."""
    from .preflight.changes import page_signatures

    pages = summary.layout.pages
    chapters = {anchor: (title, pages[anchor]) for anchor, title in summary.chapters if anchor in pages}
    index = {(entry.sort, entry.role): tuple(text for text, _ in entry.pages)
             for entry in summary.index if not entry.see}
    return Snapshot(page_signatures(summary.outputs[0]), summary.layout.labels, chapters, index)


def what_moved(old: Snapshot | None, new: Snapshot, repairs: list[str]) -> list[str]:
    """One line per kind of change since the previous build: pages, chapter openings, contents,
    index, repaired notes. Nothing for a kind that did not change."""
    lines = []
    if old is not None:
        lines += _pages(old, new) + _chapters(old, new) + _contents(old, new) + _index(old, new)
    if repairs:
        lines.append(f"notes repaired ({len(repairs)}): " + _few([r.strip() for r in repairs]))
    if old is not None and not lines:
        lines.append("no page changed")
    return lines


def _pages(old: Snapshot, new: Snapshot) -> list[str]:
    from .preflight.changes import compare

    lines = []
    changes = compare(old.signatures, new.signatures)
    words = {"changed": "pages changed", "added": "pages added", "removed": "pages taken out"}
    for kind, what in words.items():
        labels = old.labels if kind == "removed" else new.labels
        runs = [_run(c.first, c.last, labels) for c in changes if c.kind == kind]
        if runs:
            lines.append(f"{what}: {_few(runs)}")
    moved = sum(c.last - c.first + 1 for c in changes if c.kind == "margins")
    if moved:
        lines.append(f"pages whose folio or running head changed: {moved}")
    return lines


def _run(first: int, last: int, labels: tuple[str, ...]) -> str:
    """PDF pages first..last (0-based), with their folios."""
    def page(i: int) -> str:
        folio = labels[i] if i < len(labels) else ""
        return f"{i + 1}" + (f" (p. {folio})" if folio else "")
    return page(first) if first == last else f"{page(first)}–{page(last)}"


def _chapters(old: Snapshot, new: Snapshot) -> list[str]:
    moved = []
    for anchor, (title, page) in new.chapters.items():
        if anchor in old.chapters and old.chapters[anchor][1] != page:
            shift = page - old.chapters[anchor][1]
            moved.append(f"{title} {shift:+d} (now PDF page {page + 1})")
    return [f"chapters moved: {_few(moved)}"] if moved else []


def _contents(old: Snapshot, new: Snapshot) -> list[str]:
    def entries(snapshot: Snapshot) -> dict[str, str]:
        return {title: _folio(snapshot, page) for title, page in snapshot.chapters.values()}
    before, after = entries(old), entries(new)
    changed = [f"{title} p. {before[title]} → {folio}" for title, folio in after.items()
               if title in before and before[title] != folio]
    changed += [f"{title} p. {folio} (new)" for title, folio in after.items() if title not in before]
    changed += [f"{title} (gone)" for title in before if title not in after]
    return [f"contents: {_few(changed)}"] if changed else []


def _folio(snapshot: Snapshot, page: int) -> str:
    return snapshot.labels[page] if page < len(snapshot.labels) and snapshot.labels[page] else str(page + 1)


def _index(old: Snapshot, new: Snapshot) -> list[str]:
    changed = []
    for key, pages in new.index.items():
        name = key[0] + (f" ({key[1]})" if key[1] else "")
        if key not in old.index:
            changed.append(f"{name} {', '.join(pages)} (new)")
        elif old.index[key] != pages:
            changed.append(f"{name} {', '.join(old.index[key])} → {', '.join(pages)}")
    changed += [f"{key[0]} (gone)" for key in old.index if key not in new.index]
    return [f"index: {_few(changed)}"] if changed else []


def _few(items: list[str]) -> str:
    shown = "; ".join(items[:SHOWN])
    return shown + (f"; and {len(items) - SHOWN} more" if len(items) > SHOWN else "")
