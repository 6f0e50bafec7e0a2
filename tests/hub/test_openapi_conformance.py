"""The OpenAPI document tells the truth: schemathesis, run as an outside client would run it
(its command line, every check, against a demo hub served on loopback), finds nothing.

Bounded and repeatable: a fixed seed, deterministic generation, a few examples per
operation — about half a minute. One check is narrowed rather than dropped
(tests/hub/st_hooks.py): a schema-valid request may be refused only on the fields the
document itself lists in `x-server-checks`. Set SLTHUB_FUZZ=1 for more examples and a
random seed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx

from hub.demo import PEOPLE
from tests.alerts.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _serve_demo(tmp_path: Path, port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            str(BIN / "slthub"),
            "demo",
            "--db",
            f"sqlite:///{tmp_path / 'hub.db'}",
            "--data-dir",
            str(tmp_path / "var"),
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=tmp_path,
    )


def _wait_for(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert server.poll() is None, "the demo hub stopped"
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} did not answer")


def test_schemathesis_with_all_checks_finds_nothing(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = _serve_demo(tmp_path, port)
    try:
        _wait_for(f"{base}/api/v1/health", server)
        # A focal point of a partner: the role that uses most of the API.
        _org, email, _name, _roles, passphrase, _granted = next(
            p for p in PEOPLE if p[1] == "jb.mukendi@asf.example.org"
        )
        login = httpx.post(
            f"{base}/api/v1/auth/login", json={"email": email, "password": passphrase}
        )
        assert login.status_code == 200, login.text
        token = login.json()["access_token"]
        fuzz = bool(os.environ.get("SLTHUB_FUZZ"))
        command = [
            str(BIN / "st"),
            "run",
            f"{base}/openapi.json",
            "--checks",
            "all",
            "--exclude-checks",
            "positive_data_acceptance",
            "--header",
            f"Authorization: Bearer {token}",
            "--max-examples",
            "25" if fuzz else "5",
            "--workers",
            "1",
            # Date-times limited to the hub's years (a pattern on top of the date-time format)
            # make the generator discard many drafts; that is its speed, not our API's fault.
            "--suppress-health-check",
            "filter_too_much",
            # These end the very session the run uses.
            "--exclude-path",
            "/api/v1/auth/logout",
            "--exclude-path",
            "/api/v1/auth/logout-everywhere",
            "--exclude-path",
            "/api/v1/auth/passphrase",
            "--report-dir",
            str(tmp_path / "st-report"),
        ]
        if not fuzz:
            command += ["--seed", "20261205", "--generation-deterministic"]
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=900,
            cwd=ROOT,
            env={**os.environ, "SCHEMATHESIS_HOOKS": "tests.hub.st_hooks", "PYTHONPATH": str(ROOT)},
        )
        summary = "\n".join(line[:300] for line in done.stdout.splitlines())[-8000:]
        assert done.returncode == 0, summary
        tested = re.search(r"Tested: (\d+)", done.stdout)
        assert tested is not None, summary
        assert int(tested.group(1)) >= 40, summary  # every operation but the three excluded
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(tmp_path / "st-report", ignore_errors=True)
