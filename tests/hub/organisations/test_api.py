from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from hub.members.models import Role
from tests.hub.factories import current_code, login, make_member, make_organisation


def _committee(client: TestClient, db_session: Session) -> dict[str, str]:
    org = make_organisation(db_session, name="SLT Oversight Committee")
    created = make_member(db_session, org, roles=(Role.COMMITTEE,))
    assert created.totp_secret is not None
    return login(client, created.member.email, totp=current_code(created.totp_secret))


def test_committee_creates_approves_and_suspends(client: TestClient, db_session: Session) -> None:
    headers = _committee(client, db_session)
    created = client.post(
        "/api/v1/organisations",
        headers=headers,
        json={"name": "Kivu Relief Network", "kind": "ngo"},
    )
    assert created.status_code == 201
    assert created.json()["status"] == "pending"
    org_id = created.json()["id"]

    approved = client.post(f"/api/v1/organisations/{org_id}/approve", headers=headers)
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    assert (
        client.post(f"/api/v1/organisations/{org_id}/approve", headers=headers).status_code == 409
    )
    suspended = client.post(f"/api/v1/organisations/{org_id}/suspend", headers=headers)
    assert suspended.json()["status"] == "suspended"

    listed = client.get("/api/v1/organisations", headers=headers).json()
    assert {
        "id": org_id,
        "name": "Kivu Relief Network",
        "kind": "ngo",
        "status": "suspended",
        "fingerprint": None,
    } in listed

    duplicate = client.post(
        "/api/v1/organisations",
        headers=headers,
        json={"name": "Kivu Relief Network", "kind": "ngo"},
    )
    assert duplicate.status_code == 409
    assert client.post("/api/v1/organisations/nope/approve", headers=headers).status_code == 404


def test_others_may_not_decide(client: TestClient, db_session: Session) -> None:
    org = make_organisation(db_session, approve=False)
    focal = make_member(db_session, org)
    headers = login(client, focal.member.email)
    forbidden = client.post(f"/api/v1/organisations/{org.id}/approve", headers=headers)
    assert forbidden.status_code == 403
    assert "committee" in forbidden.json()["detail"]
    assert (
        client.post(
            "/api/v1/organisations", headers=headers, json={"name": "Self Made", "kind": "ngo"}
        ).status_code
        == 403
    )
    assert client.get("/api/v1/organisations").status_code == 401
