"""The report pages as people use them: a browser session (cookie + CSRF token), forms,
French and English, and every refusal answered as a page — never problem+json, never a 500.

Each party browses with its own TestClient (its own cookie jar); reports are set up through
the JSON API exactly as the other report tests do."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from hub.members.models import Role
from hub.reports.models import Report
from tests.hub.factories import make_member, make_organisation
from tests.hub.pages import Browser, csrf
from tests.hub.reports.factories import API, Party, World, flash, publish
from tests.hub.reports.test_attachments import PNG, attach


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, name
    return match.group(1)


def _to_b(client: TestClient, w: World, **changes: Any) -> str:
    report: str = publish(client, w.a, flash(audience={"organisations": [w.b.id]}, **changes))["id"]
    return report


def _is_page(response: Any, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")


# --- logged out -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/reports"),
        ("get", "/reports/new"),
        ("get", "/reports/00000000-0000-0000-0000-000000000000"),
        ("get", "/reports/00000000-0000-0000-0000-000000000000/withdraw"),
        ("get", "/share-requests"),
        ("post", "/reports/new"),
        ("post", "/share-requests/00000000-0000-0000-0000-000000000000/approve"),
    ],
)
def test_logged_out_is_sent_to_the_login_page(client: TestClient, method: str, path: str) -> None:
    response = getattr(client, method)(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"


def test_an_expired_or_forged_session_cookie_is_sent_to_login(client: TestClient) -> None:
    client.cookies.set("slthub_session", "forged.AAAA")
    response = client.get("/reports", follow_redirects=False)
    assert response.headers["location"] == "/login"


# --- the list -------------------------------------------------------------------------------


def test_list_shows_what_my_organisation_was_given(
    client: TestClient, w: World, browser: Browser
) -> None:
    rid = _to_b(client, w)
    anonymous = _to_b(client, w, anonymous=True, summary="Tirs entendus près du marché")

    page = browser(w.b.email).get("/reports")
    _is_page(page, 200)
    assert f'href="/reports/{rid}"' in page.text
    assert "Vol à main armée sur la route Goma–Rutshuru" in page.text
    assert w.a.org.name in page.text
    # Newest first; the anonymous one names nobody.
    assert page.text.index(anonymous) < page.text.index(rid)
    assert "a partner organisation" in page.text
    assert page.text.count(w.a.org.name) == 1
    assert 'href="/reports/new"' in page.text  # B's focal point may publish

    outsider = browser(w.outsider.email).get("/reports")
    _is_page(outsider, 200)
    assert rid not in outsider.text
    assert "No report has been shared with your organisation yet." in outsider.text


def test_list_filters_and_the_older_link(
    client: TestClient, w: World, browser: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hub.reports import pages

    monkeypatch.setattr(pages, "PAGE_SIZE", 2)
    ids = [_to_b(client, w, severity=s) for s in ("minor", "severe", "minor")]
    b = browser(w.b.email)

    first = b.get("/reports")
    assert ids[2] in first.text
    assert ids[1] in first.text
    assert ids[0] not in first.text
    older = re.search(r'href="(/reports\?before=[^"]+)" rel="next"', first.text)
    assert older, first.text
    second = b.get(older.group(1).replace("&amp;", "&"))
    assert ids[0] in second.text
    assert ids[2] not in second.text
    assert 'rel="next"' not in second.text

    minor = b.get("/reports?severity=minor")
    assert ids[0] in minor.text
    assert ids[2] in minor.text
    assert ids[1] not in minor.text
    elsewhere = b.get("/reports?area=CD62").text
    assert not re.search(r'href="/reports/[0-9a-f-]{36}"', elsewhere)
    assert "No report matches these filters." in elsewhere
    assert ids[1] in b.get("/reports?area=CD61&type=incident").text


def test_withdrawn_reports_are_listed_as_such(
    client: TestClient, w: World, browser: Browser
) -> None:
    rid = _to_b(client, w)
    assert client.delete(f"{API}/reports/{rid}", headers=w.a.headers).status_code == 204
    page = browser(w.b.email).get("/reports")
    assert "withdrawn by the originator" in page.text
    assert f'href="/reports/{rid}"' not in page.text
    gone = browser(w.b.email).get(f"/reports/{rid}")
    _is_page(gone, 410)
    assert "withdrawn by the originator" in gone.text.lower()
    assert "Convoy" not in gone.text


# --- one report -----------------------------------------------------------------------------


def test_recipient_reads_the_body_and_the_signature(
    client: TestClient, w: World, browser: Browser
) -> None:
    rid = _to_b(
        client,
        w,
        body={
            "who_involved": "Two national drivers",
            "affected": {"national": {"injured": 2}, "international": {"kidnapped": 1}},
        },
    )
    page = browser(w.b.email).get(f"/reports/{rid}")
    _is_page(page, 200)
    text = page.text
    assert "Convoy stopped by armed men." in text
    assert "Two national drivers" in text
    assert "PK 42, route RN2" in text
    assert "Staff returned to base." in text
    assert f"Signed by {w.a.org.name}, signature valid." in text
    assert "23 Nov 2026 06:40 (UTC+01:00)" in text  # the author's local time, said so
    assert "<td>2</td>" in text
    assert "<td>1</td>" in text
    # A recipient asks to pass it on; it cannot revoke or withdraw.
    assert f'action="/reports/{rid}/share-requests"' in text
    assert "/revoke" not in text
    assert "/withdraw" not in text
    assert "<script" not in text


def test_originator_sees_recipients_with_revoke_and_withdraw(
    client: TestClient, w: World, browser: Browser
) -> None:
    rid = _to_b(client, w)
    page = browser(w.a.email).get(f"/reports/{rid}")
    _is_page(page, 200)
    assert w.b.org.name in page.text
    assert f'action="/reports/{rid}/recipients/{w.b.id}/revoke"' in page.text
    assert f'action="/reports/{rid}/recipients/{w.a.id}/revoke"' not in page.text
    assert f'href="/reports/{rid}/withdraw"' in page.text
    assert "Publish an update" in page.text


def test_not_given_and_unknown_are_the_same_404_page(
    client: TestClient, w: World, browser: Browser
) -> None:
    rid = _to_b(client, w)
    outsider = browser(w.outsider.email)
    not_given = outsider.get(f"/reports/{rid}")
    unknown = outsider.get("/reports/00000000-0000-0000-0000-000000000000")
    junk = outsider.get("/reports/not%20an%20id")
    for response in (not_given, unknown, junk):
        _is_page(response, 404)
    body = re.search(r"<main>(.*)</main>", not_given.text, re.S)
    assert body
    assert body.group(1) in unknown.text
    assert body.group(1) in junk.text
    assert "Convoy" not in not_given.text


def test_anonymous_report_is_attested_by_the_hub(
    client: TestClient, w: World, browser: Browser
) -> None:
    rid = _to_b(client, w, anonymous=True)
    page = browser(w.b.email).get(f"/reports/{rid}")
    facts = re.search(r'<dl class="facts">(.*?)</dl>', page.text, re.S)
    assert facts
    assert "a partner organisation" in facts.group(1)
    # The name is only in the list of partners one may ask to pass the report to.
    assert page.text.count(w.a.org.name) == 1
    assert f">{w.a.org.name}</option>" in page.text
    assert "the hub checked that an approved partner organisation signed it" in page.text
    mine = browser(w.a.email).get(f"/reports/{rid}")
    assert f"Signed by {w.a.org.name}, signature valid." in mine.text
    assert "published anonymously" in mine.text


def test_a_damaged_report_is_an_integrity_page(
    db_session: Session, client: TestClient, w: World, browser: Browser
) -> None:
    rid = _to_b(client, w)
    db_session.execute(update(Report).where(Report.id == rid).values(severity="extreme"))
    db_session.commit()
    page = browser(w.b.email).get(f"/reports/{rid}")
    _is_page(page, 409)
    assert "This report failed its integrity check" in page.text
    assert "Convoy" not in page.text
    assert "PK 42" not in page.text


def test_attachments_download_through_the_page(
    client: TestClient, w: World, browser: Browser
) -> None:
    rid = _to_b(client, w, attachments=[attach("checkpoint photo.png", PNG)])
    b = browser(w.b.email)
    page = b.get(f"/reports/{rid}")
    link = re.search(rf'href="(/reports/{rid}/attachments/[^"]+)"', page.text)
    assert link, page.text
    assert "(image/png, 10.3 kB)" in page.text
    assert "(image/png, 10,3 ko)" in browser(w.b.email, "fr").get(f"/reports/{rid}").text
    got = b.get(link.group(1))
    assert got.status_code == 200
    assert got.content == PNG
    assert got.headers["content-disposition"].startswith("attachment;")
    assert "checkpoint%20photo.png" in got.headers["content-disposition"]
    assert browser(w.outsider.email).get(link.group(1)).status_code == 404


def test_a_member_of_a_pending_organisation_is_refused_with_a_page(
    db_session: Session, browser: Browser
) -> None:
    pending = make_organisation(db_session, approve=False)
    member = make_member(db_session, pending)
    page = browser(member.member.email).get("/reports")
    _is_page(page, 403)
    assert "pending" in page.text


# --- withdrawal and revocation --------------------------------------------------------------


def test_withdraw_asks_for_confirmation_then_shreds(
    client: TestClient, w: World, browser: Browser
) -> None:
    rid = _to_b(client, w)
    a = browser(w.a.email)
    confirm = a.get(f"/reports/{rid}/withdraw")
    _is_page(confirm, 200)
    assert "This cannot be undone." in confirm.text
    # The header's area by its name (coarsened to the province at this level).
    assert 'Nord-Kivu <small class="code">CD61</small>' in confirm.text
    refused = a.post(f"/reports/{rid}/withdraw", follow_redirects=False)
    _is_page(refused, 403)
    done = a.post(
        f"/reports/{rid}/withdraw",
        data={"csrf_token": csrf(confirm.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/reports?notice=withdrawn"
    assert "its content is destroyed" in a.get(done.headers["location"]).text
    _is_page(browser(w.b.email).get(f"/reports/{rid}"), 410)
    # Only the originator gets the confirmation page.
    _is_page(browser(w.b.email).get(f"/reports/{_to_b(client, w)}/withdraw"), 403)


def test_revoke_removes_one_recipient(client: TestClient, w: World, browser: Browser) -> None:
    rid = publish(client, w.a, flash(audience={"organisations": [w.b.id, w.c.id]}))["id"]
    a = browser(w.a.email)
    page = a.get(f"/reports/{rid}")
    action = f"/reports/{rid}/recipients/{w.b.id}/revoke"
    _is_page(a.post(action, follow_redirects=False), 403)  # no CSRF token
    done = a.post(action, data={"csrf_token": csrf(page.text)}, follow_redirects=False)
    assert done.status_code == 303
    after = a.get(done.headers["location"])
    assert "Access revoked." in after.text
    assert "Revoked:" in after.text
    _is_page(browser(w.b.email).get(f"/reports/{rid}"), 404)
    _is_page(browser(w.c.email).get(f"/reports/{rid}"), 200)


# --- consent --------------------------------------------------------------------------------


def test_ask_approve_and_the_third_organisation_reads(
    client: TestClient, w: World, browser: Browser
) -> None:
    rid = _to_b(client, w)
    b = browser(w.b.email)
    page = b.get(f"/reports/{rid}")
    asked = b.post(
        f"/reports/{rid}/share-requests",
        data={
            "to_organisation": w.c.id,
            "reason": "their convoy uses the same road",
            "csrf_token": csrf(page.text),
        },
        follow_redirects=False,
    )
    assert asked.status_code == 303, asked.text
    after = b.get(asked.headers["location"])
    assert "Waiting for the originator&#39;s answer." in after.text
    assert w.c.org.name in after.text
    _is_page(browser(w.c.email).get(f"/reports/{rid}"), 404)

    a = browser(w.a.email)
    incoming = a.get("/share-requests")
    _is_page(incoming, 200)
    assert f"{w.b.org.name} asks to pass your report on to {w.c.org.name}." in incoming.text
    assert "their convoy uses the same road" in incoming.text
    approve = re.search(r'action="(/share-requests/[^"]+/approve)"', incoming.text)
    assert approve
    # Only the originator answers: the requester has no buttons and is refused.
    assert "/approve" not in b.get("/share-requests").text
    _is_page(b.post(approve.group(1), data={"csrf_token": csrf(page.text)}), 403)

    _is_page(a.post(approve.group(1), follow_redirects=False), 403)  # no CSRF token
    done = a.post(
        approve.group(1), data={"csrf_token": csrf(incoming.text)}, follow_redirects=False
    )
    assert done.status_code == 303
    assert "Your answer was recorded." in a.get(done.headers["location"]).text

    readable = browser(w.c.email).get(f"/reports/{rid}")
    _is_page(readable, 200)
    assert "Convoy stopped by armed men." in readable.text
    assert "Approved; the organisation can read the report now." in b.get("/share-requests").text
    # Answering twice says why nothing was done, on the list page.
    again = a.post(approve.group(1), data={"csrf_token": csrf(incoming.text)})
    _is_page(again, 409)
    assert "already answered" in again.text


def test_deny_is_shown_to_the_requester(client: TestClient, w: World, browser: Browser) -> None:
    rid = _to_b(client, w)
    b = browser(w.b.email)
    b.post(
        f"/reports/{rid}/share-requests",
        data={
            "to_organisation": w.c.id,
            "reason": "same road",
            "csrf_token": csrf(b.get(f"/reports/{rid}").text),
        },
    )
    a = browser(w.a.email)
    incoming = a.get("/share-requests")
    deny = re.search(r'action="(/share-requests/[^"]+/deny)"', incoming.text)
    assert deny
    a.post(deny.group(1), data={"csrf_token": csrf(incoming.text)})
    assert "The originator did not consent." in b.get(f"/reports/{rid}").text


def test_a_refused_share_request_keeps_what_was_typed(
    client: TestClient, w: World, browser: Browser
) -> None:
    rid = _to_b(client, w, tlp="red")
    b = browser(w.b.email)
    page = b.get(f"/reports/{rid}")
    refused = b.post(
        f"/reports/{rid}/share-requests",
        data={"to_organisation": w.c.id, "reason": "my own words", "csrf_token": csrf(page.text)},
    )
    _is_page(refused, 403)
    assert "my own words" in refused.text
    assert f'<option value="{w.c.id}" selected>' in refused.text
    empty = b.post(
        f"/reports/{rid}/share-requests",
        data={"to_organisation": "", "reason": " ", "csrf_token": csrf(page.text)},
    )
    _is_page(empty, 422)
    assert "Choose an organisation." in empty.text


# --- publishing -----------------------------------------------------------------------------


def _form(client: TestClient, **values: str | list[str]) -> dict[str, Any]:
    page = client.get("/reports/new")
    _is_page(page, 200)
    data: dict[str, Any] = {
        "csrf_token": csrf(page.text),
        "idempotency_key": hidden(page.text, "idempotency_key"),
        "type": "incident",
        "stage": "flash",
        "category": "armed_robbery",
        "severity": "severe",
        "area": "CD6102",
        "occurred_at": "2026-11-23T06:40",
        "utc_offset": "+02:00",
        "summary": "Braquage sur la RN2",
        "who_involved": "Deux chauffeurs",
        "what_happened": "Véhicule arrêté par des hommes armés",
        "location": "PK 42",
        "lat": "-1,18",
        "lon": "29.45",
        "v_national_injured": "1",
        "audience": "organisations",
        "organisations": [],
        "tlp": "amber",
    }
    data.update(values)
    return data


def _reports_by(db_session: Session, party: Party) -> int:
    return int(
        db_session.scalar(
            select(func.count()).select_from(Report).where(Report.originator_id == party.id)
        )
        or 0
    )


def test_publish_through_the_form(
    db_session: Session, client: TestClient, w: World, browser: Browser
) -> None:
    keyless = make_organisation(db_session, name="Nouvelle ONG sans clés")
    a = browser(w.a.email)
    data = _form(a, organisations=[w.b.id, keyless.id])
    response = a.post("/reports/new", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert re.fullmatch(r"/reports/[0-9a-f-]{36}\?published=1", location)
    assert "slthub_utc_offset=+02:00" in response.headers["set-cookie"].replace('"', "")

    page = a.get(location)
    _is_page(page, 200)
    assert "Published. 1 partner organisation can read it." in page.text
    assert "Not reached" in page.text
    assert "Nouvelle ONG sans clés" in page.text

    rid = location.split("/")[2].split("?")[0]
    read = client.get(f"{API}/reports/{rid}", headers=w.b.headers).json()
    assert read["body"]["who_involved"] == "Deux chauffeurs"
    assert read["body"]["coordinates"] == {"lat": -1.18, "lon": 29.45}
    assert read["body"]["affected"]["national"]["injured"] == 1
    assert read["occurred_at"].startswith("2026-11-23T06:40:00+02:00")
    assert read["header"]["tlp"] == "amber"
    assert read["header"]["summary"] == "Braquage sur la RN2"
    # The next form starts from the offset used last time.
    assert '<option value="+02:00" selected>' in a.get("/reports/new").text


def test_a_situation_report_through_the_form(
    client: TestClient, w: World, browser: Browser
) -> None:
    a = browser(w.a.email)
    page = a.get("/reports/new?type=situation")
    assert "New situation report" in page.text
    data = {
        "csrf_token": csrf(page.text),
        "idempotency_key": hidden(page.text, "idempotency_key"),
        "type": "situation",
        "severity": "minor",
        "area": "CD61",
        "occurred_at": "23/11/2026 18:00",
        "utc_offset": "+02:00",
        "period_start": "2026-11-16",
        "period_end": "22/11/2026",
        "narrative": "Calme relatif à Goma.",
        "outlook": "Tensions attendues.",
        "audience": "organisations",
        "organisations": [w.b.id],
    }
    response = a.post("/reports/new", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    page = browser(w.b.email).get(response.headers["location"].split("?")[0])
    assert "Calme relatif à Goma." in page.text
    assert "Tensions attendues." in page.text
    assert "16 Nov 2026 – 22 Nov 2026" in page.text


def test_form_errors_keep_everything_typed(db_session: Session, w: World, browser: Browser) -> None:
    a = browser(w.a.email)
    data = _form(
        a,
        severity="",
        lat="north",
        lon="",
        v_international_killed="beaucoup",
        summary="x" * 141,
        organisations=[w.b.id],
        narrative="Un long récit\nsur deux lignes",
    )
    response = a.post("/reports/new", data=data)
    _is_page(response, 422)
    text = response.text
    assert "The report was not published." in text
    assert 'id="severity-error">This field is required.' in text
    assert 'id="lon-error">Give both the latitude and the longitude.' in text
    assert 'id="lat-error">Give a number.' in text
    assert 'id="v_international_killed-error">Give a whole number.' in text
    assert 'id="summary-error">This value is too long.' in text
    for kept in ("Deux chauffeurs", "Véhicule arrêté par des hommes armés", "PK 42", "beaucoup"):
        assert kept in text
    assert "Un long récit\nsur deux lignes</textarea>" in text
    assert 'value="2026-11-23T06:40"' in text
    assert f'value="{w.b.id}" checked' in text
    assert 'value="organisations" checked' in text
    assert hidden(text, "idempotency_key") == data["idempotency_key"]
    assert _reports_by(db_session, w.a) == 0


def test_a_refusal_of_the_service_lands_beside_its_field(
    db_session: Session, w: World, browser: Browser
) -> None:
    a = browser(w.a.email)
    response = a.post("/reports/new", data=_form(a, area="ZZ99", organisations=[w.b.id]))
    _is_page(response, 422)
    assert 'id="area-error">There is no area with the code ZZ99.' in response.text
    assert 'value="ZZ99"' in response.text
    # Ticked organisations with another audience choice are not guessed at.
    mixed = a.post("/reports/new", data=_form(a, audience="area", organisations=[w.b.id]))
    _is_page(mixed, 422)
    assert "You ticked organisations" in mixed.text
    assert _reports_by(db_session, w.a) == 0


def test_form_errors_in_french(w: World, browser: Browser) -> None:
    a = browser(w.a.email, "fr")
    form = a.get("/reports/new")
    assert "Nouveau rapport d’incident" in form.text
    assert "Gravité" in form.text
    assert "Qui est impliqué" in form.text
    response = a.post(
        "/reports/new", data=_form(a, severity="", occurred_at="hier", organisations=[w.b.id])
    )
    _is_page(response, 422)
    assert 'id="severity-error">Ce champ est obligatoire.' in response.text
    assert "Le rapport n’a pas été publié." in response.text
    assert 'id="occurred_at-error">Indiquez la date et l’heure' in response.text


def test_double_post_with_the_same_key_is_one_report(
    db_session: Session, w: World, browser: Browser
) -> None:
    a = browser(w.a.email)
    data = _form(a, organisations=[w.b.id])
    first = a.post("/reports/new", data=data, follow_redirects=False)
    second = a.post("/reports/new", data=data, follow_redirects=False)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert _reports_by(db_session, w.a) == 1
    # A fresh form carries a fresh key.
    again = _form(a, organisations=[w.b.id])
    assert again["idempotency_key"] != data["idempotency_key"]


def test_publishing_needs_the_csrf_token_and_the_role(
    db_session: Session, client: TestClient, w: World, browser: Browser
) -> None:
    a = browser(w.a.email)
    data = _form(a, organisations=[w.b.id])
    del data["csrf_token"]
    _is_page(a.post("/reports/new", data=data), 403)
    forged = {**data, "csrf_token": "0" * 64}
    _is_page(a.post("/reports/new", data=forged), 403)
    assert _reports_by(db_session, w.a) == 0

    liaison = make_member(db_session, w.a.org, roles=(Role.LIAISON,))
    reader = browser(liaison.member.email)
    _is_page(reader.get("/reports/new"), 403)
    assert 'href="/reports/new"' not in reader.get("/").text


def test_pages_in_french(client: TestClient, w: World, browser: Browser) -> None:
    rid = _to_b(client, w)
    b = browser(w.b.email, "fr")
    listing = b.get("/reports")
    assert "<h1>Rapports</h1>" in listing.text
    assert "rapport d’incident" in listing.text
    assert "vol à main armée" in listing.text
    page = b.get(f"/reports/{rid}")
    assert 'lang="fr"' in page.text
    assert f"Signé par {w.a.org.name}, signature valide." in page.text
    assert "Demander à le transmettre" in page.text
    assert "23 nov. 2026 06:40 (UTC+01:00)" in page.text
    assert "Demandes de transmission" in b.get("/share-requests").text
    missing = b.get("/reports/00000000-0000-0000-0000-000000000000")
    assert "Aucun rapport lisible par votre organisation" in missing.text


# --- junk -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/reports?type=nonsense&severity=%00&area=" + "x" * 500, None),
        ("get", "/reports?area=%00&before=%00", None),
        ("get", "/reports?before=" + "z" * 300, None),
        ("get", "/reports?area=CD61&before=00000000-0000-0000-0000-000000000000", None),
        ("get", "/reports/%00", None),
        ("get", "/reports/" + "a" * 3000, None),
        ("get", "/reports/x/attachments/%00", None),
        ("get", "/reports/x/withdraw", None),
        ("get", "/reports/new?type=%00&stage=" + "s" * 500 + "&incident_id=%00", None),
        ("get", "/share-requests?notice=" + "n" * 500, None),
        ("post", "/reports/x%00/withdraw", {}),
        ("post", "/share-requests/%00/approve", {}),
        ("post", "/share-requests/" + "9" * 80 + "/deny", {}),
        ("post", "/reports/x/share-requests", {"to_organisation": "\x00", "reason": "r"}),
        ("post", "/reports/x/recipients/%00/revoke", {}),
        ("post", "/reports/new", {"type": "procedure", "severity": "nope", "area": "\x00"}),
        ("post", "/reports/new", {"occurred_at": "2026-02-30T25:99", "utc_offset": "+99:00"}),
        ("post", "/reports/new", {"audience": "everyone", "organisations": ["\x00" * 40]}),
        ("post", "/reports/new", {"lat": "1e999", "lon": "nan", "v_national_killed": "-3"}),
        ("post", "/reports/new", {"summary": "a\x00b", "idempotency_key": "k" * 500}),
    ],
)
def test_no_page_answers_500_to_junk(
    w: World, browser: Browser, method: str, path: str, data: dict[str, Any] | None
) -> None:
    a = browser(w.a.email)
    if data is not None:
        page = a.get("/reports/new")
        data = {**data, "csrf_token": csrf(page.text)}
        if path == "/reports/new":
            data.setdefault("idempotency_key", hidden(page.text, "idempotency_key"))
        response = a.post(path, data=data, follow_redirects=False)
    else:
        response = a.get(path, follow_redirects=False)
    assert response.status_code < 500, response.text
    if response.status_code != 404 or path.startswith(("/reports", "/share-requests")):
        assert response.headers["content-type"].startswith("text/html"), response.text


# --- weight ---------------------------------------------------------------------------------


def test_pages_stay_light_and_reference_nothing_outside(
    client: TestClient, w: World, browser: Browser
) -> None:
    """What a 2G connection pays for: one HTML page and one small stylesheet, nothing from
    another host (tests/e2e checks the same in a real browser)."""
    rid = _to_b(client, w, attachments=[attach("p.png", PNG)])
    a = browser(w.a.email)
    css = a.get("/static/hub.css")
    assert css.status_code == 200
    for path in ("/reports/new", "/reports/new?type=situation", f"/reports/{rid}", "/reports"):
        html = a.get(path).text
        assert len(html.encode()) + len(css.content) < 30_000, path
        assert not re.search(r'(?:src|href|action)="(?:https?:)?//', html), path
        assert "<script" not in html
        assert "<img" not in html
