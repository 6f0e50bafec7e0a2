from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from hub.app import SecretsMissing, create_app
from hub.cli import app
from hub.config import Settings


def test_outside_demo_mode_missing_secrets_are_named(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path, secret_key="changeme")  # type: ignore[call-arg]
    with pytest.raises(SecretsMissing) as raised:
        create_app(settings)
    missing = " ".join(raised.value.missing)
    assert "SLTHUB_SECRET_KEY" in missing
    assert "slthub init" in missing


def test_serve_refuses_to_start_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SLTHUB_SECRET_KEY", raising=False)
    result = CliRunner().invoke(
        app, ["serve", "--data-dir", str(tmp_path), "--db", f"sqlite:///{tmp_path}/x.db", "--json"]
    )
    assert result.exit_code == 1
    assert any("SLTHUB_SECRET_KEY" in m for m in json.loads(result.stdout)["missing"])


def test_settings_come_from_slthub_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, hub_keys: Any
) -> None:
    monkeypatch.setenv("SLTHUB_DATABASE_URL", "postgresql://db.internal/hub")
    monkeypatch.setenv("SLTHUB_BASE_URL", "https://hub.example.org")
    monkeypatch.setenv("SLTHUB_SECRET_KEY", "k" * 40)
    monkeypatch.setenv("SLTHUB_DATA_DIR", str(tmp_path))
    (tmp_path / "hub-keys").write_bytes(hub_keys.to_bytes())
    (tmp_path / "hub-keys").chmod(0o600)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.database_url == "postgresql://db.internal/hub"
    assert settings.https
    assert settings.missing_secrets() == []
    assert "k" * 40 not in repr(settings)


def test_demo_mode_needs_no_secret(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, demo=True, data_dir=tmp_path)  # type: ignore[call-arg]
    assert settings.missing_secrets() == []


def test_hub_keys_readable_by_others_are_refused(tmp_path: Path, hub_keys: Any) -> None:
    from hub.keystore import load_hub_keys

    path = tmp_path / "hub-keys"
    path.write_bytes(hub_keys.to_bytes())
    path.chmod(0o644)
    with pytest.raises(PermissionError, match="chmod 600"):
        load_hub_keys(path)
