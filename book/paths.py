"""Where things are and how files are written: the styles folder, paths confined to the book's
folder, atomic writes (a temporary file moved over the target only on success), and the staging
folder from which a build's outputs replace the old ones as a set.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
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
def replacing(target: Path, mode: int | None = None) -> Iterator[Path]:
    """A temporary path beside target, moved over target only if the block succeeds (with permissions
    mode, or the usual ones for a new file)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        umask = os.umask(0)
        os.umask(umask)
        temporary.chmod(mode if mode is not None else 0o666 & ~umask)
        os.replace(temporary, target)
    finally:
        if temporary.exists():
            temporary.unlink()


def write_text(target: Path, text: str) -> None:
    """Write a text file atomically."""
    with replacing(target) as temporary:
        temporary.write_text(text, encoding="utf-8")


# --- the output folder: a whole build swapped in as a set -----------------------------------

STAGING = ".book-staging-"
"""Name prefix of the folders inside out/ where a build writes before its outputs replace the old ones."""
JOURNAL = "journal.json"
"""Written inside a staging folder just before the swap: the outputs, and which of them existed."""
DONE = "done"
"""Written inside a staging folder when the swap is complete."""


def clean_stale(out: Path) -> None:
    """Remove staging folders left by builds that died (kill -9, power cut); a build killed during
    its swap is rolled back, so out/ holds the last good set again. Folders of running builds stay."""
    if not out.is_dir():
        return
    for folder in sorted(out.glob(STAGING + "*")):
        pid = folder.name[len(STAGING):].split("-", 1)[0]
        if folder.is_dir() and not folder.is_symlink() and not (pid.isdigit() and _alive(int(pid))):
            _roll_back(folder, out)
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _roll_back(folder: Path, out: Path) -> None:
    journal = folder / JOURNAL
    if not journal.is_file() or (folder / DONE).exists():
        return
    try:
        existed = json.loads(journal.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    for name, was_there in existed.items():
        old, target = folder / "old" / name, out / name
        if was_there and old.exists():
            if target.is_dir() and not target.is_symlink():  # a folder output (the web edition)
                shutil.rmtree(target)
            os.replace(old, target)
        elif not was_there and (target.exists() or target.is_symlink()):
            shutil.rmtree(target) if target.is_dir() and not target.is_symlink() else target.unlink()


class Staging:
    """A folder inside out/ that receives a build's outputs; `commit` swaps them in as a set, and
    nothing in out/ changes unless it does. Also the build's temporary folder (WeasyPrint's fonts)."""

    def __init__(self, out: Path):
        out.mkdir(parents=True, exist_ok=True)
        clean_stale(out)
        self.out = out
        """The output folder."""
        self.folder = Path(tempfile.mkdtemp(prefix=f"{STAGING}{os.getpid()}-", dir=out))
        """Where the outputs are written first."""
        self.temp = self.folder / "tmp"
        """Temporary files of the build (the engine's font folders)."""
        self.temp.mkdir()

    def path(self, target: Path) -> Path:
        """Where to write what will become target (a file directly in out/)."""
        return self.folder / target.name

    def commit(self, targets: list[Path]) -> None:
        """Move the staged files over their targets, as a set: a kill half-way is rolled back by the next
        build's clean_stale."""
        names = [t.name for t in targets]
        existed = {name: (self.out / name).exists() for name in names}
        journal = self.folder / (JOURNAL + ".part")
        journal.write_text(json.dumps(existed), encoding="utf-8")
        _sync(journal)
        os.replace(journal, self.folder / JOURNAL)
        (self.folder / "old").mkdir()
        for name in names:
            if existed[name] and not _folder(self.out / name):  # folders are moved aside at the swap
                try:
                    os.link(self.out / name, self.folder / "old" / name)
                except OSError:
                    shutil.copy2(self.out / name, self.folder / "old" / name)
        umask = os.umask(0)
        os.umask(umask)
        try:
            for name in names:
                staged = self.folder / name
                staged.chmod((0o777 if staged.is_dir() else 0o666) & ~umask)
                checkpoint(f"swap:{name}")
                if existed[name] and _folder(self.out / name):
                    os.replace(self.out / name, self.folder / "old" / name)
                os.replace(staged, self.out / name)
        except BaseException:
            _roll_back(self.folder, self.out)  # the old set again, before the error is reported
            raise
        (self.folder / DONE).touch()

    def discard(self) -> None:
        """Remove the staging folder (after a commit, or instead of one)."""
        shutil.rmtree(self.folder, ignore_errors=True)


def _folder(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()


def _sync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def checkpoint(name: str) -> None:
    """Test seam for the kill test: BOOK_TEST_KILL_AT=<name> kills the process here (SIGKILL)."""
    if os.environ.get("BOOK_TEST_KILL_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
