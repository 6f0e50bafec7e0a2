"""Joining, end to end, in a real browser with JavaScript off, in French and in English: an
organisation applies, a committee member (with TOTP) approves, the contact follows the link of
the real invitation email (aiosmtpd) and sets a passphrase, invites a colleague, the colleague
follows their own email's link and joins, the contact grants the organisation's keys, and the
colleague reads a report a partner shared with the new organisation."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
from typing import Any

import httpx
import pyotp
import pytest
from sqlalchemy import select

from hub.actors import CONSOLE
from hub.areas import service as areas
from hub.members.models import Role
from hub.organisations.models import Organisation
from tests.alerts.servers import sms_gateway, smtp_server
from tests.e2e.conftest import LiveHub
from tests.hub.alerting.conftest import make_dispatcher
from tests.hub.areas.factories import make_tree
from tests.hub.factories import PASSPHRASE, make_member, make_organisation
from tests.hub.reports.factories import API, flash

PAGE_BUDGET = 30_000  # bytes of HTML + CSS for one page
NEW_PASSPHRASE = "le fleuve passe sous le pont"

WORDS = {
    "fr": {
        "locale": "fr-FR",
        "applied": "Votre demande est entre les mains du comité",
        "approve": "Approuver et inviter le contact",
        "approved": "Approuvée ; le contact est invité par e-mail.",
        "subject": "Invitation à rejoindre le hub",
        "join": "Rejoindre",
        "recovery": "Le code de récupération de votre organisation",
        "invite": "Envoyer l’invitation",
        "invited": "L’invitation est partie",
        "must_grant": "doit maintenant vous les accorder",
        "grant": "Accorder les clés",
        "granted": "Les clés sont accordées",
        "no_keys": "Pas encore de clés",
    },
    "en": {
        "locale": "en-GB",
        "applied": "Your application is with the oversight committee",
        "approve": "Approve and invite the contact",
        "approved": "Approved; the contact is invited by email.",
        "subject": "Invitation to join the hub",
        "join": "Join",
        "recovery": "Your organisation's recovery code",
        "invite": "Send the invitation",
        "invited": "The invitation is on its way",
        "must_grant": "must now grant them to you",
        "grant": "Grant the keys",
        "granted": "The keys are granted",
        "no_keys": "No keys yet",
    },
}

_LINK = re.compile(r"https?://[^\s\"'<>]+/join/[A-Za-z0-9_-]+")


def _join_link(handler: Any, to: str, subject: str) -> str:
    for message in handler.received:
        if to in message.rcpt_tos:
            parsed = email.message_from_bytes(message.data, policy=email.policy.default)
            assert subject in str(parsed["Subject"]), parsed["Subject"]
            text = parsed.get_body(preferencelist=("plain",)).get_content()
            found = _LINK.search(text)
            assert found, text
            return found.group(0)
    raise AssertionError(f"no email to {to}")


def _login(page: Any, url: str, who: str, totp: str | None = None) -> None:
    page.goto(f"{url}/login")
    page.fill("#email", who)
    page.fill("#password", PASSPHRASE)
    if totp:
        page.fill("#totp", totp)
    page.click("button[type=submit]")


def _within_budget(page: Any, response: Any, url: str) -> None:
    assert response is not None
    assert response.status == 200
    css = page.request.get(f"{url}/static/hub.css").body()
    assert len(response.body()) + len(css) <= PAGE_BUDGET


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_an_organisation_joins_and_its_colleague_reads_a_report(
    live_hub: LiveHub, browser: Any, lang: str
) -> None:
    words = WORDS[lang]
    url = live_hub.url
    contact = f"contact-{lang}@route.example.org"
    colleague = f"colleague-{lang}@route.example.org"
    name = f"Médecins de la Route {lang.upper()}"
    with live_hub.session_factory() as session:
        make_tree(session)
        decider_org = make_organisation(session, name="Comité de supervision SLT")
        decider = make_member(session, decider_org, roles=(Role.COMMITTEE,))
        assert decider.totp_secret is not None
        publisher_org = make_organisation(session, name="Aide Sans Frontières")
        areas.set_presence(session, actor=CONSOLE, organisation_id=publisher_org.id, areas=["CD61"])
        publisher = make_member(session, publisher_org).member.email
        decider_email, secret = decider.member.email, decider.totp_secret

    applicant = browser.new_context(java_script_enabled=False, locale=words["locale"])
    committee = browser.new_context(java_script_enabled=False, locale=words["locale"])
    first = browser.new_context(java_script_enabled=False, locale=words["locale"])
    second = browser.new_context(java_script_enabled=False, locale=words["locale"])
    with smtp_server() as (controller, handler), sms_gateway() as (gateway_url, _state):
        # The emails link to the hub where it really listens (a free port for this test).
        settings = live_hub.settings.model_copy(update={"base_url": url})
        dispatcher = make_dispatcher(
            settings, live_hub.session_factory, controller.port, gateway_url
        )
        try:
            # 1. The organisation applies, no account needed.
            page = applicant.new_page()
            _within_budget(page, page.goto(f"{url}/apply"), url)
            page.fill("#name", name)
            page.select_option("#kind", "ngo")
            page.fill("#contact_name", "Awa Diallo")
            page.fill("#contact_email", contact)
            page.fill("#areas", "Nord-Kivu")
            page.fill("#reason", "Cliniques mobiles sur les routes du Nord-Kivu.")
            page.click("button[type=submit]")
            assert words["applied"] in page.locator("main").inner_text()
            dispatcher.run_once(dt.datetime.now(dt.UTC))
            assert handler.received == []  # nothing is sent before the committee approves

            # 2. A committee member, logged in with TOTP, approves.
            decide = committee.new_page()
            _login(decide, url, decider_email, pyotp.TOTP(secret).now())
            _within_budget(decide, decide.goto(f"{url}/committee/organisations"), url)
            section = decide.locator("section.application", has_text=name)
            section.locator(f"button:has-text('{words['approve']}')").click()
            assert words["approved"] in decide.locator("main").inner_text()

            # 3. The contact follows the link of the real email and sets a passphrase.
            dispatcher.run_once(dt.datetime.now(dt.UTC))
            link = _join_link(handler, contact, words["subject"])
            page = first.new_page()
            _within_budget(page, page.goto(link), url)
            page.fill("#password", PASSPHRASE)
            page.fill("#confirm", PASSPHRASE)
            page.click(f"button:has-text('{words['join']}')")
            main = page.locator("main").inner_text()
            assert words["recovery"] in main
            # The link worked once.
            again = page.goto(link)
            assert again is not None
            assert again.status == 404

            # 4. The contact logs in and invites a colleague as liaison.
            _login(page, url, contact)
            _within_budget(page, page.goto(f"{url}/organisation/members"), url)
            page.fill("#email", colleague)
            page.fill("#display_name", "Jean Mukendi")
            page.check("form[action='/organisation/members/invite'] input[value=liaison]")
            page.select_option("#language", lang)
            page.click(f"button:has-text('{words['invite']}')")
            assert words["invited"] in page.locator("main").inner_text()

            # 5. The colleague follows their own email's link and joins.
            handler.received.clear()
            dispatcher.run_once(dt.datetime.now(dt.UTC))
            link = _join_link(handler, colleague, words["subject"])
            other = second.new_page()
            other.goto(link)
            other.fill("#password", NEW_PASSPHRASE)
            other.fill("#confirm", NEW_PASSPHRASE)
            other.click(f"button:has-text('{words['join']}')")
            assert words["must_grant"] in other.locator("main").inner_text()

            # A partner publishes a report for the new organisation (as an API client would).
            with live_hub.session_factory() as session:
                org_id = session.scalars(
                    select(Organisation.id).where(Organisation.name == name)
                ).one()
            with httpx.Client(base_url=url) as api:
                token = api.post(
                    f"{API}/auth/login", json={"email": publisher, "password": PASSPHRASE}
                ).json()["access_token"]
                published = api.post(
                    f"{API}/reports",
                    json=flash(
                        audience={"organisations": [org_id]},
                        body={"narrative": "Convoi arrêté au PK 42 par des hommes armés."},
                    ),
                    headers={"Authorization": f"Bearer {token}"},
                )
                assert published.status_code == 201, published.text
                report_id = published.json()["id"]

            # 6. The contact grants the organisation's keys to the colleague.
            page.goto(f"{url}/organisation/members")
            row = page.locator("tr", has_text=colleague)
            assert words["no_keys"] in row.inner_text()
            row.locator(f"button:has-text('{words['grant']}')").click()
            assert words["granted"] in page.locator("main").inner_text()

            # 7. The colleague logs in and reads the report.
            other.goto(f"{url}/login")
            other.fill("#email", colleague)
            other.fill("#password", NEW_PASSPHRASE)
            other.click("button[type=submit]")
            response = other.goto(f"{url}/reports/{report_id}")
            assert response is not None
            assert response.status == 200
            assert "Convoi arrêté au PK 42" in other.locator("main").inner_text()
        finally:
            dispatcher.channels.close()
            for context in (applicant, committee, first, second):
                context.close()
