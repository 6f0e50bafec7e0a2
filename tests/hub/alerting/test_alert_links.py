"""Every link an alert email or SMS carries opens a page that exists, for the person it was
sent to: the messages are the ones the hub's dispatcher really sent (aiosmtpd, the loopback
SMS gateway), and each link is followed in that person's logged-in browser session.

Covered here: report published (with its acknowledgement link), level changed (the area's
page), share requested and answered, the address confirmation, the test alert."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
from typing import Any
from urllib.parse import urlsplit

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from hub.actors import Actor
from hub.areas import service as areas
from hub.members.models import Role
from policies import default_policy
from policies.vocabulary import Risk
from tests.hub.factories import make_member, make_organisation
from tests.hub.pages import Browser
from tests.hub.reports.factories import API, flash, publish

from .conftest import Person, Scene, designate

_URL = re.compile(r"https?://[^\s\"'<>)]+")


def _links(raw: bytes) -> set[str]:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    found: set[str] = set()
    for part in message.walk():
        if part.get_content_type() in ("text/plain", "text/html"):
            found.update(_URL.findall(part.get_content()))
    return found


FOLLOWED: list[str] = []


def _follow(page: TestClient, link: str) -> None:
    parts = urlsplit(link)
    FOLLOWED.append(parts.path)
    assert parts.netloc == "testserver", link  # the hub's own address, nothing else
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    response = page.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200, (
        link,
        response.status_code,
        response.text.split("<main>")[-1][:600],
    )
    assert response.headers["content-type"].startswith("text/html"), link


def _check_mail(
    handler: Any, browser: Browser, people: dict[str, tuple[str, str]], kinds: set[str]
) -> int:
    """Follows every link of every email received; returns how many links were followed."""
    followed = 0
    for message in handler.received:
        parsed = email.message_from_bytes(message.data, policy=email.policy.default)
        kinds.add(str(parsed["Subject"]))
        for to in message.rcpt_tos:
            if to not in people:
                continue
            page = browser(*people[to])
            for link in _links(message.data):
                _follow(page, link)
                followed += 1
    handler.received.clear()
    return followed


def test_every_link_of_every_alert_sent_opens_a_page(
    db_session: Session,
    client: TestClient,
    browser: Browser,
    scene: Scene,
    dispatcher: Any,
    smtp: Any,
    gateway: Any,
) -> None:
    _, handler = smtp
    _, state = gateway
    w = scene.world
    # Who receives at which address: (their login, their language).
    people = {
        scene.liaison.email: (scene.liaison.email, "fr"),
        scene.deputy.email: (scene.deputy.email, "fr"),
        scene.focal.email: (scene.focal.email, "fr"),
        w.a.email: (w.a.email, "en"),
        "alertes-a@example.org": (w.a.email, "en"),
    }
    # The liaisons read reports: a key holder of their organisation granted them its keys.
    for person in (scene.liaison, scene.deputy):
        granted = client.post(f"{API}/members/{person.member_id}/grant", headers=w.b.headers)
        assert granted.status_code == 200, granted.text
    subjects: set[str] = set()
    followed = 0

    # A report published in North Kivu: an alert with its acknowledgement link.
    # A moderate one links to the report; an extreme one to its acknowledgement page.
    publish(client, w.a, flash(severity="moderate", audience={"organisations": [w.b.id]}))
    report = publish(client, w.a, flash(severity="extreme", audience={"organisations": [w.b.id]}))
    dispatcher.run_once(dt.datetime.now(dt.UTC))
    followed += _check_mail(handler, browser, people, subjects)

    # South Kivu raised: the level change points at the area's page.
    coordinator_org = make_organisation(db_session, name="OCHA Sud-Kivu")
    coordinator = make_member(db_session, coordinator_org, roles=(Role.COORDINATOR,)).member
    areas.set_risk(
        db_session,
        actor=Actor(label=coordinator.email, member=coordinator),
        code="CD62",
        risk=Risk.HIGH,
        reason="Affrontements à Kalehe",
        now=dt.datetime.now(dt.UTC),
        policy=default_policy(),
    )
    dispatcher.run_once(dt.datetime.now(dt.UTC))
    followed += _check_mail(handler, browser, people, subjects)

    # A share request to the originator's focal point, then the answer to the requester.
    designate(
        client,
        Person(w.a.email, "", w.a.headers),
        areas=["CD61"],
        language="en",
        channels={"email": "alertes-a@example.org"},
    )
    dispatcher.send_confirmations(dt.datetime.now(dt.UTC))
    followed += _check_mail(handler, browser, people, subjects)  # the address confirmation
    asked = client.post(
        f"{API}/reports/{report['id']}/share-requests",
        json={"to_organisation": w.c.id, "reason": "same road"},
        headers=w.b.headers,
    )
    assert asked.status_code == 201, asked.text
    dispatcher.run_once(dt.datetime.now(dt.UTC))
    followed += _check_mail(handler, browser, people, subjects)
    answered = client.post(
        f"{API}/share-requests/{asked.json()['id']}/approve", headers=w.a.headers
    )
    assert answered.status_code == 200, answered.text
    dispatcher.run_once(dt.datetime.now(dt.UTC))
    followed += _check_mail(handler, browser, people, subjects)

    # The test alert.
    assert client.post(f"{API}/liaison/test", headers=scene.liaison.headers).status_code == 202
    dispatcher.run_once(dt.datetime.now(dt.UTC))
    followed += _check_mail(handler, browser, people, subjects)

    # The SMS carry links too (shortened to the hub's own address).
    sms_links = {
        link
        for m in state.messages
        if m["to"] == scene.liaison.phone
        for link in _URL.findall(m["body"])
    }
    liaison_page = browser(scene.liaison.email, "fr")
    for link in sms_links:
        _follow(liaison_page, link)
        followed += 1

    assert followed >= 6, subjects
    for prefix in ("/a/", "/reports/", "/areas/CD62", "/share-requests", "/liaison/confirm/"):
        assert any(p.startswith(prefix) for p in FOLLOWED), (prefix, FOLLOWED)
    assert "/liaison" in FOLLOWED
    assert any("test" in s.lower() for s in subjects), subjects


def test_every_link_of_an_invitation_email_opens_a_page(
    db_session: Session, client: TestClient, app: Any, dispatcher: Any, smtp: Any
) -> None:
    """The invitation kind: its recipient has no account yet, so the link opens without a
    login; once the email is sent the outbox no longer holds the token in clear."""
    from sqlalchemy import select

    from alerts.models import AlertEvent
    from tests.hub.reports.factories import world

    _, handler = smtp
    handler.received.clear()
    w = world(db_session, client)
    for lang in ("fr", "en"):
        invited = client.post(
            f"{API}/invitations",
            json={"email": f"colleague-{lang}@a.example", "roles": ["liaison"], "language": lang},
            headers=w.a.headers,
        )
        assert invited.status_code == 201, invited.text
    dispatcher.run_once(dt.datetime.now(dt.UTC))
    mails = [m for m in handler.received if m.rcpt_tos[0].startswith("colleague-")]
    assert len(mails) == 2
    followed = 0
    for message in mails:
        parsed = email.message_from_bytes(message.data, policy=email.policy.default)
        assert str(parsed["Subject"]).startswith("[SLT] Invitation")
        with TestClient(app) as anonymous:
            for link in _links(message.data):
                _follow(anonymous, link)
                followed += 1
                assert urlsplit(link).path.startswith("/join/")
    assert followed >= 2  # one link per email (the same in its text and HTML parts)
    db_session.expire_all()
    events = db_session.scalars(select(AlertEvent).where(AlertEvent.kind == "invitation")).all()
    assert events
    assert all(e.facts["token"] == "" for e in events)
