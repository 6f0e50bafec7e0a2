"""SQLite under concurrent use (issue 10): readers take no lock, so a long read never makes
a write fail; a request that still meets a busy database answers 503 with Retry-After,
never a 500 "database is locked". On a database of its own that really commits."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from hub.app import create_app
from hub.config import Settings
from hub.db import make_engine, make_session_factory, reading
from hub.migrations import upgrade
from hub.reports.models import Report
from tests.hub.reports.factories import API, World, flash, publish, world


@pytest.fixture
def real(fresh_database: Any, settings: Settings, hub_keys: Any) -> Iterator[Any]:
    upgrade(fresh_database.url)
    engine = make_engine(fresh_database.url)
    factory = make_session_factory(engine, signer=hub_keys)
    app = create_app(settings, session_factory=factory, hub_keys=hub_keys)
    try:
        with TestClient(app) as client:
            yield fresh_database, engine, factory, client
    finally:
        engine.dispose()


def _world(factory: Any, client: TestClient) -> World:
    with factory() as session:
        return world(session, client)


def test_a_long_read_does_not_make_a_concurrent_write_fail(real: Any) -> None:
    db, _engine, factory, client = real
    w = _world(factory, client)
    first = publish(client, w.a, flash())["id"]
    # A reader in the middle of its transaction, as a list is while it reads its page.
    with reading():
        reader: Session = factory()
        try:
            assert reader.scalar(select(Report.id).where(Report.id == first)) == first
            # Meanwhile: publications, opens and lists by others all succeed.
            for _ in range(3):
                created = client.post(f"{API}/reports", json=flash(), headers=w.a.headers)
                assert created.status_code == 201, created.text
                opened = client.get(f"{API}/reports/{created.json()['id']}", headers=w.b.headers)
                assert opened.status_code == 200, opened.text
                assert client.get(f"{API}/reports", headers=w.c.headers).status_code == 200
            if db.kind == "sqlite":
                # The reader still sees its own snapshot (PostgreSQL reads committed rows).
                assert len(reader.scalars(select(Report.id)).all()) == 1
        finally:
            reader.rollback()
            reader.close()


def test_lists_and_opens_run_beside_publications(real: Any) -> None:
    """Readers and writers at once, on threads: no answer but 200/201."""
    _db, _engine, factory, client = real
    w = _world(factory, client)
    seed = publish(client, w.a, flash())["id"]
    statuses: list[int] = []
    lock = threading.Lock()

    def read_loop() -> None:
        for _ in range(15):
            for response in (
                client.get(f"{API}/reports", headers=w.b.headers),
                client.get(f"{API}/reports/{seed}", headers=w.c.headers),
            ):
                with lock:
                    statuses.append(response.status_code)

    def write_loop() -> None:
        for _ in range(8):
            response = client.post(f"{API}/reports", json=flash(), headers=w.a.headers)
            with lock:
                statuses.append(response.status_code)

    threads = [threading.Thread(target=read_loop) for _ in range(3)]
    threads += [threading.Thread(target=write_loop) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(statuses) == 3 * 30 + 2 * 8
    assert set(statuses) <= {200, 201}, sorted(set(statuses))


def test_a_busy_sqlite_answers_503_with_retry_after(real: Any) -> None:
    db, engine, factory, client = real
    if db.kind != "sqlite":
        pytest.skip("SQLite's write lock")
    w = _world(factory, client)
    existing = publish(client, w.a, flash())["id"]

    def short_wait(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout=200")

    event.listen(engine, "connect", short_wait)
    engine.dispose()  # new connections, with the short wait
    holder = sqlite3.connect(str(db.path), isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        busy = client.post(f"{API}/reports", json=flash(), headers=w.a.headers)
        assert busy.status_code == 503, busy.text
        assert busy.headers["content-type"] == "application/problem+json"
        assert busy.headers["retry-after"] == "1"
        assert busy.json()["type"] == "urn:slthub:problem:busy"
        # Readers are not held up by the writer.
        listed = client.get(f"{API}/reports", headers=w.b.headers)
        assert listed.status_code == 200
        assert [r["id"] for r in listed.json()] == [existing]
        page = client.get("/reports", headers={"accept": "text/html"})
        assert page.status_code in (200, 303)  # not logged in as a page: the login redirect
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert client.post(f"{API}/reports", json=flash(), headers=w.a.headers).status_code == 201
