"""One changed byte anywhere in what the hub stores for a report — a header column, the
ciphertext, the signature, the reader's wrap — gives the reader a clear integrity error as
problem+json: never the body, never garbage, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hub.audit.models import AuditEntry
from hub.reports.models import Report, ReportWrap
from tests.hub.reports.factories import API, flash, publish, world

NONCE_END = 2 + 24  # the envelope: "R" 01 ‖ nonce (24) ‖ signature (64) ‖ …


def _flip(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


def _expect_integrity_error(client: TestClient, report_id: str, headers: dict[str, str]) -> Any:
    response = client.get(f"{API}/reports/{report_id}", headers=headers)
    assert response.status_code == 409, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:slthub:problem:report-integrity"
    assert "Convoy" not in response.text
    return problem


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("severity", "extreme"),  # another valid code: only the signature can tell
        ("severity", "severf"),  # not a code at all
        ("summary", "Vol à main armée sur la route Goma–Rutshuru, pas de blessÉ"),
        ("area_code", "CD62"),
        ("tlp", "green"),
        ("originator_id", None),  # filled in below: another organisation
        ("anonymous", True),
    ],
)
def test_changed_header_column(
    db_session: Session, client: TestClient, column: str, value: Any
) -> None:
    w = world(db_session, client)
    rid = publish(client, w.a, flash(audience={"organisations": [w.b.id]}))["id"]
    if column == "originator_id":
        value = w.c.id
    db_session.execute(update(Report).where(Report.id == rid).values({column: value}))
    db_session.commit()
    problem = _expect_integrity_error(client, rid, w.b.headers)
    assert problem["signature"] in {"invalid", "unchecked"}
    failures = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "report:integrity-failed")
    ).all()
    assert [f.target for f in failures] == [rid]


@pytest.mark.parametrize(
    "where",
    ["nonce", "signature", "ciphertext_start", "ciphertext_end", "truncated", "trailing"],
)
def test_changed_envelope_byte(db_session: Session, client: TestClient, where: str) -> None:
    w = world(db_session, client)
    rid = publish(client, w.a, flash(audience={"organisations": [w.b.id]}))["id"]
    report = db_session.get(Report, rid)
    assert report is not None
    assert report.envelope is not None
    env = report.envelope
    changed = {
        "nonce": _flip(env, 5),
        "signature": _flip(env, NONCE_END + 10),
        "ciphertext_start": _flip(env, NONCE_END + 64 + 4),
        "ciphertext_end": _flip(env, len(env) - 3),
        "truncated": env[:-1],
        "trailing": env + b"\x00",
    }[where]
    db_session.execute(update(Report).where(Report.id == rid).values(envelope=changed))
    db_session.commit()
    _expect_integrity_error(client, rid, w.b.headers)


def test_changed_wrap_byte_only_hurts_its_own_recipient(
    db_session: Session, client: TestClient
) -> None:
    w = world(db_session, client)
    rid = publish(client, w.a, flash(audience={"organisations": [w.b.id, w.c.id]}))["id"]
    wrap = db_session.get(ReportWrap, (rid, w.b.id))
    assert wrap is not None
    assert wrap.wrap is not None
    db_session.execute(
        update(ReportWrap)
        .where(ReportWrap.report_id == rid, ReportWrap.organisation_id == w.b.id)
        .values(wrap=_flip(wrap.wrap, len(wrap.wrap) - 1))
    )
    db_session.commit()
    problem = _expect_integrity_error(client, rid, w.b.headers)
    assert problem["signature"] == "unchecked"
    assert client.get(f"{API}/reports/{rid}", headers=w.c.headers).status_code == 200


def test_a_wrap_moved_from_another_report_does_not_open(
    db_session: Session, client: TestClient
) -> None:
    w = world(db_session, client)
    first = publish(client, w.a, flash(audience={"organisations": [w.b.id]}))["id"]
    second = publish(client, w.a, flash(audience={"organisations": [w.b.id]}))["id"]
    other = db_session.get(ReportWrap, (first, w.b.id))
    assert other is not None
    db_session.execute(
        update(ReportWrap)
        .where(ReportWrap.report_id == second, ReportWrap.organisation_id == w.b.id)
        .values(wrap=other.wrap)
    )
    db_session.commit()
    _expect_integrity_error(client, second, w.b.headers)


def test_an_envelope_moved_onto_another_header_does_not_open(
    db_session: Session, client: TestClient
) -> None:
    w = world(db_session, client)
    first = publish(client, w.a, flash(audience={"organisations": [w.b.id]}))["id"]
    second = publish(client, w.a, flash(audience={"organisations": [w.b.id]}))["id"]
    source = db_session.get(Report, first)
    assert source is not None
    db_session.execute(update(Report).where(Report.id == second).values(envelope=source.envelope))
    db_session.commit()
    _expect_integrity_error(client, second, w.b.headers)
