"""Exports: aggregates from headers for coordinators; content decrypted in the member's
session, with the day and the fine place only when asked for."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from hub.members.models import Role
from tests.hub.reports.factories import API, flash, member_of, publish, world


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_coordinator_downloads_aggregates_from_headers(
    db_session: Session, client: TestClient
) -> None:
    w = world(db_session, client)
    publish(client, w.a, flash())
    publish(client, w.a, flash(category="theft_burglary"))
    publish(client, w.a, flash(category="shooting"))
    coordinator = member_of(db_session, client, w.b, roles=(Role.COORDINATOR,))
    response = client.get(f"{API}/exports/aggregates.csv", headers=coordinator)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    rows = _rows(response.text)
    assert rows[1] == ["#adm1+code", "#event+type+group", "#date+month", "#affected+incidents+num"]
    assert sorted(rows[2:]) == [
        ["CD61", "crime", "2026-11", "2"],
        ["CD61", "violence", "2026-11", "1"],
    ]
    assert "Convoy" not in response.text
    assert client.get(f"{API}/exports/aggregates.csv", headers=w.b.headers).status_code == 403


def test_content_export_suppresses_day_and_place_unless_asked(
    db_session: Session, client: TestClient
) -> None:
    w = world(db_session, client)
    publish(
        client,
        w.a,
        flash(body={"affected": {"national": {"injured": 2}, "international": {"kidnapped": 1}}}),
    )
    publish(client, w.a, flash(anonymous=True, audience={"organisations": [w.b.id]}))
    plain = _rows(client.get(f"{API}/exports/reports.csv", headers=w.b.headers).text)
    assert plain[1][:3] == ["#meta+id", "#adm1+code", "#date+occurred"]
    assert "#affected+abducted" in plain[1]
    data = plain[2:]
    assert len(data) == 2
    assert {row[1] for row in data} == {"CD61"}
    assert {row[2] for row in data} == {"2026-11"}
    injured = [row for row in data if row[6] == "2"]
    assert injured[0][7] == "1"
    assert "a partner organisation" in {row[8] for row in data}

    detailed = _rows(
        client.get(
            f"{API}/exports/reports.csv",
            params={"include_day": "true", "include_place": "true"},
            headers=w.b.headers,
        ).text
    )
    assert {row[1] for row in detailed[2:]} == {"CD6102"}
    assert {row[2] for row in detailed[2:]} == {"2026-11-23"}
    assert (
        _rows(client.get(f"{API}/exports/reports.csv", headers=w.outsider.headers).text)[2:] == []
    )
