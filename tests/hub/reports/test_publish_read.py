"""Publishing and reading through the API: the header stays coarse, the body is sealed to
the recipients the policy gives, and reading decrypts in the member's session."""

from __future__ import annotations

import json
import uuid

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.models import AlertEvent
from hub.audit.models import AuditEntry
from hub.members.models import Role
from hub.reports.models import Report, ReportWrap
from tests.hub.reports.factories import API, flash, member_of, publish, world


def test_published_report_reaches_named_recipients_only(
    db_session: Session, client: TestClient
) -> None:
    w = world(db_session, client)
    created = publish(client, w.a, flash(audience={"organisations": [w.b.id]}))
    assert sorted(created["recipients"]) == sorted([w.a.id, w.b.id])
    assert created["level"] == "normal"

    read = client.get(f"{API}/reports/{created['id']}", headers=w.b.headers)
    assert read.status_code == 200, read.text
    data = read.json()
    assert data["signature"] == "valid"
    assert data["verified_by"] == "originator"
    assert data["body"]["narrative"] == "Convoy stopped by armed men."
    assert data["body"]["coordinates"] == {"lat": -1.18, "lon": 29.45}
    assert data["occurred_at"] == "2026-11-23T06:40:00+01:00"  # exact, in the body
    assert data["header"]["originator"]["id"] == w.a.id

    for outsider in (w.c, w.outsider):
        assert (
            client.get(f"{API}/reports/{created['id']}", headers=outsider.headers).status_code
            == 404
        )


def test_header_is_coarse_and_body_exact(db_session: Session, client: TestClient) -> None:
    w = world(db_session, client)
    created = publish(client, w.a, flash())
    report = db_session.get(Report, created["id"])
    assert report is not None
    # Normal cooperation: admin1 at most in the header; the day, not the hour it occurred.
    assert report.area_code == "CD61"
    assert str(report.occurred_on) == "2026-11-23"
    assert report.reported_at.minute == 0
    assert report.reported_at.second == 0
    data = client.get(f"{API}/reports/{created['id']}", headers=w.a.headers).json()
    assert data["header"]["area"] == "CD61"
    assert data["precise_area"] == "CD6102"
    assert data["header"]["occurred_on"] == "2026-11-23"


def test_default_audience_is_the_area_partners(db_session: Session, client: TestClient) -> None:
    w = world(db_session, client)
    created = publish(client, w.a, flash())
    assert sorted(created["recipients"]) == sorted([w.a.id, w.b.id, w.c.id])
    listed = client.get(f"{API}/reports", headers=w.c.headers).json()
    assert [r["id"] for r in listed] == [created["id"]]
    assert listed[0]["header"]["summary"].startswith("Vol à main armée")
    assert client.get(f"{API}/reports", headers=w.outsider.headers).json() == []


def test_publication_writes_audit_and_outbox_in_the_same_transaction(
    db_session: Session, client: TestClient
) -> None:
    w = world(db_session, client)
    created = publish(client, w.a, flash(audience={"organisations": [w.b.id]}))
    event = db_session.scalar(
        select(AlertEvent).where(AlertEvent.source == f"report:{created['id']}")
    )
    assert event is not None
    assert sorted(event.organisations) == sorted([w.a.id, w.b.id])
    assert "Convoy" not in json.dumps(event.facts)
    actions = [
        e.action
        for e in db_session.scalars(select(AuditEntry).where(AuditEntry.target == created["id"]))
    ]
    assert "report:publish" in actions


def test_idempotency_key_makes_one_report(db_session: Session, client: TestClient) -> None:
    w = world(db_session, client)
    key = str(uuid.uuid4())
    first = client.post(
        f"{API}/reports", json=flash(), headers={**w.a.headers, "Idempotency-Key": key}
    )
    again = client.post(
        f"{API}/reports", json=flash(), headers={**w.a.headers, "Idempotency-Key": key}
    )
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert first.json() == again.json()
    assert len(list(db_session.scalars(select(Report)))) == 1


def test_every_opening_is_audited(db_session: Session, client: TestClient) -> None:
    w = world(db_session, client)
    created = publish(client, w.a, flash())
    for _ in range(2):
        assert client.get(f"{API}/reports/{created['id']}", headers=w.b.headers).status_code == 200
    opened = [
        e
        for e in db_session.scalars(select(AuditEntry).where(AuditEntry.action == "report:open"))
        if e.target == created["id"]
    ]
    assert len(opened) == 2
    assert all(w.b.id in e.details for e in opened)


def test_anonymous_report_hides_originator_and_is_vouched_by_the_hub(
    db_session: Session, client: TestClient
) -> None:
    w = world(db_session, client)
    created = publish(client, w.a, flash(anonymous=True, show_kind=True))
    seen = client.get(f"{API}/reports/{created['id']}", headers=w.b.headers).json()
    assert seen["verified_by"] == "hub_attestation"
    assert seen["header"]["originator"] == {
        "id": None,
        "name": "a partner organisation",
        "kind": "ingo",
        "anonymous": True,
    }
    assert w.a.id not in json.dumps(seen)
    own = client.get(f"{API}/reports/{created['id']}", headers=w.a.headers).json()
    assert own["header"]["originator"]["id"] == w.a.id
    assert own["verified_by"] == "originator"


def test_incident_updates_link_to_the_flash(db_session: Session, client: TestClient) -> None:
    w = world(db_session, client)
    first = publish(client, w.a, flash())
    update = publish(
        client,
        w.a,
        flash(
            stage="update",
            incident_id=first["id"],
            supersedes=first["id"],
            body={"narrative": "Two staff slightly injured."},
        ),
    )
    header = client.get(f"{API}/reports/{update['id']}", headers=w.b.headers).json()["header"]
    assert header["incident_id"] == first["id"]
    assert header["supersedes"] == first["id"]
    event = db_session.scalar(
        select(AlertEvent).where(AlertEvent.source == f"report:{update['id']}")
    )
    assert event is not None
    assert event.msg_type == "update"


def test_body_must_match_its_type(db_session: Session, client: TestClient) -> None:
    w = world(db_session, client)
    response = client.post(
        f"{API}/reports", json=flash(body={"outlook": "calm"}), headers=w.a.headers
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    situation = {**flash(), "type": "situation", "stage": None, "body": {"outlook": "calm"}}
    assert client.post(f"{API}/reports", json=situation, headers=w.a.headers).status_code == 201


def test_member_without_keys_cannot_publish_or_read(
    db_session: Session, client: TestClient
) -> None:
    w = world(db_session, client)
    created = publish(client, w.a, flash())
    keyless = member_of(db_session, client, w.b, roles=(Role.FOCAL_POINT,), grant=False)
    assert client.post(f"{API}/reports", json=flash(), headers=keyless).status_code == 403
    assert client.get(f"{API}/reports/{created['id']}", headers=keyless).status_code == 403
    granted = member_of(db_session, client, w.b, roles=(Role.LIAISON,))
    assert client.get(f"{API}/reports/{created['id']}", headers=granted).status_code == 200
    wraps = db_session.scalars(select(ReportWrap).where(ReportWrap.report_id == created["id"]))
    assert {x.organisation_id for x in wraps} == {w.a.id, w.b.id, w.c.id}


def test_updates_follow_the_originators_own_reports(
    db_session: Session, client: TestClient
) -> None:
    w = world(db_session, client)
    theirs = publish(client, w.a, flash())["id"]
    for field in ("incident_id", "supersedes"):
        response = client.post(
            f"{API}/reports", json=flash(stage="update", **{field: theirs}), headers=w.b.headers
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == field
        unknown = client.post(
            f"{API}/reports",
            json=flash(stage="update", **{field: str(uuid.uuid4())}),
            headers=w.a.headers,
        )
        assert unknown.status_code == 422


def test_list_filters_and_pages(db_session: Session, client: TestClient) -> None:
    w = world(db_session, client)
    ids = [publish(client, w.a, flash(severity=s))["id"] for s in ("minor", "severe", "severe")]
    situation = publish(
        client, w.a, {**flash(severity="moderate"), "type": "situation", "stage": None, "body": {}}
    )
    listed = lambda **params: [  # noqa: E731
        r["id"] for r in client.get(f"{API}/reports", params=params, headers=w.b.headers).json()
    ]
    assert listed(severity="severe") == [ids[2], ids[1]]
    assert listed(type="situation") == [situation["id"]]
    assert listed(area="CD") == [situation["id"], *reversed(ids)]
    assert listed(area="CD62") == []
    first_page = listed(limit=2)
    assert listed(limit=2, before=first_page[-1]) == [ids[1], ids[0]]
    assert listed(since="2199-01-01T00:00:00Z") == []


def test_unknown_area_is_a_field_error(db_session: Session, client: TestClient) -> None:
    w = world(db_session, client)
    response = client.post(f"{API}/reports", json=flash(area="ZZ99"), headers=w.a.headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "area"


def test_a_long_named_audience_is_stored_whole(db_session: Session, client: TestClient) -> None:
    w = world(db_session, client)
    named = [w.b.id, *(str(uuid.uuid4()) for _ in range(150))]
    created = publish(client, w.a, flash(audience={"organisations": named}))
    assert sorted(created["recipients"]) == sorted([w.a.id, w.b.id])
    assert created["not_reached"] == sorted(named[1:])
    assert client.get(f"{API}/reports/{created['id']}", headers=w.b.headers).status_code == 200
