"""The audit chain: append in the caller's transaction, verify from the first entry.

Each entry's hash covers its own fields and the previous entry's hash; the head row holds
the last (seq, hash) signed by the hub's key. Appenders lock the head row, so concurrent
transactions append one after the other instead of forking the chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from dataclasses import dataclass
from json.encoder import encode_basestring as _json_string  # json.dumps' own, in C
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from crypto import BadSignature, HubKeys, verify_attestation
from hub.actors import Actor, Permission
from hub.audit.models import AuditAction, AuditEntry, AuditHead, AuditVerification
from hub.db import utcnow

GENESIS = "0" * 64
HEAD_ID = 1


def canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _timestamp(at: dt.datetime) -> str:
    at = at.astimezone(dt.UTC)
    if at.year < 1000:  # strftime's %Y does not pad such years; keep its text exactly
        return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return (
        f"{at.year:04d}-{at.month:02d}-{at.day:02d}T{at.hour:02d}:{at.minute:02d}:"
        f"{at.second:02d}.{at.microsecond:06d}Z"
    )


def _json_text(value: str | None) -> str:
    return "null" if value is None else _json_string(value)


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
    """SHA-256 of the canonical JSON (sorted keys, no spaces, UTF-8) of the entry's fields
    and the previous hash. Written out key by key with json's own string encoder — the
    very text `canonical()` gives (tests/hub/audit/test_chain.py checks it on generated
    entries) at a fraction of its cost, which a walk of a million entries pays a million
    times."""
    material = (
        f'{{"action":{_json_string(action)},"actor":{_json_string(actor)},'
        f'"actor_id":{_json_text(actor_id)},"at":{_json_string(_timestamp(at))},'
        f'"details":{_json_string(details)},"prev":{_json_string(prev_hash)},'
        f'"seq":{int(seq)},"target":{_json_text(target)}}}'
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


def hub_public(session: Session) -> bytes:
    """The hub's public key, from the signer the session carries."""
    return _signer(session).public_bytes()


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
    # What went wrong, as a code a page words in the reader's language (`problem` is the
    # command line's English sentence): missing, out-of-order, altered, head-missing,
    # head-signature, truncated, appended.
    code: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "first_bad_entry": self.first_bad,
            "problem": self.problem,
        }


# The chain is read in batches of this many rows, as plain tuples: a million entries never
# sit in memory at once, and no ORM object is built for each.
_VERIFY_BATCH = 5000
_CHAIN_COLUMNS = (
    AuditEntry.seq,
    AuditEntry.at,
    AuditEntry.actor_id,
    AuditEntry.actor,
    AuditEntry.action,
    AuditEntry.target,
    AuditEntry.details,
    AuditEntry.prev_hash,
    AuditEntry.hash,
)


def recomputes(entry: Any) -> bool:
    """Whether an entry's stored hash is the hash of its stored fields (one link alone; the
    order of the chain is verify()'s)."""
    return bool(
        entry_hash(
            seq=entry.seq,
            at=entry.at,
            actor_id=entry.actor_id,
            actor=entry.actor,
            action=entry.action,
            target=entry.target,
            details=entry.details,
            prev_hash=entry.prev_hash,
        )
        == entry.hash
    )


def verify(session: Session, *, hub_public: bytes) -> Verification:
    """Walk the chain in order; name the first entry that is not what was written."""
    expected_seq, prev = 1, GENESIS
    count = 0
    rows = session.execute(
        select(*_CHAIN_COLUMNS).order_by(AuditEntry.seq).execution_options(yield_per=_VERIFY_BATCH)
    )
    try:
        for entry in rows:
            count += 1
            if entry.seq != expected_seq:
                return Verification(
                    False,
                    count,
                    expected_seq,
                    f"entry {expected_seq} is missing (the next one found is {entry.seq})",
                    "missing",
                )
            if entry.prev_hash != prev:
                return Verification(
                    False,
                    count,
                    entry.seq,
                    f"entry {entry.seq} does not follow entry {entry.seq - 1} "
                    "(deleted, inserted or reordered)",
                    "out-of-order",
                )
            if not recomputes(entry):
                return Verification(
                    False, count, entry.seq, f"entry {entry.seq} was altered", "altered"
                )
            prev, expected_seq = entry.hash, expected_seq + 1
    finally:
        rows.close()
    last_seq = expected_seq - 1
    head = session.get(AuditHead, HEAD_ID)
    if head is None:
        if last_seq == 0:
            return Verification(True, 0)
        return Verification(
            False, count, last_seq, "the signed head of the chain is missing", "head-missing"
        )
    try:
        verify_attestation(head_statement(head.seq, head.hash), head.signature, hub_public)
    except BadSignature:
        return Verification(
            False,
            count,
            head.seq,
            "the chain head's signature is not the hub's",
            "head-signature",
        )
    if head.seq != last_seq or head.hash != prev:
        if head.seq > last_seq:
            return Verification(
                False,
                count,
                last_seq + 1,
                f"entries {last_seq + 1} to {head.seq} were removed from the end",
                "truncated",
            )
        return Verification(
            False,
            count,
            head.seq + 1,
            f"entry {head.seq + 1} was added after the signed head",
            "appended",
        )
    return Verification(True, count)


def _verification_statement(row: AuditVerification) -> dict[str, Any]:
    return {
        "purpose": "slthub-audit-verification",
        "at": _timestamp(row.at),
        "by": row.by,
        "ok": row.ok,
        "entries": row.entries,
        "first_bad": row.first_bad,
        "code": row.code,
    }


def verify_and_keep(
    session: Session, *, hub_public: bytes, by: str
) -> tuple[Verification, AuditVerification]:
    """verify(), timed, and its result kept (signed by the hub key) for the operator's page.
    The result is not an entry of the chain: appending re-signs the head, which would hide a
    head signed by another key. Commits."""
    started = time.perf_counter()
    result = verify(session, hub_public=hub_public)
    row = AuditVerification(
        at=utcnow(),
        by=by,
        ok=result.ok,
        entries=result.entries,
        first_bad=result.first_bad,
        code=result.code,
        problem=result.problem,
        seconds=round(time.perf_counter() - started, 3),
        signature=b"",
    )
    row.signature = _signer(session).attest(_verification_statement(row))
    session.add(row)
    session.commit()
    return result, row


@dataclass(frozen=True)
class LastVerification:
    row: AuditVerification
    # False when the stored row is not signed by this hub's key (written in the database
    # by someone else, or by another hub): its result then says nothing.
    genuine: bool


def last_verification(session: Session, *, hub_public: bytes) -> LastVerification | None:
    row = session.scalars(
        select(AuditVerification).order_by(AuditVerification.id.desc()).limit(1)
    ).first()
    if row is None:
        return None
    try:
        verify_attestation(_verification_statement(row), row.signature, hub_public)
    except BadSignature:
        return LastVerification(row, genuine=False)
    return LastVerification(row, genuine=True)


def list_entries(
    session: Session, *, actor: Actor, after: int = 0, limit: int = 100
) -> list[AuditEntry]:
    actor.require(Permission.AUDIT_READ)
    stmt = select(AuditEntry).where(AuditEntry.seq > after).order_by(AuditEntry.seq).limit(limit)
    return list(session.execute(stmt).scalars())
