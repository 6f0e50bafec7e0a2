"""The flash form (/reports/flash): eight questions, areas by name grouped by province with a
search that needs no JavaScript, defaults that leave nothing else to ask, and the full form
pre-filled for the update of an incident."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.reports.forms import FLASH_FIELDS
from hub.reports.models import Report, ReportDraft
from tests.hub.pages import Browser, csrf
from tests.hub.reports.factories import API, World
from tests.hub.reports.test_pages import hidden

FIELD = re.compile(r"<(?:input|select|textarea)\b[^>]*\bname=\"([^\"]+)\"[^>]*>")


def _visible_questions(html: str) -> set[str]:
    form = html[html.index('<form method="post" action="/reports/flash"') :]
    form = form[: form.index("</form>")]
    names = set()
    for tag in re.finditer(r"<(?:input|select|textarea)\b[^>]*>", form):
        text = tag.group(0)
        name = re.search(r'name="([^"]+)"', text)
        if name and 'type="hidden"' not in text:
            names.add(name.group(1))
    return names - {"q"}  # the search box narrows the "where" list; it is not sent as a fact


def _flash_data(page: str, **changes: Any) -> dict[str, Any]:
    data = {
        "csrf_token": csrf(page),
        "idempotency_key": hidden(page, "idempotency_key"),
        "utc_offset": hidden(page, "utc_offset"),
        "category": "armed_robbery",
        "area": "CD6102",
        "occurred_at": "2026-11-23T06:40",
        "severity": "severe",
        "who_involved": "2 chauffeurs nationaux, indemnes",
        "actions_taken": "Personnel rentré à la base ; besoin d’un véhicule",
        "tlp": "",
        "summary": "Braquage sur la RN2",
    }
    data.update(changes)
    return data


def test_the_flash_form_asks_eight_questions_at_most(w: World, browser: Browser) -> None:
    page = browser(w.a.email, lang="fr").get("/reports/flash")
    assert page.status_code == 200, page.text
    assert _visible_questions(page.text) == set(FLASH_FIELDS)
    assert len(FLASH_FIELDS) <= 8
    # Areas by name, grouped by province; the code stays out of sight in the value.
    assert '<optgroup label="Nord-Kivu">' in page.text
    assert '<option value="CD6102">Rutshuru</option>' in page.text
    # One line for each severity and each TLP, and the default now, in my time zone.
    assert "Mort, enlèvement ou menace pour la vie encore en cours" in page.text
    assert 'type="datetime-local" value="20' in page.text


def test_the_area_search_works_without_javascript(w: World, browser: Browser) -> None:
    a = browser(w.a.email)
    page = a.get("/reports/flash")
    data = _flash_data(page.text, q="masi", find="1", summary="kept as typed")
    found = a.post("/reports/flash", data=data)
    assert found.status_code == 200
    assert '<option value="CD6103">Masisi</option>' in found.text
    assert "Rutshuru" not in found.text
    assert 'value="kept as typed"' in found.text
    assert hidden(found.text, "idempotency_key") == data["idempotency_key"]
    assert "Rutshuru" in a.get("/reports/flash?q=rut").text


def test_a_flash_report_is_published_with_the_defaults(
    client: TestClient, db_session: Session, w: World, browser: Browser
) -> None:
    a = browser(w.a.email)
    page = a.get("/reports/flash")
    data = _flash_data(page.text)
    response = a.post("/reports/flash", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    rid = response.headers["location"].split("/")[2].split("?")[0]
    # The same key again (the browser resending after a drop): still one report.
    again = a.post("/reports/flash", data=data, follow_redirects=False)
    assert again.headers["location"].split("?")[0] == f"/reports/{rid}"
    count = db_session.scalar(
        select(func.count()).select_from(Report).where(Report.originator_id == w.a.id)
    )
    assert count == 1
    read = client.get(f"{API}/reports/{rid}", headers=w.a.headers).json()
    assert read["header"]["stage"] == "flash"
    assert read["header"]["category"] == "armed_robbery"
    assert read["header"]["tlp"] == "amber"  # the normal level's default
    assert read["body"]["who_involved"] == "2 chauffeurs nationaux, indemnes"
    assert read["body"]["actions_taken"] == "Personnel rentré à la base ; besoin d’un véhicule"
    # B is present in the area: the default audience reaches it.
    assert client.get(f"{API}/reports/{rid}", headers=w.b.headers).status_code == 200


def test_flash_errors_keep_everything_typed_in_french(w: World, browser: Browser) -> None:
    a = browser(w.a.email, lang="fr")
    page = a.get("/reports/flash")
    data = _flash_data(page.text, severity="", area="", occurred_at="hier")
    response = a.post("/reports/flash", data=data)
    assert response.status_code == 422
    assert "Le rapport n’a pas été publié." in response.text
    assert 'value="Braquage sur la RN2"' in response.text
    assert "2 chauffeurs nationaux, indemnes" in response.text
    assert 'aria-invalid="true" aria-describedby="severity-error"' in response.text


def test_the_flash_form_takes_only_its_own_fields(
    client: TestClient, w: World, browser: Browser
) -> None:
    a = browser(w.a.email)
    page = a.get("/reports/flash")
    data = _flash_data(page.text, stage="final", audience="organisations", anonymous="1")
    response = a.post("/reports/flash", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    rid = response.headers["location"].split("/")[2].split("?")[0]
    read = client.get(f"{API}/reports/{rid}", headers=w.b.headers).json()
    assert read["header"]["stage"] == "flash"
    assert read["header"]["originator"]["id"] == w.a.id


def test_update_this_incident_prefills_the_full_form(w: World, browser: Browser) -> None:
    a = browser(w.a.email)
    page = a.get("/reports/flash")
    response = a.post("/reports/flash", data=_flash_data(page.text), follow_redirects=False)
    rid = response.headers["location"].split("/")[2].split("?")[0]
    report_page = a.get(f"/reports/{rid}")
    link = re.search(r'href="(/reports/new\?[^"]*stage=update[^"]*)"', report_page.text)
    assert link, report_page.text
    form = a.get(link.group(1).replace("&amp;", "&"))
    assert form.status_code == 200
    assert 'value="CD6102"' in form.text
    assert "2 chauffeurs nationaux, indemnes" in form.text
    assert 'value="Braquage sur la RN2"' in form.text
    assert '<option value="armed_robbery" selected>' in form.text
    assert '<option value="update" selected>' in form.text
    assert f'value="{rid}"' in form.text


def test_the_flash_form_needs_the_csrf_token(w: World, browser: Browser) -> None:
    a = browser(w.a.email)
    page = a.get("/reports/flash")
    data = _flash_data(page.text, csrf_token="forged")
    response = a.post("/reports/flash", data=data, follow_redirects=False)
    assert response.status_code == 403


def test_only_the_flash_form_may_run_a_script_and_only_the_hubs(w: World, browser: Browser) -> None:
    a = browser(w.a.email)
    csp = a.get("/reports/flash").headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "connect-src 'self'" in csp
    assert "unsafe" not in csp
    assert "script-src" not in a.get("/reports/new").headers["content-security-policy"]


def test_without_javascript_the_hub_keeps_a_sealed_draft_until_it_is_published(
    db_session: Session, w: World, browser: Browser
) -> None:
    a = browser(w.a.email, lang="fr")
    page = a.get("/reports/flash")
    data = _flash_data(page.text, severity="", who_involved="Trois gardiens menacés à Kiwanja")
    assert a.post("/reports/flash", data=data).status_code == 422
    # The answer never reached the phone; the hub kept it, sealed: not a word of it in clear.
    db_session.expire_all()
    [draft] = db_session.scalars(select(ReportDraft)).all()
    assert draft.idempotency_key == data["idempotency_key"]
    assert b"Kiwanja" not in draft.envelope
    assert "Kiwanja" not in draft.envelope.decode("latin-1")

    again = a.get("/reports/flash")
    assert "le hub l’a gardé, chiffré pour votre organisation" in again.text
    assert "Trois gardiens menacés à Kiwanja" in again.text
    assert 'value="Braquage sur la RN2"' in again.text
    assert hidden(again.text, "idempotency_key") == data["idempotency_key"]

    data = _flash_data(again.text, who_involved="Trois gardiens menacés à Kiwanja")
    assert a.post("/reports/flash", data=data, follow_redirects=False).status_code == 303
    db_session.expire_all()
    assert db_session.scalars(select(ReportDraft)).all() == []
    fresh = a.get("/reports/flash")
    assert "le hub l’a gardé" not in fresh.text
    assert hidden(fresh.text, "idempotency_key") != data["idempotency_key"]
