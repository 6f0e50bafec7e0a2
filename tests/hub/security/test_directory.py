"""Adversarial review of the directory: an entry never travels past the audience its member
chose, whatever area is asked for or whoever asks; what a member writes is shown as text."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from hub.members.models import Role
from tests.hub.factories import current_code, login, make_member, make_organisation
from tests.hub.pages import Browser, csrf
from tests.hub.reports.factories import API, World, party

PHONE = "+243810000009"


def _show(client: TestClient, headers: dict[str, str], **entry: Any) -> None:
    response = client.put(f"{API}/me/directory", json=entry, headers=headers)
    assert response.status_code == 200, response.text


def _phones(client: TestClient, headers: dict[str, str], area: str) -> set[str]:
    response = client.get(f"{API}/directory", params={"area": area}, headers=headers)
    assert response.status_code == 200, response.text
    return {
        c["phone"]
        for o in response.json()["organisations"]
        for c in o["contacts"]
        if c["phone"] is not None
    }


@pytest.mark.parametrize("area", ["CD61", "CD", "CD6102", "CD62"])
def test_area_partners_only_holds_whatever_area_is_asked_for(
    client: TestClient, w: World, area: str
) -> None:
    """A's focal point shows their phone to partners working where A works (North Kivu):
    the outsider (South Kivu) does not get it by asking for the whole country or its own
    province, nor does an organisation present nowhere."""
    _show(client, w.a.headers, show=["name", "phone"], phone=PHONE, audience="area_partners")
    assert PHONE not in _phones(client, w.outsider.headers, area)
    assert PHONE in _phones(client, w.b.headers, "CD61")


def test_an_organisation_present_nowhere_and_its_officers_see_no_area_partners_entry(
    db_session: Session, client: TestClient, w: World
) -> None:
    _show(client, w.a.headers, show=["phone"], phone=PHONE, audience="area_partners")
    nowhere = make_organisation(db_session, name="Comité SLT")
    created = make_member(db_session, nowhere, roles=(Role.COMMITTEE, Role.OPERATOR))
    assert created.totp_secret is not None
    headers = login(client, created.member.email, totp=current_code(created.totp_secret))
    for area in ("CD", "CD61"):
        assert PHONE not in _phones(client, headers, area)
    _show(client, w.a.headers, show=["phone"], phone=PHONE, audience="partners")
    assert PHONE in _phones(client, headers, "CD61")


def test_a_pending_organisations_member_cannot_look_or_list_themselves(
    db_session: Session, client: TestClient, w: World
) -> None:
    _show(client, w.a.headers, show=["phone"], phone=PHONE)
    applicant = party(db_session, client, name="Candidate E", approve=False)
    for method, path, body in (
        ("GET", f"{API}/directory?area=CD61", None),
        ("GET", f"{API}/me/directory", None),
        ("PUT", f"{API}/me/directory", {"show": ["phone"], "phone": "+243810000077"}),
    ):
        refused = client.request(method, path, json=body, headers=applicant.headers)
        assert refused.status_code == 403, (path, refused.text)
        assert PHONE not in refused.text
        assert refused.json()["type"].endswith("organisation-not-approved")
    assert "+243810000077" not in _phones(client, w.b.headers, "CD61")


def test_logged_out_gets_nothing(client: TestClient, w: World) -> None:
    _show(client, w.a.headers, show=["phone"], phone=PHONE)
    api = client.get(f"{API}/directory", params={"area": "CD61"})
    assert api.status_code == 401
    assert PHONE not in api.text
    page = client.get("/directory?area=CD61", follow_redirects=False)
    assert page.status_code in (303, 401)
    assert PHONE not in page.text


def test_markup_in_a_title_is_shown_as_text(browser: Browser, w: World) -> None:
    a = browser(w.a.email)
    form = a.get("/account/directory")
    saved = a.post(
        "/account/directory",
        data={
            "csrf_token": csrf(form.text),
            "show": ["name", "title"],
            "title": '<img src=x onerror="alert(1)">',
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    page = browser(w.b.email).get("/directory?area=CD61")
    assert page.status_code == 200
    assert "<img src=x" not in page.text
    assert "&lt;img src=x onerror=" in page.text


def test_long_or_odd_directory_input_is_a_4xx(client: TestClient, w: World) -> None:
    for area in ("C" * 5000, "CD61\x00", "' OR 1=1 --"):
        answer = client.get(f"{API}/directory", params={"area": area}, headers=w.b.headers)
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
    too_long = client.put(
        f"{API}/me/directory", json={"show": ["title"], "title": "t" * 101}, headers=w.b.headers
    )
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["field"] == "title"


def test_long_or_odd_area_on_the_page_is_a_4xx_page(browser: Browser, w: World) -> None:
    b = browser(w.b.email)
    for area in ("C" * 5000, "<script>alert(1)</script>"):
        page = b.get("/directory", params={"area": area})
        assert 400 <= page.status_code < 500, area[:10]
        assert "<script>alert(1)</script>" not in page.text
    nul = b.get("/directory", params={"area": "CD61\x00"})
    assert nul.status_code == 200  # read as no area asked for: the page offers my areas
    assert "\x00" not in nul.text


def test_a_shown_address_cannot_add_recipients_to_the_mail_link(
    client: TestClient, browser: Browser, w: World
) -> None:
    """A local part may hold `?` and `=`: as typed into mailto: it would become a second
    recipient ("cc=") in the partner's mail program. The link carries the address alone."""
    _show(client, w.a.headers, show=["name", "email"], email="fp?cc=spy@attacker.example.org")
    page = browser(w.b.email).get("/directory?area=CD61")
    assert page.status_code == 200
    assert 'href="mailto:fp%3Fcc%3Dspy@attacker.example.org"' in page.text
    assert "mailto:fp?cc=" not in page.text
