"""Nothing typed is lost: the link drops as the flash form is sent — after the hub received
it, the worst case — and the phone goes offline; when the link comes back the page sends the
same form again, with the same idempotency key, and exactly one report exists, with
everything that was typed."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import func, select

from hub.reports.models import Report
from tests.e2e.conftest import LiveHub
from tests.e2e.test_flash_form import PHONE, _fill_flash
from tests.e2e.test_report_pages import Org, _log_in, contexts, partners  # noqa: F401


def test_a_dropped_connection_on_submit_publishes_once_when_it_comes_back(
    live_hub: LiveHub,
    browser: Any,
    partners: dict[str, Org],  # noqa: F811 (the fixture imported above)
    contexts: list[Any],  # noqa: F811
) -> None:
    page = _log_in(live_hub, browser, contexts, partners["a"].email, **PHONE)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(f"{live_hub.url}/reports/flash")
    _fill_flash(page)
    # Typed, not yet sent: kept on the phone already.
    kept = page.evaluate("localStorage.getItem('slthub-flash-draft')")
    assert "Un chauffeur national enlevé" in kept

    posts: list[str] = []

    def lose_the_answer(route: Any) -> None:
        # The hub gets the report and publishes it; its answer never reaches the phone.
        posts.append(route.request.post_data or "")
        route.fetch(max_redirects=0)
        page.context.set_offline(True)
        route.abort("internetdisconnected")

    page.route(
        "**/reports/flash",
        lambda route: (
            lose_the_answer(route) if route.request.method == "POST" else route.continue_()
        ),
    )
    page.click("button[type=submit]:has-text('Publier le rapport flash')")
    status = page.locator("#flash-state")
    expect(status).to_contain_text("En attente de connexion")
    assert "gardé sur ce téléphone" in status.inner_text()
    assert page.url.endswith("/reports/flash")
    page.unroute("**/reports/flash")
    with live_hub.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Report)) == 1

    page.context.set_offline(False)
    page.wait_for_url(re.compile(r"/reports/[0-9a-f-]{36}\?published=1$"), timeout=30_000)
    text = page.locator("main").inner_text()
    for typed in (
        "Un chauffeur national enlevé",
        "Famille prévenue ; besoin d’un négociateur",
        "Enlèvement d’un chauffeur près de Rutshuru",
        "23 nov. 2026 06:40",
    ):
        assert typed in text
    with live_hub.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Report)) == 1
    # Sent: the draft is gone from the phone, and nothing tripped the CSP.
    assert page.evaluate("localStorage.getItem('slthub-flash-draft')") is None
    assert len(posts) == 1
    assert not [m for m in console if "Content Security Policy" in m], console


def test_what_was_typed_comes_back_after_the_page_is_closed(
    live_hub: LiveHub,
    browser: Any,
    partners: dict[str, Org],  # noqa: F811 (the fixture imported above)
    contexts: list[Any],  # noqa: F811
) -> None:
    page = _log_in(live_hub, browser, contexts, partners["a"].email, **PHONE)
    page.goto(f"{live_hub.url}/reports/flash")
    page.fill("#who_involved", "Deux gardiens menacés")
    page.check("input[name=severity][value=moderate]")
    key = page.input_value("input[name=idempotency_key]")
    page.goto(f"{live_hub.url}/reports")
    page.goto(f"{live_hub.url}/reports/flash")
    assert page.input_value("#who_involved") == "Deux gardiens menacés"
    assert page.is_checked("input[name=severity][value=moderate]")
    assert page.input_value("input[name=idempotency_key]") == key
    assert "pas encore été envoyée" in page.locator("#flash-state").inner_text()
