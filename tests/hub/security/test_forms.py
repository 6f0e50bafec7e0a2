"""Adversarial review of today's pages: CSRF on every state-changing form, markup and calendar
injection through a briefing's place and agenda, very long and out-of-range input (a 4xx with
the reason, never a 500), a time zone the hub does not know."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.briefings import CalendarEvent, calendar
from alerts.facts import AlertFacts, AlertKind, BriefingFacts, Recipient
from alerts.render import render_alert
from hub.areas.models import Area
from hub.audit.models import AuditEntry
from hub.briefings.models import Briefing, BriefingInvitation, BriefingSeries
from hub.directory.models import DirectoryEntry
from hub.members.models import Member, Role
from policies.vocabulary import Lang as Language
from tests.hub.factories import current_code, make_member, make_organisation
from tests.hub.pages import Browser, csrf
from tests.hub.reports.factories import API, World

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _coordinator(db_session: Session, browser: Browser, lang: str = "en") -> TestClient:
    org = make_organisation(db_session, name="UNDSS coordination")
    created = make_member(db_session, org, roles=(Role.COORDINATOR, Role.FOCAL_POINT))
    assert created.totp_secret is not None
    return browser(created.member.email, lang=lang, totp=current_code(created.totp_secret))


def _operator(db_session: Session, browser: Browser) -> TestClient:
    org = make_organisation(db_session, name="Hub operations")
    created = make_member(db_session, org, roles=(Role.OPERATOR,))
    assert created.totp_secret is not None
    return browser(created.member.email, totp=current_code(created.totp_secret))


def _count(db_session: Session, model: type) -> int:
    db_session.expire_all()
    return int(db_session.scalar(select(func.count()).select_from(model)) or 0)


# --- CSRF: a missing or wrong token refuses, and nothing changes ------------------------------


@pytest.mark.parametrize("token", [None, "", "forged-token", "WRONG"])
def test_briefing_forms_refuse_without_their_csrf_token(
    db_session: Session, browser: Browser, w: World, token: str | None
) -> None:
    coordinator = _coordinator(db_session, browser)
    page = coordinator.get("/briefings")
    good = csrf(page.text)
    made = coordinator.post(
        "/briefings",
        data={"csrf_token": good, "area": "CD61", "starts_at": "2099-03-03 10:00"},
        follow_redirects=False,
    )
    assert made.status_code == 303
    briefing_id = made.headers["location"].split("/")[2].split("?")[0]
    before = _count(db_session, Briefing)
    focal = browser(w.a.email)
    posts = [
        (coordinator, "/briefings", {"area": "CD61", "starts_at": "2099-04-04 10:00"}),
        (coordinator, f"/briefings/{briefing_id}/minutes", {"text": "Compte rendu"}),
        (focal, f"/briefings/{briefing_id}/answer", {"answer": "yes"}),
        (focal, "/account/directory", {"show": "name"}),
        (focal, "/account/directory/remove", {}),
    ]
    for who, path, data in posts:
        if token is not None:
            data = {**data, "csrf_token": token}
        refused = who.post(path, data=data, follow_redirects=False)
        assert refused.status_code == 403, (path, refused.status_code)
        assert "text/html" in refused.headers["content-type"]
    assert _count(db_session, Briefing) == before
    assert _count(db_session, DirectoryEntry) == 0
    answered = db_session.scalars(
        select(BriefingInvitation.answer).where(BriefingInvitation.answer.is_not(None))
    ).all()
    assert answered == []


def test_a_csrf_token_of_another_session_is_refused(
    db_session: Session, browser: Browser, w: World
) -> None:
    """A token is bound to its login session: B's own valid token does not work in A's."""
    a, b = browser(w.a.email), browser(w.b.email)
    token_b = csrf(b.get("/account/directory").text)
    a.get("/account/directory")
    refused = a.post(
        "/account/directory", data={"csrf_token": token_b, "show": "name"}, follow_redirects=False
    )
    assert refused.status_code == 403
    assert _count(db_session, DirectoryEntry) == 0


def test_series_decisions_refuse_without_a_csrf_token(
    db_session: Session, browser: Browser, client: TestClient, w: World
) -> None:
    coordinator = _coordinator(db_session, browser)
    area = coordinator.get("/areas/CD61")
    coordinator.post(
        "/areas/CD61/risk",
        data={"csrf_token": csrf(area.text), "risk": "high", "reason": "Affrontements"},
    )
    series = db_session.scalar(select(BriefingSeries))
    assert series is not None
    for decision in ("confirm", "move", "cancel"):
        refused = coordinator.post(
            f"/briefing-series/{series.id}/{decision}",
            data={"csrf_token": "nope", "weekday": "monday", "time": "09:00"},
            follow_redirects=False,
        )
        assert refused.status_code == 403
    db_session.refresh(series)
    assert str(series.status) == "proposed"
    assert series.weekday == "tuesday"


def test_verify_now_and_the_liaison_form_refuse_without_a_csrf_token(
    db_session: Session, browser: Browser, w: World
) -> None:
    operator = _operator(db_session, browser)
    operator.get("/operator/audit")
    before = _count(db_session, AuditEntry)
    refused = operator.post("/operator/audit/verify", data={}, follow_redirects=False)
    assert refused.status_code == 403
    assert _count(db_session, AuditEntry) == before
    focal = browser(w.a.email)
    focal.get("/liaison")
    before = _count(db_session, AuditEntry)  # the login is audited
    liaison = focal.post(
        "/liaison",
        data={"csrf_token": "x", "areas": "CD61", "weekly_report": "on"},
        follow_redirects=False,
    )
    assert liaison.status_code == 403
    assert _count(db_session, AuditEntry) == before


# --- who may see the operator's pages ---------------------------------------------------------


def test_operator_pages_are_for_operators_only(
    db_session: Session, browser: Browser, client: TestClient, w: World
) -> None:
    committee_org = make_organisation(db_session, name="Comité de supervision")
    created = make_member(db_session, committee_org, roles=(Role.COMMITTEE, Role.COORDINATOR))
    assert created.totp_secret is not None
    committee = browser(created.member.email, totp=current_code(created.totp_secret))
    focal = browser(w.a.email)
    for who in (committee, focal):
        for path in (
            "/operator/audit",
            f"/operator/audit?who={w.b.email}",
            f"/operator/audit?organisation={w.b.id}",
            "/operator/health",
        ):
            refused = who.get(path)
            assert refused.status_code == 403, path
            assert w.b.email not in refused.text
        assert who.post("/operator/audit/verify", data={}).status_code == 403
    anonymous = client.get("/operator/audit", follow_redirects=False)
    assert anonymous.status_code in (303, 401)
    assert "/login" in anonymous.headers.get("location", "/login")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("until=9999-12-31", "until"),
        ("since=9999-12-31", "since"),
        ("since=2026-01-01&until=9999-12-31", "until"),
    ],
)
def test_audit_filters_at_the_ends_of_the_calendar_are_a_form_error(
    db_session: Session, browser: Browser, query: str, field: str
) -> None:
    """FINDING: `until=9999-12-31` made the page add a day past the last date Python knows
    (OverflowError, a 500)."""
    operator = _operator(db_session, browser)
    page = operator.get(f"/operator/audit?{query}")
    assert page.status_code == 200, page.status_code  # the page shows the error by the field
    assert f'id="f-{field}" name="{field}"' in page.text
    assert 'aria-invalid="true" aria-describedby="' + field + '-error"' in page.text


def test_audit_filter_at_the_calendars_first_day_is_answered(
    db_session: Session, browser: Browser
) -> None:
    operator = _operator(db_session, browser)
    page = operator.get("/operator/audit?since=0001-01-01")
    assert page.status_code == 200
    assert 'aria-invalid="true"' not in page.text


def test_audit_filters_too_long_are_refused_not_a_500(
    db_session: Session, browser: Browser
) -> None:
    operator = _operator(db_session, browser)
    page = operator.get("/operator/audit", params={"who": "x" * 5000})
    assert 400 <= page.status_code < 500
    assert "text/html" in page.headers["content-type"]


# --- injection through a briefing's place and agenda ------------------------------------------


def test_markup_in_place_and_agenda_is_shown_as_text_on_the_pages(
    db_session: Session, browser: Browser, w: World
) -> None:
    coordinator = _coordinator(db_session, browser)
    page = coordinator.get("/briefings")
    made = coordinator.post(
        "/briefings",
        data={
            "csrf_token": csrf(page.text),
            "area": "CD61",
            "starts_at": "2099-03-03 10:00",
            "place": XSS,
            "agenda": XSS,
        },
    )
    assert made.status_code == 200
    for shown in (made, browser(w.a.email).get("/briefings"), coordinator.get("/briefings")):
        assert "<script>" not in shown.text
        assert "onerror=alert" not in shown.text.replace("onerror=alert(1)&gt;", "")
    assert "&lt;script&gt;" in made.text


def _briefing_facts(place: str, agenda: str) -> BriefingFacts:
    return BriefingFacts(
        area_code="CD61",
        area_name="Nord-Kivu",
        starts_at=dt.datetime(2099, 3, 3, 8, 0, tzinfo=dt.UTC),
        timezone="Africa/Lubumbashi",
        duration_minutes=60,
        place=place,
        agenda=agenda,
        organiser="Amina <b>Diallo</b>",
    )


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_markup_in_place_and_agenda_is_text_in_the_invitation_email(lang: Language) -> None:
    facts = AlertFacts(
        kind=AlertKind.BRIEFING_INVITATION,
        event_id="e1",
        link="https://hub.example/b/abcdefghijklmnop",
        briefing=_briefing_facts(XSS, XSS + "\nBcc: evil@example.org"),
    )
    rendered = render_alert(
        facts, Recipient(name="Jean", language=lang, anti_phishing_phrase="Kivu")
    )
    assert "<script>" not in rendered.html
    assert "<img" not in rendered.html
    assert "<b>Diallo" not in rendered.html
    assert "&lt;script&gt;" in rendered.html
    assert "\n" not in rendered.subject
    assert "\r" not in rendered.subject


def test_line_breaks_in_place_and_agenda_cannot_add_calendar_properties() -> None:
    """CRLF in a place, agenda or name stays inside its property: no second ATTENDEE, no
    second VEVENT, no METHOD change in the invitation's .ics."""
    event = CalendarEvent(
        uid="b1@slthub",
        sequence=0,
        starts_at=dt.datetime(2099, 3, 3, 8, 0, tzinfo=dt.UTC),
        duration=dt.timedelta(hours=1),
        timezone="Africa/Lubumbashi",
        summary="Briefing\r\nMETHOD:CANCEL",
        place="Salle 1\r\nATTENDEE;CN=Evil:mailto:evil@example.org",
        agenda="Point 1\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil",
        organiser_email="hub@example.org",
        organiser_name='Amina "Diallo";ROLE=CHAIR:x\r\nX-EVIL:1',
        attendee_email="jb@example.org",
        attendee_name="Jean\r\nATTENDEE:mailto:evil2@example.org",
        link="https://hub.example/b/abcdefghijklmnop",
        stamp=dt.datetime(2026, 12, 5, tzinfo=dt.UTC),
    )
    raw = calendar(event)
    parsed = icalendar.Calendar.from_ical(raw)
    assert str(parsed["METHOD"]) == "REQUEST"
    events = [c for c in parsed.walk("VEVENT")]
    assert len(events) == 1
    attendees = events[0].get("ATTENDEE")
    assert not isinstance(attendees, list)
    assert str(attendees) == "mailto:jb@example.org"
    assert "evil" not in str(events[0]["UID"])
    assert "X-EVIL" not in events[0]
    unfolded = raw.replace(b"\r\n ", b"")
    for line in unfolded.split(b"\r\n"):
        assert not line.startswith((b"ATTENDEE;CN=Evil", b"ATTENDEE:mailto:evil", b"UID:evil"))


# --- long input, odd times --------------------------------------------------------------------


def test_over_long_briefing_fields_are_a_422_problem_and_a_form_error(
    db_session: Session, browser: Browser, client: TestClient, w: World
) -> None:
    coordinator = _coordinator(db_session, browser)
    page = coordinator.get("/briefings")
    form = coordinator.post(
        "/briefings",
        data={
            "csrf_token": csrf(page.text),
            "area": "CD61",
            "starts_at": "2099-03-03 10:00",
            "place": "p" * 2001,
        },
    )
    assert form.status_code == 422
    assert 'aria-invalid="true"' in form.text
    huge = coordinator.post(
        "/briefings",
        data={"csrf_token": csrf(page.text), "area": "CD61", "agenda": "a" * 100_000},
    )
    assert 400 <= huge.status_code < 500
    assert _count(db_session, Briefing) == 0


@pytest.mark.parametrize(
    "body",
    [
        {"area": "CD61", "starts_at": "2099-03-03T10:00", "place": "p" * 2001},
        {"area": "CD61", "starts_at": "2099-03-03T10:00", "agenda": "a" * 4001},
        {"area": "CD61" * 1000, "starts_at": "2099-03-03T10:00"},
        {"area": "CD61", "starts_at": "9999-12-31T23:59"},
        {"area": "CD61", "starts_at": "2099-03-03T10:00", "duration_minutes": 10**12},
        {"area": "CD61", "starts_at": "2099-03-03T10:00+99:00"},
    ],
)
def test_odd_briefing_requests_are_a_422_problem(
    db_session: Session, client: TestClient, w: World, body: dict[str, object]
) -> None:
    org = make_organisation(db_session, name="UNDSS api")
    created = make_member(db_session, org, roles=(Role.COORDINATOR,))
    assert created.totp_secret is not None
    from tests.hub.factories import login

    headers = login(client, created.member.email, totp=current_code(created.totp_secret))
    refused = client.post(f"{API}/briefings", json=body, headers=headers)
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["errors"]


def test_an_area_with_a_time_zone_the_hub_does_not_know_falls_back(
    db_session: Session, client: TestClient, w: World
) -> None:
    """FINDING: an area whose stored zone is not an IANA name (a typo in an import or by
    hand) made scheduling a briefing there a 500; the nearest valid zone above it applies."""
    area = db_session.get(Area, "CD61")
    assert area is not None
    area.timezone = "Africa/Goma"  # no such zone
    db_session.commit()
    org = make_organisation(db_session, name="UNDSS zones")
    created = make_member(db_session, org, roles=(Role.COORDINATOR,))
    assert created.totp_secret is not None
    from tests.hub.factories import login

    headers = login(client, created.member.email, totp=current_code(created.totp_secret))
    made = client.post(
        f"{API}/briefings", json={"area": "CD61", "starts_at": "2099-03-03T10:00"}, headers=headers
    )
    assert made.status_code == 201, made.text
    assert made.json()["timezone"] == "Africa/Lubumbashi"  # the DRC east's default
    assert made.json()["local_start"] == "2099-03-03 10:00"
    assert w.a.id  # the world's partners are there to be invited
    members_invited = db_session.scalar(
        select(func.count()).select_from(BriefingInvitation).join(Member)
    )
    assert members_invited == 3


def test_a_briefing_in_a_dst_gap_is_read_as_calendars_read_it(
    db_session: Session, client: TestClient, w: World
) -> None:
    """2099-03-08 02:30 does not exist in New York; the area's wall clock is read with the
    offset before the gap (RFC 5545), and the page shows a time that exists."""
    area = db_session.get(Area, "CD61")
    assert area is not None
    area.timezone = "America/New_York"
    db_session.commit()
    org = make_organisation(db_session, name="UNDSS dst")
    created = make_member(db_session, org, roles=(Role.COORDINATOR,))
    assert created.totp_secret is not None
    from tests.hub.factories import login

    headers = login(client, created.member.email, totp=current_code(created.totp_secret))
    made = client.post(
        f"{API}/briefings", json={"area": "CD61", "starts_at": "2099-03-08T02:30"}, headers=headers
    )
    assert made.status_code == 201, made.text
    assert made.json()["starts_at"].startswith("2099-03-08T07:30")
    assert made.json()["local_start"] == "2099-03-08 03:30"


@pytest.mark.parametrize(
    "cursor",
    [
        "a1.LTU",
        "a1.OTIyMzM3MjAzNjg1NDc3NTgwOA",
        "a1.%%%",
        "a1.MCBPUiAxPTE",
        "zzz",
        "a1." + "A" * 37,
    ],
)
def test_a_forged_audit_cursor_is_a_message_not_a_500(
    db_session: Session, browser: Browser, cursor: str
) -> None:
    operator = _operator(db_session, browser)
    page = operator.get("/operator/audit", params={"cursor": cursor})
    assert page.status_code == 200
    assert "start again from the newest" in page.text
