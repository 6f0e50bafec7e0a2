"""Coordinators in a real browser, in French and in English: one raises North Kivu to high
and its page, its province's children and the tree turn enhanced; lowering it waits; a second
coordinator confirms from the area's page, and it is normal again. JavaScript off: the forms
are plain HTML."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyotp
import pytest

from hub.members.models import Role
from tests.e2e.conftest import LiveHub
from tests.hub.areas.factories import make_tree
from tests.hub.factories import PASSPHRASE, make_member, make_organisation

WORDS = {
    "fr": {
        "locale": "fr-FR",
        "enhanced": "coopération renforcée",
        "normal": "coopération normale",
        "set": "Fixer le risque",
        "waiting": "En attente d’un second coordinateur",
        "confirm": "Confirmer",
    },
    "en": {
        "locale": "en-GB",
        "enhanced": "enhanced cooperation",
        "normal": "normal cooperation",
        "set": "Set the risk",
        "waiting": "Waiting for a second coordinator",
        "confirm": "Confirm",
    },
}


@pytest.fixture
def coordinators(live_hub: LiveHub) -> list[tuple[str, str]]:
    with live_hub.session_factory() as session:
        make_tree(session)
        out = []
        for n in (1, 2):
            org = make_organisation(session)
            created = make_member(
                session, org, roles=(Role.COORDINATOR,), email=f"coord{n}@undss.example.org"
            )
            assert created.totp_secret is not None
            out.append((created.member.email, created.totp_secret))
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
    first.goto(f"{live_hub.url}/areas")
    first.click("text=Nord-Kivu")
    assert _level(first) == words["normal"]

    first.select_option("#risk", "high")
    first.fill("#reason", "Affrontements autour de Kibumba")
    first.click(f"button:has-text('{words['set']}')")
    assert _level(first) == words["enhanced"]
    first.goto(f"{live_hub.url}/areas/CD6102")  # Rutshuru inherits it
    assert _level(first) == words["enhanced"]
    first.goto(f"{live_hub.url}/areas")
    row = first.locator("ul.areas li", has_text="Nord-Kivu")
    assert words["enhanced"] in str(row.inner_text()).lower()

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
