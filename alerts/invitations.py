"""Invitation emails: planned, rendered and then forgotten by the dispatcher.

Guarantees: an invitation goes to the one address it names, by email only, and to nobody
else. Its one-time token is in the outbox row in clear only until the email is sent (or
given up): `forget_token` then overwrites it in the event's facts, so a later copy of the
database or a backup does not hold a working link. The hub itself keeps only a hash of the
token (hub/members/invitations.py).

Against: someone reading the database (or a backup taken later) and using a pending
invitation's link to become a member of an organisation in the invitee's place. What it does
not cover: a copy taken in the seconds between the invitation and its sending, and the
mailbox the link was sent to; the link expires, works once, and a used or expired one opens
nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.facts import AlertFacts, AlertKind, InvitationFacts, Recipient
from alerts.models import AlertEvent
from alerts.outbox import InvitationNotice, facts_to_json, notice_from_json, plan_one_email

JOIN_PATH = "/join/"


def notice_of(event: AlertEvent) -> InvitationNotice:
    notice = notice_from_json(event.facts)
    if not isinstance(notice, InvitationNotice):
        raise ValueError(f"event {event.id} does not carry an invitation")
    return notice


def plan(session: Session, event: AlertEvent, now: dt.datetime) -> int:
    """One email delivery, keyed by the invitation (there is no member yet)."""
    return plan_one_email(
        session, event, recipient=notice_of(event).invitation, kind=AlertKind.INVITATION, now=now
    )


def prepare(event: AlertEvent, base_url: str) -> tuple[str, AlertFacts, Recipient]:
    """(address, facts, recipient) of an invitation's email; ValueError once forgotten."""
    notice = notice_of(event)
    if not notice.token:
        raise ValueError("the invitation was sent already and its link forgotten")
    facts = AlertFacts(
        kind=AlertKind.INVITATION,
        event_id=event.id,
        link=base_url.rstrip("/") + JOIN_PATH + notice.token,
        invitation=InvitationFacts(
            organisation=notice.organisation,
            invited_by=notice.invited_by,
            expires_at=notice.expires_at,
        ),
    )
    recipient = Recipient(
        name=notice.name[:200],
        language="en" if notice.language == "en" else "fr",
        anti_phishing_phrase=notice.phrase,
    )
    return notice.email, facts, recipient


def forget_token(session: Session, event_id: str) -> None:
    """Overwrite the token in the event once its email is sent or given up. Flushes only."""
    event = session.scalar(select(AlertEvent).where(AlertEvent.id == event_id))
    if event is None or event.kind != AlertKind.INVITATION.value:
        return
    notice = notice_of(event)
    if notice.token:
        event.facts = facts_to_json(dataclasses.replace(notice, token=""))
        session.flush()
