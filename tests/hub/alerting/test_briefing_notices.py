"""Issue 15, briefings through the alert pipeline: the coordinators hear of a proposed series;
confirming it sends each invitee an email (real SMTP server, aiosmtpd) whose calendar parses
with the `icalendar` library in the area's time zone and whose answer link works; the SMS
reminder goes an hour before (loopback gateway); lowering the area sends the cancellation."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.dispatcher import Dispatcher
from alerts.models import AlertDelivery
from hub.actors import Actor
from hub.alerting.wiring import alert_secret
from hub.areas import service as areas
from hub.briefings import service as briefings
from hub.briefings.models import Answer, Briefing, BriefingInvitation, BriefingSeries
from hub.config import Settings
from hub.members.models import Role
from policies import default_policy
from policies.vocabulary import Risk
from tests.alerts.servers import RecordingHandler
from tests.hub.factories import make_member, make_organisation

from .conftest import Scene, mark_sms, new_sms


def _messages(handler: RecordingHandler) -> list[tuple[list[str], email.message.EmailMessage]]:
    return [
        (
            sorted(r.rcpt_tos),
            email.message_from_bytes(r.data, policy=email.policy.default),  # type: ignore[misc]
        )
        for r in handler.received
    ]


def _text(message: Any) -> str:
    return "\n".join(
        part.get_content() for part in message.walk() if part.get_content_type() == "text/plain"
    )


def _calendar(message: Any) -> icalendar.Calendar:
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") in ("REQUEST", "CANCEL")
    assert part.get_filename() == "invitation.ics"
    return icalendar.Calendar.from_ical(part.get_payload(decode=True))


def _coordinators(db_session: Session) -> tuple[Actor, Actor]:
    org = make_organisation(db_session, name="UNDSS coordination")
    people = [make_member(db_session, org, roles=(Role.COORDINATOR,)).member for _ in range(2)]
    return tuple(Actor(label=p.email, member=p) for p in people)  # type: ignore[return-value]


def test_confirmed_series_invites_with_a_calendar_and_reminds_by_sms(
    db_session: Session,
    app: FastAPI,
    settings: Settings,
    scene: Scene,
    dispatcher: Dispatcher,
    smtp: Any,
    gateway: Any,
) -> None:
    _, handler = smtp
    _, state = gateway
    alice, _ = _coordinators(db_session)
    # The scene raised North Kivu: its series is proposed, and the coordinators were told.
    series = db_session.scalar(select(BriefingSeries).where(BriefingSeries.area_code == "CD61"))
    assert series is not None
    handler.received.clear()
    briefings.confirm_series(
        db_session,
        actor=alice,
        series_id=series.id,
        now=scene.now,
        secret=alert_secret(settings),
    )
    dispatcher.run_once(scene.now)
    received = _messages(handler)
    invited = {to for tos, _ in received for to in tos}
    assert scene.liaison.email in invited
    assert scene.focal.email in invited  # a focal point, reached by their confirmed address
    assert scene.world.a.email in invited  # a focal point without any designation: account mail
    assert scene.world.outsider.email not in invited  # works in South Kivu only
    briefing = db_session.scalar(select(Briefing).where(Briefing.series_id == series.id))
    assert briefing is not None
    goma = briefing.starts_at.astimezone(ZoneInfo("Africa/Lubumbashi"))
    assert (goma.weekday(), goma.hour, goma.minute) == (1, 10, 0)  # Tuesday 10:00, Goma time

    [(_, message)] = [(t, m) for t, m in received if t == [scene.liaison.email]]
    # Signed by the hub (S/MIME), the calendar inside what the signature covers.
    assert message.get_content_type() == "multipart/signed"
    assert next(iter(message.iter_parts())).get_content_type() == "multipart/mixed"
    text = _text(message)
    assert "girafe bleue" in text  # the liaison's anti-phishing phrase
    assert "briefing" in text.lower()
    cal = _calendar(message)
    assert str(cal["METHOD"]) == "REQUEST"
    [tz] = cal.walk("VTIMEZONE")
    assert str(tz["TZID"]) == "Africa/Lubumbashi"
    [event] = cal.walk("VEVENT")
    start = event.decoded("DTSTART")
    assert start.tzinfo is not None
    assert str(start.tzinfo) == "Africa/Lubumbashi"
    assert start.hour == 10
    assert start == briefing.starts_at
    assert event.decoded("DTEND") - start == dt.timedelta(hours=1)
    assert int(event["SEQUENCE"]) == 0
    assert str(event["UID"]) == f"{briefing.id}@slthub"
    assert scene.liaison.email in str(event["ATTENDEE"])

    # Every link in the email is a page that exists; the answer link records the answer.
    links = set(re.findall(r"https?://\S+", text))
    assert links
    with TestClient(app) as anonymous:
        for link in links:
            page = anonymous.get(link.removeprefix(settings.base_url.rstrip("/")))
            assert page.status_code == 200, link
        [answer] = [link for link in links if "/b/" in link]
        path = answer.removeprefix(settings.base_url.rstrip("/"))
        assert anonymous.post(path, data={"answer": "yes"}).status_code == 200
    invitation = db_session.scalar(
        select(BriefingInvitation).where(
            BriefingInvitation.briefing_id == briefing.id,
            BriefingInvitation.member_id == scene.liaison.member_id,
        )
    )
    assert invitation is not None
    db_session.refresh(invitation)
    assert invitation.answer is Answer.YES

    # The SMS reminder waits for an hour before the start, then goes to the confirmed phone.
    mark_sms(state, scene)
    dispatcher.run_once(briefing.starts_at - dt.timedelta(hours=2))
    assert new_sms(state, scene) == []
    dispatcher.run_once(briefing.starts_at - dt.timedelta(minutes=59))
    [sms] = new_sms(state, scene)
    assert sms["to"] == scene.liaison.phone
    assert "CD61" in sms["body"]
    assert "10:00" in sms["body"]


def test_lowering_the_area_cancels_the_invitation_and_the_reminder(
    db_session: Session,
    settings: Settings,
    scene: Scene,
    dispatcher: Dispatcher,
    smtp: Any,
    gateway: Any,
) -> None:
    _, handler = smtp
    _, state = gateway
    alice, bob = _coordinators(db_session)
    series = db_session.scalar(select(BriefingSeries).where(BriefingSeries.area_code == "CD61"))
    assert series is not None
    briefings.confirm_series(
        db_session, actor=alice, series_id=series.id, now=scene.now, secret=alert_secret(settings)
    )
    dispatcher.run_once(scene.now)
    handler.received.clear()
    policy = default_policy()
    pending = areas.set_risk(
        db_session,
        actor=alice,
        code="CD61",
        risk=Risk.LOW,
        reason="Accalmie",
        now=scene.now,
        policy=policy,
    )
    areas.confirm_risk_change(
        db_session, actor=bob, change_id=pending.change_id, now=scene.now, policy=policy
    )
    dispatcher.run_once(scene.now)
    received = _messages(handler)
    [(_, message)] = [
        (t, m)
        for t, m in received
        if t == [scene.liaison.email]
        and "text/calendar" in str([p.get_content_type() for p in m.walk()])
    ]
    cal = _calendar(message)
    assert str(cal["METHOD"]) == "CANCEL"
    [event] = cal.walk("VEVENT")
    assert int(event["SEQUENCE"]) == 1
    assert str(event["STATUS"]) == "CANCELLED"
    # The coordinators hear that the series ended.
    coordinator_mail = [m for t, m in received if t == [alice.label]]
    assert any("série" in str(m["Subject"]).lower() for m in coordinator_mail)
    # No reminder is left to go out.
    briefing = db_session.scalar(select(Briefing).where(Briefing.series_id == series.id))
    assert briefing is not None
    mark_sms(state, scene)
    dispatcher.run_once(briefing.starts_at - dt.timedelta(minutes=30))
    assert new_sms(state, scene) == []
    stopped = db_session.scalars(
        select(AlertDelivery).where(AlertDelivery.kind == "briefing_reminder")
    ).all()
    assert stopped
    assert all(d.status != "sent" for d in stopped)
