"""Adversarial review of access to the overview and of redirects: what a member of a pending
organisation sees on `/`, and that no parameter sends a browser off the hub."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.hub.factories import PASSPHRASE
from tests.hub.pages import Browser, csrf
from tests.hub.reports.factories import World, flash, party, publish


def test_a_pending_organisations_member_sees_its_status_not_the_overview(
    db_session: Session, client: TestClient, browser: Browser, w: World
) -> None:
    publish(client, w.a, flash(summary="Barrage sur la RN2 a Kibumba"))
    applicant = party(db_session, client, name="Candidate F", approve=False)
    landing = browser(applicant.email).get("/")
    assert landing.status_code == 200
    assert "Latest reports" not in landing.text
    assert "<svg" not in landing.text
    assert "Kibumba" not in landing.text
    # An approved recipient does get the overview (the check above is not vacuous).
    shown = browser(w.b.email).get("/")
    assert "Latest reports" in shown.text


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:x"]
)
def test_login_sends_nobody_off_the_hub(client: TestClient, w: World, target: str) -> None:
    page = client.get("/login", params={"next": target, "return_to": target})
    done = client.post(
        "/login",
        params={"next": target},
        data={
            "email": w.a.email,
            "password": PASSPHRASE,
            "csrf_token": csrf(page.text),
            "next": target,
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    location = done.headers["location"]
    assert location.startswith("/")
    assert not location.startswith(("//", "/\\"))
    assert "evil" not in location


def test_every_redirect_of_the_new_pages_stays_on_the_hub(browser: Browser, w: World) -> None:
    b = browser(w.b.email)
    form = b.get("/account/directory")
    for path, data in (
        ("/account/directory", {"show": "name"}),
        ("/account/directory/remove", {}),
    ):
        done = b.post(
            path,
            params={"next": "https://evil.example"},
            data={**data, "csrf_token": csrf(form.text), "next": "https://evil.example"},
            follow_redirects=False,
        )
        assert done.status_code == 303
        assert done.headers["location"].startswith("/account/directory?")


@pytest.mark.parametrize("code", ["..%2F..%2Fetc", "CD61%00", "X" * 300, "%3Cscript%3E"])
def test_odd_area_codes_are_not_found(browser: Browser, w: World, code: str) -> None:
    b = browser(w.b.email)
    for path in (f"/areas/{code}", f"/areas/{code}/report", f"/areas/{code}/report/print"):
        page = b.get(path)
        assert page.status_code == 404, (path, page.status_code)
        assert "<script>" not in page.text
