"""alerts/ never imports hub: the hub hands alerts what it needs (a Directory, channels, a
secret, hooks), so the dispatcher can run, and be tested, with no web application around it.
Read from the source (AST), so an import inside a function counts too."""

from __future__ import annotations

import ast
from pathlib import Path

ALERTS = Path(__file__).resolve().parents[2] / "alerts"


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_alerts_never_imports_hub() -> None:
    offenders = {
        str(path.relative_to(ALERTS.parent)): sorted(
            name for name in _imports(path) if name == "hub" or name.startswith("hub.")
        )
        for path in sorted(ALERTS.rglob("*.py"))
    }
    offenders = {path: names for path, names in offenders.items() if names}
    assert offenders == {}
    assert len(list(ALERTS.rglob("*.py"))) > 10  # the scan did look at the package
