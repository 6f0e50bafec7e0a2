"""crypto/ imports nothing of the project, and only _primitives touches low-level modules."""

import ast
from pathlib import Path

CRYPTO = Path(__file__).resolve().parents[2] / "crypto"
PROJECT = {"hub", "policies", "alerts", "bench", "tests"}
LOW_LEVEL = ("nacl.bindings", "cryptography.hazmat")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_crypto_is_self_contained() -> None:
    files = sorted(CRYPTO.glob("*.py"))
    assert files
    for path in files:
        imports = _imports(path)
        assert not {name.split(".")[0] for name in imports} & PROJECT, path.name
        if path.name != "_primitives.py":
            low = [n for n in imports if n.startswith(LOW_LEVEL)]
            assert not low, f"{path.name} imports {low}"
