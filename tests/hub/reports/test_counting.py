"""Which headers count in the figures (hub/reports/counting.py), on SQLite and PostgreSQL: an
incident counts once, as its latest live stage, kept on the row by publication, withdrawal
and retention — so that the periodic report and the area's chart read it from one index —
and two stages of one incident published at once never both count."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.app import create_app
from hub.areas.incidents import month_counts_query
from hub.config import Settings
from hub.db import make_engine, make_session_factory
from hub.migrations import upgrade
from hub.periodic.figures import Period, area_figures
from hub.reports import counting, service
from hub.reports.models import Report, new_id
from policies import default_policy
from tests.hub.reports.factories import API, World, flash, publish, world

NOVEMBER = Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30))  # FLASH occurred 2026-11-23


def _counting(session: Session, key: str) -> list[tuple[str, str | None]]:
    """(id, stage) of the incident's reports that count."""
    rows = session.execute(
        select(Report.id, Report.stage).where(Report.incident_key == key, Report.counts.is_(True))
    )
    return [(r.id, r.stage) for r in rows]


def _totals(session: Session, organisation_id: str) -> tuple[int, int]:
    """The incidents of CD61 in November as the periodic report and the chart count them."""
    codes = ["CD61", "CD6102", "CD6103"]
    figures = area_figures(
        session,
        code="CD61",
        codes=codes,
        children={c: c for c in codes},
        period=NOVEMBER,
        organisation_id=organisation_id,
    )
    chart = month_counts_query(
        codes, since=NOVEMBER.start, until=NOVEMBER.end, organisation_id=organisation_id
    )
    return figures.total, sum(int(n) for _y, _m, n in session.execute(chart))


def _follow(first: str, previous: str, stage: str) -> dict[str, Any]:
    return flash(stage=stage, incident_id=first, supersedes=previous)


def _withdraw(client: TestClient, who: Any, report_id: str) -> None:
    response = client.delete(f"{API}/reports/{report_id}", headers=who.headers)
    assert response.status_code == 204, response.text


def test_flash_update_final_count_once_as_the_latest(
    client: TestClient, w: World, db_session: Session
) -> None:
    first = publish(client, w.a, flash())["id"]
    assert _counting(db_session, first) == [(first, "flash")]
    assert _totals(db_session, w.b.id) == (1, 1)

    update_ = publish(client, w.a, _follow(first, first, "update"))["id"]
    assert _counting(db_session, first) == [(update_, "update")]
    assert _totals(db_session, w.b.id) == (1, 1)

    final = publish(client, w.a, _follow(first, update_, "final"))["id"]
    assert _counting(db_session, first) == [(final, "final")]
    # A late update after the final does not take its place: the final stays the latest.
    publish(client, w.a, _follow(first, final, "update"))
    assert _counting(db_session, first) == [(final, "final")]
    assert _totals(db_session, w.b.id) == (1, 1)
    assert _totals(db_session, w.c.id) == (1, 1)


def test_an_update_that_follows_an_update_joins_the_same_incident(
    client: TestClient, w: World, db_session: Session
) -> None:
    """The API lets `incident_id` name any earlier report of the originator: the incident is
    still the first report's, so a chain of follow-ups counts once."""
    first = publish(client, w.a, flash())["id"]
    update_ = publish(client, w.a, _follow(first, first, "update"))["id"]
    final = publish(client, w.a, _follow(update_, update_, "final"))["id"]
    key = db_session.scalar(select(Report.incident_key).where(Report.id == final))
    assert key == first
    assert _counting(db_session, first) == [(final, "final")]
    assert _totals(db_session, w.b.id) == (1, 1)


def test_withdrawing_the_latest_stage_lets_the_one_before_count_again(
    client: TestClient, w: World, db_session: Session
) -> None:
    """What a reader expects: the incident happened and the flash and update are still
    shared, so it still counts once — as the latest stage still published. Only when every
    stage is withdrawn does it stop counting."""
    first = publish(client, w.a, flash())["id"]
    update_ = publish(client, w.a, _follow(first, first, "update"))["id"]
    final = publish(client, w.a, _follow(first, update_, "final"))["id"]

    _withdraw(client, w.a, final)
    assert _counting(db_session, first) == [(update_, "update")]
    assert _totals(db_session, w.b.id) == (1, 1)

    # Withdrawing an earlier stage changes nothing while a later one stands.
    _withdraw(client, w.a, first)
    assert _counting(db_session, first) == [(update_, "update")]
    assert _totals(db_session, w.b.id) == (1, 1)

    _withdraw(client, w.a, update_)
    assert _counting(db_session, first) == []
    assert _totals(db_session, w.b.id) == (0, 0)


def test_a_purged_stage_hands_over_like_a_withdrawn_one(
    client: TestClient, w: World, db_session: Session, tmp_path: Path
) -> None:
    """Retention shreds by type and age; a situation report purged stops counting among
    other reports, and the incident keeps its latest live stage."""
    first = publish(client, w.a, flash())["id"]
    situation = publish(
        client, w.a, {**flash(), "type": "alert", "stage": None, "body": {"advice": "stay in"}}
    )["id"]
    assert db_session.scalar(select(Report.counts).where(Report.id == situation)) is True
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=400)  # alerts are kept a year
    purged = service.purge_expired(
        db_session, now=later, policy=default_policy(), data_dir=tmp_path
    )
    assert purged == [situation]
    assert db_session.scalar(select(Report.counts).where(Report.id == situation)) is False
    assert _counting(db_session, first) == [(first, "flash")]


def test_the_database_refuses_two_counting_stages_of_one_incident(
    client: TestClient, w: World, db_session: Session
) -> None:
    first = publish(client, w.a, flash())["id"]
    update_ = publish(client, w.a, _follow(first, first, "update"))["id"]
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.execute(update(Report).where(Report.id == first).values(counts=True))
    assert _counting(db_session, first) == [(update_, "update")]


# --- concurrency, on a database of its own that really commits ------------------------------


@pytest.fixture
def real(fresh_database: Any, settings: Settings, hub_keys: Any) -> Iterator[Any]:
    upgrade(fresh_database.url)
    engine = make_engine(fresh_database.url)
    factory = make_session_factory(engine, signer=hub_keys)
    app = create_app(settings, session_factory=factory, hub_keys=hub_keys)
    try:
        with TestClient(app) as client:
            yield engine, factory, client
    finally:
        engine.dispose()


def _stage_row(session: Session, first: str, stage: str) -> str:
    """A copy of the flash's header as another stage of its incident, inserted as the
    publication inserts it (not counting yet); its id."""
    row = dict(session.execute(select(Report.__table__).where(Report.id == first)).mappings().one())
    row.update(
        id=new_id(),
        stage=stage,
        incident_id=first,
        supersedes=first,
        incident_key=first,
        counts=False,
        created_at=row["created_at"] + dt.timedelta(minutes={"update": 1, "final": 2}[stage]),
        idempotency_key=None,
    )
    session.execute(insert(Report), row)
    return str(row["id"])


def test_a_second_stage_waits_for_the_first_and_sees_it(real: Any) -> None:
    """Two transactions add a stage of one incident at once: the second waits on the
    incident's lock until the first commits, then decides with the first's row in view —
    one stage counts, never two (and no unique-index error either)."""
    _engine, factory, client = real
    with factory() as session:
        w = world(session, client)
    first = publish(client, w.a, flash())["id"]

    one = factory()
    final_id: list[str] = []
    errors: list[BaseException] = []
    decided = threading.Event()

    def second() -> None:
        try:
            with factory() as two:
                final_id.append(_stage_row(two, first, "final"))
                counting.lock_incident(two, first)
                counting.elect(two, first)
                decided.set()
                two.commit()
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    try:
        update_id = _stage_row(one, first, "update")
        counting.lock_incident(one, first)
        counting.elect(one, first)
        thread = threading.Thread(target=second)
        thread.start()
        # The second transaction cannot decide while the first holds the incident.
        assert not decided.wait(0.5)
        one.commit()
    finally:
        one.close()
    thread.join(30)
    assert not thread.is_alive()
    assert errors == []
    with factory() as session:
        assert _counting(session, first) == [(final_id[0], "final")]
        assert session.scalar(select(Report.counts).where(Report.id == update_id)) is False


def test_concurrent_publications_of_one_incident_leave_one_counting(real: Any) -> None:
    """Through the API, on threads: whatever the interleaving, one report of the incident
    counts, and it is the final."""
    _engine, factory, client = real
    with factory() as session:
        w = world(session, client)
    first = publish(client, w.a, flash())["id"]
    stages = ["update", "final", "update", "update"]
    results: list[Any] = []
    lock = threading.Lock()

    def post(stage: str) -> None:
        response = client.post(
            f"{API}/reports", json=_follow(first, first, stage), headers=w.a.headers
        )
        with lock:
            results.append((stage, response.status_code, response.json()))

    threads = [threading.Thread(target=post, args=(stage,)) for stage in stages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(code for _s, code, _b in results) == [201] * len(stages), results
    final = next(body["id"] for stage, _c, body in results if stage == "final")
    with factory() as session:
        assert _counting(session, first) == [(final, "final")]
        assert _totals(session, w.b.id) == (1, 1)


def test_a_red_stage_stands_for_its_incident_only_when_every_stage_is_red(
    client: TestClient, w: World, db_session: Session
) -> None:
    """A RED update given to B alone must not take the count from the flash C holds: the
    latest stage that is not RED stands for the incident (tests/hub/security/test_counts.py
    has the pages' side); an incident whose stages are all RED counts as its latest one."""
    red = {"tlp": "red", "audience": {"organisations": [w.b.id]}}
    shared = publish(client, w.a, flash())["id"]
    red_update = publish(client, w.a, {**_follow(shared, shared, "update"), **red})["id"]
    assert _counting(db_session, shared) == [(shared, "flash")]
    assert _totals(db_session, w.c.id) == (1, 1)  # C was given the flash only
    assert _totals(db_session, w.b.id) == (1, 1)  # B holds both: still one incident

    # Withdrawing the shared flash leaves only RED stages: the RED update stands for it now,
    # for B who holds it, and C no longer counts what it no longer holds anything of.
    _withdraw(client, w.a, shared)
    assert _counting(db_session, shared) == [(red_update, "update")]
    assert _totals(db_session, w.b.id) == (1, 1)
    assert _totals(db_session, w.c.id) == (0, 0)

    all_red = publish(client, w.a, {**flash(), **red})["id"]
    red_final = publish(client, w.a, {**_follow(all_red, all_red, "final"), **red})["id"]
    assert _counting(db_session, all_red) == [(red_final, "final")]
