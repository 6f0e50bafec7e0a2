from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from hub.cli import app
from hub.db import make_engine

PASS = "a long walk to rutshuru"


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


def test_init_creates_keys_with_mode_0600_and_is_repeatable(cli: Cli, tmp_path: Path) -> None:
    keys = tmp_path / "var" / "hub-keys"
    assert keys.stat().st_mode & 0o777 == 0o600
    again = cli("init")
    assert again["hub_keys_created"] is False


def test_organisation_and_member_lifecycle(cli: Cli) -> None:
    org = cli("org", "create", "Aide Sans Frontières", "--kind", "ingo")
    assert org["status"] == "pending"
    assert cli("org", "approve", org["id"])["status"] == "approved"
    assert cli("org", "suspend", "Aide Sans Frontières")["status"] == "suspended"
    assert "already" in cli("org", "suspend", org["id"], ok=False)["error"]

    first = cli(
        "user",
        "create",
        "jb@asf.example.org",
        "--org",
        org["id"],
        "--role",
        "focal_point",
        "--password-stdin",
        input=f"{PASS}\n",
    )
    assert first["roles"] == ["focal_point"]
    assert first["recovery_code"]
    assert len(first["fingerprint"].split()) == 8
    assert "totp_secret" not in first

    second = cli(
        "user",
        "create",
        "claire@asf.example.org",
        "--org",
        org["id"],
        "--role",
        "liaison",
        "--role",
        "coordinator",
        "--password-stdin",
        input=f"{PASS}\n",
    )
    assert "recovery_code" not in second
    assert second["totp_secret"].startswith("otpauth://totp/")

    weak = cli(
        "user",
        "create",
        "weak@asf.example.org",
        "--org",
        org["id"],
        "--role",
        "liaison",
        "--password-stdin",
        input="password\n",
        ok=False,
    )
    assert "at least" in weak["error"]

    refused = cli(
        "user",
        "grant",
        "claire@asf.example.org",
        "--by",
        "jb@asf.example.org",
        "--password-stdin",
        input="wrong passphrase\n",
        ok=False,
    )
    assert "Wrong" in refused["error"]
    granted = cli(
        "user",
        "grant",
        "claire@asf.example.org",
        "--by",
        "jb@asf.example.org",
        "--password-stdin",
        input=f"{PASS}\n",
    )
    assert granted == {"member_id": second["id"], "keys": "granted", "key_version": 1}

    removed = cli("user", "remove", "claire@asf.example.org")
    assert removed["status"] == "removed"
    rotated = cli(
        "org",
        "rotate-keys",
        org["id"],
        "--by",
        "jb@asf.example.org",
        "--password-stdin",
        input=f"{PASS}\n",
    )
    assert rotated["key_version"] == 2
    assert rotated["fingerprint"] != first["fingerprint"]
    assert rotated["recovery_code"] != first["recovery_code"]

    # The new recovery code works; the old one no longer does.
    cli(
        "user",
        "create",
        "new@asf.example.org",
        "--org",
        org["id"],
        "--role",
        "liaison",
        "--password-stdin",
        input=f"{PASS}\n",
    )
    stale = cli(
        "user",
        "grant",
        "new@asf.example.org",
        "--recovery-code",
        "--password-stdin",
        input=f"{first['recovery_code']}\n",
        ok=False,
    )
    assert "recovery code" in stale["error"]
    cli(
        "user",
        "grant",
        "new@asf.example.org",
        "--recovery-code",
        "--password-stdin",
        input=f"{rotated['recovery_code']}\n",
    )

    assert cli("audit", "verify")["ok"] is True


def test_audit_verify_exits_1_naming_the_entry(cli: Cli, fresh_database: Any) -> None:
    cli("org", "create", "UNDSS", "--kind", "un", "--approve")
    engine = make_engine(fresh_database.url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_entries SET details = '{}' WHERE seq = 2"))
    engine.dispose()
    result = cli("audit", "verify", ok=False)
    assert result["first_bad_entry"] == 2
    assert "entry 2" in result["error"]


def test_commands_explain_a_missing_init(fresh_database: Any, tmp_path: Path) -> None:
    result = Cli(fresh_database.url, tmp_path / "nothing")("org", "list", ok=False)
    assert "slthub init" in result["error"]


def test_unknown_kind_and_role_are_named(cli: Cli) -> None:
    assert "un, ingo" in cli("org", "create", "X Org", "--kind", "bank", ok=False)["error"]
    org = cli("org", "create", "Y Org", "--kind", "ngo")
    result = cli(
        "user",
        "create",
        "a@y.example.org",
        "--org",
        org["id"],
        "--role",
        "king",
        "--password-stdin",
        input=f"{PASS}\n",
        ok=False,
    )
    assert "focal_point" in result["error"]


def test_operator_resets_a_second_factor(cli: Cli) -> None:
    org = cli("org", "create", "Réseau Kivu", "--kind", "ngo", "--approve")
    created = cli(
        "user",
        "create",
        "coord@kivu.example.org",
        "--org",
        org["id"],
        "--role",
        "coordinator",
        "--password-stdin",
        input=f"{PASS}\n",
    )
    assert created["totp_secret"]
    assert cli("user", "reset-totp", "coord@kivu.example.org") == {
        "id": created["id"],
        "totp": False,
    }
    again = cli("user", "reset-totp", "coord@kivu.example.org", ok=False)
    assert "no second factor" in again["error"]
