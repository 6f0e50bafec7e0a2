"""The delivery log (what was sent to whom, when, and how it ended) and the SMS
gateway's status callbacks, which may send a delivery back to the dispatcher.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.channels.base import Outcome
from alerts.models import AlertDelivery, DeliveryStatus


@dataclass(frozen=True, slots=True)
class LogEntry:
    id: str
    event_id: str
    kind: str
    liaison_id: str
    organisation_id: str
    channel: str
    step: int
    status: str
    attempts: int
    due_at: dt.datetime
    sent_at: dt.datetime | None
    last_outcome: str | None
    last_error: str | None
    acknowledged_at: dt.datetime | None


def delivery_log(
    session: Session,
    *,
    liaison_id: str | None = None,
    event_id: str | None = None,
    organisation_id: str | None = None,
    limit: int = 200,
) -> list[LogEntry]:
    query = select(AlertDelivery).order_by(AlertDelivery.created_at.desc(), AlertDelivery.step)
    if liaison_id is not None:
        query = query.where(AlertDelivery.liaison_id == liaison_id)
    if event_id is not None:
        query = query.where(AlertDelivery.event_id == event_id)
    if organisation_id is not None:
        query = query.where(AlertDelivery.organisation_id == organisation_id)
    return [
        LogEntry(
            id=r.id,
            event_id=r.event_id,
            kind=r.kind,
            liaison_id=r.liaison_id,
            organisation_id=r.organisation_id,
            channel=r.channel,
            step=r.step,
            status=r.status,
            attempts=r.attempts,
            due_at=r.due_at,
            sent_at=r.sent_at,
            last_outcome=r.last_outcome,
            last_error=r.last_error,
            acknowledged_at=r.acknowledged_at,
        )
        for r in session.scalars(query.limit(limit))
    ]


def apply_sms_status(
    session: Session, *, provider_id: str, outcome: Outcome | None, detail: str, now: dt.datetime
) -> bool:
    """A gateway's status callback for an SMS it had accepted. Idempotent: callbacks repeat and
    arrive out of order. When the gateway says a `sent` SMS failed after all, the delivery goes
    back to the dispatcher with `check_first`: it asks the gateway, which answers the failure,
    and the usual rules follow (retry a transient failure; park, tell the focal point and try
    the other channel otherwise). Returns whether a delivery was changed. Flushes only."""
    row = session.scalar(
        select(AlertDelivery).where(
            AlertDelivery.provider_id == provider_id, AlertDelivery.channel == "sms"
        )
    )
    if row is None or row.status != DeliveryStatus.SENT.value:
        return False  # unknown, or already handled by an earlier callback
    if outcome in (Outcome.PERMANENT, Outcome.RETRYABLE):
        row.status = DeliveryStatus.PENDING.value
        row.check_first = True
        row.due_at = now
        row.last_outcome = outcome.value
        row.last_error = f"gateway callback: {detail}"[:400]
        session.flush()
        return True
    if row.last_error != detail[:400]:
        row.last_error = detail[:400] if outcome is None else None
        session.flush()
    return False
