"""Planning and sending are robust to bad rows: an event the planner cannot read does not hold
up the others, and a delivery that cannot be rendered is parked visibly, not retried forever."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from alerts.channels.email import EmailChannel, SmtpSettings
from alerts.dispatcher import Channels, DispatchConfig, Dispatcher
from alerts.models import AlertDelivery, AlertEvent, LiaisonDesignation
from tests.alerts.servers import smtp_server
from tests.alerts.test_crash import prepare


def _dispatcher(sessions: Any, port: int) -> Dispatcher:
    from hub.alerting.directory import HubDirectory
    from policies import default_policy

    policy = default_policy()
    return Dispatcher(
        sessions,
        directory=HubDirectory(policy),
        policy=policy,
        channels=Channels(
            email=EmailChannel(
                SmtpSettings.from_url(f"smtp://127.0.0.1:{port}?from=a@hub.example.org")
            )
        ),
        config=DispatchConfig(base_url="https://hub.example.org", ack_secret=b"s" * 32),
    )


def test_an_unreadable_event_does_not_hold_up_the_others(
    fresh_database: Any, hub_keys: Any
) -> None:
    from hub.db import make_engine, make_session_factory

    url = fresh_database.url
    expected = prepare(url, hub_keys, events=1, liaisons=2)
    engine = make_engine(url)
    sessions = make_session_factory(engine, signer=hub_keys)
    with sessions() as session:
        session.add(
            AlertEvent(
                kind="level_changed",
                msg_type="alert",
                source="bogus:1",
                version=1,
                area_code="CD61",
                facts={"type": "SomethingElse"},
                created_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),  # first in line
            )
        )
        session.commit()
    try:
        with smtp_server() as (controller, handler):
            dispatcher = _dispatcher(sessions, controller.port)
            stats = dispatcher.run_once()
            dispatcher.channels.close()
        assert stats.sent == expected
        assert len(handler.received) == expected
        with sessions() as session:
            bogus = session.scalar(select(AlertEvent).where(AlertEvent.source == "bogus:1"))
            assert bogus is not None
            assert bogus.planned_at is None  # left for a later look, not silently marked done
    finally:
        engine.dispose()


def test_a_delivery_that_cannot_be_rendered_is_parked(fresh_database: Any, hub_keys: Any) -> None:
    from hub.db import make_engine, make_session_factory

    url = fresh_database.url
    prepare(url, hub_keys, events=1, liaisons=2)
    engine = make_engine(url)
    sessions = make_session_factory(engine, signer=hub_keys)
    with sessions() as session:
        # A phrase stored before today's limit (20 characters) existed: rendering refuses it.
        first = session.scalars(select(LiaisonDesignation)).first()
        assert first is not None
        first.anti_phishing_phrase = "x" * 40
        broken = first.member_id
        session.commit()
    try:
        with smtp_server() as (controller, handler):
            dispatcher = _dispatcher(sessions, controller.port)
            dispatcher.run_once()
            dispatcher.channels.close()
        assert len(handler.received) == 1
        with sessions() as session:
            row = session.scalar(select(AlertDelivery).where(AlertDelivery.liaison_id == broken))
            assert row is not None
            assert row.status == "parked"
            assert "cannot render" in (row.last_error or "")
    finally:
        engine.dispose()
