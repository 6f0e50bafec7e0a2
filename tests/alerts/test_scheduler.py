"""The scheduler: one leader, module-level jobs with explicit ids, woken by outbox commits,
and its hub sweeps (risk expiry) reaching the hub's services through the hooks."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest
from apscheduler.jobstores.memory import MemoryJobStore
from sqlalchemy import select

from alerts import jobs, outbox
from alerts.facts import AlertKind, LevelChangeFacts
from alerts.scheduler import SCHEDULE, Leadership, SchedulerService, build_scheduler, wake_on_commit
from tests.alerts.servers import smtp_server
from tests.alerts.test_crash import prepare


def _facts() -> LevelChangeFacts:
    return LevelChangeFacts(
        area_code="CD61",
        area_name="Nord-Kivu",
        old_risk="medium",
        new_risk="high",
        old_level="normal",
        new_level="enhanced",
        effective_at=dt.datetime.now(dt.UTC),
    )


def test_every_job_is_a_module_level_function_with_an_explicit_id() -> None:
    scheduler = build_scheduler()
    found = {job.id: job for job in scheduler.get_jobs()}
    assert set(found) == {job_id for job_id, _, _ in SCHEDULE}
    assert {
        "alerts.dispatch",
        "alerts.reclaim_leases",
        "alerts.digests",
        "hub.risk_expiry",
        "hub.review_reminders",
        "hub.briefing_sweep",
        "hub.retention_purge",
        "hub.audit_head",
        "hub.weekly_reports",
    } <= set(found)
    for job in found.values():
        assert job.func.__module__ == "alerts.jobs"
        assert getattr(jobs, job.func.__name__) is job.func
    assert isinstance(scheduler._jobstores["default"], MemoryJobStore)


def test_only_one_process_leads(request: pytest.FixtureRequest, fresh_database: Any) -> None:
    from hub.db import make_engine

    engine = make_engine(fresh_database.url)
    other_engine = make_engine(fresh_database.url)  # another process's pool
    try:
        first, second = Leadership(engine), Leadership(other_engine)
        assert first.try_acquire()
        if request.config.getoption("--db") == "postgresql":
            assert not second.try_acquire()
            first.release()
            assert second.try_acquire()
            second.release()
        else:
            # SQLite: the single `slthub serve` process is the leader.
            assert second.try_acquire()
    finally:
        engine.dispose()
        other_engine.dispose()


def test_a_commit_that_wrote_the_outbox_wakes_the_dispatcher(
    fresh_database: Any, hub_keys: Any
) -> None:
    from hub.db import make_engine, make_session_factory
    from hub.migrations import upgrade

    upgrade(fresh_database.url)
    engine = make_engine(fresh_database.url)
    sessions = make_session_factory(engine, signer=hub_keys)
    woken: list[str] = []
    remove = wake_on_commit(sessions, lambda: woken.append("dispatch"))
    try:
        with sessions() as session:
            outbox.enqueue(
                session, kind=AlertKind.LEVEL_CHANGED, source="t:1", version=1, facts=_facts()
            )
            session.rollback()
            session.commit()
        assert woken == []  # rolled back: no event, nothing to wake for
        with sessions() as session:
            outbox.enqueue(
                session, kind=AlertKind.LEVEL_CHANGED, source="t:2", version=1, facts=_facts()
            )
            session.commit()
        assert woken == ["dispatch"]
        with sessions() as session:
            session.execute(select(1))
            session.commit()
        assert woken == ["dispatch"]  # commits without outbox rows do not
    finally:
        remove()
        engine.dispose()


def test_the_leader_runs_the_dispatch_job_and_sends(fresh_database: Any, hub_keys: Any) -> None:
    from alerts.channels.email import EmailChannel, SmtpSettings
    from alerts.dispatcher import Channels, DispatchConfig, Dispatcher
    from hub.alerting.directory import HubDirectory
    from hub.db import make_engine, make_session_factory
    from policies import default_policy

    url = fresh_database.url
    total = prepare(url, hub_keys, events=1, liaisons=3)
    engine = make_engine(url)
    sessions = make_session_factory(engine, signer=hub_keys)
    policy = default_policy()
    with smtp_server() as (controller, handler):
        dispatcher = Dispatcher(
            sessions,
            directory=HubDirectory(policy),
            policy=policy,
            channels=Channels(
                email=EmailChannel(
                    SmtpSettings.from_url(
                        f"smtp://127.0.0.1:{controller.port}?from=a@hub.example.org"
                    )
                )
            ),
            config=DispatchConfig(base_url="https://hub.example.org", ack_secret=b"s" * 32),
        )
        service = SchedulerService(jobs.JobContext(dispatcher), engine, retry_seconds=0.1)
        service.start()
        try:
            done = threading.Event()
            deadline = time.monotonic() + 60
            while len(handler.received) < total and time.monotonic() < deadline:
                done.wait(0.05)
            assert service.leading
            assert len(handler.received) == total
            # What the operator's health page shows of this process's schedule.
            assert set(service.next_runs()) == {job_id for job_id, _f, _t in SCHEDULE}
            while "alerts.dispatch" not in service.last_runs and time.monotonic() < deadline:
                done.wait(0.1)
            assert service.last_runs["alerts.dispatch"][1] is True
        finally:
            service.stop()
            dispatcher.channels.close()
            engine.dispose()
    with pytest.raises(RuntimeError):
        jobs.dispatch()  # stopped: no context is left behind


def test_risk_expiry_job_reaches_the_areas_service(
    fresh_database: Any, hub_keys: Any, tmp_path: Any
) -> None:
    from alerts.models import AlertEvent
    from hub.actors import Actor
    from hub.alerting.wiring import build_dispatcher, hub_hooks
    from hub.areas import service as areas
    from hub.config import Settings
    from hub.db import make_engine, make_session_factory
    from hub.members.models import Role
    from policies import default_policy
    from policies.vocabulary import Risk
    from tests.hub.factories import make_member, make_organisation

    url = fresh_database.url
    prepare(url, hub_keys, events=0, liaisons=0)
    engine = make_engine(url)
    sessions = make_session_factory(engine, signer=hub_keys)
    settings = Settings(_env_file=None, database_url=url, data_dir=tmp_path, demo=True)  # type: ignore[call-arg]
    now = dt.datetime.now(dt.UTC)
    try:
        with sessions() as session:
            org = make_organisation(session, name="OCHA")
            coordinator = make_member(session, org, roles=(Role.COORDINATOR,)).member
            areas.set_risk(
                session,
                actor=Actor(label=coordinator.email, member=coordinator),
                code="CD6102",
                risk=Risk.HIGH,
                reason="Affrontements",
                now=now - dt.timedelta(days=2),
                expires_at=now - dt.timedelta(hours=1),
                policy=default_policy(),
            )
        context = jobs.JobContext(
            build_dispatcher(settings, sessions), hub_hooks(settings, sessions), clock=lambda: now
        )
        jobs.install(context)
        try:
            jobs.risk_expiry()
        finally:
            jobs.install(None)
        with sessions() as session:
            sources = list(session.scalars(select(AlertEvent.source)))
        assert any(s.startswith("lapse:") for s in sources)  # the lapse was announced
    finally:
        engine.dispose()
