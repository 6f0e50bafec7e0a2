"""Adversarial review of the weekly report by email (the option on /liaison): its figures
follow the same TLP:RED rule as the page, and it stops with the person."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.models import AlertEvent
from hub.actors import CONSOLE
from hub.members import service as members
from hub.members.models import Role
from hub.periodic.weekly import last_week, weekly_reports
from policies import default_policy
from tests.hub.factories import login, make_member
from tests.hub.pages import Browser, csrf
from tests.hub.reports.factories import API, Party, World, flash, publish

ZONE = "Africa/Lubumbashi"  # 06:00 there is 04:00 UTC all year


def _monday() -> dt.datetime:
    today = dt.datetime.now(dt.UTC).date()
    monday = today - dt.timedelta(days=today.weekday())
    return dt.datetime.combine(monday, dt.time(4), tzinfo=dt.UTC)


def _liaison(db_session: Session, client: TestClient, party: Party) -> tuple[str, dict[str, str]]:
    created = make_member(db_session, party.org, roles=(Role.LIAISON,))
    headers = login(client, created.member.email)
    saved = client.put(
        f"{API}/liaison",
        json={
            "anti_phishing_phrase": "girafe bleue",
            "language": "fr",
            "areas": ["CD61"],
            "channels": {"email": None},
            "timezone": ZONE,
            "weekly_report": True,
        },
        headers=headers,
    )
    assert saved.status_code == 200, saved.text
    return created.member.id, headers


def _weekly_facts(db_session: Session) -> list[dict[str, Any]]:
    rows = db_session.scalars(select(AlertEvent).where(AlertEvent.kind == "weekly_report"))
    return [json.loads(r.facts) if isinstance(r.facts, str) else r.facts for r in rows]


def test_the_weekly_figures_leave_out_a_red_report_not_held(
    db_session: Session, client: TestClient, w: World
) -> None:
    monday = _monday()
    week = last_week(monday.date())
    day = week.start + dt.timedelta(days=2)
    _liaison(db_session, client, w.c)
    publish(client, w.a, flash(occurred_at=f"{day}T09:00:00+02:00", tlp="amber"))
    publish(
        client,
        w.a,
        {
            **flash(occurred_at=f"{day}T10:00:00+02:00", category="sexual_violence"),
            "tlp": "red",
            "audience": {"organisations": [w.b.id]},
        },
    )
    assert weekly_reports(db_session, now=monday, policy=default_policy()) == 1
    [facts] = _weekly_facts(db_session)
    text = json.dumps(facts)
    assert '"total": 1' in text, text
    assert "sexual_violence" not in text


def test_a_removed_liaison_gets_no_weekly_report(
    db_session: Session, client: TestClient, w: World
) -> None:
    """FINDING: removing a member left their liaison designation, and the weekly sweep kept
    writing them the area's figures every Monday (as their former organisation counts them,
    TLP:RED included)."""
    member_id, _headers = _liaison(db_session, client, w.c)
    members.remove_member(db_session, actor=CONSOLE, member_id=member_id)
    assert weekly_reports(db_session, now=_monday(), policy=default_policy()) == 0
    assert _weekly_facts(db_session) == []


def test_the_weekly_option_refuses_a_zone_that_is_not_one(
    db_session: Session, client: TestClient, browser: Browser, w: World
) -> None:
    created = make_member(db_session, w.b.org, roles=(Role.LIAISON,))
    headers = login(client, created.member.email)
    for zone in ("Mars/Olympus_Mons", "../../etc/passwd", "UTC\r\nBcc: x@example.org", "Z" * 500):
        refused = client.put(
            f"{API}/liaison",
            json={
                "anti_phishing_phrase": "girafe bleue",
                "areas": ["CD61"],
                "channels": {"email": None},
                "timezone": zone,
                "weekly_report": True,
            },
            headers=headers,
        )
        assert refused.status_code == 422, (zone[:20], refused.text)
        assert refused.headers["content-type"].startswith("application/problem+json")
    page = browser(created.member.email)
    form = page.get("/liaison")
    posted = page.post(
        "/liaison",
        data={
            "csrf_token": csrf(form.text),
            "areas": "CD61",
            "channels": "email",
            "timezone": "Mars/Olympus_Mons",
            "weekly_report": "on",
            "anti_phishing_phrase": "girafe bleue",
        },
    )
    assert posted.status_code == 422
    assert 'aria-describedby="timezone-error"' in posted.text
