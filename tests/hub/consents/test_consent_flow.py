"""Consent end to end through the API with three organisations: a recipient asks, the
originator answers, the third organisation reads — or does not."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.audit.models import AuditEntry
from hub.members.models import Role
from hub.organisations.models import OrganisationKind
from tests.hub.reports.factories import API, Party, flash, member_of, party, publish, world


def _ask(client: TestClient, who: Party, report_id: str, to: str) -> dict[str, Any]:
    response = client.post(
        f"{API}/reports/{report_id}/share-requests",
        json={"to_organisation": to, "reason": "their convoy uses the same road"},
        headers=who.headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_request_approve_then_the_third_organisation_reads(
    db_session: Session, client: TestClient
) -> None:
    w = world(db_session, client)
    report = publish(client, w.a, flash(audience={"organisations": [w.b.id]}))
    rid = report["id"]
    assert client.get(f"{API}/reports/{rid}", headers=w.c.headers).status_code == 404

    asked = _ask(client, w.b, rid, w.c.id)
    assert asked["status"] == "pending"
    incoming = client.get(f"{API}/share-requests", headers=w.a.headers).json()
    assert [(r["id"], r["direction"]) for r in incoming] == [(asked["id"], "incoming")]
    outgoing = client.get(f"{API}/share-requests", headers=w.b.headers).json()
    assert outgoing[0]["direction"] == "outgoing"
    # Only the originator answers.
    assert (
        client.post(f"{API}/share-requests/{asked['id']}/approve", headers=w.b.headers).status_code
        == 403
    )

    approved = client.post(f"{API}/share-requests/{asked['id']}/approve", headers=w.a.headers)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert approved.json()["readable"] is True

    read = client.get(f"{API}/reports/{rid}", headers=w.c.headers)
    assert read.status_code == 200, read.text
    assert read.json()["body"]["narrative"] == "Convoy stopped by armed men."
    seal = [
        e
        for e in db_session.scalars(
            select(AuditEntry).where(AuditEntry.action == "report:share-seal")
        )
    ]
    assert any(rid in e.details and "person:" in e.details for e in seal)


def test_deny_tells_the_requester_and_nothing_is_sealed(
    db_session: Session, client: TestClient
) -> None:
    w = world(db_session, client)
    rid = publish(client, w.a, flash(audience={"organisations": [w.b.id]}))["id"]
    asked = _ask(client, w.b, rid, w.c.id)
    denied = client.post(f"{API}/share-requests/{asked['id']}/deny", headers=w.a.headers)
    assert denied.status_code == 200
    assert denied.json()["status"] == "denied"
    mine = client.get(f"{API}/share-requests", headers=w.b.headers).json()
    assert mine[0]["status"] == "denied"
    assert mine[0]["message"] == "The originator did not consent."
    assert client.get(f"{API}/reports/{rid}", headers=w.c.headers).status_code == 404
    again = client.post(f"{API}/share-requests/{asked['id']}/approve", headers=w.a.headers)
    assert again.status_code == 409


def test_revoke_stops_future_reads(db_session: Session, client: TestClient) -> None:
    w = world(db_session, client)
    rid = publish(client, w.a, flash(audience={"organisations": [w.b.id, w.c.id]}))["id"]
    assert client.get(f"{API}/reports/{rid}", headers=w.c.headers).status_code == 200
    assert (
        client.delete(f"{API}/reports/{rid}/recipients/{w.c.id}", headers=w.b.headers).status_code
        == 403
    )
    assert (
        client.delete(f"{API}/reports/{rid}/recipients/{w.c.id}", headers=w.a.headers).status_code
        == 204
    )
    assert client.get(f"{API}/reports/{rid}", headers=w.c.headers).status_code == 404
    assert client.get(f"{API}/reports", headers=w.c.headers).json() == []
    assert client.get(f"{API}/reports/{rid}", headers=w.b.headers).status_code == 200
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "report:revoke"))
    assert entry is not None
    assert "may already have read" in entry.details


def test_standing_consent_adds_recipients_at_publication_and_approves_requests(
    db_session: Session, client: TestClient
) -> None:
    w = world(db_session, client)
    un_elsewhere = party(
        db_session, client, name="UN E", kind=OrganisationKind.UN, presence=("CD62",)
    )
    # Published before the rule existed: B is not a recipient.
    later = publish(client, w.a, flash(tlp="amber", audience={"organisations": [w.c.id]}))
    assert w.b.id not in later["recipients"]
    rule = client.post(
        f"{API}/standing-consents",
        json={"to_kind": "un", "report_types": ["incident"], "max_tlp": "amber"},
        headers=w.a.headers,
    )
    assert rule.status_code == 201, rule.text
    # UN entities receive at publication even when the audience does not name them.
    created = publish(client, w.a, flash(tlp="amber", audience={"organisations": [w.c.id]}))
    assert set(created["recipients"]) == {w.a.id, w.c.id, w.b.id, un_elsewhere.id}
    assert (
        client.get(f"{API}/reports/{created['id']}", headers=un_elsewhere.headers).status_code
        == 200
    )

    # A request the rule covers is approved at once, and sealed by the requester's session.
    rules = client.get(f"{API}/standing-consents", headers=w.a.headers).json()
    assert rules[0]["to_kind"] == "un"
    asked = _ask(client, w.c, later["id"], w.b.id)
    assert asked["status"] == "approved"
    # The requester learns the kind of permission; only the originator sees which rule.
    assert asked["allowed_by"] == "standing_consent"
    seen_by_originator = client.get(f"{API}/share-requests", headers=w.a.headers).json()
    assert {r["id"]: r["allowed_by"] for r in seen_by_originator}[asked["id"]] == (
        f"standing_consent:{rules[0]['id']}"
    )
    assert asked["readable"] is True
    assert client.get(f"{API}/reports/{later['id']}", headers=w.b.headers).status_code == 200

    # TLP amber+strict is beyond what the rule covers: the originator is asked.
    strict = publish(client, w.a, flash(tlp="amber+strict", audience={"organisations": [w.c.id]}))
    assert w.b.id not in strict["recipients"]


def test_green_travels_within_the_area_without_asking(
    db_session: Session, client: TestClient
) -> None:
    w = world(db_session, client)
    rid = publish(client, w.a, flash(tlp="green", audience={"organisations": [w.b.id]}))["id"]
    inside = _ask(client, w.b, rid, w.c.id)
    assert inside["status"] == "approved"
    assert inside["allowed_by"] == "green"
    assert client.get(f"{API}/reports/{rid}", headers=w.c.headers).status_code == 200
    # Outside the area's community the originator must consent.
    outside = _ask(client, w.b, rid, w.outsider.id)
    assert outside["status"] == "pending"
    assert client.get(f"{API}/reports/{rid}", headers=w.outsider.headers).status_code == 404


def test_red_never_travels_onward(db_session: Session, client: TestClient) -> None:
    w = world(db_session, client)
    rid = publish(client, w.a, flash(tlp="red", audience={"organisations": [w.b.id]}))["id"]
    response = client.post(
        f"{API}/reports/{rid}/share-requests",
        json={"to_organisation": w.c.id, "reason": "please"},
        headers=w.b.headers,
    )
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"


def test_approval_without_keys_waits_for_the_next_holder_online(
    db_session: Session, client: TestClient
) -> None:
    w = world(db_session, client)
    rid = publish(client, w.a, flash(audience={"organisations": [w.b.id]}))["id"]
    asked = _ask(client, w.b, rid, w.c.id)
    keyless_focal_point = member_of(db_session, client, w.a, roles=(Role.FOCAL_POINT,), grant=False)
    approved = client.post(
        f"{API}/share-requests/{asked['id']}/approve", headers=keyless_focal_point
    ).json()
    assert approved["status"] == "approved"
    assert approved["readable"] is False
    assert approved["message"] == "Approved; it will be readable when a holder is next online."
    assert client.get(f"{API}/reports/{rid}", headers=w.c.headers).status_code == 404

    # The next member of any holding organisation who uses the hub completes it.
    client.get(f"{API}/reports", headers=w.b.headers)
    assert client.get(f"{API}/reports/{rid}", headers=w.c.headers).status_code == 200
    mine = client.get(f"{API}/share-requests", headers=w.b.headers).json()
    assert mine[0]["readable"] is True


def test_explain_says_why(db_session: Session, client: TestClient) -> None:
    w = world(db_session, client)
    rid = publish(client, w.a, flash(audience={"organisations": [w.b.id]}))["id"]
    about_c = client.get(
        f"{API}/policy/explain", params={"report": rid, "organisation": w.c.id}, headers=w.a.headers
    )
    assert about_c.status_code == 200, about_c.text
    assert about_c.json()["can_read"] is False
    assert about_c.json()["explanation"]
    mine = client.get(
        f"{API}/policy/explain", params={"report": rid, "organisation": w.b.id}, headers=w.b.headers
    )
    assert mine.json()["can_read"] is True
    # A holder may not ask about others; a stranger learns nothing.
    assert (
        client.get(
            f"{API}/policy/explain",
            params={"report": rid, "organisation": w.c.id},
            headers=w.b.headers,
        ).status_code
        == 403
    )
    assert (
        client.get(
            f"{API}/policy/explain",
            params={"report": rid, "organisation": w.c.id},
            headers=w.c.headers,
        ).status_code
        == 404
    )


def test_standing_consent_reaches_area_partners_of_a_green_report(
    db_session: Session, client: TestClient
) -> None:
    w = world(db_session, client)
    rule = client.post(
        f"{API}/standing-consents",
        json={"to_organisation": w.c.id, "max_tlp": "amber"},
        headers=w.a.headers,
    )
    assert rule.status_code == 201
    created = publish(client, w.a, flash(tlp="green", audience={"organisations": [w.b.id]}))
    assert set(created["recipients"]) == {w.a.id, w.b.id, w.c.id}
