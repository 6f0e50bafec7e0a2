"""The audit chain: append in the caller's transaction, verify from the first entry.

Each entry's hash covers its own fields and the previous entry's hash; the head row holds
the last (seq, hash) signed by the hub's key. Appenders lock the head row, so concurrent
transactions append one after the other instead of forking the chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from crypto import BadSignature, HubKeys, verify_attestation
from hub.actors import Actor, Permission
from hub.audit.models import AuditAction, AuditEntry, AuditHead
from hub.db import utcnow

GENESIS = "0" * 64
HEAD_ID = 1


def canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _timestamp(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(
    *,
    seq: int,
    at: dt.datetime,
    actor_id: str | None,
    actor: str,
    action: str,
    target: str | None,
    details: str,
    prev_hash: str,
) -> str:
    material = canonical(
        {
            "seq": seq,
            "at": _timestamp(at),
            "actor_id": actor_id,
            "actor": actor,
            "action": action,
            "target": target,
            "details": details,
            "prev": prev_hash,
        }
    )
    return hashlib.sha256(material.encode()).hexdigest()


def head_statement(seq: int, hash_: str) -> dict[str, Any]:
    return {"purpose": "slthub-audit-head", "seq": seq, "hash": hash_}


def _signer(session: Session) -> HubKeys:
    signer = session.info.get("signer")
    if signer is None:
        raise RuntimeError("this session has no hub signer; build it with make_session_factory")
    assert isinstance(signer, HubKeys)  # noqa: S101 (a programming error, not input)
    return signer


def record_by(
    session: Session,
    *,
    actor: Actor,
    action: AuditAction,
    target: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """`record` for an action an `Actor` took: its label and id, the same way everywhere."""
    record(
        session, action=action, actor=actor.label, actor_id=actor.id, target=target, details=details
    )


def record(
    session: Session,
    *,
    action: AuditAction,
    actor: str,
    actor_id: str | None = None,
    target: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append one entry and re-sign the head, in the caller's transaction; the caller
    commits.

    Core statements on the session's connection, not ORM objects: every write of the hub
    comes through here, and the unit of work's bookkeeping for two rows cost more than the
    statements themselves. Nothing reads these rows back through the ORM in the same
    transaction."""
    head = session.execute(
        select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == HEAD_ID).with_for_update()
    ).one_or_none()
    seq, prev = (head.seq + 1, head.hash) if head else (1, GENESIS)
    # Microsecond precision survives both databases, so the hash recomputes exactly.
    at = utcnow()
    details_text = canonical(details or {})
    digest = entry_hash(
        seq=seq,
        at=at,
        actor_id=actor_id,
        actor=actor,
        action=str(action),
        target=target,
        details=details_text,
        prev_hash=prev,
    )
    signature = _signer(session).attest(head_statement(seq, digest))
    connection = session.connection()
    connection.execute(
        _INSERT_ENTRY,
        {
            "seq": seq,
            "at": at,
            "actor_id": actor_id,
            "actor": actor,
            "action": str(action),
            "target": target,
            "details": details_text,
            "prev_hash": prev,
            "hash": digest,
        },
    )
    new_head = {"seq": seq, "hash": digest, "signature": signature}
    if head is None:
        connection.execute(_INSERT_HEAD, {"id": HEAD_ID, **new_head})
    else:
        connection.execute(_UPDATE_HEAD, new_head)


# Built once: statements whose values come at execution are compiled once and reused.
_INSERT_ENTRY = insert(AuditEntry)
_INSERT_HEAD = insert(AuditHead)
_UPDATE_HEAD = update(AuditHead).where(AuditHead.id == HEAD_ID)


@dataclass(frozen=True)
class Verification:
    ok: bool
    entries: int
    first_bad: int | None = None
    problem: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "first_bad_entry": self.first_bad,
            "problem": self.problem,
        }


def verify(session: Session, *, hub_public: bytes) -> Verification:
    """Walk the chain in order; name the first entry that is not what was written."""
    expected_seq, prev = 1, GENESIS
    count = 0
    rows = session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars()
    for entry in rows:
        count += 1
        if entry.seq != expected_seq:
            return Verification(
                False,
                count,
                expected_seq,
                f"entry {expected_seq} is missing (the next one found is {entry.seq})",
            )
        if entry.prev_hash != prev:
            return Verification(
                False,
                count,
                entry.seq,
                f"entry {entry.seq} does not follow entry {entry.seq - 1} "
                "(deleted, inserted or reordered)",
            )
        recomputed = entry_hash(
            seq=entry.seq,
            at=entry.at,
            actor_id=entry.actor_id,
            actor=entry.actor,
            action=entry.action,
            target=entry.target,
            details=entry.details,
            prev_hash=entry.prev_hash,
        )
        if recomputed != entry.hash:
            return Verification(False, count, entry.seq, f"entry {entry.seq} was altered")
        prev, expected_seq = entry.hash, expected_seq + 1
    last_seq = expected_seq - 1
    head = session.get(AuditHead, HEAD_ID)
    if head is None:
        if last_seq == 0:
            return Verification(True, 0)
        return Verification(False, count, last_seq, "the signed head of the chain is missing")
    try:
        verify_attestation(head_statement(head.seq, head.hash), head.signature, hub_public)
    except BadSignature:
        return Verification(False, count, head.seq, "the chain head's signature is not the hub's")
    if head.seq != last_seq or head.hash != prev:
        if head.seq > last_seq:
            return Verification(
                False,
                count,
                last_seq + 1,
                f"entries {last_seq + 1} to {head.seq} were removed from the end",
            )
        return Verification(
            False, count, head.seq + 1, f"entry {head.seq + 1} was added after the signed head"
        )
    return Verification(True, count)


def list_entries(
    session: Session, *, actor: Actor, after: int = 0, limit: int = 100
) -> list[AuditEntry]:
    actor.require(Permission.AUDIT_READ)
    stmt = select(AuditEntry).where(AuditEntry.seq > after).order_by(AuditEntry.seq).limit(limit)
    return list(session.execute(stmt).scalars())
