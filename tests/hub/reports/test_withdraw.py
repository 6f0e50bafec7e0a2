"""Withdrawal and retention are crypto-shredding: the wraps and the ciphertext go, the
header stays as a tombstone, and former recipients are told why."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.models import AlertEvent
from hub.config import Settings
from hub.reports import service
from hub.reports.models import Report, ReportWrap
from policies import default_policy
from tests.hub.reports.factories import API, flash, publish, world
from tests.hub.reports.test_attachments import PNG, attach


def test_originator_withdraws_and_nobody_can_read(
    db_session: Session, client: TestClient, settings: Settings
) -> None:
    w = world(db_session, client)
    rid = publish(client, w.a, flash(attachments=[attach("photo.png", PNG)]))["id"]
    assert any((settings.data_dir / "blobs" / rid).iterdir())
    assert client.delete(f"{API}/reports/{rid}", headers=w.b.headers).status_code == 403
    assert client.delete(f"{API}/reports/{rid}", headers=w.outsider.headers).status_code == 404
    assert client.delete(f"{API}/reports/{rid}", headers=w.a.headers).status_code == 204

    for reader in (w.a, w.b, w.c):
        gone = client.get(f"{API}/reports/{rid}", headers=reader.headers)
        assert gone.status_code == 410
        assert "withdrawn by the originator" in gone.json()["detail"]
    assert client.get(f"{API}/reports/{rid}", headers=w.outsider.headers).status_code == 404
    listed = client.get(f"{API}/reports", headers=w.b.headers).json()
    assert [(r["id"], r["header"]["status"]) for r in listed] == [(rid, "withdrawn")]

    report = db_session.get(Report, rid)
    assert report is not None
    assert report.envelope is None
    assert report.severity == "severe"  # the header is the tombstone
    wraps = db_session.scalars(select(ReportWrap).where(ReportWrap.report_id == rid)).all()
    assert wraps
    assert all(x.wrap is None for x in wraps)
    assert not (settings.data_dir / "blobs" / rid).exists()
    cancel = db_session.scalar(
        select(AlertEvent).where(AlertEvent.source == f"report:{rid}", AlertEvent.version == 2)
    )
    assert cancel is not None
    assert cancel.msg_type == "cancel"
    assert cancel.supersedes == f"report:{rid}"


def test_retention_purge_takes_now(db_session: Session, client: TestClient, tmp_path: Path) -> None:
    w = world(db_session, client)
    incident = publish(client, w.a, flash())["id"]
    plan = publish(
        client, w.a, {**flash(), "type": "alert", "stage": None, "body": {"advice": "stay in"}}
    )["id"]
    policy = default_policy()
    now = dt.datetime.now(dt.UTC)
    assert service.purge_expired(db_session, now=now, policy=policy, data_dir=tmp_path) == []
    # Alerts are kept a year by the shipped policy, incidents five.
    later = now + dt.timedelta(days=400)
    assert service.purge_expired(db_session, now=later, policy=policy, data_dir=tmp_path) == [plan]
    assert client.get(f"{API}/reports/{plan}", headers=w.b.headers).status_code == 410
    assert client.get(f"{API}/reports/{incident}", headers=w.b.headers).status_code == 200
