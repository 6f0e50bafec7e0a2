from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from hub.actors import CONSOLE
from hub.errors import Unauthorized
from hub.members import service as members
from hub.members.models import MemberKeyWrap
from hub.organisations import service as organisations
from tests.hub.factories import PASSPHRASE, login, make_member, make_organisation


def test_first_member_creates_the_keys_and_gets_a_recovery_code(db_session: Session) -> None:
    org = make_organisation(db_session)
    first = make_member(db_session, org)
    second = make_member(db_session, org)

    assert first.recovery_code
    assert first.fingerprint
    assert len(first.fingerprint.split(" ")) == 8
    assert second.recovery_code is None
    assert members.wrap_of(db_session, first.member) is not None
    assert members.wrap_of(db_session, second.member) is None


def test_member_without_grant_reads_nothing_and_is_told_why(
    client: TestClient, db_session: Session
) -> None:
    org = make_organisation(db_session)
    make_member(db_session, org)
    newcomer = make_member(db_session, org)
    headers = login(client, newcomer.member.email)

    me = client.get("/api/v1/me", headers=headers).json()
    assert me["keys"] == "not_granted"
    assert "grant" in me["keys_help"]

    keys = client.get("/api/v1/me/keys", headers=headers)
    assert keys.status_code == 403
    assert keys.json()["keys"] == "not_granted"
    assert "not been granted" in keys.json()["detail"]

    # Nor can they pass on what they do not hold.
    third = make_member(db_session, org)
    refused = client.post(f"/api/v1/members/{third.member.id}/grant", headers=headers)
    assert refused.status_code == 403


def test_grant_through_the_api_opens_the_same_keys(client: TestClient, db_session: Session) -> None:
    org = make_organisation(db_session)
    first = make_member(db_session, org)
    newcomer = make_member(db_session, org)

    granter = login(client, first.member.email)
    response = client.post(f"/api/v1/members/{newcomer.member.id}/grant", headers=granter)
    assert response.status_code == 200
    assert response.json() == {"member_id": newcomer.member.id, "keys": "granted", "key_version": 1}

    again = client.post(f"/api/v1/members/{newcomer.member.id}/grant", headers=granter)
    assert again.status_code == 409

    keys = client.get("/api/v1/me/keys", headers=login(client, newcomer.member.email))
    assert keys.status_code == 200
    assert keys.json()["fingerprint"] == first.fingerprint


def test_grant_stays_inside_the_organisation(client: TestClient, db_session: Session) -> None:
    mine, theirs = make_organisation(db_session), make_organisation(db_session)
    me = make_member(db_session, mine)
    make_member(db_session, theirs)
    stranger = make_member(db_session, theirs)
    response = client.post(
        f"/api/v1/members/{stranger.member.id}/grant", headers=login(client, me.member.email)
    )
    assert response.status_code == 404
    with pytest.raises(Exception, match="same organisation"):
        members.grant_with_passphrase(
            db_session,
            target_email=stranger.member.email,
            granter_email=me.member.email,
            passphrase=PASSPHRASE,
        )


def test_grant_with_passphrase_and_with_recovery_code(db_session: Session) -> None:
    org = make_organisation(db_session)
    first = make_member(db_session, org)
    second, third = make_member(db_session, org), make_member(db_session, org)

    with pytest.raises(Unauthorized):
        members.grant_with_passphrase(
            db_session,
            target_email=second.member.email,
            granter_email=first.member.email,
            passphrase="not the passphrase",
        )
    members.grant_with_passphrase(
        db_session,
        target_email=second.member.email,
        granter_email=first.member.email,
        passphrase=PASSPHRASE,
    )
    with pytest.raises(Unauthorized):
        members.grant_with_recovery_code(
            db_session, target_email=third.member.email, code="WRONG-CODE-0000"
        )
    assert first.recovery_code is not None
    members.grant_with_recovery_code(
        db_session, target_email=third.member.email, code=first.recovery_code
    )
    assert members.wrap_of(db_session, second.member) is not None
    assert members.wrap_of(db_session, third.member) is not None


def test_removal_deletes_grant_and_sessions_and_rotation_rewraps(
    client: TestClient, db_session: Session
) -> None:
    org = make_organisation(db_session)
    first = make_member(db_session, org)
    stays, leaves = make_member(db_session, org), make_member(db_session, org)
    granter = login(client, first.member.email)
    for m in (stays, leaves):
        assert (
            client.post(f"/api/v1/members/{m.member.id}/grant", headers=granter).status_code == 200
        )
    leaver_headers = login(client, leaves.member.email)

    assert client.delete(f"/api/v1/members/{leaves.member.id}", headers=granter).status_code == 204
    assert client.get("/api/v1/me", headers=leaver_headers).status_code == 401
    assert db_session.get(MemberKeyWrap, leaves.member.id) is None
    gone = client.post(
        "/api/v1/auth/login", json={"email": leaves.member.email, "password": PASSPHRASE}
    )
    assert gone.status_code == 401

    keys = members.unlock_with_passphrase(db_session, first.member, PASSPHRASE)
    current = members.organisation_keys_for(db_session, member=first.member, keys=keys)
    from hub.actors import Actor

    rotated = organisations.rotate_keys(
        db_session,
        actor=Actor(label=first.member.email, member=first.member, member_keys=keys),
        organisation=org,
        current_keys=current,
    )
    assert rotated.fingerprint != first.fingerprint
    assert rotated.recovery_code != first.recovery_code
    for m in (first, stays):
        opened = client.get("/api/v1/me/keys", headers=login(client, m.member.email)).json()
        assert opened == {
            "organisation": {"id": org.id, "name": org.name},
            "key_version": 2,
            "fingerprint": rotated.fingerprint,
        }
    assert db_session.get(MemberKeyWrap, leaves.member.id) is None


def test_focal_point_cannot_remove_themselves_or_other_organisations(
    client: TestClient, db_session: Session
) -> None:
    mine, theirs = make_organisation(db_session), make_organisation(db_session)
    me = make_member(db_session, mine)
    other = make_member(db_session, theirs)
    headers = login(client, me.member.email)
    assert client.delete(f"/api/v1/members/{me.member.id}", headers=headers).status_code == 409
    assert client.delete(f"/api/v1/members/{other.member.id}", headers=headers).status_code == 404


def test_forgotten_passphrase_means_a_new_key_and_a_new_grant(
    client: TestClient, db_session: Session
) -> None:
    org = make_organisation(db_session)
    first = make_member(db_session, org)
    members.reset_passphrase(
        db_session, actor=CONSOLE, email=first.member.email, passphrase="a brand new passphrase"
    )
    headers = login(client, first.member.email, "a brand new passphrase")
    assert client.get("/api/v1/me", headers=headers).json()["keys"] == "not_granted"
    assert first.recovery_code is not None
    members.grant_with_recovery_code(
        db_session, target_email=first.member.email, code=first.recovery_code
    )
    assert client.get("/api/v1/me/keys", headers=headers).status_code == 200


@pytest.mark.parametrize("weak", ["short", "password1234", "Password 1234", "aaaaaaaaaaaaaaaa"])
def test_weak_passphrases_are_refused(db_session: Session, weak: str) -> None:
    org = make_organisation(db_session)
    from hub.errors import InvalidInput

    with pytest.raises(InvalidInput):
        make_member(db_session, org, passphrase=weak)
