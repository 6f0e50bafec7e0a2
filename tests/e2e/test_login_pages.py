"""Logging in through the pages in a real browser, without JavaScript, in French."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import LiveHub
from tests.hub.factories import PASSPHRASE, make_member, make_organisation


def _people(hub: LiveHub) -> tuple[str, str]:
    with hub.session_factory() as session:
        org = make_organisation(session, name="Aide Sans Frontières")
        first = make_member(session, org, email="jb@asf.example.org")
        make_member(session, org, email="claire@asf.example.org")
        assert first.fingerprint is not None
        return "Aide Sans Frontières", first.fingerprint


def test_login_and_landing_without_javascript_in_french(live_hub: LiveHub, browser: Any) -> None:
    organisation, fingerprint = _people(live_hub)
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    try:
        page.goto(f"{live_hub.url}/")
        assert page.url.endswith("/login")
        assert page.locator("h1").inner_text() == "Connexion"

        page.fill("#email", "claire@asf.example.org")
        page.fill("#password", PASSPHRASE)
        page.click("button[type=submit]")
        assert page.locator("h1").inner_text() == "Bienvenue, claire"
        text = page.locator("main").inner_text()
        assert f"Vous êtes claire, de {organisation}." in text
        assert "ne vous ont pas encore été accordées" in text

        page.click("text=Déconnexion")
        assert page.url.endswith("/login")
        page.fill("#email", "jb@asf.example.org")
        page.fill("#password", "pas la bonne phrase")
        page.click("button[type=submit]")
        assert "Adresse e-mail ou phrase secrète incorrecte." in page.locator(".error").inner_text()

        page.fill("#email", "jb@asf.example.org")
        page.fill("#password", PASSPHRASE)
        page.click("button[type=submit]")
        text = page.locator("main").inner_text()
        assert "sont déverrouillées pour cette session" in text
        assert fingerprint in text

        cookies = {c["name"]: c for c in context.cookies()}
        assert cookies["slthub_session"]["httpOnly"] is True
        assert cookies["slthub_session"]["sameSite"] == "Strict"
    finally:
        context.close()


def test_pages_raise_no_csp_violation_with_javascript_on(live_hub: LiveHub, browser: Any) -> None:
    _people(live_hub)
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    try:
        page.goto(f"{live_hub.url}/login")
        page.fill("#email", "jb@asf.example.org")
        page.fill("#password", PASSPHRASE)
        page.click("button[type=submit]")
        assert "keys are unlocked" in page.locator("main").inner_text()
        # The stylesheet loaded (self is allowed), nothing was blocked.
        assert page.evaluate("getComputedStyle(document.body).maxWidth") != "none"
        assert not [m for m in messages if "Content Security Policy" in m], messages
    finally:
        context.close()
