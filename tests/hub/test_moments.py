"""Dates at the edges of what Python can hold: 9999-12-31T23:59:59-14:00 is a valid
RFC 3339 moment whose UTC form does not exist in Python, 0001-01-01T00:00:00+14:00 the same
at the other end. Every date-time input answers 422 with a field error for them — never an
OverflowError 500 — and a number is not a date-time (`since=0.5`)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from hub.members.models import Role
from tests.hub.reports.factories import API, flash, member_of, world

EDGES = ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"]


def _field_error(response: Any, field: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in [e["field"] for e in response.json()["errors"]], response.text


@pytest.mark.parametrize("moment", EDGES)
def test_every_date_time_input_refuses_the_edges(
    db_session: Session, client: TestClient, moment: str
) -> None:
    w = world(db_session, client)
    for field in ("occurred_at", "expires_at"):
        response = client.post(
            f"{API}/reports", json=flash(type="alert", **{field: moment}), headers=w.a.headers
        )
        _field_error(response, field)
    rule = client.post(
        f"{API}/standing-consents",
        json={"to_kind": "un", "expires_at": moment},
        headers=w.a.headers,
    )
    _field_error(rule, "expires_at")
    listed = client.get(f"{API}/reports", params={"since": moment}, headers=w.a.headers)
    _field_error(listed, "since")
    coordinator = member_of(db_session, client, w.b, roles=(Role.COORDINATOR,), grant=False)
    for field in ("expires_at", "review_at"):
        risk = client.put(
            f"{API}/areas/CD61/risk",
            json={"risk": "high", "reason": "Affrontements", field: moment},
            headers=coordinator,
        )
        _field_error(risk, field)


@pytest.mark.parametrize("since", ["0.5", "1732345200", "-1"])
def test_a_number_is_not_a_date_time(db_session: Session, client: TestClient, since: str) -> None:
    w = world(db_session, client)
    response = client.get(f"{API}/reports", params={"since": since}, headers=w.a.headers)
    _field_error(response, "since")
    fine = client.get(
        f"{API}/reports", params={"since": "2026-11-01T00:00:00"}, headers=w.a.headers
    )
    assert fine.status_code == 200, fine.text


def test_the_report_form_refuses_the_edges_with_a_page(
    db_session: Session, client: TestClient, browser: Any
) -> None:
    from tests.hub.reports.test_pages import _form

    w = world(db_session, client)
    a = browser(w.a.email)
    data = _form(a, occurred_at="9999-12-31T23:59", utc_offset="-12:00")
    page = a.post("/reports/new", data=data)
    assert page.status_code == 422
    assert page.headers["content-type"].startswith("text/html")
    assert 'id="occurred_at-error"' in page.text
