"""Findings of the adversarial review about what consent reveals and what revocation means:
an anonymous report's author must not leak through share requests or the audit view, and a
revocation holds until the originator itself gives the report back."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from hub.members.models import Role
from tests.hub.reports.factories import API, Party, World, flash, member_of, publish, world


def _ask(client: TestClient, who: Party, report_id: str, to: str) -> dict[str, Any]:
    response = client.post(
        f"{API}/reports/{report_id}/share-requests",
        json={"to_organisation": to, "reason": "same road"},
        headers=who.headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


def _anonymous_report(client: TestClient, w: World) -> str:
    created = publish(
        client, w.a, flash(tlp="amber", anonymous=True, audience={"organisations": [w.b.id]})
    )
    return str(created["id"])


def _me(client: TestClient, who: Party) -> str:
    return str(client.get(f"{API}/me", headers=who.headers).json()["id"])


def test_requester_never_sees_which_person_approved(
    db_session: Session, client: TestClient
) -> None:
    w = world(db_session, client)
    rid = _anonymous_report(client, w)
    asked = _ask(client, w.b, rid, w.c.id)
    approved = client.post(f"{API}/share-requests/{asked['id']}/approve", headers=w.a.headers)
    assert approved.status_code == 200, approved.text
    author = _me(client, w.a)

    seen = client.get(f"{API}/share-requests", headers=w.b.headers).json()
    assert [r["allowed_by"] for r in seen] == ["originator"]
    assert author not in json.dumps(seen)
    # The originator still knows who in its organisation said yes.
    own = client.get(f"{API}/share-requests", headers=w.a.headers).json()
    assert [r["allowed_by"] for r in own] == [f"person:{author}"]


def test_requester_never_sees_which_standing_rule_allowed(
    db_session: Session, client: TestClient
) -> None:
    w = world(db_session, client)
    rid = _anonymous_report(client, w)
    rule = client.post(
        f"{API}/standing-consents",
        json={"to_organisation": w.c.id, "max_tlp": "amber"},
        headers=w.a.headers,
    )
    assert rule.status_code == 201, rule.text
    asked = _ask(client, w.b, rid, w.c.id)
    assert asked["status"] == "approved"
    assert asked["allowed_by"] == "standing_consent"
    listed = client.get(f"{API}/share-requests", headers=w.b.headers).json()
    assert rule.json()["id"] not in json.dumps(listed)


def test_committee_audit_view_does_not_name_an_anonymous_author(
    db_session: Session, client: TestClient
) -> None:
    w = world(db_session, client)
    committee = member_of(db_session, client, w.outsider, roles=(Role.COMMITTEE,), grant=False)
    rid = _anonymous_report(client, w)
    asked = _ask(client, w.b, rid, w.c.id)
    client.post(f"{API}/share-requests/{asked['id']}/approve", headers=w.a.headers)
    assert client.get(f"{API}/reports/{rid}", headers=w.a.headers).status_code == 200
    author = _me(client, w.a)

    entries = client.get(f"{API}/audit", params={"limit": 500}, headers=committee).json()
    about = [
        e for e in entries if e["target"] in (rid, asked["id"]) or e["details"].get("report") == rid
    ]
    assert {e["action"] for e in about} >= {"report:publish", "report:share-approve", "report:open"}
    text = json.dumps(about)
    assert author not in text
    assert w.a.id not in text
    assert w.a.email not in text
    authored = ("report:publish", "report:share-approve")
    assert all(e["redacted"] for e in about if e["action"] in authored)
    # A report that is not anonymous keeps its author in the same view.
    named = publish(client, w.a, flash(audience={"organisations": [w.b.id]}))["id"]
    entries = client.get(f"{API}/audit", params={"limit": 500}, headers=committee).json()
    published = [e for e in entries if e["target"] == named and e["action"] == "report:publish"]
    assert published[0]["actor_id"] == author
    assert published[0]["redacted"] is False


def test_after_revocation_a_holder_cannot_give_it_back_through_green(
    db_session: Session, client: TestClient
) -> None:
    w = world(db_session, client)
    rid = publish(client, w.a, flash(tlp="green", audience={"organisations": [w.b.id, w.c.id]}))[
        "id"
    ]
    revoked = client.delete(f"{API}/reports/{rid}/recipients/{w.c.id}", headers=w.a.headers)
    assert revoked.status_code == 204, revoked.text
    assert client.get(f"{API}/reports/{rid}", headers=w.c.headers).status_code == 404

    # C is an approved partner of the area: without revocation, GREEN would travel at once.
    asked = _ask(client, w.b, rid, w.c.id)
    assert asked["status"] == "pending"
    assert client.get(f"{API}/reports/{rid}", headers=w.c.headers).status_code == 404
    # The originator's own answer gives it back.
    approved = client.post(f"{API}/share-requests/{asked['id']}/approve", headers=w.a.headers)
    assert approved.status_code == 200, approved.text
    assert client.get(f"{API}/reports/{rid}", headers=w.c.headers).status_code == 200


def test_after_revocation_a_standing_consent_does_not_give_it_back(
    db_session: Session, client: TestClient
) -> None:
    w = world(db_session, client)
    rule = client.post(
        f"{API}/standing-consents",
        json={"to_organisation": w.c.id, "max_tlp": "amber"},
        headers=w.a.headers,
    )
    assert rule.status_code == 201
    rid = publish(client, w.a, flash(tlp="amber", audience={"organisations": [w.b.id]}))["id"]
    assert client.get(f"{API}/reports/{rid}", headers=w.c.headers).status_code == 200
    client.delete(f"{API}/reports/{rid}/recipients/{w.c.id}", headers=w.a.headers)

    asked = _ask(client, w.b, rid, w.c.id)
    assert asked["status"] == "pending"
    assert client.get(f"{API}/reports/{rid}", headers=w.c.headers).status_code == 404
    # The originator itself may always hand it back.
    client.post(f"{API}/share-requests/{asked['id']}/deny", headers=w.a.headers)
    again = _ask(client, w.a, rid, w.c.id)
    assert again["status"] == "approved"
    assert client.get(f"{API}/reports/{rid}", headers=w.c.headers).status_code == 200
