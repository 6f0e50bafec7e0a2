"""Acknowledgement: the one-time link and SMS reply code of an alert, and what they stop.

Guarantees:
- a delivery's link token and reply code are derived from the hub's alert secret and the
  delivery's natural key (HMAC-SHA256), so every resend of the same delivery carries the same
  link and code (a first copy that did arrive keeps working), yet nobody without the secret
  can compute one; the database stores only the SHA-256 of the token;
- a token acknowledges once: the page behind the link (GET) only shows what will be
  acknowledged — link scanners in mail gateways follow GETs — and only the POST from that
  page acknowledges; a used or unknown token answers "nothing to acknowledge";
- a reply code counts only from the phone number the alert went to, and only for an alert
  still waiting for acknowledgement;
- acknowledging stops every pending escalation step of that event for the liaison's
  organisation (deputies and focal points are no longer bothered) — the caller audits it —
  and tells the people of that organisation the alert had already reached (an escalation
  woke the deputy, the focal point) that it was acknowledged, by whom and when, so that
  they stand down.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from alerts.channels.base import ChannelKind, DeliveryKey
from alerts.designations import all_reach_by_phone, reach
from alerts.facts import AckFacts, ReportFacts
from alerts.models import AlertDelivery, AlertEvent, DeliveryStatus
from alerts.outbox import AckNotice, enqueue_ack_confirmation, facts_from_json

CODE_DIGITS = 6


def token_for(secret: bytes, key: DeliveryKey) -> str:
    mac = hmac.new(secret, b"slthub-ack-link-v1|" + key.digest.encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()[:16]).rstrip(b"=").decode()


def code_for(secret: bytes, key: DeliveryKey) -> str:
    mac = hmac.new(secret, b"slthub-ack-code-v1|" + key.digest.encode(), hashlib.sha256)
    return f"{int.from_bytes(mac.digest()[:8], 'big') % 10**CODE_DIGITS:0{CODE_DIGITS}d}"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Pending:
    """What the confirmation page shows before the POST."""

    delivery: AlertDelivery
    event: AlertEvent


@dataclass(frozen=True, slots=True)
class Acknowledged:
    delivery: AlertDelivery
    event: AlertEvent
    stopped_steps: int


def find(session: Session, token: str) -> Pending | None:
    """The delivery a link points to, if it still waits for acknowledgement."""
    delivery = session.scalar(
        select(AlertDelivery).where(AlertDelivery.ack_token_hash == token_hash(token))
    )
    if delivery is None or delivery.acknowledged_at is not None:
        return None
    event = session.get(AlertEvent, delivery.event_id)
    assert event is not None  # noqa: S101 (foreign key)
    return Pending(delivery, event)


def _acknowledge(
    session: Session, delivery: AlertDelivery, *, by: str, now: dt.datetime
) -> Acknowledged:
    event = session.get(AlertEvent, delivery.event_id)
    assert event is not None  # noqa: S101 (foreign key)
    # Every delivery of this event to this organisation counts as acknowledged (the liaison's
    # email and SMS copies, the deputy's); the first acknowledgement is the one kept.
    session.execute(
        update(AlertDelivery)
        .where(
            AlertDelivery.event_id == delivery.event_id,
            AlertDelivery.organisation_id == delivery.organisation_id,
            AlertDelivery.acknowledged_at.is_(None),
            AlertDelivery.ack_token_hash.is_not(None),
        )
        .values(acknowledged_at=now, acknowledged_by=by)
    )
    stopped = session.execute(
        update(AlertDelivery)
        .where(
            AlertDelivery.event_id == delivery.event_id,
            AlertDelivery.organisation_id == delivery.organisation_id,
            AlertDelivery.step > 0,
            AlertDelivery.status == DeliveryStatus.PENDING.value,
        )
        .values(status=DeliveryStatus.CANCELLED.value, last_error="acknowledged")
    )
    session.flush()
    session.refresh(delivery)
    _tell_the_others(session, delivery, event, now=now)
    return Acknowledged(delivery, event, int(getattr(stopped, "rowcount", 0) or 0))


def _tell_the_others(
    session: Session, delivery: AlertDelivery, event: AlertEvent, *, now: dt.datetime
) -> None:
    others = sorted(
        set(
            session.scalars(
                select(AlertDelivery.liaison_id).where(
                    AlertDelivery.event_id == delivery.event_id,
                    AlertDelivery.organisation_id == delivery.organisation_id,
                    AlertDelivery.status == DeliveryStatus.SENT.value,
                    AlertDelivery.liaison_id != delivery.liaison_id,
                )
            )
        )
    )
    report = facts_from_json(event.facts)
    if not others or not isinstance(report, ReportFacts):
        return
    who = reach(session, [delivery.liaison_id]).get(delivery.liaison_id)
    name = who.designation.display_name[:60] if who else "?"
    enqueue_ack_confirmation(
        session,
        event=event,
        organisation=delivery.organisation_id,
        notice=AckNotice(
            report=report,
            acknowledged=AckFacts(acknowledged_by=name, acknowledged_at=now),
            members=tuple(others),
        ),
    )


def acknowledge_link(session: Session, *, token: str, now: dt.datetime) -> Acknowledged | None:
    """The POST behind the link. None when there is nothing (any more) to acknowledge."""
    pending = find(session, token)
    if pending is None:
        return None
    return _acknowledge(
        session, pending.delivery, by=f"link:{pending.delivery.liaison_id}", now=now
    )


def acknowledge_code(
    session: Session, *, phone: str, code: str, secret: bytes, now: dt.datetime
) -> Acknowledged | None:
    """An inbound SMS `code` from `phone`: the newest unacknowledged SMS delivery to that
    number whose code matches."""
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != CODE_DIGITS:
        return None
    for member_id in all_reach_by_phone(session, phone):
        candidates = session.scalars(
            select(AlertDelivery)
            .where(
                AlertDelivery.liaison_id == member_id,
                AlertDelivery.channel == "sms",
                AlertDelivery.ack_token_hash.is_not(None),
                AlertDelivery.acknowledged_at.is_(None),
            )
            .order_by(AlertDelivery.created_at.desc())
            .limit(50)
        )
        for delivery in candidates:
            key = DeliveryKey(
                delivery.event_id, delivery.liaison_id, ChannelKind(delivery.channel), delivery.step
            )
            if hmac.compare_digest(code_for(secret, key), code):
                return _acknowledge(session, delivery, by=f"sms:{member_id}", now=now)
    return None
