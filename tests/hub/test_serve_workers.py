"""`slthub serve --workers N` (issue 10): several uvicorn worker processes on PostgreSQL, the
scheduler in exactly one process of its own; refused on SQLite, which serialises writers in
one file."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from hub.cli import app as cli
from tests.conftest import _free_port
from tests.hub.conftest import TEST_SECRET


def _children(pid: int) -> list[str]:
    """The command lines of `pid`'s child processes (Linux /proc)."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            out.append(cmdline)
    return out


def test_several_workers_are_refused_on_sqlite(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "serve",
            "--workers",
            "2",
            "--db",
            f"sqlite:///{tmp_path / 'hub.db'}",
            "--data-dir",
            str(tmp_path / "var"),
            "--json",
        ],
        env={"SLTHUB_SECRET_KEY": TEST_SECRET},
    )
    assert result.exit_code == 2
    assert "PostgreSQL" in result.output


def test_workers_on_postgresql_with_one_scheduler(fresh_database: Any, tmp_path: Path) -> None:
    if fresh_database.kind != "postgresql":
        pytest.skip("several workers need PostgreSQL")
    env = {
        **os.environ,
        "SLTHUB_SECRET_KEY": TEST_SECRET,
        "SLTHUB_DATABASE_URL": fresh_database.url,
        "SLTHUB_DATA_DIR": str(tmp_path / "var"),
    }
    slthub = [str(Path(sys.executable).parent / "slthub")]
    subprocess.run([*slthub, "init"], env=env, check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen(
        [*slthub, "serve", "--workers", "2", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # A liveness wait, not a speed check: a loaded machine starts two workers slowly.
        deadline = time.monotonic() + 180
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2)
                break
            except httpx.HTTPError:
                assert server.poll() is None, "slthub serve exited"
                assert time.monotonic() < deadline, "slthub serve did not answer"
                time.sleep(0.3)
        assert health.status_code == 200
        answers = {
            httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=5).json()["scheduler"]
            for _ in range(20)
        }
        # No worker runs the scheduler: it runs once, in a process of its own.
        assert answers == {"off"}
        spawned = [c for c in _children(server.pid) if "spawn_main" in c]
        assert len(spawned) == 3, spawned  # two workers and the scheduler
    finally:
        server.terminate()
        server.wait(timeout=60)
    assert server.returncode is not None
