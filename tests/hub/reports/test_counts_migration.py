"""0025_report_counts fills `incident_key` and `counts` for the reports that existed before
it, by the rule publication keeps from then on (hub/reports/counting.py)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from alembic import command
from sqlalchemy import MetaData, Table, select

from hub.db import make_engine
from hub.migrations import alembic_config
from tests.hub.reports.test_inbox_migration import _row

BEFORE = "0022_operator_audit"


def test_existing_reports_get_their_incident_and_whether_they_count(
    fresh_database: Any,
) -> None:
    config = alembic_config(fresh_database.url)
    command.upgrade(config, BEFORE)
    engine = make_engine(fresh_database.url)
    # name: (type, stage, incident_id, minutes after 08:00, withdrawn)
    reports: dict[str, tuple[str, str | None, str | None, int, bool]] = {
        # A flash, its update, and a final that names the update as its incident.
        "F1": ("incident", "flash", None, 0, False),
        "U1": ("incident", "update", "F1", 10, False),
        "X1": ("incident", "final", "U1", 20, False),
        # The latest stage withdrawn: the flash counts again.
        "F2": ("incident", "flash", None, 0, False),
        "U2": ("incident", "update", "F2", 10, True),
        # Withdrawn, alone: nothing counts.
        "F3": ("incident", "flash", None, 0, True),
        # Other types count unless withdrawn, whatever they follow.
        "S1": ("situation", None, "F1", 30, False),
        "S2": ("situation", None, None, 30, True),
        # Two updates published in the same instant: exactly one counts (the greater id).
        "F4": ("incident", "flash", None, 0, False),
        "T4": ("incident", "update", "F4", 10, False),
        "V4": ("incident", "update", "F4", 10, False),
        # A TLP:RED update of a shared flash: the flash still counts (a RED stage counts only
        # when every live stage is RED); all RED: the latest counts.
        "F5": ("incident", "flash", None, 0, False),
        "U5": ("incident", "update", "F5", 10, False),
        "F6": ("incident", "flash", None, 0, False),
        "U6": ("incident", "update", "F6", 10, False),
    }
    red = {"U5", "F6", "U6"}
    ids = {name: str(uuid.uuid4()) for name in reports}
    try:
        meta = MetaData()
        with engine.begin() as conn:
            orgs = Table("organisations", meta, autoload_with=conn)
            table = Table("reports", meta, autoload_with=conn)
            wraps = Table("report_wraps", meta, autoload_with=conn)
            org_id = str(uuid.uuid4())
            conn.execute(orgs.insert(), [_row(orgs, 0, id=org_id, name="Org")])
            for n, (name, (type_, stage, follows, minutes, withdrawn)) in enumerate(
                reports.items()
            ):
                at = dt.datetime(2026, 3, 1, 8) + dt.timedelta(minutes=minutes)
                conn.execute(
                    table.insert(),
                    [
                        _row(
                            table,
                            n,
                            id=ids[name],
                            type=type_,
                            stage=stage,
                            incident_id=ids[follows] if follows else None,
                            originator_id=org_id,
                            created_by_id=None,
                            idempotency_key=None,
                            created_at=at,
                            withdrawn_at=at if withdrawn else None,
                            tlp="red" if name in red else "amber",
                        )
                    ],
                )
                conn.execute(
                    wraps.insert(),
                    [_row(wraps, n, report_id=ids[name], organisation_id=org_id)],
                )
        engine.dispose()
        command.upgrade(config, "head")
        with engine.connect() as conn:
            filled = Table("reports", MetaData(), autoload_with=conn)
            rows = {
                r.id: (r.incident_key, bool(r.counts))
                for r in conn.execute(select(filled.c.id, filled.c.incident_key, filled.c.counts))
            }
            # The wraps are untouched (a rebuilt reports table would have cascaded to them).
            kept = Table("report_wraps", MetaData(), autoload_with=conn)
            assert len(conn.execute(select(kept.c.report_id)).all()) == len(reports)
        names = {report_id: name for name, report_id in ids.items()}
        got = {names[i]: (names.get(key or "", key), counts) for i, (key, counts) in rows.items()}
        later_of_4 = max(ids["T4"], ids["V4"])
        assert got == {
            "F1": ("F1", False),
            "U1": ("F1", False),
            "X1": ("F1", True),
            "F2": ("F2", True),
            "U2": ("F2", False),
            "F3": ("F3", False),
            "S1": ("F1", True),
            "S2": ("S2", False),
            "F4": ("F4", False),
            "T4": ("F4", ids["T4"] == later_of_4),
            "V4": ("F4", ids["V4"] == later_of_4),
            "F5": ("F5", True),
            "U5": ("F5", False),
            "F6": ("F6", False),
            "U6": ("F6", True),
        }
        # And back: the downgrade restores the periodic index it replaced.
        command.downgrade(config, BEFORE)
        with engine.connect() as conn:
            back = Table("reports", MetaData(), autoload_with=conn)
            assert "counts" not in back.c
            assert "ix_reports_periodic" in {i.name for i in back.indexes}
            kept = Table("report_wraps", MetaData(), autoload_with=conn)
            assert len(conn.execute(select(kept.c.report_id)).all()) == len(reports)
    finally:
        engine.dispose()
