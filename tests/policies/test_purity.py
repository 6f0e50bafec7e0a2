"""policies/ stays pure: no project imports, no I/O libraries, no clock, no randomness.

An AST lint in the manner of Polar's custom lints: it reads the source, so it also catches an
import hidden inside a function that a runtime check would only see when that path runs.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

POLICIES = Path(__file__).resolve().parents[2] / "policies"

BANNED_MODULES = {
    "sqlalchemy",
    "fastapi",
    "hub",
    "alerts",
    "crypto",
    "socket",
    "requests",
    "httpx",
    "urllib",
    "http",
    "subprocess",
    "random",
    "secrets",
    "time",
    "asyncio",
    "aiosmtpd",
    "apscheduler",
}
CLOCK_METHODS = {"now", "utcnow", "today"}
# The policy file loader is the one place allowed to read a file (the path it is given).
MAY_READ_FILES = {"policyfile.py"}


def violations(source: str, filename: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
        for module in modules:
            if module.split(".")[0] in BANNED_MODULES:
                found.append(f"{filename}:{getattr(node, 'lineno', 0)}: imports {module}")
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in CLOCK_METHODS:
                found.append(f"{filename}:{node.lineno}: reads the clock (.{func.attr}())")
            if isinstance(func, ast.Name) and func.id == "open" and filename not in MAY_READ_FILES:
                found.append(f"{filename}:{node.lineno}: opens a file")
            if (
                isinstance(func, ast.Attribute)
                and func.attr in {"read_text", "read_bytes", "open"}
                and filename not in MAY_READ_FILES
            ):
                found.append(f"{filename}:{node.lineno}: reads a file (.{func.attr}())")
    return found


SOURCES = sorted(POLICIES.glob("*.py"))


def test_the_package_is_where_expected() -> None:
    assert {p.name for p in SOURCES} >= {"__init__.py", "vocabulary.py", "policyfile.py"}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_module_is_pure(path: Path) -> None:
    assert violations(path.read_text(encoding="utf-8"), path.name) == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import sqlalchemy.orm", "imports sqlalchemy.orm"),
        ("from hub.db import Session", "imports hub.db"),
        ("def f():\n    import alerts\n", "imports alerts"),
        ("from crypto import seal_report", "imports crypto"),
        ("import socket", "imports socket"),
        ("import httpx", "imports httpx"),
        ("from datetime import datetime\nx = datetime.now()", "reads the clock (.now())"),
        ("import datetime\nx = datetime.datetime.utcnow()", "reads the clock (.utcnow())"),
        ("from datetime import date\nx = date.today()", "reads the clock (.today())"),
        ("import time\nx = time.time()", "imports time"),
        ("x = open('f').read()", "opens a file"),
    ],
)
def test_the_lint_catches(source: str, expected: str) -> None:
    assert any(expected in v for v in violations(source, "levels.py"))
