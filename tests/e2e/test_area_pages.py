"""Coordinators in a real browser, in French and in English: one raises North Kivu to high
and its page, its province's children, the tree, the map and the badges on the overview (`/`)
and in the report list turn enhanced; lowering it waits; a second coordinator confirms from
the area's page, and they all turn back. JavaScript off: the forms are plain HTML."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pyotp
import pytest

from hub.actors import CONSOLE
from hub.areas import service as areas
from hub.members.models import Role
from tests.e2e.conftest import LiveHub
from tests.hub.areas.factories import add_boundaries, make_tree
from tests.hub.factories import PASSPHRASE, make_member, make_organisation
from tests.hub.reports.factories import flash

WORDS = {
    "fr": {
        "locale": "fr-FR",
        "enhanced": "coopération renforcée",
        "normal": "coopération normale",
        "set": "Fixer le risque",
        "waiting": "En attente d’un second coordinateur",
        "confirm": "Confirmer",
        "chart": "Incidents par mois — Nord-Kivu, 12 derniers mois",
    },
    "en": {
        "locale": "en-GB",
        "enhanced": "enhanced cooperation",
        "normal": "normal cooperation",
        "set": "Set the risk",
        "waiting": "Waiting for a second coordinator",
        "confirm": "Confirm",
        "chart": "Incidents by month — Nord-Kivu, last 12 months",
    },
}


@pytest.fixture
def coordinators(live_hub: LiveHub) -> list[tuple[str, str]]:
    """Two coordinators whose organisations work in North Kivu (boundaries imported, so the
    overview draws its map), and a partner's flash report in Rutshuru they both received."""
    with live_hub.session_factory() as session:
        make_tree(session)
        add_boundaries(session)
        out = []
        for n in (1, 2):
            org = make_organisation(session)
            areas.set_presence(session, actor=CONSOLE, organisation_id=org.id, areas=["CD61"])
            created = make_member(
                session, org, roles=(Role.COORDINATOR,), email=f"coord{n}@undss.example.org"
            )
            assert created.totp_secret is not None
            out.append((created.member.email, created.totp_secret))
        partner = make_organisation(session)
        areas.set_presence(session, actor=CONSOLE, organisation_id=partner.id, areas=["CD61"])
        author = make_member(session, partner, email="fp@partner.example.org").member.email
    with httpx.Client(base_url=live_hub.url) as api:
        login = api.post("/api/v1/auth/login", json={"email": author, "password": PASSPHRASE})
        token = login.json()["access_token"]
        published = api.post(
            "/api/v1/reports",
            json=flash(area="CD6102"),
            headers={"Authorization": f"Bearer {token}"},
        )
        assert published.status_code == 201, published.text
    return out


@pytest.fixture
def contexts(browser: Any) -> Iterator[list[Any]]:
    opened: list[Any] = []
    yield opened
    for context in opened:
        context.close()


def _log_in(
    hub: LiveHub, browser: Any, contexts: list[Any], who: tuple[str, str], lang: str
) -> Any:
    context = browser.new_context(locale=WORDS[lang]["locale"], java_script_enabled=False)
    contexts.append(context)
    page = context.new_page()
    page.goto(f"{hub.url}/login")
    page.fill("#email", who[0])
    page.fill("#password", PASSPHRASE)
    page.fill("#totp", pyotp.TOTP(who[1]).now())
    page.click("button[type=submit]")
    assert page.url.rstrip("/") == hub.url
    return page


def _level(page: Any) -> str:
    return str(page.locator("p.standing .level").inner_text()).strip().lower()


ORANGE = "rgb(249, 115, 22)"  # .m-high in hub.css


def _shape(page: Any, code: str) -> tuple[str, str]:
    """(class, computed fill) of an area's shape on the page's map."""
    shape = page.locator(f'svg.map a[href="/areas/{code}"] path')
    return str(shape.get_attribute("class")), str(shape.evaluate("e => getComputedStyle(e).fill"))


def _overview(page: Any, hub: LiveHub) -> dict[str, Any]:
    """What the overview shows of North Kivu: its shape and its territories' on the map, the
    level badge in "your areas", and the badge beside the area of the latest report."""
    page.goto(f"{hub.url}/")
    mine = page.locator("ul.areas li", has_text="Nord-Kivu").locator(".level")
    latest = page.locator("ol.reports li", has_text="Nord-Kivu").locator(".level")
    return {
        "map": [_shape(page, code) for code in ("CD61", "CD6102", "CD6103")],
        "badge": str(mine.inner_text()).strip().lower(),
        "latest": str(latest.inner_text()).strip().lower(),
    }


def _listed(page: Any, hub: LiveHub) -> str:
    """The level badge beside the area of the report in /reports."""
    page.goto(f"{hub.url}/reports")
    badge = page.locator("ol.reports li", has_text="Nord-Kivu").locator(".level")
    return str(badge.inner_text()).strip().lower()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_coordinator_raises_and_a_second_confirms_lowering(
    live_hub: LiveHub,
    browser: Any,
    contexts: list[Any],
    coordinators: list[tuple[str, str]],
    lang: str,
) -> None:
    words = WORDS[lang]
    first = _log_in(live_hub, browser, contexts, coordinators[0], lang)
    before = _overview(first, live_hub)
    assert before["badge"] == before["latest"] == words["normal"]
    assert all(cls != "m-high" and fill != ORANGE for cls, fill in before["map"])
    assert _listed(first, live_hub) == words["normal"]
    first.goto(f"{live_hub.url}/areas")
    first.click("text=Nord-Kivu")
    assert _level(first) == words["normal"]
    # The chart of the area's incidents: the partner's flash, this month or the one before.
    # Its accessible name is the SVG's <title>.
    assert first.get_by_role("img", name=words["chart"]).count() == 1
    assert first.locator("table.months tbody tr").count() == 12

    first.select_option("#risk", "high")
    first.fill("#reason", "Affrontements autour de Kibumba")
    first.click(f"button:has-text('{words['set']}')")
    assert _level(first) == words["enhanced"]
    # The area's own map: North Kivu and its territories painted high.
    assert [_shape(first, c)[0] for c in ("CD61", "CD6102", "CD6103")] == ["m-high"] * 3
    first.goto(f"{live_hub.url}/areas/CD6102")  # Rutshuru inherits it
    assert _level(first) == words["enhanced"]
    first.goto(f"{live_hub.url}/areas")
    row = first.locator("ul.areas li", has_text="Nord-Kivu")
    assert words["enhanced"] in str(row.inner_text()).lower()
    raised = _overview(first, live_hub)
    assert raised["map"] == [("m-high", ORANGE)] * 3
    assert raised["badge"] == raised["latest"] == words["enhanced"]
    assert _listed(first, live_hub) == words["enhanced"]

    first.goto(f"{live_hub.url}/areas/CD61")
    first.select_option("#risk", "low")
    first.fill("#reason", "Accalmie depuis une semaine")
    first.click(f"button:has-text('{words['set']}')")
    assert _level(first) == words["enhanced"]
    assert words["waiting"] in first.locator("main").inner_text()

    second = _log_in(live_hub, browser, contexts, coordinators[1], lang)
    second.goto(f"{live_hub.url}/areas/CD61")
    second.click(f"button:has-text('{words['confirm']}')")
    assert _level(second) == words["normal"]
    assert _overview(second, live_hub) == before
    assert _listed(second, live_hub) == words["normal"]
    assert _overview(first, live_hub) == before
