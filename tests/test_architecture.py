"""The layout holds: stages import one way, modules stay small, the top level stays short.

docs/architecture.md explains the layers; this test keeps the code to them.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "orgtf"

# Each package (or top-level module) and its layer: a module may import from its own package
# and from lower layers only. Same-layer packages are independent of each other.
LAYERS = {
    "orgtf": 0,  # errors, files, process, text, gitrev, _version: the shared helpers
    "orgtf.iam": 1,
    "orgtf.config": 1,
    "orgtf.terraform": 1,
    "orgtf.render": 2,
    "orgtf.access": 2,
    "orgtf.sandbox": 2,
    "orgtf.run": 3,
    "orgtf.profiles": 3,
    "orgtf.live": 3,
    "orgtf.catalog": 4,
    "orgtf.adoption": 4,
    "orgtf.demo": 5,
    "orgtf.commands": 6,
    "orgtf.cli": 7,
    "orgtf.__main__": 8,
}
MAX_LINES = 300
MAX_TOP_LEVEL_MODULES = 12


def _modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path


def _unit(module: str) -> str:
    """The package or top-level module ``module`` belongs to, as named in LAYERS."""
    parts = module.split(".")
    candidate = ".".join(parts[:2])
    return candidate if candidate in LAYERS else "orgtf"


def _imports(path: Path, module: str) -> Iterator[str]:
    """Every orgtf module ``path`` imports, at the top or inside a function."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.startswith("orgtf"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")[: len(module.split(".")) - node.level + is_package]
                name = ".".join([*base, node.module or ""]).rstrip(".")
            else:
                name = node.module or ""
            if name.startswith("orgtf"):
                yield name
                yield from (f"{name}.{a.name}" for a in node.names if name == "orgtf")


def _edges() -> list[tuple[str, str]]:
    known = dict(_modules())
    edges = []
    for module, path in known.items():
        for imported in _imports(path, module):
            if imported in known or imported.rsplit(".", 1)[0] in known:
                edges.append(
                    (module, imported if imported in known else imported.rsplit(".", 1)[0])
                )
    return edges


def test_every_package_imports_only_its_own_and_lower_layers() -> None:
    wrong = []
    for importer, imported in _edges():
        mine, theirs = _unit(importer), _unit(imported)
        if mine != theirs and LAYERS[theirs] >= LAYERS[mine]:
            wrong.append(f"{importer} -> {imported}")
    assert wrong == []


def test_no_import_cycle_between_modules() -> None:
    graph: dict[str, set[str]] = {}
    for importer, imported in _edges():
        if importer != imported and imported != importer.rsplit(".", 1)[0]:
            graph.setdefault(importer, set()).add(imported)
    done: set[str] = set()

    def visit(node: str, stack: list[str]) -> None:
        if node in stack:
            pytest.fail("import cycle: " + " -> ".join([*stack[stack.index(node) :], node]))
        if node in done:
            return
        for nxt in sorted(graph.get(node, ())):
            visit(nxt, [*stack, node])
        done.add(node)

    for node in sorted(graph):
        visit(node, [])


def test_modules_stay_small() -> None:
    big = {
        str(path.relative_to(PACKAGE.parent)): n
        for _, path in _modules()
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert big == {}


def test_the_top_level_stays_short() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL_MODULES, top


def test_every_package_says_what_it_owns() -> None:
    for init in sorted(PACKAGE.rglob("__init__.py")):
        docstring = ast.get_docstring(ast.parse(init.read_text())) or ""
        assert len(docstring.split()) >= 8, f"{init} needs a docstring saying what it owns"
