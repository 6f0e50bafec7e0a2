"""Issue 6, "Done when", continued: quiet hours defer a moderate alert and not an extreme one,
a digest holds the routine items, and a failing SMTP server leads to retries, a parked
delivery and a `delivery_failed` alert to the organisation's focal point."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.backoff import BackoffPolicy
from alerts.models import AlertDelivery
from hub.config import Settings
from policies import QuietHours, quiet_hours_end
from tests.hub.reports.factories import API, flash, publish

from .conftest import Scene, _text, designate, make_dispatcher, mark_sms, new_sms


def _recipients(handler: Any) -> list[str]:
    return sorted(r for received in handler.received for r in received.rcpt_tos)


def test_quiet_hours_defer_a_moderate_alert_and_not_an_extreme_one(
    client: TestClient, scene: Scene, dispatcher: Any, smtp: Any, gateway: Any
) -> None:
    _, handler = smtp
    _, state = gateway
    now = scene.now
    start = (now - dt.timedelta(hours=1)).strftime("%H:00")
    end = (now + dt.timedelta(hours=2)).strftime("%H:00")
    designate(
        client,
        scene.liaison,
        areas=["CD61"],
        channels={"email": None, "sms": scene.liaison.phone},
        deputies=[scene.deputy.email],
        quiet_hours={"start": start, "end": end, "timezone": "UTC"},
    )
    to_b = {"organisations": [scene.world.b.id]}
    publish(client, scene.world.a, flash(severity="moderate", summary="Menaces", audience=to_b))
    publish(
        client,
        scene.world.a,
        flash(severity="extreme", summary="Attaque en cours à Kiwanja", audience=to_b),
    )

    dispatcher.run_once(now)
    assert _recipients(handler) == [scene.liaison.email]  # the extreme one, email…
    assert len(new_sms(state, scene)) == 1  # …and SMS
    assert "Kiwanja" in _text(handler.received[0].data)

    handler.received.clear()
    mark_sms(state, scene)
    released = quiet_hours_end(
        QuietHours(dt.time.fromisoformat(start), dt.time.fromisoformat(end), "UTC"), now
    )
    dispatcher.run_once(released - dt.timedelta(minutes=1))
    # Still quiet for the liaison: deferred, not dropped. (The extreme alert, not
    # acknowledged, has meanwhile escalated to the deputy and the focal point.)
    assert scene.liaison.email not in _recipients(handler)
    assert [m["to"] for m in new_sms(state, scene)] == []
    handler.received.clear()
    dispatcher.run_once(released)
    assert _recipients(handler) == [scene.liaison.email]
    assert "Menaces" in _text(handler.received[0].data)
    assert [m["to"] for m in new_sms(state, scene)] == [scene.liaison.phone]


def test_a_digest_holds_the_routine_items(
    client: TestClient, db_session: Session, scene: Scene, dispatcher: Any, smtp: Any
) -> None:
    _, handler = smtp
    to_b = {"organisations": [scene.world.b.id]}
    # South Kivu stays at normal cooperation: minor and moderate items go to the digest of
    # the deputy, who watches it.
    for summary in ("Route coupée par la pluie", "Manifestation calme au marché"):
        publish(
            client,
            scene.world.a,
            flash(area="CD6201", severity="minor", summary=summary, audience=to_b),
        )
    dispatcher.run_once(scene.now)
    assert handler.received == []
    held = db_session.scalars(select(AlertDelivery).where(AlertDelivery.status == "held")).all()
    assert {d.liaison_id for d in held} == {scene.deputy.member_id}

    assert dispatcher.digests(scene.now + dt.timedelta(hours=1)) == 1
    dispatcher.run_once(scene.now + dt.timedelta(hours=1))
    assert _recipients(handler) == [scene.deputy.email]
    text = _text(handler.received[0].data)
    assert "Route coupée" in text
    assert "Manifestation calme" in text
    assert dispatcher.digests(scene.now + dt.timedelta(hours=2)) == 0  # nothing twice


def test_the_hourly_digest_job_reaches_each_liaison_at_six_in_their_own_time_zone(
    client: TestClient, scene: Scene, dispatcher: Any, smtp: Any
) -> None:
    """The scheduler runs the digest job every hour (alerts.jobs.DIGEST_LOCAL_HOUR); a
    liaison in Kabul (UTC+4:30) gets theirs at 06:30 local, i.e. 02:00 UTC, not at 06:00 UTC
    (10:30 in Kabul)."""
    from alerts.jobs import DIGEST_LOCAL_HOUR

    _, handler = smtp
    designate(client, scene.deputy, areas=["CD62"], channels={"email": None}, timezone="Asia/Kabul")
    publish(
        client,
        scene.world.a,
        flash(
            area="CD6201",
            severity="minor",
            summary="Route coupée par la pluie",
            audience={"organisations": [scene.world.b.id]},
        ),
    )
    dispatcher.run_once(scene.now)
    tomorrow = (scene.now + dt.timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    for utc_hour in (1, 5, 6):  # 05:30, 09:30 and 10:30 in Kabul
        at = tomorrow.replace(hour=utc_hour)
        assert dispatcher.digests(at, local_hour=DIGEST_LOCAL_HOUR) == 0
    at = tomorrow.replace(hour=2)  # 06:30 in Kabul
    assert dispatcher.digests(at, local_hour=DIGEST_LOCAL_HOUR) == 1
    dispatcher.run_once(at)
    assert _recipients(handler) == [scene.deputy.email]
    assert "Route coupée" in _text(handler.received[0].data)


def test_failing_smtp_retries_then_parks_and_tells_the_focal_point(
    client: TestClient,
    db_session: Session,
    settings: Settings,
    session_factory: Any,
    scene: Scene,
    smtp: Any,
    gateway: Any,
) -> None:
    controller, handler = smtp
    url, _ = gateway
    seconds = dt.timedelta(seconds=1)
    dispatcher = make_dispatcher(
        settings,
        session_factory,
        controller.port,
        url,
        backoff=BackoffPolicy(base=seconds, cap=seconds, max_attempts=3),
    )
    handler.data_reply = "451 4.3.0 mailbox server busy, try later"
    publish(
        client,
        scene.world.a,
        flash(
            severity="extreme", summary="Enlèvement", audience={"organisations": [scene.world.b.id]}
        ),
    )
    now = scene.now
    for tick in range(3):
        dispatcher.run_once(now + tick * 5 * seconds)
    log = client.get(
        f"{API}/alerts/deliveries",
        params={"liaison": scene.liaison.email},
        headers=scene.focal.headers,
    ).json()
    log = [row for row in log if row["kind"] == "report_published"]
    email = next(row for row in log if row["channel"] == "email" and row["step"] == 0)
    assert email["status"] == "parked"
    assert email["attempts"] == 3
    assert "451" in email["last_error"]
    sms = next(row for row in log if row["channel"] == "sms" and row["step"] == 0)
    assert sms["status"] == "sent"  # the other channel carried the alert

    handler.data_reply = None  # the server recovers; the focal point's notice goes out
    dispatcher.run_once(now + 20 * seconds)
    assert _recipients(handler) == [scene.focal.email]
    text = _text(handler.received[0].data)
    assert "451" in text
    dispatcher.channels.close()


def test_acknowledgement_follows_the_reports_own_precedence(
    client: TestClient, db_session: Session, scene: Scene, dispatcher: Any, smtp: Any
) -> None:
    """North Kivu is enhanced: flash alerts need an acknowledgement. A severe report its
    author marked flash needs one; an extreme one marked routine does not (the review found
    the severity's default precedence used instead of the report's own)."""
    designate(client, scene.liaison, areas=["CD61"], channels={"email": None})
    to_b = {"organisations": [scene.world.b.id]}
    flash_severe = publish(
        client, scene.world.a, flash(severity="severe", precedence="flash", audience=to_b)
    )
    routine_extreme = publish(
        client, scene.world.a, flash(severity="extreme", precedence="routine", audience=to_b)
    )
    dispatcher.run_once(scene.now)
    db_session.expire_all()

    def deadlines(report_id: str) -> list[Any]:
        from alerts.models import AlertEvent

        return [
            d.ack_deadline
            for d in db_session.scalars(
                select(AlertDelivery)
                .join(AlertEvent, AlertEvent.id == AlertDelivery.event_id)
                .where(AlertEvent.source == f"report:{report_id}")
                .where(AlertDelivery.step == 0)
            )
        ]

    assert deadlines(flash_severe["id"])
    assert all(deadlines(flash_severe["id"]))
    assert deadlines(routine_extreme["id"])
    assert not any(deadlines(routine_extreme["id"]))
