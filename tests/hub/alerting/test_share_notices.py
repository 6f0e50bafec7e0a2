"""Issue 5: "the originator's focal points are asked; on denial the requester is told" — by
email over a real SMTP server (aiosmtpd on loopback), through the same outbox and dispatcher
as every alert, and without the requester's free-text reason or anything sealed."""

from __future__ import annotations

import email
import email.policy
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.dispatcher import Dispatcher
from hub.members.models import Member
from tests.alerts.servers import RecordingHandler
from tests.hub.reports.factories import API, Party, flash, publish

from .conftest import Person, Scene, designate

REASON = "leur convoi emprunte la même route demain"


def _mail(handler: RecordingHandler) -> list[tuple[list[str], str, str]]:
    """(recipients, subject, readable text) of every message received."""
    out = []
    for received in handler.received:
        message = email.message_from_bytes(received.data, policy=email.policy.default)
        text = "\n".join(
            part.get_content() for part in message.walk() if part.get_content_type() == "text/plain"
        )
        out.append((sorted(received.rcpt_tos), str(message["Subject"]), text))
    return out


def _person(session: Session, who: Party) -> Person:
    member_id = session.scalar(select(Member.id).where(Member.email == who.email))
    assert member_id is not None
    return Person(who.email, member_id, who.headers)


def _ask(client: TestClient, scene: Scene) -> tuple[str, dict[str, Any]]:
    w = scene.world
    report = publish(
        client,
        w.a,
        flash(audience={"organisations": [w.b.id]}, summary="Braquage sur l'axe Goma-Sake"),
    )
    asked = client.post(
        f"{API}/reports/{report['id']}/share-requests",
        json={"to_organisation": w.c.id, "reason": REASON},
        headers=w.b.headers,
    )
    assert asked.status_code == 201, asked.text
    assert asked.json()["status"] == "pending"
    return report["id"], asked.json()


def test_the_originators_focal_point_is_asked_and_the_requester_told_of_a_denial(
    db_session: Session, client: TestClient, scene: Scene, dispatcher: Dispatcher, smtp: Any
) -> None:
    _, handler = smtp
    w = scene.world
    originator = _person(db_session, w.a)
    designate(client, originator, areas=["CD62"], channels={"email": None})
    _, asked = _ask(client, scene)
    handler.received.clear()  # the publication's own alerts are not what this is about

    dispatcher.run_once(scene.now)

    [(to, subject, text)] = [m for m in _mail(handler) if "transmission" in m[1]]
    assert to == [originator.email]
    assert w.b.org.name in subject
    assert w.c.org.name in subject
    assert "girafe bleue" in text  # the anti-phishing phrase of the person asked
    assert "Goma-Sake" in text  # the header's alert summary: which report
    assert REASON not in text  # the reason is read on the hub, not in a mailbox
    assert "/share-requests" in text

    handler.received.clear()
    denied = client.post(f"{API}/share-requests/{asked['id']}/deny", headers=w.a.headers)
    assert denied.status_code == 200, denied.text
    dispatcher.run_once(scene.now)

    [(to, subject, text)] = _mail(handler)
    assert to == [scene.focal.email]  # the person who asked (B's designated focal point)
    assert "refusé" in subject
    assert "ne doit pas être transmis" in text


def test_the_requester_is_told_of_an_approval_once_sealed(
    db_session: Session, client: TestClient, scene: Scene, dispatcher: Dispatcher, smtp: Any
) -> None:
    _, handler = smtp
    w = scene.world
    rid, asked = _ask(client, scene)
    dispatcher.run_once(scene.now)
    handler.received.clear()

    approved = client.post(f"{API}/share-requests/{asked['id']}/approve", headers=w.a.headers)
    assert approved.status_code == 200, approved.text
    assert client.get(f"{API}/reports/{rid}", headers=w.c.headers).status_code == 200
    dispatcher.run_once(scene.now)

    [(to, subject, _text)] = _mail(handler)
    assert to == [scene.focal.email]
    assert subject.endswith(": accepté")


def test_a_focal_point_without_a_designation_is_shown_not_dropped(
    client: TestClient, scene: Scene, dispatcher: Dispatcher, smtp: Any
) -> None:
    """A's focal point never set up alerts: the notice parks with the reason, in the log
    the focal point can read, and the request waits on /share-requests."""
    w = scene.world
    _ask(client, scene)
    dispatcher.run_once(scene.now)
    log = client.get(f"{API}/alerts/deliveries", headers=w.a.headers)
    assert log.status_code == 200, log.text
    [row] = [r for r in log.json() if r["kind"] == "share_requested"]
    assert row["status"] == "parked"
    assert "designation" in row["last_error"]
    incoming = client.get(f"{API}/share-requests", headers=w.a.headers).json()
    assert [r["status"] for r in incoming] == ["pending"]
