"""Two copies of one submission racing (a phone retrying on a poor connection while the first
is still in flight) make one report, on SQLite and PostgreSQL, with real commits."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from hub.actors import CONSOLE
from hub.app import create_app
from hub.areas import service as areas
from hub.cli import initialise
from hub.config import Settings
from hub.db import make_engine, make_session_factory
from hub.keystore import load_hub_keys
from hub.reports.models import Report
from tests.hub.areas.factories import make_tree
from tests.hub.conftest import TEST_SECRET
from tests.hub.factories import login, make_member, make_organisation
from tests.hub.reports.factories import API, flash


def test_racing_retries_make_one_report(fresh_database: Any, tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=fresh_database.url,
        data_dir=tmp_path / "var",
        secret_key=TEST_SECRET,
    )
    initialise(settings)
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine, signer=load_hub_keys(settings.hub_keys_path))
    with sessions() as session:
        make_tree(session)
        org = make_organisation(session)
        areas.set_presence(session, actor=CONSOLE, organisation_id=org.id, areas=["CD61"])
        email = make_member(session, org).member.email

    key = str(uuid.uuid4())
    answers: list[Any] = []
    with TestClient(create_app(settings)) as client:
        headers = {**login(client, email), "Idempotency-Key": key}
        start = threading.Barrier(4)

        def submit() -> None:
            start.wait()
            answers.append(client.post(f"{API}/reports", json=flash(), headers=headers))

        threads = [threading.Thread(target=submit) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    assert sorted(r.status_code for r in answers) == [200, 200, 200, 201]
    assert len({r.json()["id"] for r in answers}) == 1
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Report)) == 1
    engine.dispose()
