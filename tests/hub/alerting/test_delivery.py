"""Issue 6, "Done when": alerts reach the right liaisons by email and SMS over real servers on
loopback (aiosmtpd, a Twilio-shaped gateway), acknowledgement stops escalation, the deputy
and then the focal points are reached when nobody acknowledges (on a frozen clock: every
sweep is given its `now`), and emails verify as S/MIME-signed with openssl."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.dispatcher import Dispatcher
from alerts.models import AlertDelivery
from hub.audit.models import AuditEntry
from hub.config import Settings
from tests.alerts.servers import RecordingHandler
from tests.hub.reports.factories import API, flash, publish

from .conftest import Scene, new_sms

MINUTE = dt.timedelta(minutes=1)


def _recipients(handler: RecordingHandler) -> list[str]:
    return sorted(r for received in handler.received for r in received.rcpt_tos)


def _is_series(received: Any) -> bool:
    message = email.message_from_bytes(received.data, policy=email.policy.default)
    return "briefing" in str(message["Subject"]).lower()


def _text(raw: bytes) -> str:
    """The readable text of a (signed) alert: every text/plain part, decoded."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    parts = [
        part.get_content() for part in message.walk() if part.get_content_type() == "text/plain"
    ]
    return "\n".join(parts)


def _publish_extreme(client: TestClient, scene: Scene, **changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "severity": "extreme",
        "category": "kidnapping_abduction",
        "summary": "Enlèvement d'un chauffeur près de Kiwanja",
        "audience": {"organisations": [scene.world.b.id]},
        **changes,
    }
    report = flash(**fields)
    return publish(client, scene.world.a, report)


def test_extreme_report_reaches_the_designated_liaison_by_email_and_sms_only(
    client: TestClient, scene: Scene, dispatcher: Dispatcher, smtp: Any, gateway: Any
) -> None:
    _, handler = smtp
    _, state = gateway
    created = _publish_extreme(client, scene)
    assert created["level"] == "enhanced"

    stats = dispatcher.run_once(scene.now)

    assert _recipients(handler) == [scene.liaison.email]
    assert [m["to"] for m in new_sms(state, scene)] == [scene.liaison.phone]
    assert stats.sent == 2
    body = _text(handler.received[0].data)
    assert "girafe bleue" in body  # the liaison's anti-phishing phrase
    assert "Kiwanja" in body  # the author's alert summary
    assert "Convoy stopped" not in body
    assert "PK 42" not in body
    sms = new_sms(state, scene)[0]["body"]
    assert re.search(r"\b\d{6}\b", sms), sms  # the reply code
    # Deputy, focal point, C's and the outsider's liaisons heard nothing.
    for person in (scene.deputy, scene.focal, *scene.other_liaisons):
        assert person.email not in _recipients(handler)


def _ack_link(handler: RecordingHandler) -> str:
    found = re.search(r"http://testserver(/a/[A-Za-z0-9_-]+)", _text(handler.received[0].data))
    assert found is not None
    return found.group(1)


def test_acknowledgement_stops_escalation_and_is_audited(
    client: TestClient,
    db_session: Session,
    scene: Scene,
    dispatcher: Dispatcher,
    smtp: Any,
) -> None:
    _, handler = smtp
    _publish_extreme(client, scene)
    dispatcher.run_once(scene.now)
    link = _ack_link(handler)

    # A link scanner's GET shows the page and acknowledges nothing.
    page = client.get(link)
    assert page.status_code == 200
    assert 'method="post"' in page.text
    assert (
        db_session.scalar(
            select(AlertDelivery.acknowledged_at).where(
                AlertDelivery.liaison_id == scene.liaison.member_id
            )
        )
        is None
    )

    done = client.post(link)
    assert done.status_code == 200
    assert client.post(link).status_code == 404  # one time only

    handler.received.clear()
    dispatcher.run_once(scene.now + 45 * MINUTE)
    assert handler.received == []  # neither the deputy nor the focal point
    log = client.get(f"{API}/alerts/deliveries", headers=scene.focal.headers).json()
    steps = {(row["step"], row["status"]) for row in log}
    assert (1, "cancelled") in steps
    assert (2, "cancelled") in steps
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "alert:acknowledge"))
    assert entry is not None
    assert entry.actor_id == scene.liaison.member_id


def test_without_acknowledgement_the_deputy_then_the_focal_point_is_alerted(
    client: TestClient, scene: Scene, dispatcher: Dispatcher, smtp: Any
) -> None:
    _, handler = smtp
    _publish_extreme(client, scene)
    dispatcher.run_once(scene.now)
    handler.received.clear()

    dispatcher.run_once(scene.now + 14 * MINUTE)
    assert handler.received == []  # the deadline (15 minutes) has not passed

    dispatcher.run_once(scene.now + 16 * MINUTE)
    assert _recipients(handler) == [scene.deputy.email]
    assert "girafe bleue" in _text(handler.received[0].data)

    handler.received.clear()
    dispatcher.run_once(scene.now + 31 * MINUTE)
    assert _recipients(handler) == [scene.focal.email]


def test_acknowledging_by_sms_reply_code(
    client: TestClient,
    db_session: Session,
    settings: Settings,
    scene: Scene,
    dispatcher: Dispatcher,
    gateway: Any,
) -> None:
    _, state = gateway
    settings.sms_gateway = "webhook+http://gw-token@127.0.0.1:9/hook"
    _publish_extreme(client, scene)
    dispatcher.run_once(scene.now)
    code = re.search(r"\b(\d{6})\b", new_sms(state, scene)[0]["body"])
    assert code is not None
    wrong = client.post(
        f"{API}/alerts/sms/inbound",
        data={"From": scene.liaison.phone, "Body": code.group(1)},
        headers={"Authorization": "Bearer not-the-token"},
    )
    assert wrong.status_code == 403
    other_phone = client.post(
        f"{API}/alerts/sms/inbound",
        data={"From": "+243810000999", "Body": code.group(1)},
        headers={"Authorization": "Bearer gw-token"},
    )
    assert other_phone.headers["X-Acknowledged"] == "no"
    reply = client.post(
        f"{API}/alerts/sms/inbound",
        data={"From": scene.liaison.phone, "Body": f" {code.group(1)} "},
        headers={"Authorization": "Bearer gw-token"},
    )
    assert reply.status_code == 200
    assert reply.headers["X-Acknowledged"] == "yes"
    pending = db_session.scalars(
        select(AlertDelivery).where(AlertDelivery.step > 0, AlertDelivery.status == "pending")
    ).all()
    assert pending == []


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl(1)")
def test_alert_emails_verify_as_smime_signed_by_the_hub(
    client: TestClient,
    settings: Settings,
    scene: Scene,
    dispatcher: Dispatcher,
    smtp: Any,
    tmp_path: Path,
) -> None:
    _, handler = smtp
    _publish_extreme(client, scene)
    dispatcher.run_once(scene.now)
    raw = handler.received[0].data
    (tmp_path / "alert.eml").write_bytes(raw)
    result = subprocess.run(
        [
            "openssl",
            "smime",
            "-verify",
            "-in",
            str(tmp_path / "alert.eml"),
            "-CAfile",
            str(settings.data_dir / "smime-cert.pem"),
            "-purpose",
            "any",
        ],
        capture_output=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "girafe bleue" in _text(result.stdout)  # what was signed is the alert itself
    # Tampering with the signed text (one character of its first line) breaks it.
    start = raw.index(b"\r\n\r\n", raw.index(b"text/plain")) + 4
    flipped = b"A" if raw[start : start + 1] != b"A" else b"B"
    (tmp_path / "forged.eml").write_bytes(raw[:start] + flipped + raw[start + 1 :])
    forged = subprocess.run(
        [
            "openssl",
            "smime",
            "-verify",
            "-in",
            str(tmp_path / "forged.eml"),
            "-CAfile",
            str(settings.data_dir / "smime-cert.pem"),
            "-purpose",
            "any",
        ],
        capture_output=True,
        check=False,
    )
    assert forged.returncode != 0


def test_a_gateway_status_callback_reporting_failure_parks_and_tells_the_focal_point(
    client: TestClient,
    settings: Settings,
    scene: Scene,
    dispatcher: Dispatcher,
    smtp: Any,
    gateway: Any,
) -> None:
    from alerts.channels.sms import twilio_signature
    from tests.alerts.servers import ACCOUNT, TOKEN

    _, handler = smtp
    url, state = gateway
    settings.sms_gateway = f"twilio+{url}/?from=%2B243990000000".replace(
        "://", f"://{ACCOUNT}:{TOKEN}@"
    )
    _publish_extreme(client, scene)
    dispatcher.run_once(scene.now)
    [sms] = new_sms(state, scene)
    handler.received.clear()
    # The carrier could not deliver it; the gateway says so, and answers the same when asked.
    sms["status"], sms["error_code"] = "undelivered", "30006"
    form = {"MessageSid": sms["sid"], "MessageStatus": "undelivered", "ErrorCode": "30006"}
    path = f"{API}/alerts/sms/status"
    forged = client.post(path, data=form, headers={"X-Twilio-Signature": "bm9wZQ=="})
    assert forged.status_code == 403
    signature = twilio_signature(TOKEN, f"http://testserver{path}", form)
    for _ in range(2):  # callbacks repeat; the second changes nothing
        answer = client.post(path, data=form, headers={"X-Twilio-Signature": signature})
        assert answer.status_code == 204

    dispatcher.run_once(scene.now + MINUTE)
    assert len(new_sms(state, scene)) == 1  # asked the gateway, did not blindly resend
    log = client.get(
        f"{API}/alerts/deliveries",
        params={"liaison": scene.liaison.email},
        headers=scene.focal.headers,
    ).json()
    [row] = [r for r in log if r["channel"] == "sms" and r["kind"] == "report_published"]
    assert row["status"] == "parked"
    assert _recipients(handler) == [scene.focal.email]  # told, by its delivery_failed alert


def test_an_update_stops_the_pending_steps_of_the_alert_it_supersedes(
    client: TestClient, db_session: Session, scene: Scene, dispatcher: Dispatcher, smtp: Any
) -> None:
    _, handler = smtp
    first = _publish_extreme(client, scene)
    dispatcher.run_once(scene.now)
    [original] = [m for m in handler.received if scene.liaison.email in m.rcpt_tos]
    original_id = re.search(rb"Message-ID: (<[^>]+>)", original.data)
    assert original_id is not None
    handler.received.clear()

    _publish_extreme(
        client, scene, stage="update", supersedes=first["id"], summary="Chauffeur retrouvé"
    )
    dispatcher.run_once(scene.now + MINUTE)
    [update] = handler.received
    assert b"In-Reply-To: " + original_id.group(1) in update.data  # threads onto the first
    assert "retrouvé" in _text(update.data)
    stopped = db_session.scalars(
        select(AlertDelivery.last_error).where(
            AlertDelivery.step > 0, AlertDelivery.status == "cancelled"
        )
    ).all()
    assert stopped
    assert all(reason.startswith("superseded by") for reason in stopped)

    handler.received.clear()
    dispatcher.run_once(scene.now + 17 * MINUTE)
    # The deputy hears of the update once (its own escalation), not of the first alert too.
    assert _recipients(handler) == [scene.deputy.email]
    assert "retrouvé" in _text(handler.received[0].data)


def test_a_level_change_reaches_liaisons_of_the_area_and_of_areas_above_it(
    db_session: Session, scene: Scene, dispatcher: Dispatcher, smtp: Any
) -> None:
    from hub.actors import Actor
    from hub.areas import service as areas
    from hub.members.models import Member, Role
    from policies import default_policy
    from policies.vocabulary import Risk

    _, handler = smtp
    coordinator = db_session.scalars(
        select(Member).where(Member.role_rows.any(role=Role.COORDINATOR))
    ).first()
    assert coordinator is not None
    areas.set_risk(
        db_session,
        actor=Actor(label=coordinator.email, member=coordinator),
        code="CD62",
        risk=Risk.VERY_HIGH,
        reason="Combats à Kalehe",
        now=scene.now,
        policy=default_policy(),
    )
    dispatcher.run_once(scene.now)
    # South Kivu's liaisons (the deputy, the focal point) and the country-wide ones (C's and
    # the outsider's); not North Kivu's liaison. A level change is public: no recipient filter.
    expected = sorted(
        [scene.deputy.email, scene.focal.email, *(p.email for p in scene.other_liaisons)]
    )
    # South Kivu turning enhanced also proposes its briefing series to the coordinators
    # (issue 15): that notice is not the level change's.
    series = [r for r in handler.received if _is_series(r)]
    assert [to for r in series for to in r.rcpt_tos] == [coordinator.email]
    handler.received[:] = [r for r in handler.received if r not in series]
    assert _recipients(handler) == expected
    assert "girafe bleue" in _text(handler.received[0].data)


def test_an_api_client_acknowledges_with_the_token_and_reads_the_alert_log(
    client: TestClient, scene: Scene, dispatcher: Dispatcher, smtp: Any
) -> None:
    _, handler = smtp
    _publish_extreme(client, scene)
    dispatcher.run_once(scene.now)
    token = _ack_link(handler).removeprefix("/a/")
    acked = client.post(f"{API}/alerts/{token}/ack")
    assert acked.status_code == 200, acked.text
    # The deputy and the focal point, each by email (the only channel each has confirmed).
    assert acked.json()["stopped_escalation_steps"] == 2
    event_id = acked.json()["event_id"]
    mine = client.get(f"{API}/alerts/{event_id}/deliveries", headers=scene.liaison.headers)
    assert {(r["channel"], r["status"]) for r in mine.json()} == {
        ("email", "sent"),
        ("sms", "sent"),
    }
    assert all(r["acknowledged_at"] for r in mine.json())
    theirs = client.get(f"{API}/alerts/{event_id}/deliveries", headers=scene.focal.headers)
    assert {r["liaison_id"] for r in theirs.json()} == {
        scene.liaison.member_id,
        scene.deputy.member_id,
        scene.focal.member_id,
    }
    assert client.post(f"{API}/alerts/{token}/ack").status_code == 404


def test_an_sms_with_unknown_outcome_is_checked_with_the_gateway_not_resent(
    client: TestClient, scene: Scene, dispatcher: Dispatcher, gateway: Any
) -> None:
    _, state = gateway
    state.script.append("drop_after")  # the gateway takes the SMS, then the answer is lost
    _publish_extreme(client, scene)
    dispatcher.run_once(scene.now)
    log = client.get(f"{API}/alerts/deliveries", headers=scene.liaison.headers).json()
    [sms] = [r for r in log if r["channel"] == "sms" and r["kind"] == "report_published"]
    assert sms["status"] == "pending"
    assert sms["last_outcome"] == "unknown"

    dispatcher.run_once(scene.now + 45 * MINUTE)
    assert [m["to"] for m in new_sms(state, scene)] == [scene.liaison.phone]  # once, not twice
    log = client.get(f"{API}/alerts/deliveries", headers=scene.liaison.headers).json()
    [sms] = [r for r in log if r["channel"] == "sms" and r["kind"] == "report_published"]
    assert sms["status"] == "sent"


def test_the_delivery_log_does_not_tell_which_emails_are_members(
    client: TestClient, scene: Scene
) -> None:
    """A liaison or a focal point asking about an email outside what they may see gets the
    same answer whether or not that email has an account (was: 404 vs 403)."""
    path = f"{API}/alerts/deliveries"
    other_org_member = scene.other_liaisons[0].email
    for who in (scene.liaison, scene.focal):
        answers = [
            client.get(path, params={"liaison": email}, headers=who.headers)
            for email in (other_org_member, "nobody-here@example.org")
        ]
        assert [a.status_code for a in answers] == [404, 404]
        assert answers[0].json()["detail"] == answers[1].json()["detail"]
    # A liaison may still name themself, a focal point a colleague.
    own = client.get(path, params={"liaison": scene.liaison.email}, headers=scene.liaison.headers)
    assert own.status_code == 200
    colleague = client.get(
        path, params={"liaison": scene.liaison.email.upper()}, headers=scene.focal.headers
    )
    assert colleague.status_code == 200
