"""Leases: a delivery is claimed in its own committed transaction before any network
call (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so dispatchers on several processes never claim
the same row; on SQLite one write statement under the single writer lock and this process's
dispatcher lock). A crashed dispatcher's claims are put back once their lease has run out,
an SMS marked to be checked with the gateway before it is sent again.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import and_, select, update

from alerts.dispatcher.base import DispatcherBase
from alerts.models import AlertDelivery, DeliveryStatus


class Leases(DispatcherBase):
    def claim(self, now: dt.datetime) -> list[str]:
        """Claim up to `batch` due deliveries; returns their ids (the claim is committed)."""
        token = f"{self.worker}:{uuid.uuid4().hex[:12]}"
        lease_until = now + self.config.lease
        due = and_(
            AlertDelivery.status == DeliveryStatus.PENDING.value, AlertDelivery.due_at <= now
        )
        values: dict[str, Any] = {
            "status": DeliveryStatus.CLAIMED.value,
            "claimed_by": token,
            "lease_until": lease_until,
            "attempts": AlertDelivery.attempts + 1,
            "last_attempt_at": now,
        }
        with self._lock, self.sessions() as session:
            postgres = session.bind is not None and session.bind.dialect.name == "postgresql"
            if postgres:
                ids = list(
                    session.scalars(
                        select(AlertDelivery.id)
                        .where(due)
                        .order_by(AlertDelivery.due_at)
                        .limit(self.config.batch)
                        .with_for_update(skip_locked=True)
                    )
                )
                if not ids:
                    session.rollback()
                    return []
                session.execute(
                    update(AlertDelivery).where(AlertDelivery.id.in_(ids)).values(**values)
                )
            else:
                # One UPDATE: SQLite takes its write lock at once, so two processes cannot
                # both read the same rows as free.
                inner = (
                    select(AlertDelivery.id)
                    .where(due)
                    .order_by(AlertDelivery.due_at)
                    .limit(self.config.batch)
                    .scalar_subquery()
                )
                session.execute(
                    update(AlertDelivery)
                    .where(AlertDelivery.id.in_(inner))
                    .values(**values)
                    .execution_options(synchronize_session=False)
                )
                ids = list(
                    session.scalars(
                        select(AlertDelivery.id).where(AlertDelivery.claimed_by == token)
                    )
                )
            session.execute(
                update(AlertDelivery)
                .where(AlertDelivery.id.in_(ids), AlertDelivery.first_attempt_at.is_(None))
                .values(first_attempt_at=now)
                .execution_options(synchronize_session=False)
            )
            session.commit()
            return ids

    def reclaim(self, now: dt.datetime) -> int:
        """Put back deliveries whose claimant's lease ran out (it crashed or hung). An SMS that
        may have gone out is checked with the gateway before it is sent again."""
        expired = and_(
            AlertDelivery.status == DeliveryStatus.CLAIMED.value,
            AlertDelivery.lease_until < now,
        )
        with self._lock, self.sessions() as session:
            count = 0
            for channel, check in (("sms", True), ("email", False)):
                result = session.execute(
                    update(AlertDelivery)
                    .where(expired, AlertDelivery.channel == channel)
                    .values(
                        status=DeliveryStatus.PENDING.value,
                        claimed_by=None,
                        lease_until=None,
                        due_at=now,
                        check_first=check,
                        last_error="lease expired: the dispatcher stopped mid-send",
                    )
                    .execution_options(synchronize_session=False)
                )
                count += int(getattr(result, "rowcount", 0) or 0)
            session.commit()
            return count
