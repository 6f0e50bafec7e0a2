"""The briefing pages in both languages: a coordinator confirms the proposed series and
schedules a briefing; an invitee answers from the link of the invitation (no login) and from
the briefing's page; every page, and every form shown again with its errors, is valid HTML."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.briefings import rsvp_token
from hub.actors import CONSOLE
from hub.alerting.wiring import alert_secret
from hub.areas import service as areas
from hub.briefings.models import Answer, BriefingInvitation, BriefingSeries, SeriesStatus
from hub.config import Settings
from hub.members.models import Role
from tests.hub.areas.factories import make_tree
from tests.hub.factories import current_code, make_member, make_organisation
from tests.hub.html_check import assert_valid_html
from tests.hub.pages import Browser, csrf


def _setup(db_session: Session, browser: Browser, lang: str) -> tuple[TestClient, TestClient, str]:
    make_tree(db_session)
    un = make_organisation(db_session, name="UNDSS")
    ngo = make_organisation(db_session, name="ONG Kivu")
    created = make_member(db_session, un, roles=(Role.COORDINATOR,))
    assert created.totp_secret is not None
    coordinator = browser(created.member.email, lang=lang, totp=current_code(created.totp_secret))
    focal = make_member(db_session, ngo, roles=(Role.FOCAL_POINT,)).member
    areas.set_presence(db_session, actor=CONSOLE, organisation_id=ngo.id, areas=["CD61"])
    return coordinator, browser(focal.email, lang=lang), focal.id


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_coordinator_confirms_schedules_and_invitee_answers(
    db_session: Session, browser: Browser, app: FastAPI, settings: Settings, lang: str
) -> None:
    coordinator, focal, focal_id = _setup(db_session, browser, lang)
    pages: dict[str, str] = {}
    area = coordinator.get("/areas/CD61")
    coordinator.post(
        "/areas/CD61/risk",
        data={"csrf_token": csrf(area.text), "risk": "high", "reason": "Affrontements"},
    )
    listing = coordinator.get("/briefings")
    pages["coordinator list"] = listing.text
    series = db_session.scalar(select(BriefingSeries))
    assert series is not None
    assert series.status is SeriesStatus.PROPOSED
    assert f'action="/briefing-series/{series.id}/confirm"' in listing.text
    confirmed = coordinator.post(
        f"/briefing-series/{series.id}/confirm",
        data={"csrf_token": csrf(listing.text)},
        follow_redirects=False,
    )
    assert confirmed.status_code == 303
    done = coordinator.get(confirmed.headers["location"])
    assert ("confirmée" if lang == "fr" else "confirmed") in done.text
    pages["coordinator list, confirmed"] = done.text

    bad = coordinator.post(
        "/briefings",
        data={"csrf_token": csrf(done.text), "area": "CD61", "starts_at": "demain 9h"},
    )
    assert bad.status_code == 422
    assert 'aria-invalid="true"' in bad.text
    pages["schedule form with errors"] = bad.text
    past = coordinator.post(
        "/briefings",
        data={"csrf_token": csrf(done.text), "area": "CD61", "starts_at": "2020-01-01 10:00"},
    )
    assert past.status_code == 422
    unknown = coordinator.post(
        "/briefings",
        data={"csrf_token": csrf(done.text), "area": "ZZ99", "starts_at": "2099-01-01 10:00"},
    )
    assert unknown.status_code == 404
    scheduled = coordinator.post(
        "/briefings",
        data={
            "csrf_token": csrf(done.text),
            "area": "nord-kivu",  # by its name, as people think of it (case forgiven)
            "starts_at": "2099-01-06 09:30",
            "duration_minutes": "90",
            "place": "Goma, bureau OCHA",
            "agenda": "1. Axe Rutshuru\n2. Mouvements",
        },
        follow_redirects=False,
    )
    assert scheduled.status_code == 303, scheduled.text
    detail = coordinator.get(scheduled.headers["location"])
    assert "2099-01-06 09:30" in detail.text
    assert "Africa/Lubumbashi" in detail.text
    # The area by its name, the code small beside it.
    assert 'Nord-Kivu <small class="code">CD61</small>' in detail.text
    assert "<title>Briefing Nord-Kivu · SLT Hub</title>" in detail.text
    pages["coordinator briefing"] = detail.text
    briefing_id = scheduled.headers["location"].split("/")[2].split("?")[0]

    # The area's page, and its territories' pages, list the briefing for those invited.
    for code in ("CD61", "CD6102"):
        area_page = focal.get(f"/areas/{code}")
        assert f'href="/briefings/{briefing_id}"' in area_page.text, code
        pages[f"area page {code} with its briefing"] = area_page.text
    outsider = browser(
        make_member(db_session, make_organisation(db_session, name="Ailleurs")).member.email,
        lang=lang,
    )
    assert f'href="/briefings/{briefing_id}"' not in outsider.get("/areas/CD61").text

    # The focal point answers from the link in the invitation, without logging in.
    invitation = db_session.scalar(
        select(BriefingInvitation).where(
            BriefingInvitation.briefing_id == briefing_id,
            BriefingInvitation.member_id == focal_id,
        )
    )
    assert invitation is not None
    token = rsvp_token(alert_secret(settings), invitation.id)
    with TestClient(app, headers={"Accept-Language": lang}) as anonymous:
        link = anonymous.get(f"/b/{token}")
        assert link.status_code == 200
        assert "Goma, bureau OCHA" in link.text
        assert 'Nord-Kivu <small class="code">CD61</small>' in link.text
        pages["answer link"] = link.text
        forms = re.findall(r'<form method="post" action="([^"]+)"', link.text)
        assert forms == [f"/b/{token}", f"/b/{token}"]
        answered = anonymous.post(f"/b/{token}", data={"answer": "yes"})
        assert answered.status_code == 200
        pages["answer link, answered"] = answered.text
        db_session.refresh(invitation)
        assert invitation.answer is Answer.YES
        unknown_link = anonymous.get("/b/not-a-real-token-at-all")
        assert unknown_link.status_code == 404
        pages["answer link, unknown"] = unknown_link.text

    # And changes their mind on the briefing's page, logged in.
    mine = focal.get(f"/briefings/{briefing_id}")
    pages["invitee briefing"] = mine.text
    no = focal.post(
        f"/briefings/{briefing_id}/answer",
        data={"csrf_token": csrf(mine.text), "answer": "no"},
        follow_redirects=False,
    )
    assert no.status_code == 303
    db_session.refresh(invitation)
    assert invitation.answer is Answer.NO
    pages["invitee list"] = focal.get("/briefings").text
    assert briefing_id in pages["invitee list"]
    assert focal.get("/briefings/00000000-0000-0000-0000-000000000000").status_code == 404
    assert focal.get("/briefings/not-an-id").status_code == 404
    assert_valid_html({f"{lang} {k}": v for k, v in pages.items()})


def test_the_api_schedules_and_answers_with_problem_json(
    db_session: Session, client: TestClient
) -> None:
    from tests.hub.factories import login

    make_tree(db_session)
    un = make_organisation(db_session, name="UNDSS")
    created = make_member(db_session, un, roles=(Role.COORDINATOR,))
    assert created.totp_secret is not None
    coord = login(client, created.member.email, totp=current_code(created.totp_secret))
    bad = client.post(
        "/api/v1/briefings",
        json={"area": "CD61", "starts_at": "tomorrow"},
        headers={**coord, "Accept-Language": "fr"},
    )
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert bad.json()["errors"][0]["field"].endswith("starts_at")
    made = client.post(
        "/api/v1/briefings",
        json={"area": "CD61", "starts_at": "2099-03-03T10:00", "place": "Goma"},
        headers=coord,
    )
    assert made.status_code == 201, made.text
    assert made.json()["timezone"] == "Africa/Lubumbashi"
    assert made.json()["local_start"] == "2099-03-03 10:00"
    listed = client.get("/api/v1/areas/CD61/briefings", headers=coord)
    assert [b["id"] for b in listed.json()] == [made.json()["id"]]
    unknown_area = client.get("/api/v1/areas/ZZ99/briefings", headers=coord)
    assert unknown_area.status_code == 404
    assert unknown_area.headers["content-type"].startswith("application/problem+json")
    missing = client.post("/api/v1/briefing-series/nope/confirm", headers=coord)
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    schema = client.get("/openapi.json").json()
    assert "/api/v1/briefings" in schema["paths"]
