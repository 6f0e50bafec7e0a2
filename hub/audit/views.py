"""The audit log as a committee member reads it: the chain's entries, with the author of an
anonymous report kept out.

The chain itself keeps everything (the operator's `slthub audit verify` recomputes it from
the stored rows); only this view redacts. An entry is about a report when its target is the
report, or a share request of it, or its details name the report. For an anonymous report,
an entry whose actor belongs to the originating organisation loses the actor's name and id,
and any mention of that organisation's id in its details is replaced — otherwise "who
published report R" is one query away for anyone who may read the audit.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.actors import Actor
from hub.audit.models import AuditEntry
from hub.audit.schemas import AuditEntryRead
from hub.audit.service import list_entries
from hub.consents.models import ShareRequest
from hub.members.models import Member, Role
from hub.reports.models import Report

HIDDEN = "(anonymous originator)"


def _hide(value: Any, hidden: frozenset[str]) -> Any:
    """`value` with every id in `hidden` replaced, also as the last part of a tagged value
    such as `person:<member id>`."""
    if isinstance(value, str):
        tag, _sep, last = value.rpartition(":")
        if value in hidden:
            return HIDDEN
        return f"{tag}:{HIDDEN}" if tag and last in hidden else value
    if isinstance(value, list):
        return [_hide(v, hidden) for v in value]
    if isinstance(value, dict):
        return {_hide(k, hidden): _hide(v, hidden) for k, v in value.items()}
    return value


def audit_view(
    session: Session, *, actor: Actor, after: int = 0, limit: int = 100
) -> list[AuditEntryRead]:
    rows = list_entries(session, actor=actor, after=after, limit=limit)
    entries = [(row, json.loads(row.details)) for row in rows]
    # The operator runs the hub and holds the database: hiding it from them hides nothing.
    redact = actor.member is not None and not actor.member.has_role(Role.OPERATOR)
    about: dict[int, str] = {}
    if redact and entries:
        ids = {r.target for r, _d in entries if r.target}
        ids |= {d["report"] for _r, d in entries if isinstance(d.get("report"), str)}
        via_requests = dict(
            session.execute(
                select(ShareRequest.id, ShareRequest.report_id).where(ShareRequest.id.in_(ids))
            ).all()
        )
        report_ids = ids | set(via_requests.values())
        anonymous = dict(
            session.execute(
                select(Report.id, Report.originator_id)
                .where(Report.id.in_(report_ids))
                .where(Report.anonymous.is_(True))
            ).all()
        )
        for row, details in entries:
            report_id = details.get("report") if isinstance(details.get("report"), str) else None
            for candidate in (row.target, via_requests.get(row.target or ""), report_id):
                if candidate in anonymous:
                    about[row.seq] = anonymous[candidate]
                    break
    # The originating organisation and all its members, for each anonymous originator met.
    hidden: dict[str, frozenset[str]] = {}
    for org_id in set(about.values()):
        members = session.scalars(select(Member.id).where(Member.organisation_id == org_id))
        hidden[org_id] = frozenset({org_id, *members})
    return [
        _read(row, details, hidden.get(about.get(row.seq, ""), frozenset()))
        for row, details in entries
    ]


def _read(row: AuditEntry, details: dict[str, Any], hidden: frozenset[str]) -> AuditEntryRead:
    actor, actor_id, redacted = row.actor, row.actor_id, False
    if hidden:
        if row.actor_id in hidden:
            actor, actor_id, redacted = HIDDEN, None, True
        kept = _hide(details, hidden)
        redacted = redacted or kept != details
        details = kept
    return AuditEntryRead(
        seq=row.seq,
        at=row.at,
        actor=actor,
        actor_id=actor_id,
        action=row.action,
        target=row.target,
        details=details,
        prev_hash=row.prev_hash,
        hash=row.hash,
        redacted=redacted,
    )
