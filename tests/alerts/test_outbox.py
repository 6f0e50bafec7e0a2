"""The outbox rides in the caller's transaction: rollback → no alert; commit → exactly one."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from alerts import outbox
from alerts.facts import AlertKind, LevelChangeFacts, ReportFacts
from alerts.models import AlertEvent

REPORT = ReportFacts(
    report_id="r-1",
    report_type="incident",
    area_code="CD6102",
    area_name="Rutshuru",
    severity="extreme",
    tlp="amber",
    occurred_on=dt.date(2026, 11, 23),
    reported_at=dt.datetime(2026, 11, 23, 7, 42, tzinfo=dt.UTC),
    category="kidnapping_abduction",
    stage="flash",
    summary="Enlèvement d'un chauffeur, route de Kiwanja",
)
LEVEL = LevelChangeFacts(
    area_code="CD61",
    area_name="Nord-Kivu",
    old_risk="medium",
    new_risk="high",
    old_level="normal",
    new_level="enhanced",
    effective_at=dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC),
)


def _count(session) -> int:
    return session.scalar(select(func.count()).select_from(AlertEvent))


def test_event_commits_with_the_change_and_round_trips(session_factory) -> None:
    with session_factory() as session:
        event_id = outbox.enqueue(
            session,
            kind=AlertKind.REPORT_PUBLISHED,
            source="report:r-1",
            version=1,
            facts=REPORT,
            organisations=["org-a", "org-b"],
        )
        session.commit()
    with session_factory() as session:
        (event,) = outbox.pending_events(session)
        assert event.id == event_id
        assert event.severity == "extreme"
        assert event.organisations == ["org-a", "org-b"]
        assert outbox.facts_from_json(event.facts) == REPORT
        assert event.created_at.tzinfo is not None


def test_rollback_leaves_no_alert(session_factory) -> None:
    with session_factory() as session:
        outbox.enqueue(
            session,
            kind=AlertKind.LEVEL_CHANGED,
            source="area:CD61",
            version=3,
            facts=LEVEL,
            areas=["CD61", "CD"],
        )
        session.rollback()
    with session_factory() as session:
        assert _count(session) == 0


def test_same_source_and_version_is_one_event(db_session) -> None:
    first = outbox.enqueue(
        db_session, kind=AlertKind.LEVEL_CHANGED, source="area:CD61", version=1, facts=LEVEL
    )
    again = outbox.enqueue(
        db_session, kind=AlertKind.LEVEL_CHANGED, source="area:CD61", version=1, facts=LEVEL
    )
    newer = outbox.enqueue(
        db_session, kind=AlertKind.LEVEL_CHANGED, source="area:CD61", version=2, facts=LEVEL
    )
    assert first == again
    assert newer != first
    assert _count(db_session) == 2
    assert outbox.facts_from_json(outbox.facts_to_json(LEVEL)) == LEVEL


def test_only_header_facts_are_accepted(db_session) -> None:
    with pytest.raises(TypeError):
        outbox.enqueue(
            db_session,
            kind=AlertKind.REPORT_PUBLISHED,
            source="report:r-2",
            version=1,
            facts={"narrative": "sealed text"},  # type: ignore[arg-type]
        )
