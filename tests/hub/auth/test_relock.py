"""Raising the Argon2id parameters needs no migration: keys re-lock at the next login."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

import crypto
from crypto import passphrase
from hub.members.models import Member
from tests.hub.factories import login, make_member, make_organisation


def test_a_key_locked_with_weaker_parameters_is_relocked_at_login(
    client: TestClient, db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = make_organisation(db_session)
    created = make_member(db_session, org)
    before = created.member.locked_key
    assert before is not None
    # The operator raised the parameters since this member last logged in.
    stronger = crypto.KdfParams(opslimit=2, memlimit=16 * 1024)
    monkeypatch.setattr(passphrase, "DEFAULT_PARAMS", stronger)
    assert crypto.needs_relock(before)

    login(client, created.member.email)
    db_session.expire_all()
    after = db_session.get(Member, created.member.id).locked_key
    assert after != before
    assert crypto.locked_key_params(after) == stronger
    # The same passphrase still opens it, and a second login leaves it alone.
    login(client, created.member.email)
    db_session.expire_all()
    assert db_session.get(Member, created.member.id).locked_key == after
