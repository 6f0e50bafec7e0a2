from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from hub.app import create_app
from hub.config import Settings
from tests.hub.pages import Browser, browsers
from tests.hub.reports.factories import World, world

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"


def write_hub_keys(data_dir: Path, hub_keys: Any) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "hub-keys"
    path.write_bytes(hub_keys.to_bytes())
    path.chmod(0o600)


@pytest.fixture
def settings(tmp_path: Path, hub_keys: Any) -> Settings:
    write_hub_keys(tmp_path / "var", hub_keys)
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url="sqlite:///unused-in-tests.db",
        data_dir=tmp_path / "var",
        secret_key=TEST_SECRET,
        base_url="http://testserver",
    )


@pytest.fixture
def app(settings: Settings, session_factory: Any, hub_keys: Any) -> FastAPI:
    return create_app(settings, session_factory=session_factory, hub_keys=hub_keys)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def browser(app: FastAPI) -> Iterator[Browser]:
    """A logged-in browser per email address (tests.hub.pages)."""
    with browsers(app) as open_for:
        yield open_for


@pytest.fixture
def w(db_session: Session, client: TestClient) -> World:
    """Three partner organisations and an outsider, each with a focal point."""
    return world(db_session, client)
