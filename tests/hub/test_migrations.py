from __future__ import annotations

from typing import Any

from sqlalchemy import inspect

from hub.db import make_engine
from hub.migrations import check, upgrade


def test_models_and_migrations_do_not_drift(fresh_database: Any) -> None:
    """`alembic check`: autogenerate against the migrated database finds nothing to do."""
    upgrade(fresh_database.url)
    check(fresh_database.url)


def test_sqlite_runs_in_wal_with_foreign_keys(fresh_database: Any) -> None:
    upgrade(fresh_database.url)
    engine = make_engine(fresh_database.url)
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            assert {
                "organisations",
                "members",
                "member_key_wraps",
                "auth_sessions",
                "audit_entries",
                "audit_head",
            } <= tables
            if fresh_database.kind == "sqlite":
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()
