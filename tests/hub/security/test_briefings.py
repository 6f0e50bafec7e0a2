"""Adversarial review of the briefings (issue 15): every route as every role. Each test is an
attack; those that found a hole were written failing first, the others are the regression net
that keeps the refusals in place."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.briefings import rsvp_token
from hub.actors import CONSOLE
from hub.alerting.wiring import alert_secret
from hub.briefings.models import Answer, Briefing, BriefingInvitation, BriefingStatus
from hub.config import Settings
from hub.members import service as members
from hub.members.models import Member, Role
from hub.organisations import service as organisations
from tests.hub.factories import current_code, login, make_member, make_organisation
from tests.hub.pages import Browser, csrf
from tests.hub.reports.factories import API, Party, World


@dataclass
class Meeting:
    id: str
    coordinator: dict[str, str]
    coordinator_email: str
    coordinator_totp: str


def _coordinator(db_session: Session, client: TestClient) -> tuple[dict[str, str], str, str]:
    undss = make_organisation(db_session, name="UNDSS securite")
    created = make_member(db_session, undss, roles=(Role.COORDINATOR, Role.FOCAL_POINT))
    assert created.totp_secret is not None
    headers = login(client, created.member.email, totp=current_code(created.totp_secret))
    return headers, created.member.email, created.totp_secret


def _schedule(client: TestClient, headers: dict[str, str], **changes: object) -> dict[str, object]:
    body: dict[str, object] = {"area": "CD61", "starts_at": "2099-03-03T10:00"}
    body.update(changes)
    made = client.post(f"{API}/briefings", json=body, headers=headers)
    assert made.status_code == 201, made.text
    return made.json()  # type: ignore[no-any-return]


@pytest.fixture
def meeting(db_session: Session, client: TestClient, w: World) -> Meeting:
    headers, email, totp = _coordinator(db_session, client)
    made = _schedule(client, headers, place="Salle OCHA", agenda="Axe Goma-Rutshuru")
    assert made["invited"] == 3  # the focal points of A, B and C; not the outsider
    return Meeting(str(made["id"]), headers, email, totp)


def _invitation(db_session: Session, briefing_id: str, who: Party) -> BriefingInvitation:
    found = db_session.scalar(
        select(BriefingInvitation)
        .join(Member, Member.id == BriefingInvitation.member_id)
        .where(BriefingInvitation.briefing_id == briefing_id, Member.email == who.email)
    )
    assert found is not None
    return found


def _token(db_session: Session, settings: Settings, briefing_id: str, who: Party) -> str:
    return rsvp_token(alert_secret(settings), _invitation(db_session, briefing_id, who).id)


def _answer_of(db_session: Session, briefing_id: str, who: Party) -> Answer | None:
    invitation = _invitation(db_session, briefing_id, who)
    db_session.refresh(invitation)
    return invitation.answer


# --- reading a briefing: IDOR ----------------------------------------------------------------


def test_a_briefing_is_not_found_by_whoever_is_not_invited(
    client: TestClient, w: World, meeting: Meeting
) -> None:
    api = client.get(f"{API}/briefings/{meeting.id}", headers=w.outsider.headers)
    assert api.status_code == 404
    assert api.headers["content-type"].startswith("application/problem+json")
    assert "Salle OCHA" not in api.text
    listed = client.get(f"{API}/areas/CD61/briefings", headers=w.outsider.headers)
    assert listed.status_code == 200
    assert listed.json() == []
    assert client.get(f"{API}/briefings/{meeting.id}", headers=w.a.headers).status_code == 200


def test_the_briefing_series_and_their_call_details_are_for_coordinators(
    db_session: Session, client: TestClient, w: World
) -> None:
    """FINDING: GET /api/v1/briefing-series answered every logged-in member with every
    area's series — place (call link) and agenda included — while the page shows them to
    coordinators only. A focal point working elsewhere read North Kivu's call details."""
    headers, _email, _totp = _coordinator(db_session, client)
    area = client.put(
        f"{API}/areas/CD61/risk", json={"risk": "high", "reason": "Affrontements"}, headers=headers
    )
    assert area.status_code in (200, 201), area.text
    [series] = client.get(f"{API}/briefing-series", headers=headers).json()
    moved = client.put(
        f"{API}/briefing-series/{series['id']}",
        json={"weekday": "tuesday", "time": "10:00", "place": "https://meet.example/secret"},
        headers=headers,
    )
    assert moved.status_code == 200, moved.text
    for party in (w.outsider, w.a):
        refused = client.get(f"{API}/briefing-series", headers=party.headers)
        assert refused.status_code == 403, refused.text
        assert "meet.example" not in refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")


# --- the answer link -------------------------------------------------------------------------


def test_a_token_answers_for_its_own_invitee_only(
    db_session: Session, client: TestClient, settings: Settings, w: World, meeting: Meeting
) -> None:
    token_a = _token(db_session, settings, meeting.id, w.a)
    assert len(token_a) >= 24  # at least 144 bits of an HMAC, URL-safe
    shown = client.get(f"/b/{token_a}")
    assert shown.status_code == 200
    assert _answer_of(db_session, meeting.id, w.a) is None  # a GET changes nothing
    assert client.post(f"/b/{token_a}", data={"answer": "yes"}).status_code == 200
    assert _answer_of(db_session, meeting.id, w.a) is Answer.YES
    assert _answer_of(db_session, meeting.id, w.b) is None
    # Replaying it only says the same thing again; changing one's mind is allowed.
    assert client.post(f"/b/{token_a}", data={"answer": "yes"}).status_code == 200
    assert client.post(f"/b/{token_a}", data={"answer": "no"}).status_code == 200
    assert _answer_of(db_session, meeting.id, w.a) is Answer.NO


@pytest.mark.parametrize(
    "token",
    [
        secrets.token_urlsafe(32),
        "x" * 9,
        "y" * 65,
        "abc%0d%0aSet-Cookie:%20x=1aaaaa",
    ],
)
def test_an_unknown_or_malformed_token_is_not_found(
    client: TestClient, meeting: Meeting, token: str
) -> None:
    assert client.get(f"/b/{token}").status_code == 404
    assert client.post(f"/b/{token}", data={"answer": "yes"}).status_code == 404


def test_a_token_made_with_another_secret_is_not_found(
    db_session: Session, client: TestClient, w: World, meeting: Meeting
) -> None:
    invitation = _invitation(db_session, meeting.id, w.a)
    forged = rsvp_token(b"\x00" * 32, invitation.id)
    assert client.post(f"/b/{forged}", data={"answer": "yes"}).status_code == 404
    assert _answer_of(db_session, meeting.id, w.a) is None


def test_a_token_of_a_cancelled_briefing_records_nothing(
    db_session: Session, client: TestClient, settings: Settings, w: World, meeting: Meeting
) -> None:
    token = _token(db_session, settings, meeting.id, w.a)
    briefing = db_session.get(Briefing, meeting.id)
    assert briefing is not None
    briefing.status = BriefingStatus.CANCELLED
    db_session.commit()
    assert client.post(f"/b/{token}", data={"answer": "yes"}).status_code == 409
    assert _answer_of(db_session, meeting.id, w.a) is None


def test_a_token_of_a_removed_member_no_longer_works(
    db_session: Session, client: TestClient, settings: Settings, w: World, meeting: Meeting
) -> None:
    """FINDING: the answer link kept working for a member removed from their organisation —
    it showed the (moved) briefing's place and agenda and recorded a yes that made their
    former organisation an attendee, to which the minutes are then sealed."""
    token = _token(db_session, settings, meeting.id, w.a)
    member = members.find_member(db_session, w.a.email)
    members.remove_member(db_session, actor=CONSOLE, member_id=member.id)
    page = client.get(f"/b/{token}")
    assert page.status_code == 404
    assert "Salle OCHA" not in page.text
    assert client.post(f"/b/{token}", data={"answer": "yes"}).status_code == 404
    assert _answer_of(db_session, meeting.id, w.a) is None


def test_a_token_of_a_suspended_organisation_no_longer_works(
    db_session: Session, client: TestClient, settings: Settings, w: World, meeting: Meeting
) -> None:
    """FINDING: a member of a suspended organisation, refused everywhere else, still read the
    briefing and answered through the link (which needs no login)."""
    token = _token(db_session, settings, meeting.id, w.b)
    organisations.suspend_organisation(db_session, actor=CONSOLE, organisation_id=w.b.id)
    page = client.get(f"/b/{token}")
    assert page.status_code == 404
    assert "Salle OCHA" not in page.text
    assert client.post(f"/b/{token}", data={"answer": "yes"}).status_code == 404
    assert _answer_of(db_session, meeting.id, w.b) is None


def _end(db_session: Session, briefing_id: str) -> None:
    briefing = db_session.get(Briefing, briefing_id)
    assert briefing is not None
    briefing.starts_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    db_session.commit()


def test_nobody_joins_the_attendees_after_the_briefing(
    db_session: Session, client: TestClient, settings: Settings, w: World, meeting: Meeting
) -> None:
    """FINDING: the link refused an answer once the briefing was over, but the API and the
    briefing's page did not: an organisation that stayed away said "yes" afterwards and the
    minutes were sealed to it."""
    token = _token(db_session, settings, meeting.id, w.c)
    assert client.post(f"/b/{token}", data={"answer": "yes"}).status_code == 200  # before
    _end(db_session, meeting.id)
    late = client.post(
        f"{API}/briefings/{meeting.id}/answer", json={"attending": True}, headers=w.b.headers
    )
    assert late.status_code == 409, late.text
    assert late.headers["content-type"].startswith("application/problem+json")
    assert client.post(f"/b/{token}", data={"answer": "no"}).status_code == 409
    published = client.post(
        f"{API}/briefings/{meeting.id}/minutes",
        json={"text": "Compte rendu"},
        headers=meeting.coordinator,
    )
    assert published.status_code == 201, published.text
    assert published.json()["organisations"] == [w.c.id]
    report = published.json()["report_id"]
    assert client.get(f"{API}/reports/{report}", headers=w.b.headers).status_code == 404
    assert client.get(f"{API}/reports/{report}", headers=w.c.headers).status_code == 200


def test_a_late_answer_on_the_page_is_refused(
    db_session: Session, browser: Browser, w: World, meeting: Meeting
) -> None:
    page = browser(w.b.email)
    shown = page.get(f"/briefings/{meeting.id}")
    assert shown.status_code == 200
    _end(db_session, meeting.id)
    late = page.post(
        f"/briefings/{meeting.id}/answer", data={"csrf_token": csrf(shown.text), "answer": "yes"}
    )
    assert late.status_code == 409
    assert "text/html" in late.headers["content-type"]
    assert _answer_of(db_session, meeting.id, w.b) is None


def test_minutes_are_not_sealed_to_an_organisation_suspended_after_saying_yes(
    db_session: Session, client: TestClient, settings: Settings, w: World, meeting: Meeting
) -> None:
    for who in (w.a, w.b):
        token = _token(db_session, settings, meeting.id, who)
        assert client.post(f"/b/{token}", data={"answer": "yes"}).status_code == 200
    organisations.suspend_organisation(db_session, actor=CONSOLE, organisation_id=w.b.id)
    published = client.post(
        f"{API}/briefings/{meeting.id}/minutes",
        json={"text": "Compte rendu"},
        headers=meeting.coordinator,
    )
    assert published.status_code == 201, published.text
    assert w.b.id not in published.json()["organisations"]
    from hub.reports.models import ReportWrap

    wrapped = set(
        db_session.scalars(
            select(ReportWrap.organisation_id).where(
                ReportWrap.report_id == published.json()["report_id"]
            )
        )
    )
    assert w.b.id not in wrapped
    assert w.a.id in wrapped


def test_a_second_publisher_does_not_replace_the_minutes(
    db_session: Session, client: TestClient, settings: Settings, w: World, meeting: Meeting
) -> None:
    """FINDING: the publication is idempotent per member only, and the API did not look
    whether the briefing already had minutes: the focal point of another attending
    organisation published a second report, and the briefing's link then pointed to it."""
    for who in (w.a, w.c):
        token = _token(db_session, settings, meeting.id, who)
        assert client.post(f"/b/{token}", data={"answer": "yes"}).status_code == 200
    first = client.post(
        f"{API}/briefings/{meeting.id}/minutes",
        json={"text": "Compte rendu officiel"},
        headers=meeting.coordinator,
    )
    assert first.status_code == 201, first.text
    again = client.post(
        f"{API}/briefings/{meeting.id}/minutes", json={"text": "autre"}, headers=meeting.coordinator
    )
    assert again.status_code == 201
    assert again.json()["report_id"] == first.json()["report_id"]  # a retry: the same report
    second = client.post(
        f"{API}/briefings/{meeting.id}/minutes",
        json={"text": "Version concurrente"},
        headers=w.c.headers,
    )
    assert second.status_code == 409, second.text
    assert second.headers["content-type"].startswith("application/problem+json")
    shown = client.get(f"{API}/briefings/{meeting.id}", headers=w.a.headers).json()
    assert shown["minutes_report_id"] == first.json()["report_id"]
    from hub.reports.models import Report

    assert (
        db_session.scalar(
            select(func.count()).select_from(Report).where(Report.type == "meeting_minutes")
        )
        == 1
    )


def test_a_focal_point_without_keys_cannot_publish_minutes_and_gets_a_reason(
    db_session: Session, client: TestClient, settings: Settings, w: World, meeting: Meeting
) -> None:
    token = _token(db_session, settings, meeting.id, w.a)
    assert client.post(f"/b/{token}", data={"answer": "yes"}).status_code == 200
    created = make_member(db_session, w.a.org, roles=(Role.FOCAL_POINT,))
    headers = login(client, created.member.email)  # keys not granted yet
    refused = client.post(
        f"{API}/briefings/{meeting.id}/minutes", json={"text": "Compte rendu"}, headers=headers
    )
    assert 400 <= refused.status_code < 500, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    shown = client.get(f"{API}/briefings/{meeting.id}", headers=w.a.headers).json()
    assert shown["minutes_report_id"] is None


def test_after_a_move_the_same_link_answers_the_moved_briefing_afresh(
    db_session: Session, client: TestClient, settings: Settings, w: World
) -> None:
    headers, _email, _totp = _coordinator(db_session, client)
    raised = client.put(
        f"{API}/areas/CD61/risk", json={"risk": "high", "reason": "Affrontements"}, headers=headers
    )
    assert raised.status_code in (200, 201), raised.text
    [series] = client.get(f"{API}/briefing-series", headers=headers).json()
    confirmed = client.post(f"{API}/briefing-series/{series['id']}/confirm", headers=headers)
    assert confirmed.status_code == 200, confirmed.text
    [briefing] = client.get(f"{API}/areas/CD61/briefings", headers=w.a.headers).json()
    token = _token(db_session, settings, briefing["id"], w.a)
    assert client.post(f"/b/{token}", data={"answer": "yes"}).status_code == 200
    moved = client.put(
        f"{API}/briefing-series/{series['id']}",
        json={"weekday": "thursday", "time": "15:00", "place": "Nouvelle salle"},
        headers=headers,
    )
    assert moved.status_code == 200, moved.text
    assert _answer_of(db_session, briefing["id"], w.a) is None  # earlier answers no longer hold
    page = client.get(f"/b/{token}")
    assert page.status_code == 200
    assert "Nouvelle salle" in page.text
    assert client.post(f"/b/{token}", data={"answer": "no"}).status_code == 200
    assert _answer_of(db_session, briefing["id"], w.a) is Answer.NO


@pytest.mark.parametrize(
    "roles", [(Role.FOCAL_POINT,), (Role.LIAISON,), (Role.COMMITTEE,), (Role.OPERATOR,)]
)
def test_only_coordinators_schedule_and_decide(
    db_session: Session, client: TestClient, w: World, roles: tuple[Role, ...]
) -> None:
    coordinator, _email, _totp = _coordinator(db_session, client)
    raised = client.put(
        f"{API}/areas/CD61/risk",
        json={"risk": "high", "reason": "Affrontements"},
        headers=coordinator,
    )
    assert raised.status_code in (200, 201), raised.text
    [series] = client.get(f"{API}/briefing-series", headers=coordinator).json()
    created = make_member(db_session, w.a.org, roles=roles)
    totp = current_code(created.totp_secret) if created.totp_secret else None
    headers = login(client, created.member.email, totp=totp)
    for method, path, body in (
        ("POST", f"{API}/briefings", {"area": "CD61", "starts_at": "2099-03-03T10:00"}),
        ("POST", f"{API}/briefing-series/{series['id']}/confirm", None),
        ("PUT", f"{API}/briefing-series/{series['id']}", {"weekday": "monday", "time": "08:00"}),
        ("POST", f"{API}/briefing-series/{series['id']}/cancel", None),
    ):
        refused = client.request(method, path, json=body, headers=headers)
        assert refused.status_code == 403, (roles, path, refused.text)
    [after] = client.get(f"{API}/briefing-series", headers=coordinator).json()
    assert (after["status"], after["weekday"]) == ("proposed", "tuesday")


def test_an_areas_page_lists_a_briefing_only_to_those_who_may_see_it(
    browser: Browser, w: World, meeting: Meeting
) -> None:
    invited = browser(w.a.email).get("/areas/CD61")
    assert f'href="/briefings/{meeting.id}"' in invited.text
    for area in ("CD61", "CD6102"):
        outsider = browser(w.outsider.email).get(f"/areas/{area}")
        assert outsider.status_code == 200
        assert meeting.id not in outsider.text


def test_only_a_coordinator_or_an_attending_focal_point_publishes_the_minutes(
    db_session: Session,
    client: TestClient,
    browser: Browser,
    settings: Settings,
    w: World,
    meeting: Meeting,
) -> None:
    token = _token(db_session, settings, meeting.id, w.a)
    assert client.post(f"/b/{token}", data={"answer": "yes"}).status_code == 200
    liaison = make_member(db_session, w.a.org, roles=(Role.LIAISON,))
    headers = login(client, liaison.member.email)
    refused = client.post(
        f"{API}/briefings/{meeting.id}/minutes", json={"text": "x"}, headers=headers
    )
    assert refused.status_code == 403  # a liaison of an attending organisation
    b = browser(w.b.email)  # invited, did not say yes
    page = b.get(f"/briefings/{meeting.id}")
    assert page.status_code == 200
    assert f'action="/briefings/{meeting.id}/minutes"' not in page.text
    posted = b.post(
        f"/briefings/{meeting.id}/minutes", data={"csrf_token": csrf(page.text), "text": "x"}
    )
    assert posted.status_code == 403
    assert "text/html" in posted.headers["content-type"]
    shown = client.get(f"{API}/briefings/{meeting.id}", headers=w.a.headers).json()
    assert shown["minutes_report_id"] is None


def test_over_long_minutes_are_refused_not_a_500(
    db_session: Session,
    client: TestClient,
    browser: Browser,
    settings: Settings,
    w: World,
    meeting: Meeting,
) -> None:
    token = _token(db_session, settings, meeting.id, w.a)
    assert client.post(f"/b/{token}", data={"answer": "yes"}).status_code == 200
    api = client.post(
        f"{API}/briefings/{meeting.id}/minutes", json={"text": "m" * 4001}, headers=w.a.headers
    )
    assert api.status_code == 422
    assert api.headers["content-type"].startswith("application/problem+json")
    a = browser(w.a.email)
    page = a.get(f"/briefings/{meeting.id}")
    posted = a.post(
        f"/briefings/{meeting.id}/minutes",
        data={"csrf_token": csrf(page.text), "text": "m" * 50_000},
    )
    assert 400 <= posted.status_code < 500
    assert "text/html" in posted.headers["content-type"]
    shown = client.get(f"{API}/briefings/{meeting.id}", headers=w.a.headers).json()
    assert shown["minutes_report_id"] is None


def test_the_minutes_report_id_is_given_only_to_those_it_was_sealed_to(
    db_session: Session, client: TestClient, settings: Settings, w: World, meeting: Meeting
) -> None:
    """FINDING (minor): the page hid the minutes' link from invitees who did not attend, but
    the API gave every invitee the report's id (`minutes_report_id`) — the id of a report
    their organisation was not given, which the periodic report, for one, never shows."""
    for who, answer in ((w.a, "yes"), (w.b, "no")):
        token = _token(db_session, settings, meeting.id, who)
        assert client.post(f"/b/{token}", data={"answer": answer}).status_code == 200
    published = client.post(
        f"{API}/briefings/{meeting.id}/minutes", json={"text": "Compte rendu"}, headers=w.a.headers
    )
    assert published.status_code == 201, published.text
    report = published.json()["report_id"]
    for headers, expected in ((w.a.headers, report), (meeting.coordinator, report)):
        assert (
            client.get(f"{API}/briefings/{meeting.id}", headers=headers).json()["minutes_report_id"]
            == expected
        )
    for party in (w.b, w.c):  # declined; never answered
        one = client.get(f"{API}/briefings/{meeting.id}", headers=party.headers)
        assert one.status_code == 200
        assert report not in one.text
        listed = client.get(f"{API}/areas/CD61/briefings", headers=party.headers)
        assert [b["id"] for b in listed.json()] == [meeting.id]
        assert report not in listed.text
    token_b = _token(db_session, settings, meeting.id, w.b)
    assert report not in client.get(f"/b/{token_b}").text
