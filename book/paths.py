"""Where things are and how files are written: the styles folder, paths confined to the book's
folder, and atomic writes (a temporary file moved over the target only on success).
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .errors import Problems, suggest
from .model import Location

STYLES = Path(__file__).resolve().parent.parent / "styles"
"""The print CSS, fonts and colour profile."""


def inside(root: Path, name: str, where: Location, problems: Problems, what: str) -> Path | None:
    """A relative path inside root that exists, or None after reporting why not."""
    if not name or Path(name).is_absolute() or "://" in name:
        problems.error(where, f'{what} "{name}" must be a path relative to the book folder')
        return None
    path = root / name
    try:
        real = path.resolve()
    except OSError:
        real = path
    if not real.is_relative_to(root.resolve()):
        problems.error(where, f'{what} "{name}" lies outside the book folder; keep every file inside {root}')
        return None
    if not path.is_file():
        near = suggest(name, sorted(p.name for p in path.parent.glob("*")) if path.parent.is_dir() else [])
        problems.error(where, f'{what} "{name}" does not exist; {near}')
        return None
    return path


@contextmanager
def replacing(target: Path) -> Iterator[Path]:
    """A temporary path beside target, moved over target only if the block succeeds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        umask = os.umask(0)
        os.umask(umask)
        temporary.chmod(0o666 & ~umask)
        os.replace(temporary, target)
    finally:
        if temporary.exists():
            temporary.unlink()


def write_text(target: Path, text: str) -> None:
    """Write a text file atomically."""
    with replacing(target) as temporary:
        temporary.write_text(text, encoding="utf-8")


