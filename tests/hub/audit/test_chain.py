from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.orm import Session

from crypto import HubKeys
from hub.actors import CONSOLE
from hub.audit import service as audit
from hub.members.models import Role
from hub.organisations import service as organisations
from hub.organisations.models import Organisation, OrganisationStatus
from tests.hub.factories import current_code, login, make_member, make_organisation


def _chain(db_session: Session) -> None:
    org = make_organisation(db_session)  # create + approve: entries 1, 2
    make_member(db_session, org)  # member + keys: 3, 4
    make_member(db_session, org)  # 5


def _verify(db_session: Session, hub_keys: Any) -> audit.Verification:
    db_session.expire_all()
    return audit.verify(db_session, hub_public=hub_keys.public_bytes())


def test_intact_chain_verifies(db_session: Session, hub_keys: Any) -> None:
    _chain(db_session)
    result = _verify(db_session, hub_keys)
    assert result.ok
    assert result.entries == 5


def test_edited_entry_is_named(db_session: Session, hub_keys: Any) -> None:
    _chain(db_session)
    db_session.execute(text("UPDATE audit_entries SET actor = 'someone else' WHERE seq = 3"))
    result = _verify(db_session, hub_keys)
    assert (result.ok, result.first_bad) == (False, 3)
    assert "altered" in (result.problem or "")


def test_deleted_entry_is_named(db_session: Session, hub_keys: Any) -> None:
    _chain(db_session)
    db_session.execute(text("DELETE FROM audit_entries WHERE seq = 2"))
    result = _verify(db_session, hub_keys)
    assert (result.ok, result.first_bad) == (False, 2)
    assert "missing" in (result.problem or "")


def test_reordered_entries_are_named(db_session: Session, hub_keys: Any) -> None:
    _chain(db_session)
    # Swap entries 2 and 3 (through a free seq, since seq is the primary key).
    db_session.execute(text("UPDATE audit_entries SET seq = 1000 WHERE seq = 2"))
    db_session.execute(text("UPDATE audit_entries SET seq = 2 WHERE seq = 3"))
    db_session.execute(text("UPDATE audit_entries SET seq = 3 WHERE seq = 1000"))
    result = _verify(db_session, hub_keys)
    assert (result.ok, result.first_bad) == (False, 2)


def test_truncated_tail_and_forged_head_are_caught(db_session: Session, hub_keys: Any) -> None:
    _chain(db_session)
    db_session.execute(text("DELETE FROM audit_entries WHERE seq = 5"))
    result = _verify(db_session, hub_keys)
    assert (result.ok, result.first_bad) == (False, 5)
    assert "removed from the end" in (result.problem or "")

    # Someone rewrites the head to match the shortened chain, without the hub's key.
    forger = HubKeys.generate()
    row = db_session.execute(text("SELECT hash FROM audit_entries WHERE seq = 4")).one()
    signature = forger.attest(audit.head_statement(4, row.hash))
    db_session.execute(
        text("UPDATE audit_head SET seq = 4, hash = :h, signature = :s"),
        {"h": row.hash, "s": signature},
    )
    result = _verify(db_session, hub_keys)
    assert not result.ok
    assert "signature" in (result.problem or "")


def test_audit_is_written_in_the_same_transaction(db_session: Session, hub_keys: Any) -> None:
    org = make_organisation(db_session, approve=False)
    before = db_session.execute(text("SELECT count(*) FROM audit_entries")).scalar_one()
    # The flush-only helper changes the status and appends its entry; rolling back the
    # transaction (as the session dependency does on any error) must take both away.
    organisations._decide(
        db_session, actor=CONSOLE, organisation=org, to=OrganisationStatus.APPROVED
    )
    assert db_session.execute(text("SELECT count(*) FROM audit_entries")).scalar_one() == before + 1
    db_session.rollback()
    assert db_session.execute(text("SELECT count(*) FROM audit_entries")).scalar_one() == before
    assert db_session.get(Organisation, org.id).status == OrganisationStatus.PENDING
    assert _verify(db_session, hub_keys).ok


def test_audit_api_is_for_operators_and_committee(client: TestClient, db_session: Session) -> None:
    org = make_organisation(db_session)
    focal = make_member(db_session, org)
    operator = make_member(db_session, org, roles=(Role.OPERATOR,))
    assert operator.totp_secret is not None

    denied = client.get("/api/v1/audit", headers=login(client, focal.member.email))
    assert denied.status_code == 403

    headers = login(client, operator.member.email, totp=current_code(operator.totp_secret))
    entries = client.get("/api/v1/audit", params={"limit": 500}, headers=headers).json()
    actions = [e["action"] for e in entries]
    assert "organisation:create" in actions
    assert "auth:login" in actions
    seqs = [e["seq"] for e in entries]
    assert seqs == sorted(seqs)
    page = client.get("/api/v1/audit", params={"after": seqs[0], "limit": 1}, headers=headers)
    assert [e["seq"] for e in page.json()] == [seqs[1]]
    assert json.dumps(entries).find(operator.member.email) >= 0


@settings(max_examples=500, deadline=None)
@given(
    seq=st.integers(1, 2**62),
    at=st.datetimes(min_value=dt.datetime(1, 1, 2), timezones=st.just(dt.UTC)),
    actor_id=st.none() | st.text(),
    actor=st.text(),
    action=st.text(),
    target=st.none() | st.text(),
    details=st.text(),
    prev=st.text(),
)
def test_entry_hash_is_the_hash_of_the_canonical_json(
    seq: int,
    at: dt.datetime,
    actor_id: str | None,
    actor: str,
    action: str,
    target: str | None,
    details: str,
    prev: str,
) -> None:
    """entry_hash writes the canonical JSON out by hand (for speed): it must stay exactly
    what canonical() gives, or every stored chain would stop verifying."""
    material = audit.canonical(
        {
            "seq": seq,
            "at": at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "actor_id": actor_id,
            "actor": actor,
            "action": action,
            "target": target,
            "details": details,
            "prev": prev,
        }
    )
    assert (
        audit.entry_hash(
            seq=seq,
            at=at,
            actor_id=actor_id,
            actor=actor,
            action=action,
            target=target,
            details=details,
            prev_hash=prev,
        )
        == hashlib.sha256(material.encode()).hexdigest()
    )
