"""One direction of dependencies: every import in hub/, alerts/, crypto/, policies/ and
sqlbase/ — including those inside functions and under TYPE_CHECKING — read from the source
(AST), relative imports resolved. No module may take part in an import cycle, and no module
may import one of a higher layer. The layers are the table in docs/hub.md ("Layers"), read
from there, so the document and the check cannot drift apart.

A module's layer is that of the most specific pattern naming it (fewest wildcards, then the
longest pattern), so `hub.*.api` beats `hub.*` and `hub.db` beats both. Importing a module
also runs its parents' `__init__`; those implicit edges are left out: a package's
`__init__` counts only where it is imported by name.
"""

from __future__ import annotations

import ast
import fnmatch
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("hub", "alerts", "crypto", "policies", "sqlbase")
DOC = ROOT / "docs" / "hub.md"


@dataclass(frozen=True)
class Import:
    source: str
    target: str
    line: int


def find_modules(root: Path, packages: tuple[str, ...] = PACKAGES) -> dict[str, Path]:
    modules: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def _known(name: str, modules: dict[str, Path]) -> str | None:
    """The most specific module of the project that `import name` runs, if any."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> list[Import]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[Import] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        targets: list[str | None] = []
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Import):
            targets = [_known(alias.name, modules) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = parts[: len(parts) - (node.level - 1)]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            # `from a import b` imports the module a.b when there is one, else a name of a.
            for alias in node.names:
                submodule = f"{origin}.{alias.name}"
                targets.append(submodule if submodule in modules else _known(origin, modules))
        for target in targets:
            if target is not None and target != module:
                found.append(Import(module, target, line))
    return found


def import_graph(root: Path, packages: tuple[str, ...] = PACKAGES) -> list[Import]:
    modules = find_modules(root, packages)
    return [edge for name, path in modules.items() for edge in imports_of(name, path, modules)]


def cycles(edges: list[Import]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), sorted."""
    graph: dict[str, set[str]] = {}
    for edge in edges:
        graph.setdefault(edge.source, set()).add(edge.target)
        graph.setdefault(edge.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def read_layers(doc: Path = DOC) -> list[tuple[str, list[str]]]:
    """The fenced block after the "## Layers" heading: `name  pattern pattern …` per line,
    highest layer first."""
    text = doc.read_text(encoding="utf-8")
    match = re.search(r"^## Layers\n.*?^```layers\n(.*?)^```", text, re.S | re.M)
    assert match, "docs/hub.md has no ```layers block under ## Layers"
    layers = []
    for line in match.group(1).splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, *patterns = line.split()
            layers.append((name.rstrip(":"), patterns))
    return layers


def layer_of(module: str, layers: list[tuple[str, list[str]]]) -> int | None:
    """Index of the module's layer (0 = highest), by its most specific matching pattern."""
    best: tuple[int, int] | None = None
    chosen = None
    for position, (_name, patterns) in enumerate(layers):
        for pattern in patterns:
            if fnmatch.fnmatchcase(module, pattern):
                specificity = (-pattern.count("*"), len(pattern))
                if best is None or specificity > best:
                    best, chosen = specificity, position
    return chosen


def upward(edges: list[Import], layers: list[tuple[str, list[str]]]) -> list[str]:
    found = []
    for edge in edges:
        source, target = layer_of(edge.source, layers), layer_of(edge.target, layers)
        assert source is not None
        assert target is not None
        if target < source:
            found.append(
                f"{edge.source} ({layers[source][0]}) imports {edge.target} "
                f"({layers[target][0]}) at line {edge.line}"
            )
    return sorted(found)


def foreign_base_imports(edges: list[Import], layers: list[tuple[str, list[str]]]) -> list[str]:
    """The lowest layer holds independent packages (crypto, policies, sqlbase): none of them
    imports another."""
    lowest = len(layers) - 1
    return sorted(
        f"{e.source} imports {e.target} at line {e.line}"
        for e in edges
        if layer_of(e.source, layers) == lowest
        and layer_of(e.target, layers) == lowest
        and e.source.split(".")[0] != e.target.split(".")[0]
    )


EDGES = import_graph(ROOT)
LAYERS = read_layers()


def test_the_walk_sees_the_whole_project() -> None:
    sources = {edge.source.split(".")[0] for edge in EDGES}
    assert sources == set(PACKAGES) - {"sqlbase"}  # sqlbase imports nothing of the project
    assert len(find_modules(ROOT)) > 150
    pairs = {(edge.source, edge.target) for edge in EDGES}
    assert ("hub.migrations.env", "hub.models") in pairs  # at the top of the module
    assert ("hub.backup.databases", "hub.models") in pairs  # inside a function


def test_every_module_has_a_layer() -> None:
    assert [m for m in find_modules(ROOT) if layer_of(m, LAYERS) is None] == []


def test_no_import_cycles() -> None:
    assert cycles(EDGES) == []


def test_no_module_imports_a_higher_layer() -> None:
    assert upward(EDGES, LAYERS) == []


def test_the_base_packages_import_none_of_each_other() -> None:
    assert foreign_base_imports(EDGES, LAYERS) == []


def test_every_hub_module_says_what_it_is_for() -> None:
    """Each module of hub/ opens with a docstring whose first line says what it is for."""
    silent = [
        name
        for name, path in find_modules(ROOT, ("hub",)).items()
        if not (ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or "").strip()
    ]
    assert silent == []


# --- the check itself, on a made-up project ---------------------------------------------------


def _project(tmp_path: Path, files: dict[str, str]) -> list[Import]:
    for name, source in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    return import_graph(tmp_path, ("app",))


def test_an_import_inside_a_function_closes_a_cycle(tmp_path: Path) -> None:
    edges = _project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/errors.py": "def install():\n    from app.web import page\n",
            "app/web.py": "from app import errors\n",
        },
    )
    assert cycles(edges) == [["app.errors", "app.web"]]


def test_relative_imports_are_resolved(tmp_path: Path) -> None:
    edges = _project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/db.py": "from .reports import models\n",
            "app/reports/__init__.py": "from . import models\n",
            "app/reports/models.py": "from ..db import Base\nfrom .. import db\n",
        },
    )
    assert {(e.source, e.target) for e in edges} == {
        ("app.db", "app.reports.models"),
        ("app.reports", "app.reports.models"),
        ("app.reports.models", "app.db"),
    }
    assert cycles(edges) == [["app.db", "app.reports.models"]]


@pytest.mark.parametrize(
    ("module", "layer"),
    [("app.db", "base"), ("app.reports.api", "routers"), ("app.reports.service", "domain")],
)
def test_the_most_specific_pattern_decides(module: str, layer: str) -> None:
    layers = [("routers", ["app.*.api"]), ("domain", ["app.*"]), ("base", ["app.db"])]
    position = layer_of(module, layers)
    assert position is not None
    assert layers[position][0] == layer


def test_an_upward_import_is_named(tmp_path: Path) -> None:
    edges = _project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/db.py": "def f():\n    import app.reports.api\n",
            "app/reports/__init__.py": "",
            "app/reports/api.py": "from app.db import f\n",
        },
    )
    layers = [("routers", ["app.*.api"]), ("domain", ["app", "app.*"]), ("base", ["app.db"])]
    assert upward(edges, layers) == ["app.db (base) imports app.reports.api (routers) at line 2"]
