"""`slthub serve` runs the scheduler with the app (health says so) and stops it with the app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from hub.alerting.wiring import attach_scheduler
from hub.app import create_app
from hub.cli import initialise
from hub.config import Settings
from tests.hub.conftest import TEST_SECRET


def test_serve_runs_the_scheduler_with_the_app(fresh_database: Any, tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=fresh_database.url,
        data_dir=tmp_path / "var",
        secret_key=TEST_SECRET,
    )
    initialise(settings)
    app = create_app(settings)
    attach_scheduler(app)
    assert TestClient(app).get("/api/v1/health").json()["scheduler"] == "off"  # not started
    with TestClient(app) as client:
        assert client.get("/api/v1/health").json()["scheduler"] == "ok"
        service = app.state.scheduler
    assert app.state.scheduler is None
    assert not any(t.is_alive() for t in service._threads)
