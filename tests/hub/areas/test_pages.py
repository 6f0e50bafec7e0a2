"""The area pages in both languages: the tree with names, risk and level; an area's page;
a coordinator raises risk there (at once), proposes lowering it out of enhanced (waits), and
another coordinator confirms or refuses — without a shell on the server."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from hub.members.models import Role
from tests.hub.areas.factories import make_tree
from tests.hub.factories import current_code, make_member, make_organisation
from tests.hub.pages import Browser, csrf


def _coordinator(db_session: Session, browser: Browser, lang: str = "en") -> TestClient:
    org = make_organisation(db_session)
    created = make_member(db_session, org, roles=(Role.COORDINATOR,))
    assert created.totp_secret is not None
    return browser(created.member.email, lang=lang, totp=current_code(created.totp_secret))


def _set(page: TestClient, code: str, **fields: str) -> object:
    form = page.get(f"/areas/{code}")
    return page.post(
        f"/areas/{code}/risk",
        data={"csrf_token": csrf(form.text), **fields},
        follow_redirects=False,
    )


def test_the_tree_shows_names_risk_and_level(db_session: Session, browser: Browser) -> None:
    make_tree(db_session)
    focal = browser(make_member(db_session, make_organisation(db_session)).member.email, lang="fr")
    page = focal.get("/areas")
    assert page.status_code == 200
    assert "Nord-Kivu" in page.text
    assert '<small class="code">CD61</small>' in page.text
    assert "normale" in page.text.lower()
    found = focal.get("/areas", params={"q": "rutsh"})
    assert "Rutshuru" in found.text
    assert "Kalehe" not in found.text
    assert "Aucune zone" in focal.get("/areas", params={"q": "zzz"}).text


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_raise_at_once_lower_with_a_second_coordinator(
    db_session: Session, browser: Browser, lang: str
) -> None:
    make_tree(db_session)
    first = _coordinator(db_session, browser, lang)
    second = _coordinator(db_session, browser, lang)
    raised = _set(first, "CD61", risk="high", reason="Affrontements près de Kibumba")
    assert raised.status_code == 303
    page = first.get(raised.headers["location"])
    assert 'class="level level-enhanced"' in page.text
    # A child inherits it: Rutshuru (CD6102) is enhanced too, and says where from.
    child = first.get("/areas/CD6102")
    assert 'class="level level-enhanced"' in child.text
    assert 'href="/areas/CD61"' in child.text

    lowered = _set(first, "CD61", risk="low", reason="Accalmie")
    waiting = first.get(lowered.headers["location"])
    assert 'class="level level-enhanced"' in waiting.text  # still enhanced: four eyes
    assert "/confirm" in waiting.text
    # The proposer cannot confirm their own change.
    change = re.search(r'action="/risk-changes/([0-9a-f-]+)/confirm"', waiting.text)
    assert change is not None
    own = first.post(
        f"/risk-changes/{change.group(1)}/confirm",
        data={"csrf_token": csrf(waiting.text)},
        follow_redirects=False,
    )
    assert own.status_code == 403
    other = second.get("/areas/CD61")
    confirmed = second.post(
        f"/risk-changes/{change.group(1)}/confirm",
        data={"csrf_token": csrf(other.text)},
        follow_redirects=False,
    )
    assert confirmed.status_code == 303
    assert 'class="level level-normal"' in second.get("/areas/CD61").text


def test_a_second_coordinator_may_refuse(db_session: Session, browser: Browser) -> None:
    make_tree(db_session)
    first = _coordinator(db_session, browser)
    second = _coordinator(db_session, browser)
    _set(first, "CD62", risk="very_high", reason="Enlèvements")
    _set(first, "CD62", risk="medium", reason="Moins d'incidents")
    page = second.get("/areas/CD62")
    change = re.search(r'action="/risk-changes/([0-9a-f-]+)/refuse"', page.text)
    assert change is not None
    refused = second.post(
        f"/risk-changes/{change.group(1)}/refuse",
        data={"csrf_token": csrf(page.text)},
        follow_redirects=False,
    )
    assert refused.status_code == 303
    after = second.get(refused.headers["location"])
    assert "refused" in after.text
    assert 'class="level level-enhanced"' in after.text
    assert "/risk-changes/" not in after.text


def test_bad_input_and_other_roles(db_session: Session, browser: Browser) -> None:
    make_tree(db_session)
    coordinator = _coordinator(db_session, browser)
    bad = _set(coordinator, "CD61", risk="apocalyptic", reason="x", expires_at="31/02/2099")
    assert bad.status_code == 422
    for field in ("risk", "reason", "expires_at"):
        assert f'id="{field}-error"' in bad.text
    assert 'value="31/02/2099"' in bad.text  # kept as typed
    focal = browser(make_member(db_session, make_organisation(db_session)).member.email)
    page = focal.get("/areas/CD61")
    assert page.status_code == 200
    assert "/risk" not in page.text  # no form for a focal point
    refused = focal.post(
        "/areas/CD61/risk",
        data={"csrf_token": csrf(focal.get("/").text), "risk": "high", "reason": "pas mon rôle"},
    )
    assert refused.status_code == 403
    assert focal.get("/areas/XX99").status_code == 404


def test_report_pages_show_areas_by_name_and_filter_by_name(
    db_session: Session, client: TestClient, browser: Browser
) -> None:
    from tests.hub.reports.factories import flash, publish, world

    w = world(db_session, client)
    report = publish(client, w.a, flash(audience={"organisations": [w.b.id]}))
    b = browser(w.b.email, lang="fr")
    listed = b.get("/reports")
    assert 'Nord-Kivu <small class="code">CD61</small>' in listed.text
    assert "Zone (nom ou code)" in listed.text
    by_name = b.get("/reports", params={"area": "nord-kivu"})
    assert report["id"] in by_name.text
    assert report["id"] not in b.get("/reports", params={"area": "Sud-Kivu"}).text
    page = b.get(f"/reports/{report['id']}")
    assert 'Nord-Kivu <small class="code">CD61</small>' in page.text
    assert 'Rutshuru <small class="code">CD6102</small>' in page.text  # the precise area
