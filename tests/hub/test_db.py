"""The SQLite engine of long-running processes: its write-ahead log is checkpointed by a
thread of its own, not by whichever request's commit crosses the threshold."""

from __future__ import annotations

import gc
import time
from pathlib import Path

from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import text

from hub.app import create_app
from hub.cli import initialise
from hub.config import Settings
from hub.db import BACKSTOP_AUTOCHECKPOINT_PAGES, checkpointer_of, make_engine
from hub.deps import SessionDep
from hub.errors import Conflict


def test_a_long_running_engine_checkpoints_off_the_request_path(tmp_path: Path) -> None:
    path = tmp_path / "hub.db"
    engine = make_engine(f"sqlite:///{path}", background_checkpoint=True)
    checkpointer = checkpointer_of(engine)
    assert checkpointer is not None
    checkpointer.interval = 0.05
    try:
        with engine.begin() as conn:
            assert (
                conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
                == BACKSTOP_AUTOCHECKPOINT_PAGES
            )
            conn.execute(text("CREATE TABLE t (x BLOB)"))
        for _ in range(20):
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO t VALUES (randomblob(8000))"))
        deadline = time.monotonic() + 10
        while checkpointer.checkpoints < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert checkpointer.running
        assert checkpointer.checkpoints >= 2
        # Everything committed is back in the main file: a copy of hub.db alone (what a
        # careless backup takes) holds all 20 rows.
        import sqlite3

        copy = tmp_path / "copy.db"
        copy.write_bytes(path.read_bytes())
        with sqlite3.connect(copy) as conn:
            assert conn.execute("SELECT count(*) FROM t").fetchone() == (20,)
    finally:
        engine.dispose()
    del engine
    gc.collect()
    deadline = time.monotonic() + 5
    while checkpointer.running and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not checkpointer.running, "the thread outlived its engine"


def test_one_shot_engines_keep_sqlites_own_checkpoints(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    try:
        assert checkpointer_of(engine) is None
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 1000
    finally:
        engine.dispose()


def test_postgresql_urls_get_no_checkpointer() -> None:
    engine = make_engine("postgresql://nobody@127.0.0.1:1/none", background_checkpoint=True)
    assert checkpointer_of(engine) is None
    engine.dispose()


def test_a_request_that_never_commits_gives_its_transaction_back(
    fresh_database: object, tmp_path: Path
) -> None:
    """The request's session is opened and, once committed, closed in the event loop; one
    still in a transaction (a read, an error) is rolled back in the threadpool. Were it left
    open, SQLite's write lock (BEGIN IMMEDIATE) would hold the next request for five seconds
    and then fail it."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=fresh_database.url,  # type: ignore[attr-defined]
        data_dir=tmp_path / "var",
        secret_key=SecretStr("db-test-" + "x" * 40),
    )
    initialise(settings)
    app = create_app(settings)

    @app.get("/read-then-fail")
    def read_then_fail(session: SessionDep) -> None:
        session.execute(text("SELECT count(*) FROM organisations"))
        raise Conflict("refused after reading")

    @app.get("/read")
    def read(session: SessionDep) -> int:
        return int(session.execute(text("SELECT count(*) FROM organisations")).scalar_one())

    @app.post("/write")
    def write(session: SessionDep) -> int:
        session.execute(text("DELETE FROM login_failures"))
        session.commit()
        return 1

    with TestClient(app) as client:
        for _ in range(3):
            assert client.get("/read-then-fail").status_code == 409
            assert client.get("/read").json() == 0
            started = time.monotonic()
            assert client.post("/write").json() == 1
            assert time.monotonic() - started < 2
