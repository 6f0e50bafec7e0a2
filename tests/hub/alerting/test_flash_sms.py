"""Issue 13: a flash report by SMS when there is no data. A's focal point registered a phone
(the code texted to it, typed back); an SMS from it through the loopback Twilio-shaped
gateway publishes a flash report the recipients read ("received by SMS, attested by the
hub"), the liaisons of the area are alerted (real SMTP on loopback), and the sender gets the
reference back by SMS. Bad syntax gets a helpful answer; an unregistered number, a replayed
or a forged callback create nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.channels.sms import twilio_signature
from alerts.dispatcher import Dispatcher
from hub.config import Settings
from hub.members.models import Member
from hub.reports.models import Report
from tests.alerts.servers import ACCOUNT, TOKEN, GatewayState
from tests.hub.pages import Browser
from tests.hub.reports.factories import API

from .conftest import Person, Scene, _text, confirm_phone, designate, mark_sms, new_sms

PATH = f"{API}/alerts/sms/inbound"
PHONE_A = "+243810000042"


@pytest.fixture
def sender(
    db_session: Session,
    client: TestClient,
    settings: Settings,
    scene: Scene,
    dispatcher: Dispatcher,
    gateway: Any,
) -> Person:
    """A's focal point with a confirmed phone; the hub wired to the loopback gateway."""
    url, state = gateway
    settings.sms_gateway = f"twilio+{url}/?from=%2B243990000000".replace(
        "://", f"://{ACCOUNT}:{TOKEN}@"
    )
    a = scene.world.a
    member_id = db_session.scalar(select(Member.id).where(Member.email == a.email))
    person = Person(a.email, member_id or "", a.headers, phone=PHONE_A)
    designate(
        client, person, areas=["CD62"], language="fr", channels={"email": None, "sms": PHONE_A}
    )
    confirm_phone(client, dispatcher, state, person)
    mark_sms(state, scene)
    return person


def _inbound(client: TestClient, body: str, *, phone: str = PHONE_A, sid: str = "SM1") -> Any:
    form = {"From": phone, "To": "+243990000000", "Body": body, "MessageSid": sid}
    signature = twilio_signature(TOKEN, f"http://testserver{PATH}", form)
    response = client.post(PATH, data=form, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200, response.text
    return response


def _reports(session: Session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Report)) or 0


def test_an_sms_publishes_a_flash_report_the_recipients_read_and_the_liaisons_hear_of(
    client: TestClient,
    db_session: Session,
    scene: Scene,
    sender: Person,
    dispatcher: Dispatcher,
    smtp: Any,
    gateway: tuple[str, GatewayState],
    browser: Browser,
) -> None:
    _, state = gateway
    _, handler = smtp
    _inbound(client, "flash Rutshuru BRAQUAGE grave Convoi arrêté au PK 42, personne blessé")

    # The sender gets the short reference, in French (their designation's language).
    [reply] = new_sms(state, scene)
    assert reply["to"] == PHONE_A
    found = re.search(r"réf\. ([0-9A-F]{8})", reply["body"])
    assert found, reply["body"]
    report = db_session.scalar(select(Report))
    assert report is not None
    assert report.id.upper().startswith(found.group(1))
    assert report.received_by == "sms"

    # B (present in North Kivu, at enhanced cooperation) reads it, vouched for by the hub.
    read = client.get(f"{API}/reports/{report.id}", headers=scene.world.b.headers).json()
    assert read["body"]["what_happened"] == "Convoi arrêté au PK 42, personne blessé"
    assert read["header"]["stage"] == "flash"
    assert read["header"]["category"] == "armed_robbery"
    assert read["header"]["severity"] == "severe"
    assert read["header"]["originator"]["id"] == scene.world.a.id
    assert read["verified_by"] == "hub_sms"
    page = browser(scene.world.b.email, lang="fr").get(f"/reports/{report.id}")
    signature = page.text[page.text.index('class="signature"') :][:400]
    assert re.search(
        r"Reçu par SMS d’un téléphone enregistré de Aid A[^,]*, attesté par le hub\.", signature
    ), signature
    # The originator's own organisation reads it too.
    mine = client.get(f"{API}/reports/{report.id}", headers=scene.world.a.headers)
    assert mine.json()["verified_by"] == "hub_sms"

    # B's liaison for North Kivu is alerted by email like for any report.
    dispatcher.run_once(scene.now)
    recipients = {r for received in handler.received for r in received.rcpt_tos}
    assert scene.liaison.email in recipients
    assert any("girafe bleue" in _text(r.data) for r in handler.received)

    # The gateway repeats its callback: nothing new, no second answer.
    mark_sms(state, scene)
    _inbound(client, "flash Rutshuru BRAQUAGE grave Convoi arrêté au PK 42, personne blessé")
    assert _reports(db_session) == 1
    assert new_sms(state, scene) == []


def test_bad_syntax_gets_a_helpful_answer_and_creates_nothing(
    client: TestClient,
    db_session: Session,
    scene: Scene,
    sender: Person,
    gateway: tuple[str, GatewayState],
) -> None:
    _, state = gateway
    _inbound(client, "FLASH Rutshuru grave on nous a volé", sid="SM2")
    [reply] = new_sms(state, scene)
    assert reply["to"] == PHONE_A
    assert "Envoyez : FLASH <zone> <catégorie> <gravité> <texte>" in reply["body"]
    mark_sms(state, scene)
    _inbound(client, "FLASH Atlantide vol grave Tout va mal", sid="SM3")
    [reply] = new_sms(state, scene)
    assert "Aucune zone ne s’appelle « Atlantide »" in reply["body"]
    assert _reports(db_session) == 0


def test_an_unregistered_number_creates_nothing_and_hears_nothing(
    client: TestClient,
    db_session: Session,
    scene: Scene,
    sender: Person,
    gateway: tuple[str, GatewayState],
) -> None:
    _, state = gateway
    _inbound(client, "FLASH Rutshuru vol grave Faux rapport", phone="+243810009999", sid="SM4")
    assert _reports(db_session) == 0
    assert new_sms(state, scene) == []


def test_a_forged_callback_is_refused(
    client: TestClient, db_session: Session, scene: Scene, sender: Person
) -> None:
    form = {"From": PHONE_A, "Body": "FLASH Rutshuru vol grave Faux", "MessageSid": "SM5"}
    for headers in ({}, {"X-Twilio-Signature": twilio_signature("not-the-token", PATH, form)}):
        assert client.post(PATH, data=form, headers=headers).status_code == 403
    assert _reports(db_session) == 0
