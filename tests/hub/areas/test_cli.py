"""`slthub area …` and `slthub policy check` against a real database that commits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from hub.cli import app

from .factories import TREE_CSV

PASS = "une longue route vers Goma"


class Cli:
    def __init__(self, db_url: str, data_dir: Path) -> None:
        self.runner = CliRunner()
        self.common = ["--db", db_url, "--data-dir", str(data_dir)]

    def __call__(self, *args: str, input: str | None = None, ok: bool = True) -> Any:
        result = self.runner.invoke(app, [*args, *self.common, "--json"], input=input)
        assert (result.exit_code == 0) == ok, result.output
        return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def cli(fresh_database: Any, tmp_path: Path) -> Cli:
    runner = Cli(fresh_database.url, tmp_path / "var")
    runner("init")
    return runner


def _coordinator(cli: Cli, org_id: str, email: str) -> None:
    cli(
        "user",
        "create",
        email,
        "--org",
        org_id,
        "--role",
        "coordinator",
        "--password-stdin",
        input=f"{PASS}\n",
    )


def test_import_set_risk_and_confirm(cli: Cli, tmp_path: Path) -> None:
    areas = tmp_path / "cd.csv"
    areas.write_text(TREE_CSV, encoding="utf-8")
    assert cli("area", "import", str(areas)) == {"created": 6, "updated": 0}

    org = cli("org", "create", "UNDSS", "--kind", "un", "--approve")
    _coordinator(cli, org["id"], "a@undss.example.org")
    _coordinator(cli, org["id"], "b@undss.example.org")

    raised = cli(
        "area",
        "set-risk",
        "CD61",
        "very_high",
        "--reason",
        "Enlèvements",
        "--by",
        "a@undss.example.org",
    )
    assert raised == {"code": "CD61", "risk": "very_high", "level": "enhanced"}
    pending = cli(
        "area", "set-risk", "CD61", "medium", "--reason", "Accalmie", "--by", "a@undss.example.org"
    )
    assert pending["status"] == "awaiting_confirmation"
    refused = cli("area", "confirm", pending["change_id"], "--by", "a@undss.example.org", ok=False)
    assert "Another coordinator" in refused["error"]
    done = cli("area", "confirm", pending["change_id"], "--by", "b@undss.example.org")
    assert done["level"] == "normal"
    listed = {a["code"]: a for a in cli("area", "list")["areas"]}
    assert listed["CD6102"]["risk"] == "medium"
    assert cli("audit", "verify")["ok"] is True


def test_bad_file_names_the_line_and_imports_nothing(cli: Cli, tmp_path: Path) -> None:
    areas = tmp_path / "bad.csv"
    areas.write_text("code,name,parent\nCD,Congo,\nCD61,Nord-Kivu,CD99\n", encoding="utf-8")
    failed = cli("area", "import", str(areas), ok=False)
    assert failed["problems"] == ["line 3: unknown parent CD99 (not in the file nor the hub)"]
    assert cli("area", "list")["areas"] == []


def _policy_check(*args: str) -> tuple[int, Any]:
    result = CliRunner().invoke(app, ["policy", "check", *args, "--json"])
    return result.exit_code, json.loads(result.stdout.strip().splitlines()[-1])


def test_policy_check(tmp_path: Path) -> None:
    assert _policy_check() == (0, {"file": "policies/default.toml (shipped)", "ok": True})
    broken = tmp_path / "policy.toml"
    broken.write_text('version = 1\n\n[risk.level]\nhigh = "extreme"\n', encoding="utf-8")
    code, failed = _policy_check(str(broken))
    assert code == 1
    assert failed["errors"][0].startswith(f"{broken}:4:")


def test_bench_names_match_the_bench_folder() -> None:
    from hub.cli import BENCHMARKS

    folder = Path(__file__).resolve().parents[3] / "bench"
    modules = {p.stem for p in folder.glob("*.py") if not p.stem.startswith("_")}
    assert set(BENCHMARKS) == modules
    result = CliRunner().invoke(app, ["bench", "--only", "nope"])
    assert result.exit_code == 2
    assert "unknown benchmark nope" in result.output
