"""The periodic report's figures from headers (issue 15), on SQLite and PostgreSQL: counts by
week and category, the trend against the previous period, one count per incident, what is
left out (withdrawn, other areas, TLP:RED not given), and that the count reads an index
rather than every header."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from hub.areas import service as areas
from hub.periodic.figures import Period, area_figures, fold_children, incident_counts
from policies.areas import as_tree
from tests.hub.reports.factories import API, World, flash, publish

PERIOD = Period(dt.date(2026, 11, 16), dt.date(2026, 11, 29))  # two weeks


def _on(day: str, **changes: object) -> dict[str, object]:
    return flash(occurred_at=f"{day}T09:00:00+01:00", tlp="amber", **changes)


def _figures(session: Session, code: str, organisation_id: str, period: Period = PERIOD):
    tree = as_tree(areas.policy_areas(session))
    codes = sorted(tree.subtree(code))
    lineages = {c: tree.lineage(c) for c in codes}
    return area_figures(
        session,
        code=code,
        codes=codes,
        children=fold_children(code, codes, lineages),
        period=period,
        organisation_id=organisation_id,
    )


def test_counts_by_week_and_category_with_the_trend(
    client: TestClient, w: World, db_session: Session
) -> None:
    shooting = publish(client, w.a, _on("2026-11-17", category="shooting"))["id"]
    # Its update: the same incident, counted once (as its latest stage).
    publish(
        client,
        w.a,
        _on(
            "2026-11-17",
            category="shooting",
            stage="update",
            incident_id=shooting,
            supersedes=shooting,
        ),
    )
    publish(client, w.a, _on("2026-11-25", category="armed_robbery", area="CD6103"))
    publish(client, w.a, _on("2026-11-26", category="armed_robbery"))
    publish(client, w.a, _on("2026-11-03", category="shooting"))  # the previous period
    publish(client, w.a, _on("2026-11-20", category="shooting", area="CD62"))  # elsewhere
    withdrawn = publish(client, w.a, _on("2026-11-21", category="kidnapping_abduction"))["id"]
    assert client.delete(f"{API}/reports/{withdrawn}", headers=w.a.headers).status_code in (
        200,
        204,
    )
    publish(
        client,
        w.a,
        {**_on("2026-11-18", category="other"), "type": "situation", "stage": None, "body": {}},
    )

    figures = _figures(db_session, "CD61", w.b.id)
    assert figures.total == 3
    assert figures.previous_total == 1
    assert (figures.change, figures.change_percent) == (2, 200)
    assert [(wk.week.start, wk.count) for wk in figures.weeks] == [
        (dt.date(2026, 11, 16), 1),
        (dt.date(2026, 11, 23), 2),
    ]
    assert [wk.count for wk in figures.previous_weeks] == [1, 0]
    by_category = {c.category: (c.count, c.previous) for c in figures.categories}
    assert by_category == {"armed_robbery": (2, 0), "shooting": (1, 1)}
    assert figures.other_types == {"situation": 1}
    assert figures.severities == {"severe": 3}
    assert sum(n for _area, n in figures.by_area) == 3


def test_a_red_report_counts_only_for_those_given_it(
    client: TestClient, w: World, db_session: Session
) -> None:
    publish(
        client,
        w.a,
        {
            **_on("2026-11-19", category="sexual_violence"),
            "tlp": "red",
            "audience": {"organisations": [w.b.id]},
        },
    )
    assert _figures(db_session, "CD61", w.b.id).total == 1
    assert _figures(db_session, "CD61", w.c.id).total == 0
    assert _figures(db_session, "CD61", w.a.id).total == 1  # the originator holds it


def test_no_incident_gives_no_ratio(client: TestClient, w: World, db_session: Session) -> None:
    publish(client, w.a, _on("2026-11-20"))
    figures = _figures(db_session, "CD61", w.b.id)
    assert (figures.total, figures.previous_total, figures.change_percent) == (1, 0, None)


def test_the_count_reads_the_counts_index(w: World, db_session: Session) -> None:
    """A growth check: the count is a range of ix_reports_counts (covering, on SQLite),
    never a scan of every header, and no header makes it look up its incident's other
    stages (whether a header counts is kept on the row: hub/reports/counting.py). The one
    per-row look-up left is the TLP:RED check, a primary-key look-up of report_wraps."""
    statement = incident_counts(["CD61", "CD6102", "CD6103"], PERIOD, w.b.id)
    compiled = statement.compile(
        dialect=db_session.bind.dialect, compile_kwargs={"literal_binds": True}
    )
    if db_session.bind.dialect.name == "sqlite":
        plan = " ".join(
            str(row[-1]) for row in db_session.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))
        )
        assert "COVERING INDEX ix_reports_counts" in plan, plan
        assert "SCAN reports" not in plan.replace("SCAN reports USING", ""), plan
        # reports is read once: no sub-query on it per header.
        assert plan.count(" reports ") == 1, plan
    else:
        # With a handful of rows PostgreSQL rightly prefers a sequential scan: forbid it to
        # see whether an index serves every part (bench/periodic.py prints the plan it picks
        # at 100k and 1M reports, where it takes ix_reports_counts).
        db_session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = " ".join(row[0] for row in db_session.execute(text(f"EXPLAIN {compiled}")))
        assert "Seq Scan" not in plan, plan
        assert "ix_reports_counts on reports" in plan, plan
        # The areas and the days are the index's range (an index-only scan prints no cast).
        assert re.search(r"Index Cond: \(+(\(area_code\)::text|area_code) = ANY", plan), plan
        # No look-up of an incident's other stages per header: reports is read once.
        assert plan.count(" on reports") == 1, plan
        assert "ix_reports_incident" not in plan, plan
        # The RED check is a look-up per RED header, never a hash of every wrap the
        # organisation holds.
        assert "SubPlan" in plan, plan
        assert "hashed SubPlan" not in plan, plan


def test_the_counts_run_without_jit_on_postgresql(w: World, db_session: Session) -> None:
    """At 1M reports PostgreSQL's JIT compiled a country's count for ~1 s, ten times the
    count itself (bench/chart.py): the figures turn it off for their transaction."""
    if db_session.bind.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has no JIT")
    _figures(db_session, "CD61", w.b.id)
    assert db_session.scalar(text("SHOW jit")) == "off"
