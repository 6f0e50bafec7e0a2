"""The weekly periodic security report (issue 15): a liaison ticks the option, and on Monday
at 06:00 in their own time zone the hub's sweep enqueues the report of each designated area;
the dispatcher sends it by email over a real SMTP server (aiosmtpd), with the week's header
figures and a link that opens the hub's page of that area and week."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.models import AlertDelivery, AlertEvent
from hub.periodic.weekly import last_week, weekly_reports
from policies import default_policy
from tests.hub.pages import Browser
from tests.hub.reports.factories import API, flash, publish

from .conftest import Scene, _text, designate, new_sms
from .test_alert_links import FOLLOWED, _check_mail

ZONE = "Africa/Lubumbashi"  # UTC+2 all year: 06:00 there is 04:00 UTC


def _monday_4am_utc() -> dt.datetime:
    """This week's Monday (or today's) at 04:00 UTC: 06:00 in Lubumbashi."""
    today = dt.datetime.now(dt.UTC).date()
    monday = today - dt.timedelta(days=today.weekday())
    return dt.datetime.combine(monday, dt.time(4), tzinfo=dt.UTC)


def _subject(raw: bytes) -> str:
    return str(email.message_from_bytes(raw, policy=email.policy.default)["Subject"])


def test_monday_weekly_report_by_email_opens_its_page(
    db_session: Session,
    client: TestClient,
    browser: Browser,
    scene: Scene,
    dispatcher: Any,
    smtp: Any,
    gateway: Any,
) -> None:
    _, handler = smtp
    _, state = gateway
    w = scene.world
    liaison = scene.liaison
    # The option, through the API, with the time zone the Monday morning is reckoned in.
    saved = designate(
        client,
        liaison,
        areas=["CD61"],
        channels={"email": None, "sms": liaison.phone},
        timezone=ZONE,
        weekly_report=True,
    )
    assert saved["weekly_report"] is True
    assert client.get(f"{API}/liaison", headers=liaison.headers).json()["weekly_report"] is True

    monday = _monday_4am_utc()
    week = last_week(monday.date())
    assert (week.start.weekday(), week.days) == (0, 7)

    def on(day: dt.date, **changes: Any) -> dict[str, Any]:
        return flash(occurred_at=f"{day.isoformat()}T09:00:00+02:00", tlp="amber", **changes)

    for report in (
        on(week.start + dt.timedelta(days=1), category="shooting"),
        on(week.start + dt.timedelta(days=4), category="armed_robbery", area="CD6103"),
        on(week.start + dt.timedelta(days=5), category="armed_robbery"),
        on(week.start - dt.timedelta(days=3), category="shooting"),  # the week before
    ):
        publish(client, w.a, {**report, "audience": {"organisations": [w.b.id]}})
    dispatcher.run_once(scene.now)  # the alerts of those reports, out of the way
    handler.received.clear()
    sms_before = len(new_sms(state, scene))

    policy = default_policy()
    # Not yet 06:00 in Lubumbashi, and not on Tuesday: nothing.
    assert weekly_reports(db_session, now=monday - dt.timedelta(hours=1), policy=policy) == 0
    assert weekly_reports(db_session, now=monday + dt.timedelta(days=1), policy=policy) == 0
    assert weekly_reports(db_session, now=monday, policy=policy) == 1
    # A second sweep in the same hour finds the event it made.
    weekly_reports(db_session, now=monday, policy=policy)
    events = select(func.count()).select_from(AlertEvent).where(AlertEvent.kind == "weekly_report")
    assert db_session.scalar(events) == 1

    dispatcher.run_once(monday)
    [message] = handler.received
    assert message.rcpt_tos == [liaison.email]
    assert len(new_sms(state, scene)) == sms_before  # by email only
    subject = _subject(message.data)
    assert "Rapport de sécurité hebdomadaire" in subject
    assert "(CD61)" in subject
    text = _text(message.data)
    assert "Incidents   : 3, en hausse de 2 (+200 %)" in text, text
    assert "Vol à main armée : 2" in text, text
    assert "girafe bleue" in text  # the liaison's anti-phishing phrase
    link = re.search(r"http://testserver(/areas/CD61/report\?[^\s]+)", text)
    assert link is not None, text
    assert link.group(1) == f"/areas/CD61/report?from={week.start}&to={week.end}"

    # The link opens the page of that week for the liaison, with the same figures.
    FOLLOWED.clear()
    people = {liaison.email: (liaison.email, "fr")}
    assert _check_mail_keep(handler, browser, people) >= 1
    assert "/areas/CD61/report" in FOLLOWED
    page = browser(liaison.email, "fr").get(link.group(1))
    assert "<strong>3 incidents</strong>" in page.text
    sent = db_session.scalar(select(AlertDelivery).where(AlertDelivery.kind == "weekly_report"))
    assert sent is not None
    assert (sent.status, sent.channel) == ("sent", "email")


def _check_mail_keep(handler: Any, browser: Browser, people: dict[str, tuple[str, str]]) -> int:
    return _check_mail(handler, browser, people, set())


def test_the_liaison_page_offers_the_weekly_report(
    client: TestClient, browser: Browser, scene: Scene
) -> None:
    page = browser(scene.liaison.email, "en")
    form = page.get("/liaison")
    assert 'name="weekly_report"' in form.text
    designate(
        client,
        scene.liaison,
        areas=["CD61"],
        channels={"email": None},
        timezone=ZONE,
        weekly_report=True,
    )
    shown = page.get("/liaison")
    assert 'href="/areas/CD61/report"' in shown.text
    assert 'name="weekly_report" value="yes" checked' in shown.text
