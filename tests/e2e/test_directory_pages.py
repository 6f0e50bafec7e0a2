"""The directory in a real browser, JavaScript off, in French and in English: a focal point,
prompted on the landing page, chooses to show their phone and email (not their title); a
member of another approved partner follows "who to call here" from the area's page, then
looks the province up by name, and sees them as tel: and mailto: links; a member of a
suspended partner is refused with the friendly 403 page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from hub.actors import CONSOLE
from hub.areas import service as areas
from hub.members.models import Role
from hub.organisations import service as organisations
from tests.e2e.conftest import LiveHub
from tests.hub.areas.factories import make_tree
from tests.hub.factories import PASSPHRASE, make_member, make_organisation

PAGE_BUDGET = 30_000  # bytes of HTML + CSS for one page
PHONE = "+243810000077"
TITLE = "Conseillère sécurité Nord-Kivu"

WORDS = {
    "fr": {
        "locale": "fr-FR",
        "prompt": "Choisissez ce qu’ils voient de vos coordonnées",
        "save": "Enregistrer",
        "saved": "Enregistré : les partenaires voient désormais ce que vous avez choisi.",
        "who": "Qui appeler ici",
        "look_up": "Chercher",
        "refused": "Non autorisé",
        "suspended": "Votre organisation est suspendue",
    },
    "en": {
        "locale": "en-GB",
        "prompt": "Choose what they see of your contact details",
        "save": "Save",
        "saved": "Saved: partners now see what you chose.",
        "who": "Who to call here",
        "look_up": "Look up",
        "refused": "Not allowed",
        "suspended": "Your organisation is suspended",
    },
}


@pytest.fixture
def contexts(browser: Any) -> Iterator[list[Any]]:
    opened: list[Any] = []
    yield opened
    for context in opened:
        context.close()


def _log_in(hub: LiveHub, browser: Any, contexts: list[Any], email: str, lang: str) -> Any:
    context = browser.new_context(locale=WORDS[lang]["locale"], java_script_enabled=False)
    contexts.append(context)
    page = context.new_page()
    page.goto(f"{hub.url}/login")
    page.fill("#email", email)
    page.fill("#password", PASSPHRASE)
    page.click("button[type=submit]")
    assert page.url.rstrip("/") == hub.url
    return page


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_focal_point_shows_phone_and_email_and_a_partner_finds_them(
    live_hub: LiveHub, browser: Any, contexts: list[Any], lang: str
) -> None:
    words = WORDS[lang]
    with live_hub.session_factory() as session:
        make_tree(session)
        asf = make_organisation(session, name="Aide Sans Frontières")
        areas.set_presence(session, actor=CONSOLE, organisation_id=asf.id, areas=["CD61"])
        make_member(session, asf, email="awa@asf.example.org", roles=(Role.FOCAL_POINT,))
        agency = make_organisation(session, name="Agence des Collines")
        areas.set_presence(session, actor=CONSOLE, organisation_id=agency.id, areas=["CD6102"])
        make_member(session, agency, email="jean@collines.example.org", roles=(Role.LIAISON,))
        gone = make_organisation(session, name="Partenaire Suspendu")
        areas.set_presence(session, actor=CONSOLE, organisation_id=gone.id, areas=["CD61"])
        make_member(session, gone, email="paul@suspendu.example.org", roles=(Role.FOCAL_POINT,))
        organisations.suspend_organisation(session, actor=CONSOLE, organisation_id=gone.id)

    focal = _log_in(live_hub, browser, contexts, "awa@asf.example.org", lang)
    focal.click(f"text={words['prompt']}")
    assert focal.url == f"{live_hub.url}/account/directory"
    focal.check("input[name=show][value=phone]")
    focal.check("input[name=show][value=email]")
    focal.fill("#phone", PHONE)
    focal.fill("#title", TITLE)  # kept, but not ticked: partners do not see it
    focal.click(f"button:has-text('{words['save']}')")
    assert words["saved"] in focal.locator("main").inner_text()

    partner = _log_in(live_hub, browser, contexts, "jean@collines.example.org", lang)
    partner.goto(f"{live_hub.url}/areas/CD6102")
    partner.click(f"text={words['who']}")
    found = partner.locator("section.org", has_text="Aide Sans Frontières")
    assert found.locator(f'a[href="tel:{PHONE}"]').inner_text() == PHONE
    assert found.locator('a[href="mailto:awa@asf.example.org"]').count() == 1
    assert TITLE not in partner.content()
    assert "Partenaire Suspendu" not in partner.content()

    partner.fill("#area", "Nord-Kivu")
    partner.click(f"button:has-text('{words['look_up']}')")
    assert "area=Nord-Kivu" in partner.url
    found = partner.locator("section.org", has_text="Aide Sans Frontières")
    assert found.locator(f'a[href="tel:{PHONE}"]').count() == 1
    response = partner.goto(f"{live_hub.url}/directory?area=CD61")
    assert response is not None
    css = partner.request.get(f"{live_hub.url}/static/hub.css").body()
    assert len(response.body()) + len(css) <= PAGE_BUDGET

    refused = _log_in(live_hub, browser, contexts, "paul@suspendu.example.org", lang)
    answer = refused.goto(f"{live_hub.url}/directory?area=CD61")
    assert answer is not None
    assert answer.status == 403
    assert refused.locator("h1").inner_text() == words["refused"]
    assert words["suspended"] in refused.locator("main").inner_text()
    assert PHONE not in refused.content()
