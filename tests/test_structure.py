"""The package is arranged by stage: no import cycle, and each stage imports only from the stages
before it (plus the base modules every stage shares). Imports inside functions count too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "book"
BASE = {"book", "book.model", "book.errors", "book.paths", "book.policy", "book.text", "book.libraries"}
"""Modules every stage may use; they import nothing but each other. (book.libraries is the package's
own: `book` installs it before any stage imports the engine.)"""
STAGES = ["source", "cite", "markup", "layout", "output", "preflight"]
"""The pipeline's order: a stage imports only from the stages before it."""
TOP = {"book.cli", "book.pipeline", "book.progress", "book.__main__", "book.starter", "book.docs", "book.watch"}
"""The drivers, which run the stages and may import any of them."""


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The book modules that a module imports, anywhere in its body."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "book")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "book":
                continue
            for alias in node.names:  # `from . import cite` imports the module book.cite
                found.add(f"{target}.{alias.name}" if f"{target}.{alias.name}" in known else target)
    return found - {name}


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {name: imports_of(name, path, set(mods)) for name, path in mods.items()}


def stage_of(name: str) -> int | None:
    parts = name.split(".")
    return STAGES.index(parts[1]) if len(parts) > 1 and parts[1] in STAGES else None


def test_every_module_is_placed():
    for name in modules():
        assert name in BASE or name in TOP or stage_of(name) is not None, f"{name} belongs to no stage"


def test_every_import_names_a_module_that_exists():
    known = set(modules())
    missing = [f"{name} imports {target}" for name, targets in graph().items() for target in targets
               if target not in known]
    assert missing == []


def test_no_import_cycle():
    edges = graph()
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt):] + [nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)


def test_stages_import_only_earlier_stages():
    wrong = []
    for name, targets in graph().items():
        if name in TOP:
            continue
        for target in targets:
            if name in BASE:
                ok = target in BASE
            else:
                mine, theirs = stage_of(name), stage_of(target)
                ok = target in BASE or (theirs is not None and theirs <= mine)
            if not ok:
                wrong.append(f"{name} imports {target}")
    assert wrong == []


def test_the_checker_sees_a_cycle(tmp_path, monkeypatch):
    """The walk is not vacuous: two modules importing each other are caught."""
    pkg = tmp_path / "book"
    (pkg / "markup").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "markup" / "__init__.py").write_text("")
    (pkg / "markup" / "a.py").write_text("def f():\n    from .b import g\n")
    (pkg / "markup" / "b.py").write_text("from . import a\n")
    monkeypatch.setattr(__import__(__name__), "PACKAGE", pkg)
    edges = graph()
    assert "book.markup.b" in edges["book.markup.a"] and "book.markup.a" in edges["book.markup.b"]
    with pytest.raises(pytest.fail.Exception, match="import cycle"):
        test_no_import_cycle()
