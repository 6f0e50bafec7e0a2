"""`slthub report submit|explain|purge` against a real database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer import Typer
from typer.testing import CliRunner

from hub.cli import app as hub_app
from hub.reports.cli import app as report_app
from tests.hub.areas.factories import TREE_CSV
from tests.hub.reports.factories import FLASH

PASS = "a long walk to rutshuru"


def _run(app: Typer, args: list[str], common: list[str], *, input: str | None = None) -> Any:
    result = CliRunner().invoke(app, [*args, *common, "--json"], input=input)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_submit_explain_and_purge(fresh_database: Any, tmp_path: Path) -> None:
    common = ["--db", fresh_database.url, "--data-dir", str(tmp_path / "var")]
    _run(hub_app, ["init"], common)
    areas = tmp_path / "areas.csv"
    areas.write_text(TREE_CSV, encoding="utf-8")
    _run(hub_app, ["area", "import", str(areas)], common)
    org = _run(hub_app, ["org", "create", "Aide Nord", "--kind", "ingo", "--approve"], common)
    other = _run(hub_app, ["org", "create", "Agence Sud", "--kind", "un", "--approve"], common)
    _run(
        hub_app,
        [
            "user",
            "create",
            "fp@aide.example.org",
            "--org",
            org["id"],
            "--role",
            "focal_point",
            "--password-stdin",
        ],
        common,
        input=f"{PASS}\n",
    )
    report_file = tmp_path / "flash.json"
    report_file.write_text(json.dumps({**FLASH, "audience": {"organisations": [org["id"]]}}))

    args = [
        "submit",
        str(report_file),
        "--as",
        "fp@aide.example.org",
        "--passphrase-stdin",
        "--idempotency-key",
        "k1",
    ]
    first = _run(report_app, args, common, input=f"{PASS}\n")
    assert first["recipients"] == [org["id"]]
    assert first["created"] is True
    again = _run(report_app, args, common, input=f"{PASS}\n")
    assert again["id"] == first["id"]
    assert again["created"] is False

    why = _run(report_app, ["explain", "--report", first["id"], "--org", other["id"]], common)
    assert why["can_read"] is False
    assert why["explanation"]
    assert _run(report_app, ["purge"], common) == {"purged": []}
