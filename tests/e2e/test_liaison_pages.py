"""The liaison page in a real browser, JavaScript off, in French and in English: a liaison
picks areas by name, a phone number, quiet hours and a phrase, confirms the number with the
code the (loopback) gateway received, asks for a test alert, and the hub's dispatcher sends it
to a real SMTP server (aiosmtpd) and the gateway; the delivery log then shows both."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from hub.actors import CONSOLE
from hub.areas import service as areas
from hub.members.models import Role
from tests.alerts.servers import sms_gateway, smtp_server
from tests.e2e.conftest import LiveHub
from tests.hub.alerting.conftest import _text, make_dispatcher
from tests.hub.areas.factories import make_tree
from tests.hub.factories import PASSPHRASE, make_member, make_organisation

PAGE_BUDGET = 30_000  # bytes of HTML + CSS for one page

WORDS = {
    "fr": {
        "locale": "fr-FR",
        "saved": "Votre désignation est enregistrée.",
        "confirmed": "Votre numéro de téléphone est confirmé.",
        "test_button": "M’envoyer une alerte de test",
        "test_asked": "Une alerte de test est en route",
        "body": "Voici l’alerte de test que vous avez demandée",
        "sms": "alerte SLT de test",
        "log": "Mes envois",
    },
    "en": {
        "locale": "en-GB",
        "saved": "Your designation was saved.",
        "confirmed": "Your phone number is confirmed.",
        "test_button": "Send me a test alert",
        "test_asked": "A test alert is on its way",
        "body": "This is the test alert you asked for",
        "sms": "SLT test alert",
        "log": "My deliveries",
    },
}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_liaison_designates_and_receives_a_test_alert(
    live_hub: LiveHub, browser: Any, lang: str
) -> None:
    words = WORDS[lang]
    phone = "+243810000042"
    email = f"liaison-{lang}@asf.example.org"
    with live_hub.session_factory() as session:
        make_tree(session)
        org = make_organisation(session, name="Aide Sans Frontières")
        areas.set_presence(session, actor=CONSOLE, organisation_id=org.id, areas=["CD61"])
        make_member(session, org, email=email, roles=(Role.LIAISON,))
    context = browser.new_context(java_script_enabled=False, locale=words["locale"])
    with smtp_server() as (controller, handler), sms_gateway() as (gateway_url, state):
        dispatcher = make_dispatcher(
            live_hub.settings, live_hub.session_factory, controller.port, gateway_url
        )
        try:
            page = context.new_page()
            page.goto(f"{live_hub.url}/login")
            page.fill("#email", email)
            page.fill("#password", PASSPHRASE)
            page.click("button[type=submit]")
            response = page.goto(f"{live_hub.url}/liaison")
            assert response is not None
            assert response.status == 200
            # Within the 2G budget, with the stylesheet.
            css = page.request.get(f"{live_hub.url}/static/hub.css").body()
            assert len(response.body()) + len(css) <= PAGE_BUDGET

            page.fill("#areas", "Rutshuru\nMasisi")
            page.select_option("#min_severity", "moderate")
            page.check("input[name=channels][value=sms]")
            page.fill("#sms", phone)
            page.select_option("#language", lang)
            page.fill("#timezone", "Africa/Lubumbashi")
            page.fill("#quiet_start", "22:00")
            page.fill("#quiet_end", "06:00")
            page.fill("#anti_phishing_phrase", "okapi rouge")
            page.click("form[action='/liaison'] button[type=submit]")
            main = page.locator("main").inner_text()
            assert words["saved"] in main
            assert "Rutshuru (CD6102)" in main
            assert "Masisi (CD6103)" in main

            # The code goes out by SMS (the dispatcher's confirmation pass); typed in the page.
            dispatcher.send_confirmations(dt.datetime.now(dt.UTC))
            [text] = [m["body"] for m in state.messages if m["to"] == phone]
            code = re.search(r"\b(\d{6})\b", text)
            assert code is not None, text
            page.fill("#code", code.group(1))
            page.click("form[action='/liaison/sms-code'] button[type=submit]")
            assert words["confirmed"] in page.locator("main").inner_text()

            page.click(f"text={words['test_button']}")
            assert words["test_asked"] in page.locator("main").inner_text()
            dispatcher.run_once(dt.datetime.now(dt.UTC))
            [message] = [m for m in handler.received if email in m.rcpt_tos]
            assert words["body"] in _text(message.data)
            assert "okapi rouge" in _text(message.data)
            sms = [m["body"] for m in state.messages if m["to"] == phone][-1]
            assert words["sms"] in sms

            page.goto(f"{live_hub.url}/liaison")
            log = page.locator("main").inner_text().split(words["log"])[1]
            assert log.count("test_alert") == 2
            assert "sent" in log
        finally:
            dispatcher.channels.close()
            context.close()
