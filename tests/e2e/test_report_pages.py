"""The report pages in a real browser, in French, the way three focal points use them: one
publishes an incident through the form (JavaScript off), another reads it and asks to pass it
on, the first approves, the third reads. Plus what a 2G connection needs: small pages, and
nothing fetched from anywhere but the hub."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from hub.actors import CONSOLE
from hub.areas import service as areas
from tests.e2e.conftest import LiveHub
from tests.hub.areas.factories import make_tree
from tests.hub.factories import PASSPHRASE, make_member, make_organisation

PAGE_BUDGET = 30_000  # bytes of HTML + CSS for one page


@dataclass
class Org:
    id: str
    name: str
    email: str


def _org(session: Any, name: str, email: str) -> Org:
    org = make_organisation(session, name=name)
    areas.set_presence(session, actor=CONSOLE, organisation_id=org.id, areas=["CD61"])
    make_member(session, org, email=email)
    return Org(id=org.id, name=name, email=email)


@pytest.fixture
def partners(live_hub: LiveHub) -> dict[str, Org]:
    with live_hub.session_factory() as session:
        make_tree(session)
        return {
            "a": _org(session, "Aide Sans Frontières", "fp@asf.example.org"),
            "b": _org(session, "Agence des Nations unies B", "fp@unb.example.org"),
            "c": _org(session, "Secours Grands Lacs", "fp@sgl.example.org"),
        }


@pytest.fixture
def contexts(browser: Any) -> Iterator[list[Any]]:
    opened: list[Any] = []
    yield opened
    for context in opened:
        context.close()


def _log_in(hub: LiveHub, browser: Any, contexts: list[Any], email: str, **options: Any) -> Any:
    context = browser.new_context(locale="fr-FR", **options)
    contexts.append(context)
    page = context.new_page()
    page.goto(f"{hub.url}/login")
    page.fill("#email", email)
    page.fill("#password", PASSPHRASE)
    page.click("button[type=submit]")
    assert "sont déverrouillées pour cette session" in page.locator("main").inner_text()
    return page


def _publish_flash(page: Any, hub: LiveHub, to: Org) -> str:
    page.goto(f"{hub.url}/reports/new")
    assert page.locator("h1").inner_text() == "Nouveau rapport d’incident"
    page.select_option("#category", "armed_robbery")
    page.select_option("#severity", "severe")
    page.fill("#area", "CD6102")
    page.fill("#occurred_at", "2026-11-23T06:40")
    page.select_option("#utc_offset", "+02:00")
    page.fill("#summary", "Braquage sur la RN2, pas de blessé")
    page.fill("#who_involved", "Deux chauffeurs nationaux")
    page.fill("#what_happened", "Convoi arrêté par des hommes armés au PK 42")
    page.fill("#actions_taken", "Personnel rentré à la base")
    page.fill("#help_needed", "Aucune")
    page.fill("input[name=v_national_injured]", "0")
    page.select_option("#tlp", "amber")
    page.check("input[name=audience][value=organisations]")
    page.check(f"input[name=organisations][value='{to.id}']")
    page.click("button[type=submit]:has-text('Publier')")
    match = re.search(r"/reports/([0-9a-f-]{36})\?published=1$", page.url)
    assert match, page.url
    return match.group(1)


def test_publish_read_ask_approve_read_in_french(
    live_hub: LiveHub, browser: Any, partners: dict[str, Org], contexts: list[Any]
) -> None:
    a, b, c = partners["a"], partners["b"], partners["c"]

    # A's focal point publishes from a browser with JavaScript off.
    page_a = _log_in(live_hub, browser, contexts, a.email, java_script_enabled=False)
    rid = _publish_flash(page_a, live_hub, b)
    text = page_a.locator("main").inner_text()
    assert "Publié. 1 organisation partenaire peut le lire." in text
    assert b.name in text  # among the recipients, with a revoke button
    assert page_a.locator(f"form[action$='/recipients/{b.id}/revoke'] button").count() == 1

    # B's focal point finds it in the list, opens it, and asks to pass it on to C.
    page_b = _log_in(live_hub, browser, contexts, b.email)
    page_b.click("text=Rapports")
    listing = page_b.locator("main").inner_text()
    assert "Braquage sur la RN2, pas de blessé" in listing
    assert a.name in listing
    page_b.click(f"a[href='/reports/{rid}']")
    report = page_b.locator("main").inner_text()
    assert "Convoi arrêté par des hommes armés au PK 42" in report
    assert "Deux chauffeurs nationaux" in report
    assert f"Signé par {a.name}, signature valide." in report
    assert "23 nov. 2026 06:40 (UTC+02:00)" in report
    page_b.select_option("#to_organisation", c.id)
    page_b.fill("#reason", "Leurs convois empruntent la même route")
    page_b.click("button:has-text('Demander à l’émetteur')")
    assert "En attente de la réponse de l’émetteur." in page_b.locator("main").inner_text()

    # C cannot read it yet: the same answer as for a report that does not exist.
    page_c = _log_in(live_hub, browser, contexts, c.email)
    response = page_c.goto(f"{live_hub.url}/reports/{rid}")
    assert response.status == 404
    assert "Convoi" not in page_c.locator("main").inner_text()

    # A approves on the share-request page.
    page_a.click("text=Demandes de transmission")
    incoming = page_a.locator("main").inner_text()
    assert f"{b.name} demande à transmettre votre rapport à {c.name}." in incoming
    assert "Leurs convois empruntent la même route" in incoming
    page_a.click("button:has-text('Accepter')")
    answered = page_a.locator("main").inner_text()
    assert "Votre réponse a été enregistrée." in answered
    assert "Approuvé ; l’organisation peut lire le rapport dès maintenant." in answered

    # C's focal point reads it now.
    page_c.goto(f"{live_hub.url}/reports")
    page_c.click(f"a[href='/reports/{rid}']")
    read = page_c.locator("main").inner_text()
    assert "Convoi arrêté par des hommes armés au PK 42" in read
    assert "signature valide" in read


def test_the_publish_form_keeps_input_without_javascript(
    live_hub: LiveHub, browser: Any, partners: dict[str, Org], contexts: list[Any]
) -> None:
    page = _log_in(live_hub, browser, contexts, partners["a"].email, java_script_enabled=False)
    page.goto(f"{live_hub.url}/reports/new")
    page.select_option("#severity", "extreme")
    page.fill("#area", "CD6102")
    page.fill("#occurred_at", "2026-11-23T06:40")
    page.fill("#what_happened", "Enlèvement d’un chauffeur")
    page.fill("input[name=v_national_kidnapped]", "un")  # not a number
    page.click("button[type=submit]:has-text('Publier')")
    assert page.url.endswith("/reports/new")
    assert "Le rapport n’a pas été publié." in page.locator(".error").first.inner_text()
    assert "Indiquez un nombre entier." in page.locator("main").inner_text()
    assert page.input_value("#what_happened") == "Enlèvement d’un chauffeur"
    assert page.input_value("#area") == "CD6102"
    assert page.input_value("#occurred_at") == "2026-11-23T06:40"
    page.fill("input[name=v_national_kidnapped]", "1")
    page.click("button[type=submit]:has-text('Publier')")
    assert "/reports/" in page.url
    assert "?published=1" in page.url
    assert "Enlèvement d’un chauffeur" in page.locator("main").inner_text()


def test_pages_are_light_and_fetch_nothing_from_outside(
    live_hub: LiveHub, browser: Any, partners: dict[str, Org], contexts: list[Any]
) -> None:
    page = _log_in(live_hub, browser, contexts, partners["a"].email)
    outside: list[str] = []

    def only_the_hub(route: Any) -> None:
        if route.request.url.startswith(f"{live_hub.url}/"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.context.route("**/*", only_the_hub)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    rid = _publish_flash(page, live_hub, partners["b"])

    css = len(page.request.get(f"{live_hub.url}/static/hub.css").body())
    for path in ("/reports/new", f"/reports/{rid}", "/reports", "/share-requests"):
        finished: list[Any] = []

        def listener(request: Any, finished: list[Any] = finished) -> None:
            finished.append(request)

        page.on("requestfinished", listener)
        response = page.goto(f"{live_hub.url}{path}", wait_until="load")
        page.remove_listener("requestfinished", listener)
        assert response is not None
        assert response.status == 200, path
        # The stylesheet counts whether this load fetched it or the cache had it.
        weight = len(response.body()) + css
        assert weight < PAGE_BUDGET, (path, weight)
        kinds = {r.resource_type for r in finished}
        assert "document" in kinds, path
        assert kinds <= {"document", "stylesheet"}, path
    assert outside == []
    # The stylesheet applied, and nothing tripped the Content-Security-Policy.
    assert page.evaluate("getComputedStyle(document.body).maxWidth") != "none"
    assert not [m for m in console if "Content Security Policy" in m], console
