"""The flash form in a real Chromium the size of a phone, in French: eight questions at most,
published in one go, and the page light enough for 2G."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select

from hub.reports.models import Report
from tests.e2e.conftest import LiveHub
from tests.e2e.test_report_pages import Org, _log_in, contexts, partners  # noqa: F401

PHONE = {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True}
FLASH_BUDGET = 15_000  # bytes of the flash form with its CSS and script


def _fill_flash(page: Any) -> int:
    """Fills the form as a focal point would; answers how many fields were touched."""
    filled = 0

    def did(_: Any = None) -> None:
        nonlocal filled
        filled += 1

    did(page.select_option("#category", "kidnapping_abduction"))
    did(page.select_option("#area", label="Rutshuru"))
    did(page.fill("#occurred_at", "2026-11-23T06:40"))
    did(page.check("input[name=severity][value=extreme]"))
    did(page.fill("#who_involved", "Un chauffeur national enlevé"))
    did(page.fill("#actions_taken", "Famille prévenue ; besoin d’un négociateur"))
    did(page.check("input[name=tlp][value=amber]"))
    did(page.fill("#summary", "Enlèvement d’un chauffeur près de Rutshuru"))
    return filled


def test_a_flash_report_from_a_phone_in_french(
    live_hub: LiveHub,
    browser: Any,
    partners: dict[str, Org],  # noqa: F811 (the fixture imported above)
    contexts: list[Any],  # noqa: F811
) -> None:
    page = _log_in(live_hub, browser, contexts, partners["a"].email, **PHONE)
    page.goto(f"{live_hub.url}/reports/flash")
    assert page.locator("h1").inner_text() == "Rapport flash"
    # What the phone shows: eight questions, numbered; hidden fields are not questions.
    visible = page.locator(
        "#flash-form select:visible, #flash-form textarea:visible, "
        "#flash-form input:not([type=hidden]):not([name=q]):visible"
    )
    names = {visible.nth(i).get_attribute("name") for i in range(visible.count())}
    assert len(names) <= 8, names
    # The area by name, grouped by province; the time already set to now.
    assert page.locator("#area optgroup[label='Nord-Kivu'] option", has_text="Rutshuru").count()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d", page.input_value("#occurred_at"))
    assert _fill_flash(page) <= 8
    # Nothing wider than the phone: no sideways scrolling to reach a field.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.click("button[type=submit]:has-text('Publier le rapport flash')")
    # The page's script sends it (fetch) and then opens the report.
    page.wait_for_url(re.compile(r"/reports/[0-9a-f-]{36}\?published=1$"))
    match = re.search(r"/reports/([0-9a-f-]{36})\?published=1$", page.url)
    assert match, page.url
    text = page.locator("main").inner_text()
    assert "Famille prévenue ; besoin d’un négociateur" in text
    assert "Un chauffeur national enlevé" in text
    assert "23 nov. 2026 06:40" in text

    # B, present in the same province, reads it: the default audience of a flash report.
    page_b = _log_in(live_hub, browser, contexts, partners["b"].email)
    page_b.goto(f"{live_hub.url}/reports/{match.group(1)}")
    assert "Un chauffeur national enlevé" in page_b.locator("main").inner_text()
    with live_hub.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Report)) == 1


def test_the_flash_form_weighs_less_than_15_kb(
    live_hub: LiveHub,
    browser: Any,
    partners: dict[str, Org],  # noqa: F811 (the fixture imported above)
    contexts: list[Any],  # noqa: F811
) -> None:
    page = _log_in(live_hub, browser, contexts, partners["a"].email, **PHONE)
    response = page.goto(f"{live_hub.url}/reports/flash", wait_until="load")
    assert response is not None
    assert response.status == 200
    # The page and what it links, fetched by address in the same logged-in context: reading
    # the bodies of the load's own responses depended on the browser's cache and on Chromium
    # still holding each body ("No resource with given identifier found" in CI).
    again = page.request.get(f"{live_hub.url}/reports/flash")
    assert again.status == 200
    html = again.body()
    weight = len(html)
    linked = set(re.findall(rb'<(?:link rel="stylesheet" href|script[^>]* src)="([^"]+)"', html))
    assert {b"/static/hub.css", b"/static/flash.js"} <= linked, linked
    for href in linked:
        found = page.request.get(f"{live_hub.url}{href.decode()}")
        assert found.status == 200, href
        weight += len(found.body())
    assert weight <= FLASH_BUDGET, weight
