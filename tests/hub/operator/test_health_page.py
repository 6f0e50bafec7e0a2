"""The operator's health page: database and migration, scheduler, outbox backlog and failed
deliveries, files, version — in French and English."""

from __future__ import annotations

import datetime as dt
import os

from sqlalchemy.orm import Session

from alerts.models import AlertDelivery, AlertEvent, DeliveryStatus
from hub.config import Settings
from hub.members.models import Role
from hub.operator.health import _migration_head
from tests.hub.factories import current_code, make_member, make_organisation
from tests.hub.pages import Browser


def _operator(db_session: Session, browser: Browser, lang: str = "en"):  # type: ignore[no-untyped-def]
    created = make_member(db_session, make_organisation(db_session), roles=(Role.OPERATOR,))
    assert created.totp_secret is not None
    return browser(created.member.email, lang=lang, totp=current_code(created.totp_secret))


def _outbox(db_session: Session) -> None:
    now = dt.datetime.now(dt.UTC)
    event = AlertEvent(
        kind="report_published",
        msg_type="alert",
        source="report:x",
        version=1,
        area_code="CD61",
        facts={},
        planned_at=now,
    )
    db_session.add(event)
    db_session.flush()

    def delivery(status: DeliveryStatus, **kw: object) -> AlertDelivery:
        return AlertDelivery(
            event_id=event.id,
            liaison_id=os.urandom(4).hex(),
            organisation_id="o",
            channel="email",
            kind="report_published",
            status=status.value,
            due_at=now - dt.timedelta(minutes=5),
            **kw,
        )

    db_session.add_all(
        [
            delivery(DeliveryStatus.PARKED, attempts=5, last_attempt_at=now - dt.timedelta(days=1)),
            delivery(DeliveryStatus.PARKED, attempts=5, last_attempt_at=now - dt.timedelta(days=9)),
            delivery(DeliveryStatus.PENDING, attempts=2),
            delivery(
                DeliveryStatus.CLAIMED,
                claimed_by="node-a:4242",
                lease_until=now - dt.timedelta(minutes=1),
            ),
        ]
    )
    db_session.add(
        AlertEvent(
            kind="report_published",
            msg_type="alert",
            source="report:y",
            version=1,
            area_code="CD61",
            facts={},
        )
    )
    db_session.commit()


def test_health_page_in_both_languages(
    db_session: Session, browser: Browser, settings: Settings
) -> None:
    _outbox(db_session)
    page = _operator(db_session, browser).get("/operator/health")
    assert page.status_code == 200, page.text
    html = page.text
    assert "at the latest version" in html
    assert _migration_head() in html
    assert "off (slthub serve --no-scheduler)" in html  # no scheduler in the test app
    assert "<dt>Failed deliveries</dt><dd>2 (1 in the last 7 days)" in html
    assert "<dt>Deliveries being retried</dt><dd>1</dd>" in html
    assert "<dt>Deliveries due now</dt><dd>1" in html
    assert "<dt>Events waiting to be planned</dt><dd>1" in html
    assert "node-a:4242" in html
    assert "1 leases expired" in html
    assert "hub-keys" in html
    assert 'href="/operator/health"' in html  # in the operator's menu
    fr = _operator(db_session, browser, "fr").get("/operator/health").text
    assert "Envois en échec" in fr
    assert "à la dernière version" in fr


def test_a_missing_key_file_shows(
    db_session: Session, browser: Browser, settings: Settings
) -> None:
    op = _operator(db_session, browser)
    settings.hub_keys_path.chmod(0o644)
    assert "readable by other users: chmod 600" in op.get("/operator/health").text
    settings.hub_keys_path.unlink()
    html = op.get("/operator/health").text
    assert "missing: run slthub init" in html
    assert "Something below needs your attention." in html
