"""A briefing end to end, in French, in a real browser with JavaScript off: a coordinator
schedules a briefing for North Kivu; the invitation email (real SMTP server, aiosmtpd) reaches
a liaison of a partner present there, who accepts from its link without logging in; the
coordinator publishes the minutes; the liaison logs in and reads them — and a partner that did
not attend cannot open them."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
from typing import Any

import icalendar
import pyotp

from hub.actors import CONSOLE
from hub.areas import service as areas
from hub.members.models import Role
from tests.alerts.servers import sms_gateway, smtp_server
from tests.e2e.conftest import LiveHub
from tests.hub.alerting.conftest import make_dispatcher
from tests.hub.areas.factories import make_tree
from tests.hub.factories import PASSPHRASE, make_member, make_organisation

_ANSWER = re.compile(r"https?://[^\s\"'<>]+/b/[A-Za-z0-9_-]+")


def _invitation(handler: Any, to: str) -> tuple[str, icalendar.Calendar]:
    for received in handler.received:
        if to in received.rcpt_tos:
            message = email.message_from_bytes(received.data, policy=email.policy.default)
            assert "briefing" in str(message["Subject"]).lower()
            text = "\n".join(
                p.get_content() for p in message.walk() if p.get_content_type() == "text/plain"
            )
            [ics] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
            found = _ANSWER.search(text)
            assert found, text
            return found.group(0), icalendar.Calendar.from_ical(ics.get_payload(decode=True))
    raise AssertionError(f"no email to {to}")


def _login(page: Any, url: str, who: str, totp: str | None = None) -> None:
    page.goto(f"{url}/login")
    page.fill("#email", who)
    page.fill("#password", PASSPHRASE)
    if totp:
        page.fill("#totp", totp)
    page.click("button[type=submit]")


def test_a_briefing_from_invitation_to_minutes_in_french(live_hub: LiveHub, browser: Any) -> None:
    url = live_hub.url
    with live_hub.session_factory() as session:
        make_tree(session)
        undss = make_organisation(session, name="UNDSS Nord-Kivu")
        coordinator = make_member(session, undss, roles=(Role.COORDINATOR, Role.FOCAL_POINT))
        assert coordinator.totp_secret is not None
        kivu = make_organisation(session, name="ONG Kivu Santé")
        liaison = make_member(session, kivu, roles=(Role.FOCAL_POINT, Role.LIAISON)).member
        absent = make_organisation(session, name="Relief Absent")
        absentee = make_member(session, absent).member
        for org in (kivu, absent):
            areas.set_presence(session, actor=CONSOLE, organisation_id=org.id, areas=["CD61"])
        coordinator_email, secret = coordinator.member.email, coordinator.totp_secret
        liaison_email, absentee_email = liaison.email, absentee.email

    contexts = [browser.new_context(java_script_enabled=False, locale="fr-FR") for _ in range(3)]
    coord_ctx, liaison_ctx, absent_ctx = contexts
    with smtp_server() as (controller, handler), sms_gateway() as (gateway_url, _state):
        settings = live_hub.settings.model_copy(update={"base_url": url})
        dispatcher = make_dispatcher(
            settings, live_hub.session_factory, controller.port, gateway_url
        )
        try:
            # 1. The coordinator schedules a briefing, in the area's time (Goma, UTC+2).
            page = coord_ctx.new_page()
            _login(page, url, coordinator_email, pyotp.TOTP(secret).now())
            page.goto(f"{url}/briefings")
            assert "Programmer un briefing" in page.locator("main").inner_text()
            page.fill("#area", "CD61")
            page.fill("#starts_at", "2099-01-06 09:30")
            page.fill("#place", "Goma, bureau UNDSS — salle B")
            page.fill("#agenda", "1. Axe Goma–Rutshuru\n2. Mouvements de la semaine")
            page.click("button:has-text('Programmer')")
            main = page.locator("main").inner_text()
            assert "Le briefing est programmé" in main
            assert "2099-01-06 09:30" in main
            assert "Africa/Lubumbashi" in main
            briefing_url = page.url.split("?")[0]

            # 2. The invitation reaches the liaison, with a calendar in Goma's time zone.
            dispatcher.run_once(dt.datetime.now(dt.UTC))
            link, calendar = _invitation(handler, liaison_email)
            [event] = calendar.walk("VEVENT")
            start = event.decoded("DTSTART")
            assert (str(start.tzinfo), start.hour, start.minute) == ("Africa/Lubumbashi", 9, 30)
            assert str(calendar["METHOD"]) == "REQUEST"

            # 3. The liaison accepts from the email's link, without logging in.
            answer = liaison_ctx.new_page()
            response = answer.goto(link)
            assert response is not None
            assert response.status == 200
            assert "Goma, bureau UNDSS" in answer.locator("main").inner_text()
            answer.click("button:has-text('Oui, je serai présent(e)')")
            assert "vous êtes attendu(e)" in answer.locator("main").inner_text()

            # 4. The coordinator sees the answer and publishes the minutes.
            page.goto(briefing_url)
            assert "1 présents" in page.locator("main").inner_text()
            page.fill("#text", "Convoi vers Rutshuru reporté à jeudi ; escorte demandée.")
            page.fill("#decisions", "Point focal ONG Kivu Santé confirme les horaires mercredi.")
            page.click("button:has-text('Publier le compte rendu')")
            assert "Le compte rendu est publié" in page.locator("main").inner_text()

            # 5. The liaison, an attendee, logs in and reads them from the briefing's page.
            reader = liaison_ctx.new_page()
            _login(reader, url, liaison_email)
            reader.goto(briefing_url)
            reader.click("a:has-text('Lire le compte rendu')")
            main = reader.locator("main").inner_text()
            assert "Convoi vers Rutshuru reporté à jeudi" in main
            assert "compte rendu de réunion" in main.lower()
            minutes_url = reader.url

            # 6. A partner present but not attending cannot open them.
            other = absent_ctx.new_page()
            _login(other, url, absentee_email)
            refused = other.goto(minutes_url)
            assert refused is not None
            assert refused.status == 404
            assert "reporté à jeudi" not in other.content()
        finally:
            dispatcher.channels.close()
            for context in contexts:
                context.close()
