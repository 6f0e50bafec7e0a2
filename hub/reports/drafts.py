"""Sealed drafts of the flash form, for phones without JavaScript (with it, the draft stays
on the phone: hub/static/flash.js).

Whenever a flash form reaches the hub and is not published — a field to correct, a search for
the area — what was typed is sealed to the member's organisation (the same `R 01` envelope
and wrap as a report, signed with the organisation's keys opened in the member's session) and
kept under the form's idempotency key. If the answer never reaches the phone, the next flash
form the member opens starts from it. Publishing with that key removes it. The hub stores
what it cannot read."""

from __future__ import annotations

import json

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from crypto import CryptoError, SealedReport, open_report, seal_report
from hub.actors import Actor
from hub.db import utcnow
from hub.reports.models import ReportDraft
from hub.reports.service import reader

_HEADER = "slthub-flash-draft/1"


def _header(draft: ReportDraft) -> dict[str, str]:
    # Binds the envelope to its row: a draft moved to another member or key does not open.
    return {"kind": _HEADER, "member": draft.member_id, "key": draft.idempotency_key}


def keep(session: Session, *, actor: Actor, values: dict[str, str]) -> None:
    """Seal and keep (or replace) the draft of `values["idempotency_key"]`."""
    who = reader(actor)
    key = values.get("idempotency_key", "")
    if not key:
        return
    draft = session.scalar(
        select(ReportDraft).where(
            ReportDraft.member_id == who.member.id, ReportDraft.idempotency_key == key
        )
    )
    if draft is None:
        draft = ReportDraft(
            member_id=who.member.id,
            organisation_id=who.organisation.id,
            idempotency_key=key,
            envelope=b"",
        )
        session.add(draft)
    org_keys = who.keys(session)
    sealed = seal_report(
        _header(draft),
        json.dumps(values, ensure_ascii=False).encode(),
        signer=org_keys,
        recipients={who.organisation.id: org_keys.public},
    )
    draft.organisation_id = who.organisation.id
    draft.envelope = sealed.to_bytes()
    draft.updated_at = utcnow()
    session.commit()


def latest(session: Session, *, actor: Actor) -> dict[str, str] | None:
    """The member's last unpublished flash form, opened; None when there is none (or it no
    longer opens: keys rotated since — it is then dropped)."""
    who = reader(actor)
    draft = session.scalar(
        select(ReportDraft)
        .where(ReportDraft.member_id == who.member.id)
        .order_by(ReportDraft.updated_at.desc())
        .limit(1)
    )
    if draft is None:
        return None
    org_keys = who.keys(session)
    try:
        plain = open_report(
            SealedReport.from_bytes(draft.envelope),
            _header(draft),
            recipient_id=draft.organisation_id,
            recipient=org_keys,
            signer=org_keys.public,
        )
        values = json.loads(plain)
    except (CryptoError, ValueError):
        session.delete(draft)
        session.commit()
        return None
    if not isinstance(values, dict):
        return None
    return {str(k): str(v) for k, v in values.items()}


def discard(session: Session, *, actor: Actor, idempotency_key: str) -> None:
    who = reader(actor, need_keys=False)
    session.execute(
        delete(ReportDraft).where(
            ReportDraft.member_id == who.member.id,
            ReportDraft.idempotency_key == idempotency_key,
        )
    )
    session.commit()
