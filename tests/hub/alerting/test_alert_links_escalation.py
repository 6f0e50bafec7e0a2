"""Every link of the alerts that only time produces opens a page for its recipient: the
escalation to the deputy and the focal point, the acknowledgement confirmation that tells
them to stand down, and the morning digest. The messages are the ones the dispatcher really
sent over aiosmtpd, each link followed in the recipient's own logged-in session (the other
kinds: test_alert_links.py)."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.models import AlertDelivery
from tests.hub.pages import Browser
from tests.hub.reports.factories import API, flash, publish

from .conftest import Scene, _text
from .test_alert_links import FOLLOWED, _check_mail

MINUTE = dt.timedelta(minutes=1)


def _subject(raw: bytes) -> str:
    return str(email.message_from_bytes(raw, policy=email.policy.default)["Subject"])


def test_escalation_acknowledgement_and_digest_links_open_pages(
    db_session: Session,
    client: TestClient,
    browser: Browser,
    scene: Scene,
    dispatcher: Any,
    smtp: Any,
) -> None:
    _, handler = smtp
    w = scene.world
    people = {
        scene.liaison.email: (scene.liaison.email, "fr"),
        scene.deputy.email: (scene.deputy.email, "fr"),
        scene.focal.email: (scene.focal.email, "fr"),
    }
    for person in (scene.liaison, scene.deputy):
        granted = client.post(f"{API}/members/{person.member_id}/grant", headers=w.b.headers)
        assert granted.status_code == 200, granted.text
    FOLLOWED.clear()
    subjects: set[str] = set()

    # An extreme report in North Kivu (enhanced): the liaison's alert asks for an
    # acknowledgement; nobody answers, so the deputy, then B's focal point, are woken.
    report = publish(
        client,
        w.a,
        flash(
            severity="extreme",
            summary="Enlèvement d'un chauffeur près de Kiwanja",
            audience={"organisations": [w.b.id]},
        ),
    )
    dispatcher.run_once(scene.now)
    first = handler.received[0].data
    ack_link = re.search(r"http://testserver(/a/[A-Za-z0-9_-]+)", _text(first))
    handler.received.clear()
    dispatcher.run_once(scene.now + 16 * MINUTE)
    dispatcher.run_once(scene.now + 31 * MINUTE)
    escalations = [_subject(m.data) for m in handler.received]
    assert sorted(r for m in handler.received for r in m.rcpt_tos) == sorted(
        [scene.deputy.email, scene.focal.email]
    ), escalations
    assert _check_mail(handler, browser, people, subjects) >= 2
    assert any(p.startswith("/a/") for p in FOLLOWED), FOLLOWED  # the deputy's own ack page

    # The liaison acknowledges at last: the deputy and the focal point, already woken, are
    # told to stand down, with a link to the report.
    assert ack_link is not None
    liaison_page = browser(scene.liaison.email, "fr")
    shown = liaison_page.get(ack_link.group(1))
    assert shown.status_code == 200
    done = liaison_page.post(ack_link.group(1))  # the page's button: no login needed
    assert done.status_code == 200, done.text[:500]
    dispatcher.run_once(scene.now + 32 * MINUTE)
    confirmations = [m for m in handler.received if "accusé" in _subject(m.data).lower()]
    assert sorted(r for m in confirmations for r in m.rcpt_tos) == sorted(
        [scene.deputy.email, scene.focal.email]
    ), [_subject(m.data) for m in handler.received]
    FOLLOWED.clear()
    assert _check_mail(handler, browser, people, subjects) >= 2
    assert f"/reports/{report['id']}" in FOLLOWED
    kinds = {
        row.kind
        for row in db_session.scalars(select(AlertDelivery).where(AlertDelivery.status == "sent"))
    }
    assert {"escalation", "ack_confirmation"} <= kinds

    # Routine items in South Kivu (normal cooperation) wait for the deputy's digest.
    publish(
        client,
        w.a,
        flash(
            area="CD6201",
            severity="minor",
            summary="Route coupée par la pluie",
            audience={"organisations": [w.b.id]},
        ),
    )
    later = scene.now + 2 * dt.timedelta(hours=1)
    dispatcher.run_once(later)
    assert dispatcher.digests(later) == 1
    dispatcher.run_once(later)
    FOLLOWED.clear()
    assert _check_mail(handler, browser, people, subjects) >= 1
    assert "/reports" in FOLLOWED


def test_a_delivery_failure_notice_opens_the_focal_points_log_of_the_failure(
    client: TestClient,
    browser: Browser,
    settings: Any,
    session_factory: Any,
    scene: Scene,
    smtp: Any,
    gateway: Any,
) -> None:
    """delivery_failed once linked to a JSON route; it opens the /liaison page, where a
    focal point sees the deliveries to their organisation's people, the failed one too."""
    from alerts.backoff import BackoffPolicy

    from .conftest import make_dispatcher

    controller, handler = smtp
    url, _ = gateway
    second = dt.timedelta(seconds=1)
    dispatcher = make_dispatcher(
        settings,
        session_factory,
        controller.port,
        url,
        backoff=BackoffPolicy(base=second, cap=second, max_attempts=3),
    )
    handler.data_reply = "451 4.3.0 mailbox server busy, try later"
    publish(
        client,
        scene.world.a,
        flash(severity="extreme", audience={"organisations": [scene.world.b.id]}),
    )
    for tick in range(3):
        dispatcher.run_once(scene.now + tick * 5 * second)
    handler.data_reply = None
    dispatcher.run_once(scene.now + 20 * second)
    notices = [m for m in handler.received if scene.focal.email in m.rcpt_tos]
    assert notices, [_subject(m.data) for m in handler.received]
    links = set(re.findall(r"http://testserver(/[^\s\"'<>)]*)", _text(notices[0].data)))
    assert links == {"/liaison#team-deliveries"}, links
    page = browser(scene.focal.email, "fr")
    shown = page.get("/liaison", headers={"Accept": "text/html"})
    assert shown.status_code == 200
    assert 'id="team-deliveries"' in shown.text
    team = shown.text.split('id="team-deliveries"', 1)[1]
    assert scene.liaison.email in team
    assert "451" in team
    dispatcher.channels.close()
