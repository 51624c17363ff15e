"""`book new DIR` -> a small complete book to start from: the files under starter/files, copied.

The starter book passes `book check` without a warning and builds at once; each file carries
comments that show what can be written there. Its names and text are made up.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from ..errors import BookError
from ..model import Location

FILES = Path(__file__).resolve().parent / "files"
"""The starter book, as it is copied."""


def write_starter(target: Path) -> list[Path]:
    """Copy the starter book into target (new or empty), its slug taken from the folder's name;
    returns the files written. A folder that holds anything is refused, so nothing is overwritten."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        what = "this is a file" if not target.is_dir() else "this folder is not empty"
        raise BookError(f"{what}; `book new` writes only into a new or empty folder, "
                        f"so give another name (book new my-book)", Location(target))
    shutil.copytree(FILES, target, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    slug = re.sub(r"[^a-z0-9]+", "-", target.resolve().name.lower()).strip("-")
    if slug:
        manifest = target / "book.yaml"
        line = f"slug: {slug}".ljust(38) + f"# names the output files: out/{slug}-print.pdf, out/{slug}-cover.pdf …"
        text = re.sub(r"(?m)^slug: mill .*$", lambda _: line, manifest.read_text(encoding="utf-8"))
        manifest.write_text(text, encoding="utf-8")
    return sorted(p for p in target.rglob("*") if p.is_file())
