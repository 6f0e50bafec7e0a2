from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.auth.models import AuthSession
from hub.members.models import Role
from tests.hub.factories import PASSPHRASE, current_code, login, make_member, make_organisation


def test_login_returns_a_bearer_token_that_opens_me(
    client: TestClient, db_session: Session
) -> None:
    org = make_organisation(db_session, name="Aide Sans Frontières")
    created = make_member(db_session, org, email="jb@asf.example.org")

    response = client.post(
        "/api/v1/auth/login", json={"email": "JB@asf.example.org", "password": PASSPHRASE}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert dt.datetime.fromisoformat(body["expires_at"]) > dt.datetime.now(dt.UTC)

    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["id"] == created.member.id
    assert me.json()["organisation"] == {
        "id": org.id,
        "name": "Aide Sans Frontières",
        "status": "approved",
    }
    assert me.json()["roles"] == ["focal_point"]
    assert me.json()["keys"] == "granted"


def test_wrong_passphrase_and_unknown_email_fail_alike(
    client: TestClient, db_session: Session
) -> None:
    org = make_organisation(db_session)
    make_member(db_session, org, email="known@example.org")

    wrong = client.post(
        "/api/v1/auth/login", json={"email": "known@example.org", "password": "not it at all"}
    )
    unknown = client.post(
        "/api/v1/auth/login", json={"email": "nobody@example.org", "password": PASSPHRASE}
    )

    for response in (wrong, unknown):
        assert response.status_code == 401
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["detail"] == "Wrong email or passphrase."
        assert "access_token" not in response.text


def test_coordinator_needs_a_totp_code(client: TestClient, db_session: Session) -> None:
    org = make_organisation(db_session)
    created = make_member(db_session, org, roles=(Role.COORDINATOR,), email="coord@example.org")
    assert created.totp_secret is not None

    missing = client.post(
        "/api/v1/auth/login", json={"email": "coord@example.org", "password": PASSPHRASE}
    )
    assert missing.status_code == 401
    assert missing.json()["type"] == "urn:slthub:problem:totp-required"

    wrong_code = "000000" if current_code(created.totp_secret) != "000000" else "111111"
    wrong = client.post(
        "/api/v1/auth/login",
        json={"email": "coord@example.org", "password": PASSPHRASE, "totp": wrong_code},
    )
    assert wrong.status_code == 401
    assert "6-digit code" in wrong.json()["detail"]

    code = current_code(created.totp_secret)
    headers = login(client, "coord@example.org", totp=code)
    assert client.get("/api/v1/me", headers=headers).status_code == 200

    # The same code cannot be used twice.
    replay = client.post(
        "/api/v1/auth/login",
        json={"email": "coord@example.org", "password": PASSPHRASE, "totp": code},
    )
    assert replay.status_code == 401


def test_lockout_after_repeated_failures_even_with_the_right_passphrase(
    client: TestClient, db_session: Session
) -> None:
    org = make_organisation(db_session)
    make_member(db_session, org, email="target@example.org")
    for _ in range(5):
        r = client.post(
            "/api/v1/auth/login",
            json={"email": "target@example.org", "password": "guess guess guess"},
        )
        assert r.status_code == 401

    locked = client.post(
        "/api/v1/auth/login", json={"email": "target@example.org", "password": PASSPHRASE}
    )
    assert locked.status_code == 429
    assert "Too many failed logins for this account" in locked.json()["detail"]
    assert int(locked.headers["Retry-After"]) > 0


def test_lockout_per_address_across_accounts(client: TestClient, db_session: Session) -> None:
    org = make_organisation(db_session)
    make_member(db_session, org, email="innocent@example.org")
    for i in range(20):
        client.post(
            "/api/v1/auth/login",
            json={"email": f"spray{i}@example.org", "password": "spray spray spray"},
        )

    locked = client.post(
        "/api/v1/auth/login", json={"email": "innocent@example.org", "password": PASSPHRASE}
    )
    assert locked.status_code == 429
    assert "from your network" in locked.json()["detail"]


def test_logout_destroys_the_session(client: TestClient, db_session: Session) -> None:
    org = make_organisation(db_session)
    created = make_member(db_session, org)
    headers = login(client, created.member.email)
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204

    assert client.get("/api/v1/me", headers=headers).status_code == 401
    rows = db_session.execute(select(AuthSession).where(AuthSession.member_id == created.member.id))
    assert rows.first() is None


def test_expired_session_is_refused_and_deleted(client: TestClient, db_session: Session) -> None:
    org = make_organisation(db_session)
    created = make_member(db_session, org)
    headers = login(client, created.member.email)
    row = db_session.execute(
        select(AuthSession).where(AuthSession.member_id == created.member.id)
    ).scalar_one()
    row_id = row.id
    row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    db_session.commit()

    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert "session has ended" in response.json()["detail"]
    db_session.expire_all()
    assert db_session.get(AuthSession, row_id) is None


def test_a_token_with_another_session_key_opens_nothing(
    client: TestClient, db_session: Session
) -> None:
    org = make_organisation(db_session)
    created = make_member(db_session, org)
    token = login(client, created.member.email)["Authorization"].removeprefix("Bearer ")
    lookup, _, key = token.partition(".")
    forged = f"{lookup}.{'A' * len(key)}"
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    )
    for junk in ("", "x", "a.b.c", "Zm9v." + "=" * 50):
        response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {junk}"})
        assert response.status_code == 401


def test_passphrase_change_relocks_and_keeps_the_grant(
    client: TestClient, db_session: Session
) -> None:
    org = make_organisation(db_session)
    created = make_member(db_session, org)
    headers = login(client, created.member.email)

    weak = client.post(
        "/api/v1/auth/passphrase",
        headers=headers,
        json={"current_password": PASSPHRASE, "new_password": "password123"},
    )
    assert weak.status_code == 422
    assert weak.json()["errors"][0]["field"] == "new_password"

    new = "another long passphrase here"
    ok = client.post(
        "/api/v1/auth/passphrase",
        headers=headers,
        json={"current_password": PASSPHRASE, "new_password": new},
    )
    assert ok.status_code == 204
    assert (
        client.post(
            "/api/v1/auth/login", json={"email": created.member.email, "password": PASSPHRASE}
        ).status_code
        == 401
    )
    new_headers = login(client, created.member.email, new)
    assert client.get("/api/v1/me/keys", headers=new_headers).status_code == 200


def test_any_login_sweeps_expired_sessions(client: TestClient, db_session: Session) -> None:
    org = make_organisation(db_session)
    away, back = make_member(db_session, org), make_member(db_session, org)
    login(client, away.member.email)
    row = db_session.execute(
        select(AuthSession).where(AuthSession.member_id == away.member.id)
    ).scalar_one()
    row_id = row.id
    row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    db_session.commit()

    login(client, back.member.email)
    db_session.expire_all()
    assert db_session.get(AuthSession, row_id) is None


def test_changing_the_passphrase_ends_the_other_sessions(
    client: TestClient, db_session: Session
) -> None:
    """Whoever logged in with the old passphrase (a shoulder-surfer, a stolen laptop) is
    logged out by the change; the member's own session goes on."""
    created = make_member(db_session, make_organisation(db_session))
    email = created.member.email
    here = login(client, email)
    elsewhere = login(client, email)
    changed = client.post(
        "/api/v1/auth/passphrase",
        json={"current_password": PASSPHRASE, "new_password": "une autre route vers masisi"},
        headers=here,
    )
    assert changed.status_code == 204, changed.text
    assert client.get("/api/v1/me", headers=elsewhere).status_code == 401
    assert client.get("/api/v1/me", headers=here).status_code == 200


def test_log_out_everywhere_ends_every_session(client: TestClient, db_session: Session) -> None:
    created = make_member(db_session, make_organisation(db_session))
    sessions = [login(client, created.member.email) for _ in range(3)]
    assert client.post("/api/v1/auth/logout-everywhere", headers=sessions[0]).status_code == 204
    for headers in sessions:
        assert client.get("/api/v1/me", headers=headers).status_code == 401
