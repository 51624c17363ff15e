"""The engine's C libraries found without the long way round (an engine patch, for its import only).

WeasyPrint opens Pango, HarfBuzz, Fontconfig and GObject (`weasyprint/text/ffi.py`) by trying, for
each, a list of names made for every platform ('libgobject-2.0-0', 'gobject-2.0-0', 'gobject-2.0',
'libgobject-2.0.so.0', ...), in order. cffi loads a name directly when it can; when it cannot, it
asks `ctypes.util.find_library`, which on Linux runs `ldconfig -p`, then gcc, then ld (and objdump)
as subprocesses, each time. The names meant for other systems, and an optional library that is not
installed (harfbuzz-vector, six names), cost 16 such lookups: 0.2 s of every build's start, in a
build of 8 s.

While that module runs, `ctypes.util.find_library` is replaced by `Lookups.find`, which gives the
same answers from three subprocesses in all:

- `ldconfig -p` is read once, and searched as ctypes searches it;
- when it has no answer, gcc's and ld's steps can only find a file named lib<name>.<something> in
  a folder they search (gcc's library folders, ld's SEARCH_DIRs, LD_LIBRARY_PATH, LIBRARY_PATH).
  When no such file is in any of them, the answer is None; when there is one, or a folder cannot
  be listed, or gcc or ld cannot say where they search, ctypes' own function answers.

Nothing changes on systems other than Linux. `tests/test_libraries.py` compares the answers with
ctypes' for every name the engine tries and more, and counts the subprocesses.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import re
import shutil
import struct
import subprocess
import sys
from contextlib import contextmanager

MODULE = "weasyprint.text.ffi"
"""The engine's module that opens the libraries."""


class Lookups:
    """find_library's answers for one import: what the system says is read once, when first needed."""

    def __init__(self, original):
        self.original = original
        self._cache: bytes | None = None
        self._folders: list[str] | None = None
        self.runs = 0
        """Subprocesses run (the tests count them)."""

    def find(self, name: str) -> str | None:
        """ctypes.util.find_library(name), as Linux's ctypes answers it."""
        found = self._ldconfig(name)
        if found is not None:
            return found
        if self._may_link(name):
            return self.original(name)
        return None

    def _ldconfig(self, name: str) -> str | None:
        """ctypes' _findSoname_ldconfig(name), from one reading of `ldconfig -p`."""
        if self._cache is None:
            self._cache = self._run(["/sbin/ldconfig", "-p"], {"LC_ALL": "C", "LANG": "C"}) or b""
        machine = os.uname().machine + ("-32" if struct.calcsize("l") == 4 else "-64")
        abi_type = {"x86_64-64": "libc6,x86-64", "ppc64-64": "libc6,64bit", "sparc64-64": "libc6,64bit",
                    "s390x-64": "libc6,64bit", "ia64-64": "libc6,IA-64"}.get(machine, "libc6")
        found = re.search(os.fsencode(r"\s+(lib%s\.[^\s]+)\s+\(%s" % (re.escape(name), abi_type)), self._cache)
        return os.fsdecode(found.group(1)) if found else None

    def _may_link(self, name: str) -> bool:
        """Whether gcc's or ld's step of find_library might find name: True unless no folder they
        search holds a file lib<name>.<something> (nor is itself named so)."""
        folders = self._search_folders()
        if folders is None:
            return True
        prefix = f"lib{name}."
        for folder in folders:
            if prefix in folder:
                return True
            try:
                if any(entry.startswith(prefix) for entry in os.listdir(folder)):
                    return True
            except FileNotFoundError:
                continue
            except OSError:
                return True
        return False

    def _search_folders(self) -> list[str] | None:
        """Every folder gcc's and ld's steps search, or None when one of them cannot say."""
        if self._folders is not None:
            return self._folders
        folders = [d or "." for var in ("LD_LIBRARY_PATH", "LIBRARY_PATH") if os.environ.get(var)
                   for d in os.environ[var].split(":")]
        compiler = shutil.which("gcc") or shutil.which("cc")
        if compiler and not shutil.which("ld"):  # the compiler's own linker: where it searches is not known
            return None
        if compiler:  # without one, ctypes' gcc step answers None
            dirs = self._run([compiler, "-print-search-dirs"], {**os.environ, "LC_ALL": "C", "LANG": "C"})
            line = next((l for l in (dirs or b"").decode(errors="replace").splitlines() if l.startswith("libraries:")),
                        None)
            if line is None:
                return None
            folders += [d.lstrip("=") for d in line.split(":", 1)[1].strip().split(":")]
        if shutil.which("ld"):  # without it, ctypes' ld step answers None (and gcc's links with ld)
            script = self._run(["ld", "--verbose"], None)
            if script is None:
                return None
            folders += [d.lstrip("=") for d in re.findall(r'SEARCH_DIR\("([^"]*)"\)', script.decode(errors="replace"))]
        self._folders = [f for f in dict.fromkeys(folders) if f]
        return self._folders

    def _run(self, command: list[str], env: dict | None) -> bytes | None:
        self.runs += 1
        try:
            done = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, env=env, check=False)
        except OSError:
            return None
        return done.stdout if done.returncode == 0 or command[0] == "/sbin/ldconfig" else None


@contextmanager
def quick_lookups():
    """ctypes.util.find_library answered by a Lookups while the block runs (on Linux)."""
    import ctypes.util

    original = ctypes.util.find_library
    if not sys.platform.startswith("linux"):
        yield None
        return
    lookups = Lookups(original)
    ctypes.util.find_library = lookups.find
    try:
        yield lookups
    finally:
        ctypes.util.find_library = original


class _Loader(importlib.abc.Loader):
    """The engine module's own loader, run inside quick_lookups."""

    def __init__(self, inner):
        self.inner = inner

    def create_module(self, spec):
        return self.inner.create_module(spec)

    def exec_module(self, module) -> None:
        with quick_lookups():
            self.inner.exec_module(module)


class _Finder(importlib.abc.MetaPathFinder):
    """Finds the engine's module as the path finder does, with _Loader around its loader; once."""

    def find_spec(self, name, path, target=None):
        if name != MODULE:
            return None
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path, target)
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader)
        return spec


def install() -> None:
    """Have the engine's module, when it is first imported, find its libraries quickly."""
    if MODULE not in sys.modules and not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
