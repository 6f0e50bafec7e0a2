"""The liaison page (/liaison) as a liaison uses it: areas picked by name, channels, the SMS
code typed into the page (the code really sent through the loopback gateway), the delivery log
with outcomes, every mistake answered on the page in the person's language — never a 500."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from hub.areas.models import Area
from hub.members.models import Role
from tests.hub.factories import PASSPHRASE, current_code, login, make_member
from tests.hub.pages import Browser, csrf
from tests.hub.reports.factories import API

from .conftest import Scene, _text, new_sms


def _is_page(response: Any, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")


def _form(page: TestClient, **fields: Any) -> dict[str, Any]:
    return {"csrf_token": csrf(page.get("/liaison").text), **fields}


def test_a_liaison_designates_in_french_by_area_name_and_confirms_the_phone_by_code(
    db_session: Session,
    client: TestClient,
    browser: Browser,
    scene: Scene,
    dispatcher: Any,
    gateway: Any,
) -> None:
    _, state = gateway
    newcomer = make_member(db_session, scene.world.b.org, roles=(Role.LIAISON,)).member
    page = browser(newcomer.email, "fr")
    empty = page.get("/liaison")
    _is_page(empty, 200)
    assert "Devenir agent de liaison" in empty.text
    assert "Aucune alerte ne vous a encore été envoyée." in empty.text
    area = db_session.get(Area, "CD61")
    assert area is not None
    response = page.post(
        "/liaison",
        data=_form(
            page,
            areas=f"{area.name_fr or area.name}\ncd62",
            min_severity="severe",
            report_types=["incident"],
            channels=["email", "sms"],
            sms="+243810000077",
            language="fr",
            timezone="Africa/Lubumbashi",
            quiet_start="22:00",
            quiet_end="06:00",
            anti_phishing_phrase="okapi rouge",
        ),
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    shown = page.get(response.headers["location"])
    _is_page(shown, 200)
    assert "CD61" in shown.text
    assert "CD62" in shown.text
    assert "+243810000077" in shown.text
    assert 'action="/liaison/sms-code"' in shown.text  # the number awaits its code
    # The API reads what the page saved.
    api = client.get(f"{API}/liaison", headers=login(client, newcomer.email)).json()
    assert api["areas"] == ["CD61", "CD62"]
    assert api["min_severity"] == "severe"
    assert api["quiet_hours"] == {"start": "22:00", "end": "06:00", "timezone": "Africa/Lubumbashi"}

    # A wrong code is refused on the page, in French.
    wrong = page.post("/liaison/sms-code", data=_form(page, code="000000"))
    assert wrong.status_code in (400, 422), wrong.text
    assert 'aria-invalid="true"' in wrong.text

    dispatcher.send_confirmations(scene.now)
    [text] = [m["body"] for m in new_sms(state, scene) if m["to"] == "+243810000077"]
    code = re.search(r"\b(\d{6})\b", text)
    assert code is not None, text
    done = page.post(
        "/liaison/sms-code", data=_form(page, code=code.group(1)), follow_redirects=False
    )
    assert done.status_code == 303, done.text
    confirmed = page.get(done.headers["location"])
    assert "Votre numéro de téléphone est confirmé." in confirmed.text
    assert 'action="/liaison/sms-code"' not in confirmed.text


def test_mistakes_come_back_marked_with_everything_kept(
    db_session: Session, browser: Browser, scene: Scene
) -> None:
    newcomer = make_member(db_session, scene.world.b.org, roles=(Role.LIAISON,)).member
    page = browser(newcomer.email)
    response = page.post(
        "/liaison",
        data=_form(
            page,
            areas="Atlantis",
            channels=["email"],
            anti_phishing_phrase="okapi rouge",
        ),
    )
    _is_page(response, 422)
    assert "There is no area called Atlantis." in response.text
    assert "okapi rouge" in response.text
    for change, field in (
        ({"sms": "0810000001", "channels": ["sms"]}, "sms"),
        ({"timezone": "Africa/Atlantis"}, "timezone"),
        ({"deputies": "nobody@example.org"}, "deputies"),
        ({"quiet_start": "25:99", "quiet_end": "06:00"}, "quiet_start"),
        ({"anti_phishing_phrase": "x" * 21}, "anti_phishing_phrase"),
        ({"channels": []}, "channels"),
        ({"areas": "CD61\x00"}, "areas"),
    ):
        fields: dict[str, Any] = {
            "areas": "CD61",
            "channels": ["email"],
            "anti_phishing_phrase": "okapi rouge",
            **change,
        }
        refused = page.post("/liaison", data=_form(page, **fields))
        _is_page(refused, refused.status_code)
        assert refused.status_code in (400, 422), (field, refused.text)
        assert f'id="{field}-error"' in refused.text, (field, refused.text)


def test_the_delivery_log_shows_my_alerts_and_their_outcome(browser: Browser, scene: Scene) -> None:
    page = browser(scene.liaison.email, "en")
    shown = page.get("/liaison")
    _is_page(shown, 200)
    assert "My deliveries" in shown.text
    assert "<td>email</td>" in shown.text.split("My deliveries")[1]
    assert "No alert was sent to you yet." not in shown.text
    # Not someone else's: the deputy's address appears nowhere in my log.
    assert scene.deputy.email not in shown.text.split("My deliveries")[1]


def test_someone_who_is_no_liaison_is_told_whom_to_ask(
    db_session: Session, app: FastAPI, scene: Scene
) -> None:
    created = make_member(db_session, scene.world.c.org, roles=(Role.COORDINATOR,))
    assert created.totp_secret is not None
    page = TestClient(app, headers={"Accept-Language": "fr"})
    login_form = page.get("/login")
    logged_in = page.post(
        "/login",
        data={
            "email": created.member.email,
            "password": PASSPHRASE,
            "totp": current_code(created.totp_secret),
            "csrf_token": csrf(login_form.text),
        },
        follow_redirects=False,
    )
    assert logged_in.status_code == 303, logged_in.text
    shown = page.get("/liaison")
    _is_page(shown, 200)
    assert 'action="/liaison"' not in shown.text
    assert "Seuls les agents de liaison et les points focaux reçoivent des alertes" in shown.text


def test_without_the_csrf_token_nothing_is_saved_and_stopping_works(
    client: TestClient, browser: Browser, scene: Scene
) -> None:
    page = browser(scene.liaison.email)
    refused = page.post(
        "/liaison", data={"areas": "CD62", "channels": ["email"], "anti_phishing_phrase": "x"}
    )
    _is_page(refused, 403)
    assert client.get(f"{API}/liaison", headers=scene.liaison.headers).json()["areas"] == ["CD61"]
    stop = page.post("/liaison/remove", data=_form(page), follow_redirects=False)
    assert stop.status_code == 303
    assert client.get(f"{API}/liaison", headers=scene.liaison.headers).status_code == 404
    assert "You no longer receive alerts." in page.get(stop.headers["location"]).text


def test_logged_out_goes_to_login(client: TestClient) -> None:
    response = client.get("/liaison", follow_redirects=False)
    assert response.status_code in (302, 303)
    assert "/login" in response.headers["location"]


def test_send_me_a_test_alert_reaches_the_smtp_server_and_the_gateway_and_the_log(
    client: TestClient, browser: Browser, scene: Scene, dispatcher: Any, smtp: Any, gateway: Any
) -> None:
    _, handler = smtp
    _, state = gateway
    page = browser(scene.liaison.email, "fr")
    asked = page.post("/liaison/test", data=_form(page), follow_redirects=False)
    assert asked.status_code == 303, asked.text
    assert "Une alerte de test est en route" in page.get(asked.headers["location"]).text
    dispatcher.run_once(scene.now)
    [message] = [m for m in handler.received if scene.liaison.email in m.rcpt_tos]
    text = _text(message.data)
    assert "Voici l’alerte de test que vous avez demandée" in text
    assert "girafe bleue" in text  # the phrase the liaison chose
    assert "/liaison" in text
    [sms] = [m["body"] for m in new_sms(state, scene) if m["to"] == scene.liaison.phone]
    assert sms.startswith("girafe bleue: alerte SLT de test")
    log = page.get("/liaison").text.split("Mes envois")[1]
    assert log.count("<td>test_alert</td>") == 2  # email and SMS
    assert "<td>sent" in log
    # The API gives the same, and asks twice in a minute make one alert, not two.
    again = client.post(f"{API}/liaison/test", headers=scene.liaison.headers)
    assert again.status_code == 202, again.text
    deliveries = client.get(
        f"{API}/alerts/{again.json()['event_id']}/deliveries", headers=scene.liaison.headers
    ).json()
    assert {d["channel"] for d in deliveries} == {"email", "sms"}
