"""The standing-consent page as a focal point uses it: the list, the form (French and
English), removal, and every refusal answered as a page — never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from hub.members.models import Role
from tests.hub.factories import make_member
from tests.hub.pages import Browser, csrf
from tests.hub.reports.factories import API, World


def _is_page(response: Any, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")


def _form(page: TestClient, **fields: Any) -> dict[str, Any]:
    return {"csrf_token": csrf(page.get("/standing-consents").text), **fields}


def _rules(client: TestClient, w: World) -> list[dict[str, Any]]:
    response = client.get(f"{API}/standing-consents", headers=w.a.headers)
    assert response.status_code == 200, response.text
    rules: list[dict[str, Any]] = response.json()
    return rules


def _add(a: TestClient, w: World) -> str:
    response = a.post(
        "/standing-consents",
        data=_form(a, to_organisation=w.b.id, max_tlp="amber"),
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    page = a.get(response.headers["location"])
    rule_id = page.text.split('action="/standing-consents/', 1)[1].split("/remove", 1)[0]
    return rule_id


def test_the_empty_list_says_what_a_standing_consent_is(w: World, browser: Browser) -> None:
    page = browser(w.a.email).get("/standing-consents")
    _is_page(page, 200)
    assert "Your organisation has no standing consent" in page.text
    assert "without asking you each time" in page.text
    assert 'action="/standing-consents"' in page.text
    assert w.b.org.name in page.text  # a partner to choose
    assert 'href="/standing-consents"' in browser(w.a.email).get("/share-requests").text


def test_add_a_rule_in_french_it_is_listed_and_the_api_has_it(
    client: TestClient, w: World, browser: Browser
) -> None:
    a = browser(w.a.email, "fr")
    response = a.post(
        "/standing-consents",
        data=_form(
            a,
            to_kind="un",
            max_tlp="green",
            report_types=["incident", "situation"],
            areas="cd61, CD62",
            levels=["enhanced"],
            expires_on="31/12/2099",
        ),
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/standing-consents?notice=added"
    page = a.get(response.headers["location"])
    _is_page(page, 200)
    assert "Le consentement permanent a été ajouté." in page.text
    assert "CD61, CD62" in page.text
    assert "entité des Nations unies" in page.text
    assert "Toute organisation du type « entité des Nations unies »" in page.text
    # Through the whole of the day typed: it ends when the next one starts (UTC).
    assert "Expire le 1 janv. 2100 00:00 (UTC)." in page.text
    assert "Consentements permanents" in page.text

    [rule] = _rules(client, w)
    assert rule["to_kind"] == "un"
    assert rule["to_organisation"] is None
    assert rule["max_tlp"] == "green"
    assert rule["report_types"] == ["incident", "situation"]
    assert rule["areas"] == ["CD61", "CD62"]
    assert rule["levels"] == ["enhanced"]
    assert rule["expires_at"].startswith("2100-01-01T00:00")


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"to_organisation": "", "to_kind": ""}, "target", "Choose one partner organisation"),
        ({"to_kind": "un", "areas": "CD61, XX99"}, "areas", "no area with the code XX99"),
        ({"to_kind": "un", "expires_on": "31/02/2099"}, "expires_on", "YYYY-MM-DD"),
        ({"to_kind": "un", "expires_on": "2001-01-01"}, "expires_on", "already past"),
        # Was an OverflowError 500 (the day after 9999-12-31).
        ({"to_kind": "un", "expires_on": "9999-12-31"}, "expires_on", "between 1900 and 2199"),
        ({"to_kind": "un", "max_tlp": "red"}, "max_tlp", "not one of the allowed choices"),
        ({"to_kind": "martian"}, "to_kind", "not one of the allowed choices"),
    ],
)
def test_a_bad_form_keeps_the_input_and_shows_field_errors(
    client: TestClient,
    w: World,
    browser: Browser,
    fields: dict[str, str],
    field: str,
    message: str,
) -> None:
    a = browser(w.a.email)
    data = _form(
        a, **{"report_types": ["incident"], "levels": ["normal"], "areas": "CD61", **fields}
    )
    page = a.post("/standing-consents", data=data)
    _is_page(page, 422)
    assert f'id="{field}-error"' in page.text
    error = page.text.split(f'id="{field}-error">', 1)[1].split("</span>", 1)[0]
    assert message in error
    assert "everything you typed is kept" in page.text
    assert 'value="incident" checked' in page.text
    assert 'value="normal" checked' in page.text
    assert f'value="{data["areas"]}"' in page.text
    assert _rules(client, w) == []


def test_a_bad_form_in_french(w: World, browser: Browser) -> None:
    a = browser(w.a.email, "fr")
    page = a.post("/standing-consents", data=_form(a, to_kind="un", areas="ZZ1"))
    _is_page(page, 422)
    assert "Aucune zone n’a le code ZZ1." in page.text
    assert "n’a pas été ajouté" in page.text
    assert 'value="ZZ1"' in page.text


def test_remove_a_rule(client: TestClient, w: World, browser: Browser) -> None:
    a = browser(w.a.email)
    rule_id = _add(a, w)
    assert [r["id"] for r in _rules(client, w)] == [rule_id]
    response = a.post(
        f"/standing-consents/{rule_id}/remove",
        data={"csrf_token": csrf(a.get("/standing-consents").text)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = a.get(response.headers["location"])
    assert "The standing consent was removed." in page.text
    assert "Your organisation has no standing consent" in page.text
    assert _rules(client, w) == []
    # Twice: gone already.
    again = a.post(
        f"/standing-consents/{rule_id}/remove",
        data={"csrf_token": csrf(a.get("/standing-consents").text)},
    )
    _is_page(again, 404)


def test_csrf_is_required(client: TestClient, w: World, browser: Browser) -> None:
    a = browser(w.a.email)
    data = _form(a, to_kind="un")
    del data["csrf_token"]
    _is_page(a.post("/standing-consents", data=data), 403)
    _is_page(a.post("/standing-consents", data={**data, "csrf_token": "0" * 64}), 403)
    assert _rules(client, w) == []
    rule_id = _add(a, w)
    _is_page(a.post(f"/standing-consents/{rule_id}/remove", data={}), 403)
    assert len(_rules(client, w)) == 1


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/standing-consents"),
        ("post", "/standing-consents"),
        ("post", "/standing-consents/00000000-0000-0000-0000-000000000000/remove"),
    ],
)
def test_logged_out_is_sent_to_the_login_page(client: TestClient, method: str, path: str) -> None:
    response = getattr(client, method)(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"


def test_another_organisation_cannot_remove_a_rule(
    client: TestClient, w: World, browser: Browser
) -> None:
    rule_id = _add(browser(w.a.email), w)
    b = browser(w.b.email)
    listing = b.get("/standing-consents")
    assert rule_id not in listing.text
    response = b.post(
        f"/standing-consents/{rule_id}/remove", data={"csrf_token": csrf(listing.text)}
    )
    _is_page(response, 404)
    assert len(_rules(client, w)) == 1
    junk = b.post("/standing-consents/%00junk/remove", data={"csrf_token": csrf(listing.text)})
    assert junk.status_code in (404, 422)


def test_a_member_without_the_role_sees_no_form_and_is_refused(
    db_session: Session, client: TestClient, w: World, browser: Browser
) -> None:
    rule_id = _add(browser(w.a.email), w)
    liaison = make_member(db_session, w.a.org, roles=(Role.LIAISON,))
    reader = browser(liaison.member.email)
    page = reader.get("/standing-consents")
    _is_page(page, 200)
    assert 'action="/standing-consents"' not in page.text
    assert "/remove" not in page.text
    assert w.b.org.name in page.text  # the rules are still shown
    token = csrf(reader.get("/").text)
    _is_page(reader.post("/standing-consents", data={"csrf_token": token, "to_kind": "un"}), 403)
    removed = reader.post(f"/standing-consents/{rule_id}/remove", data={"csrf_token": token})
    _is_page(removed, 403)
    assert len(_rules(client, w)) == 1
