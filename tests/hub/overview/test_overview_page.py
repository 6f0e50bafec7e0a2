"""The situation overview (`/`) in both languages: my organisation's areas with their risk
and level and the map drawn from their boundaries (each area a link, the legend in words),
what changed this week, the latest reports, what waits for me — and empty states written
for people."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from hub.members.models import Role
from tests.hub.areas.factories import add_boundaries, make_tree
from tests.hub.factories import current_code, make_member, make_organisation
from tests.hub.pages import Browser, csrf
from tests.hub.reports.factories import API, World, flash, publish

WORDS = {
    "en": {
        "enhanced": "enhanced cooperation",
        "changes": "Changes in the last 7 days",
        "nothing": "Nothing waits for you",
        "no_area": "has not said where it works yet",
        "no_report": "No report has been shared with your organisation yet",
        "no_change": "No risk or cooperation level changed",
        "legend": "risk high: enhanced cooperation",
    },
    "fr": {
        "enhanced": "coopération renforcée",
        "changes": "Changements des 7 derniers jours",
        "nothing": "Rien ne vous attend",
        "no_area": "n’a pas encore dit où elle travaille",
        "no_report": "Aucun rapport n’a encore été partagé avec votre organisation",
        "no_change": "Aucun risque ni niveau de coopération n’a changé",
        "legend": "risque élevé : coopération renforcée",
    },
}


def _coordinator(db_session: Session, browser: Browser, lang: str) -> TestClient:
    org = make_organisation(db_session)
    created = make_member(db_session, org, roles=(Role.COORDINATOR,))
    assert created.totp_secret is not None
    return browser(created.member.email, lang=lang, totp=current_code(created.totp_secret))


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_overview_shows_my_areas_map_changes_reports_and_waiting(
    db_session: Session, client: TestClient, w: World, browser: Browser, lang: str
) -> None:
    add_boundaries(db_session)
    words = WORDS[lang]
    a = browser(w.a.email, lang=lang)
    page = a.get("/")
    assert page.status_code == 200
    # Empty states first: nothing shared, nothing changed, nothing waiting.
    assert words["no_report"] in page.text
    assert words["no_change"] in page.text
    assert words["nothing"] in page.text
    # My area by name with its code small, and the map: each area a link to its page.
    assert 'Nord-Kivu</a> <small class="code">CD61</small>' in page.text
    assert re.search(r'<svg class="map"[^>]*>', page.text)
    assert '<a href="/areas/CD6102"><path class="m-' in page.text
    assert words["legend"] in page.text

    coordinator = _coordinator(db_session, browser, lang)
    form = coordinator.get("/areas/CD61")
    raised = coordinator.post(
        "/areas/CD61/risk",
        data={"csrf_token": csrf(form.text), "risk": "high", "reason": "Affrontements à Kibumba"},
        follow_redirects=False,
    )
    assert raised.status_code == 303
    report = publish(client, w.b, flash(audience={"organisations": [w.a.id]}))["id"]
    asked = client.post(
        f"{API}/reports/{report}/share-requests",
        json={"to_organisation": w.c.id, "reason": "same road"},
        headers=w.a.headers,
    )
    assert asked.status_code == 201, asked.text

    page = a.get("/")
    assert words["changes"] in page.text
    assert "Affrontements à Kibumba" in page.text
    # Normal → enhanced said in words, and the map paints North Kivu's territories high.
    assert words["enhanced"] in page.text
    assert '<a href="/areas/CD6102"><path class="m-high"' in page.text
    assert f'href="/reports/{report}"' in page.text
    # B, the originator, has a request to answer.
    b_page = browser(w.b.email, lang=lang).get("/")
    assert 'href="/share-requests"' in b_page.text.split("<h2>")[1]


def test_an_organisation_without_areas_is_told_what_to_do(
    db_session: Session, browser: Browser
) -> None:
    make_tree(db_session)
    member = make_member(db_session, make_organisation(db_session)).member
    page = browser(member.email, lang="fr").get("/")
    assert WORDS["fr"]["no_area"] in page.text
    assert '<svg class="map"' not in page.text


def test_a_coordinator_sees_a_lowering_to_confirm(db_session: Session, browser: Browser) -> None:
    make_tree(db_session)
    first = _coordinator(db_session, browser, "en")
    second = _coordinator(db_session, browser, "en")
    for risk in ("high", "low"):
        form = first.get("/areas/CD62")
        first.post(
            "/areas/CD62/risk",
            data={"csrf_token": csrf(form.text), "risk": risk, "reason": "Route rouverte"},
            follow_redirects=False,
        )
    assert "waits for a second coordinator" in second.get("/").text
    assert 'href="/areas/CD62"' in second.get("/").text
    assert "waits for a second coordinator" not in first.get("/").text


def test_the_area_page_draws_its_children(db_session: Session, w: World, browser: Browser) -> None:
    add_boundaries(db_session)
    page = browser(w.a.email).get("/areas/CD61")
    assert '<a href="/areas/CD6103"><path class="m-' in page.text
    assert "<title>Masisi: normal cooperation, risk" in page.text
