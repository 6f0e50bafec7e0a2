"""Sending: each claimed delivery goes out with no transaction held open across the
network call, and its outcome is recorded in a new transaction, only by its claimant. Failures
follow `alerts.backoff`: retry with capped jittered back-off, park after the last attempt or a
permanent failure, then tell the organisation's focal points (a `delivery_failed` notice, never
itself notified again) and try the liaison's other confirmed channel. An SMS that may already
have gone out is asked of the gateway first, so it is never sent twice; an email is S/MIME
signed with the hub's identity when one is configured (never unsigned then).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import crypto
from alerts import ack as acks
from alerts import designations as des
from alerts import invitations
from alerts.backoff import Action, decide
from alerts.channels.base import ChannelKind, DeliveryKey, Outcome, SendResult
from alerts.channels.email import EmailChannel
from alerts.channels.sms import SmsChannel
from alerts.dispatcher.base import Stats, _now, log
from alerts.dispatcher.messages import Messages, _Prepared
from alerts.dispatcher.planning import _notice_deliveries
from alerts.facts import AlertKind, FailureFacts
from alerts.models import AlertDelivery, AlertEvent, DeliveryStatus
from alerts.outbox import enqueue_notice


def _mask(channel: str, address: str) -> str:
    if channel == "email":
        local, _, domain = address.partition("@")
        return f"{local[:1]}…@{domain}"
    return f"{address[:4]} ••• {address[-2:]}"


def smime_signer(
    identity: crypto.EmailIdentity, recipient_certificate: bytes | None
) -> Callable[[bytes], bytes]:
    """The EmailChannel signer hook: sign the content entity (and encrypt it to the liaison's
    certificate) and keep the envelope headers — From, To, Subject, Message-ID … — outside,
    where mail servers and clients read them."""

    def sign(raw: bytes) -> bytes:
        head, sep, body = raw.partition(b"\r\n\r\n")
        if not sep:
            raise ValueError("a message without a header/body separator")
        outer: list[bytes] = []
        inner: list[bytes] = []
        current: list[bytes] | None = None
        for line in head.split(b"\r\n"):
            if line[:1] in (b" ", b"\t") and current is not None:
                current.append(line)  # a folded header continues the previous one
                continue
            name = line.split(b":", 1)[0].strip().lower()
            current = inner if name.startswith(b"content-") or name == b"mime-version" else outer
            if name == b"content-language":
                current = outer
            if name != b"mime-version":
                current.append(line)
        entity = b"\r\n".join(inner) + b"\r\n\r\n" + body
        signed = crypto.sign_email(entity, identity)
        if recipient_certificate is not None:
            signed = crypto.encrypt_email(signed, recipient_certificate)
        signed = signed.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        return b"\r\n".join(outer) + b"\r\n" + signed

    return sign


class Sending(Messages):
    def deliver(self, ids: list[str], *, now: dt.datetime | None = None) -> Stats:
        """Send claimed deliveries, each outcome in its own transaction."""
        stats = Stats()
        with self.sessions() as session:
            claims = dict(
                session.execute(
                    select(AlertDelivery.id, AlertDelivery.claimed_by).where(
                        AlertDelivery.id.in_(ids)
                    )
                ).all()
            )
            prepared = self._prepare(session, ids, {k: v or "" for k, v in claims.items()})
            session.rollback()  # nothing is held open across the network calls below
        for item in prepared:
            if item.cancel:
                self._finish(item, status=DeliveryStatus.CANCELLED, error=item.cancel)
                stats.cancelled += 1
                continue
            if item.message is None:
                self._record(
                    item, SendResult(Outcome.PERMANENT, detail=item.problem), now or _now(), stats
                )
                continue
            result = self._send(item)
            self._record(item, result, now or _now(), stats)
        return stats

    def _send(self, item: _Prepared) -> SendResult:
        assert item.message is not None  # noqa: S101 (checked by the caller)
        channel = self.channels.get(item.key.channel)
        if channel is None:
            return SendResult(Outcome.RETRYABLE, detail=f"no {item.key.channel} channel set up")
        if isinstance(channel, SmsChannel) and item.check_first:
            since = item.first_attempt_at or _now()
            found = channel.check(item.message, provider_id=item.provider_id, since=since)
            if found is not None:
                # The gateway has it (or says it failed): never send the same SMS twice.
                return found
        if isinstance(channel, EmailChannel):
            if self.channels.identity is not None:
                channel.signer = smime_signer(self.channels.identity, item.certificate)
            else:
                channel.signer = None
        try:
            return channel.send(item.message)
        except ValueError as exc:  # an SMS longer than two segments: a bug, but not silent
            return SendResult(Outcome.PERMANENT, detail=f"refused: {exc}")
        except Exception as exc:
            # Channels classify every delivery problem themselves; anything else is a bug.
            # Recorded as retryable it follows the back-off and ends parked, visibly, instead
            # of leaving the claim to expire and repeat forever.
            log.exception("channel %s raised on delivery %s", item.key.channel, item.delivery_id)
            return SendResult(Outcome.RETRYABLE, detail=f"error: {type(exc).__name__}")

    def _finish(self, item: _Prepared, *, status: DeliveryStatus, error: str) -> None:
        with self.sessions() as session:
            session.execute(
                update(AlertDelivery)
                .where(AlertDelivery.id == item.delivery_id, AlertDelivery.claimed_by == item.claim)
                .values(status=status.value, claimed_by=None, lease_until=None, last_error=error)
            )
            session.commit()

    def _record(self, item: _Prepared, result: SendResult, now: dt.datetime, stats: Stats) -> None:
        step = decide(
            result.outcome,
            attempts=item.attempts,
            now=now,
            channel=item.key.channel,
            other_channel=item.other_channel,
            policy=self.config.backoff,
            rng=self.rng,
        )
        values: dict[str, Any] = {
            "claimed_by": None,
            "lease_until": None,
            "last_outcome": result.outcome.value,
            "last_error": None if result.sent else (result.detail or step.reason)[:400],
        }
        if result.provider_id:
            values["provider_id"] = result.provider_id[:200]
        if step.action is Action.DONE:
            values.update(status=DeliveryStatus.SENT.value, sent_at=now, check_first=False)
            stats.sent += 1
        elif step.action in (Action.RETRY, Action.CHECK):
            assert step.retry_at is not None  # noqa: S101 (decide sets it)
            values.update(
                status=DeliveryStatus.PENDING.value,
                due_at=step.retry_at,
                check_first=step.action is Action.CHECK,
            )
            stats.retried += 1
        else:
            values.update(status=DeliveryStatus.PARKED.value, check_first=False)
            stats.parked += 1
        with self.sessions() as session:
            done = session.execute(
                update(AlertDelivery)
                .where(AlertDelivery.id == item.delivery_id, AlertDelivery.claimed_by == item.claim)
                .values(**values)
            )
            if not getattr(done, "rowcount", 1):
                # Our lease was taken back meanwhile; the other claimant records its own send.
                log.warning(
                    "delivery %s: outcome %s after losing the lease",
                    item.delivery_id,
                    result.outcome,
                )
                session.rollback()
                return
            if step.action is Action.PARK:
                self._after_park(session, item, step.fall_back_to, result, now)
            if item.kind == AlertKind.INVITATION.value and step.action in (
                Action.DONE,
                Action.PARK,
            ):
                invitations.forget_token(session, item.key.event_id)
            # A dispatcher still working through its batch renews the lease of what is left,
            # so a slow server cannot make another process reclaim, and resend, rows this one
            # is about to send; only a send longer than the lease itself could.
            session.execute(
                update(AlertDelivery)
                .where(
                    AlertDelivery.claimed_by == item.claim,
                    AlertDelivery.status == DeliveryStatus.CLAIMED.value,
                )
                .values(lease_until=now + self.config.lease)
                .execution_options(synchronize_session=False)
            )
            session.commit()

    def _after_park(
        self,
        session: Session,
        item: _Prepared,
        fall_back_to: ChannelKind | None,
        result: SendResult,
        now: dt.datetime,
    ) -> None:
        row = session.get(AlertDelivery, item.delivery_id)
        assert row is not None  # noqa: S101 (just updated)
        if row.kind == AlertKind.DELIVERY_FAILED.value:
            return  # a notice about a notice would never end
        if fall_back_to is not None:
            exists = session.scalar(
                select(AlertDelivery.id).where(
                    AlertDelivery.event_id == row.event_id,
                    AlertDelivery.liaison_id == row.liaison_id,
                    AlertDelivery.channel == fall_back_to.value,
                    AlertDelivery.step == row.step,
                )
            )
            if exists is None:
                fallback = AlertDelivery(
                    event_id=row.event_id,
                    liaison_id=row.liaison_id,
                    organisation_id=row.organisation_id,
                    channel=fall_back_to.value,
                    step=row.step,
                    kind=row.kind,
                    status=DeliveryStatus.PENDING.value,
                    due_at=now,
                    ack_deadline=row.ack_deadline,
                    escalated_from=row.escalated_from,
                    created_at=now,
                )
                if row.ack_deadline is not None:
                    key = DeliveryKey(row.event_id, row.liaison_id, fall_back_to, row.step)
                    fallback.ack_token_hash = acks.token_hash(
                        acks.token_for(self.config.ack_secret, key)
                    )
                session.add(fallback)
        person = des.reach(session, [row.liaison_id]).get(row.liaison_id)
        hint = ""
        if person is not None:
            for contact in des.contacts(session, person.designation.id):
                if contact.channel == row.channel:
                    hint = _mask(contact.channel, contact.address)
        failure = FailureFacts(
            liaison_name=(person.designation.display_name if person else row.liaison_id)[:60],
            channel=row.channel,
            address_hint=hint or "—",
            attempts=row.attempts,
            reason=(result.detail or "failed")[:200],
            fallback_channel=fall_back_to.value if fall_back_to else None,
        )
        event = session.get(AlertEvent, row.event_id)
        assert event is not None  # noqa: S101 (foreign key)
        notice = enqueue_notice(
            session,
            kind=AlertKind.DELIVERY_FAILED,
            source=f"failed:{row.id}",
            facts=failure,
            organisations=[row.organisation_id],
            area_code=event.area_code,
            planned_at=now,
        )
        focal = self.directory.focal_points(session, row.organisation_id)
        session.add_all(
            _notice_deliveries(
                session, notice.id, row.organisation_id, focal, AlertKind.DELIVERY_FAILED, now
            )
        )
        try:
            with session.begin_nested():
                session.flush()
        except IntegrityError:
            log.info("notice for %s already planned", row.id)
