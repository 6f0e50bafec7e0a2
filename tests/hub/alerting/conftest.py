"""A scene for alert tests: partner organisations around Goma, North Kivu raised to high risk
(enhanced cooperation), liaisons designated through the API, a real SMTP server (aiosmtpd) and
a Twilio-shaped SMS gateway on loopback, and the hub's own dispatcher wired to both."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from alerts.backoff import BackoffPolicy
from alerts.channels.email import EmailChannel, SmtpSettings
from alerts.channels.sms import SmsChannel, TwilioTransport
from alerts.dispatcher import Channels, DispatchConfig, Dispatcher
from hub.actors import Actor
from hub.alerting.directory import HubDirectory
from hub.alerting.wiring import alert_secret, ensure_alert_files, load_identity
from hub.app import create_app
from hub.areas import service as areas
from hub.config import Settings
from hub.members.models import Role
from policies import default_policy
from policies.vocabulary import Risk
from tests.alerts.servers import (
    ACCOUNT,
    TOKEN,
    GatewayState,
    RecordingHandler,
    sms_gateway,
    smtp_server,
)
from tests.hub.factories import login, make_member, make_organisation
from tests.hub.reports.factories import API, Party, World, world

SENDER = "alertes@hub.example.org"
GATEWAY_NUMBER = "+243990000000"


@pytest.fixture
def app(settings: Settings, session_factory: Any, hub_keys: Any) -> FastAPI:
    return create_app(settings, session_factory=session_factory, hub_keys=hub_keys)


@pytest.fixture
def smtp() -> Iterator[tuple[Any, RecordingHandler]]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def gateway() -> Iterator[tuple[str, GatewayState]]:
    with sms_gateway() as gw:
        yield gw


@dataclass
class Person:
    email: str
    member_id: str
    headers: dict[str, str]
    phone: str | None = None


@dataclass
class Scene:
    world: World
    liaison: Person  # Agency B's liaison for North Kivu: email + SMS
    deputy: Person  # Agency B's deputy liaison: email
    focal: Person  # Agency B's focal point (designated for South Kivu only): email
    other_liaisons: list[Person] = field(default_factory=list)  # of C and the outsider
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    sms_mark: int = 0


def new_sms(state: GatewayState, scene: Scene) -> list[dict[str, Any]]:
    """The SMS the gateway received since the last mark."""
    return state.messages[scene.sms_mark :]


def mark_sms(state: GatewayState, scene: Scene) -> None:
    scene.sms_mark = len(state.messages)


def _text(raw: bytes) -> str:
    """The readable text of a (signed) alert: every text/plain part, decoded."""
    import email
    import email.policy

    message = email.message_from_bytes(raw, policy=email.policy.default)
    return "\n".join(
        part.get_content() for part in message.walk() if part.get_content_type() == "text/plain"
    )


def designate(client: TestClient, person: Person, **body: Any) -> dict[str, Any]:
    payload = {"anti_phishing_phrase": "girafe bleue", "language": "fr", **body}
    response = client.put(f"{API}/liaison", json=payload, headers=person.headers)
    assert response.status_code == 200, response.text
    return response.json()


def new_person(
    session: Session, client: TestClient, party: Party, roles: tuple[Role, ...]
) -> Person:
    created = make_member(session, party.org, roles=roles)
    return Person(created.member.email, created.member.id, login(client, created.member.email))


def confirm_phone(
    client: TestClient, dispatcher: Dispatcher, state: GatewayState, person: Person
) -> None:
    """The real flow: the dispatcher texts a code to the number, the liaison types it in."""
    dispatcher.send_confirmations(dt.datetime.now(dt.UTC))
    [text] = [m["body"] for m in state.messages if m["to"] == person.phone]
    code = re.search(r"\b(\d{6})\b", text)
    assert code is not None, text
    response = client.post(
        f"{API}/liaison/confirm-sms", json={"code": code.group(1)}, headers=person.headers
    )
    assert response.status_code == 200, response.text


def make_dispatcher(
    settings: Settings,
    session_factory: Any,
    smtp_port: int,
    gateway_url: str,
    *,
    backoff: BackoffPolicy | None = None,
) -> Dispatcher:
    ensure_alert_files(settings)
    policy = default_policy()
    email = EmailChannel(SmtpSettings.from_url(f"smtp://127.0.0.1:{smtp_port}?from={SENDER}"))
    sms = SmsChannel(
        TwilioTransport(
            account_sid=ACCOUNT, auth_token=TOKEN, sender=GATEWAY_NUMBER, base_url=gateway_url
        )
    )
    return Dispatcher(
        session_factory,
        directory=HubDirectory(policy),
        policy=policy,
        channels=Channels(email=email, sms=sms, identity=load_identity(settings)),
        config=DispatchConfig(
            base_url=settings.base_url,
            ack_secret=alert_secret(settings),
            backoff=backoff or BackoffPolicy(),
        ),
    )


@pytest.fixture
def dispatcher(
    settings: Settings, session_factory: Any, smtp: Any, gateway: Any
) -> Iterator[Dispatcher]:
    controller, _ = smtp
    url, _ = gateway
    d = make_dispatcher(settings, session_factory, controller.port, url)
    try:
        yield d
    finally:
        d.channels.close()


@pytest.fixture
def scene(
    db_session: Session, client: TestClient, dispatcher: Dispatcher, smtp: Any, gateway: Any
) -> Scene:
    _, state = gateway
    w = world(db_session, client)
    coordinator_org = make_organisation(db_session, name="OCHA coordination")
    coordinator = make_member(db_session, coordinator_org, roles=(Role.COORDINATOR,)).member
    areas.set_risk(
        db_session,
        actor=Actor(label=coordinator.email, member=coordinator),
        code="CD61",
        risk=Risk.HIGH,
        reason="Affrontements autour de Rutshuru",
        now=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1),
        policy=default_policy(),
    )
    liaison = new_person(db_session, client, w.b, (Role.LIAISON,))
    liaison.phone = "+243810000001"
    deputy = new_person(db_session, client, w.b, (Role.LIAISON,))
    focal = Person(w.b.email, db_session.scalar(_member_id(w.b.email)) or "", w.b.headers)
    # The deputy watches South Kivu: North Kivu reaches them only by escalation.
    designate(client, deputy, areas=["CD62"], channels={"email": None})
    designate(client, focal, areas=["CD62"], min_severity="extreme", channels={"email": None})
    designate(
        client,
        liaison,
        areas=["CD61"],
        channels={"email": None, "sms": liaison.phone},
        deputies=[deputy.email],
    )
    confirm_phone(client, dispatcher, state, liaison)
    others = []
    for party in (w.c, w.outsider):
        other = new_person(db_session, client, party, (Role.LIAISON,))
        designate(client, other, areas=["CD"], channels={"email": None})
        others.append(other)
    # The raise of North Kivu was announced to every liaison of the area: send it and start
    # each test with empty mailboxes.
    scene = Scene(w, liaison, deputy, focal, others)
    dispatcher.run_once(scene.now)
    smtp[1].received.clear()
    # The gateway numbers its messages by position, as SM…0, SM…1: its list is never cleared,
    # so every id stays unique; tests look at what came after this mark.
    mark_sms(state, scene)
    return scene


def _member_id(email: str) -> Any:
    from sqlalchemy import select

    from hub.members.models import Member

    return select(Member.id).where(Member.email == email)
