"""The engine's C libraries are found as ctypes finds them, with three subprocesses instead of dozens
(book/libraries.py)."""

import ctypes.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from book.libraries import Lookups

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the lookups are Linux's")


def engine_names() -> list[str]:
    """Every name the engine's module tries, from its source."""
    import importlib.util

    source = Path(importlib.util.find_spec("weasyprint.text.ffi").origin).read_text(encoding="utf-8")
    calls = re.findall(r"_dlopen\(\s*ffi,(.*?)\)", source, re.S)
    names = [name for call in calls for name in re.findall(r"'([^']+)'", call)]
    assert len(names) >= 30 and "libpango-1.0.so.0" in names
    return names


OTHERS = ["c", "m", "z", "gcc_s", "c_nonshared", "pthread", "gobject-2.0", "pango-1.0", "fontconfig", "harfbuzz",
          "stdc++", "no-such-library-anywhere", "libc.so.6", "x86_64-linux-gnu",
          "png", "yaml", "lto_plugin"]  # on Debian, found by gcc's step only: ldconfig knows libpng16.so.16


def test_the_answers_are_ctypes_answers():
    asked = []

    def original(name):
        asked.append(name)
        return ctypes.util.find_library(name)

    lookups = Lookups(original)
    names = engine_names()
    for name in names + OTHERS:
        assert lookups.find(name) == ctypes.util.find_library(name), name
    assert lookups.runs <= 3
    assert "png" in asked or ctypes.util.find_library("png") is None  # a library only gcc finds: asked of ctypes


def test_the_names_for_other_systems_cost_no_lookup_of_their_own():
    asked = []
    lookups = Lookups(lambda name: asked.append(name) or ctypes.util.find_library(name))
    found = {name: lookups.find(name) for name in engine_names()}
    assert asked == [] and lookups.runs == 3  # ldconfig, gcc's folders, ld's
    assert found["gobject-2.0"] == "libgobject-2.0.so.0" and found["libgobject-2.0-0"] is None


IMPORT = """
import json, sys, time
events = []
sys.addaudithook(lambda event, args: events.append(event) if event == "subprocess.Popen" else None)
{first}
import ctypes.util
original = ctypes.util.find_library
import weasyprint.text.ffi as ffi
import ctypes.util
print(json.dumps({{"popen": len(events), "vector": ffi.harfbuzz_vector is None, "subset": ffi.harfbuzz_subset is None,
                  "restored": ctypes.util.find_library is original,
                  "finders": [type(f).__name__ for f in sys.meta_path]}}))
"""


def imported(first: str) -> dict:
    done = subprocess.run([sys.executable, "-c", IMPORT.format(first=first)], capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout)


def test_importing_book_first_makes_the_engine_find_its_libraries_quickly():
    quick = imported("import book")
    slow = imported("")
    assert quick["popen"] <= 3 < 10 <= slow["popen"]
    assert (quick["vector"], quick["subset"]) == (slow["vector"], slow["subset"])  # the same libraries found
    assert quick["restored"] and "_Finder" not in quick["finders"]


def test_a_lookup_it_cannot_vouch_for_is_left_to_ctypes(monkeypatch):
    """With a compiler but no `ld` on PATH, the compiler's own linker searches folders no tool here
    names: every name ldconfig does not know goes to ctypes."""
    import book.libraries as libraries

    real = libraries.shutil.which
    monkeypatch.setattr(libraries.shutil, "which", lambda name: None if name == "ld" else real(name))
    asked = []
    lookups = Lookups(lambda name: asked.append(name))
    assert lookups.find("libgobject-2.0-0") is None and lookups.find("gobject-2.0") == "libgobject-2.0.so.0"
    assert asked == ["libgobject-2.0-0"] or real("gcc") is None and real("cc") is None
