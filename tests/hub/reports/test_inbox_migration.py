"""0013_inbox fills report_wraps.listed_at for wraps that existed before it."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from alembic import command
from sqlalchemy import MetaData, Table, select, types

from hub.db import make_engine
from hub.migrations import alembic_config


def _filler(column: Any, n: int) -> Any:
    kind = column.type
    if isinstance(kind, types.Boolean):
        return False
    if isinstance(kind, types.Integer):
        return 1
    if isinstance(kind, types.DateTime):
        return dt.datetime(2026, 1, 1, 12, n)
    if isinstance(kind, types.Date):
        return dt.date(2026, 1, 1)
    if isinstance(kind, types.LargeBinary):
        return b"x"
    length = getattr(kind, "length", None) or 32
    return f"v{n}"[:length]


def _row(table: Table, n: int, **given: Any) -> dict[str, Any]:
    """Every required column of `table` filled, `given` ones as given."""
    row = dict(given)
    for column in table.columns:
        if column.name not in row and not column.nullable:
            row[column.name] = _filler(column, n)
    return row


def test_existing_wraps_get_their_reports_time(fresh_database: Any) -> None:
    config = alembic_config(fresh_database.url)
    command.upgrade(config, "0018_report_drafts")
    engine = make_engine(fresh_database.url)
    try:
        meta = MetaData()
        with engine.begin() as conn:
            orgs = Table("organisations", meta, autoload_with=conn)
            reports = Table("reports", meta, autoload_with=conn)
            wraps = Table("report_wraps", meta, autoload_with=conn)
            org_ids = [str(uuid.uuid4()) for _ in range(2)]
            for n, org_id in enumerate(org_ids):
                conn.execute(orgs.insert(), [_row(orgs, n, id=org_id, name=f"Org {n}")])
            times = {}
            for n in range(3):
                report_id = str(uuid.uuid4())
                times[report_id] = dt.datetime(2026, 3, 1 + n, 8, 30)
                conn.execute(
                    reports.insert(),
                    [
                        _row(
                            reports,
                            n,
                            id=report_id,
                            originator_id=org_ids[0],
                            created_by_id=None,
                            idempotency_key=None,
                            created_at=times[report_id],
                        )
                    ],
                )
                for org_id in org_ids:
                    conn.execute(
                        wraps.insert(),
                        [_row(wraps, n, report_id=report_id, organisation_id=org_id)],
                    )
        engine.dispose()
        command.upgrade(config, "head")
        with engine.connect() as conn:
            filled = Table("report_wraps", MetaData(), autoload_with=conn)
            rows = conn.execute(select(filled.c.report_id, filled.c.listed_at)).all()
        assert len(rows) == 6
        assert {(r.report_id, r.listed_at) for r in rows} == {
            (report_id, at) for report_id, at in times.items()
        }
    finally:
        engine.dispose()
