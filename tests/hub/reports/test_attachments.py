"""Attachments are checked by content, sealed under the report's key as they are written,
and opened only by a recipient, byte for byte."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from hub.config import Settings
from tests.hub.reports.factories import API, flash, publish, world

PNG = b"\x89PNG\r\n\x1a\n" + b"canary-photo-of-the-checkpoint" + bytes(range(256)) * 40
PDF = b"%PDF-1.7\n" + b"witness statement " * 100


def attach(name: str, data: bytes) -> dict[str, Any]:
    return {"filename": name, "content": base64.b64encode(data).decode()}


def test_recipient_downloads_exactly_what_was_attached(
    db_session: Session, client: TestClient, settings: Settings
) -> None:
    w = world(db_session, client)
    rid = publish(
        client, w.a, flash(attachments=[attach("checkpoint.png", PNG), attach("w.pdf", PDF)])
    )["id"]
    read = client.get(f"{API}/reports/{rid}", headers=w.b.headers).json()
    refs = {a["filename"]: a for a in read["attachments"]}
    assert refs["checkpoint.png"]["content_type"] == "image/png"
    assert refs["w.pdf"]["content_type"] == "application/pdf"
    got = client.get(
        f"{API}/reports/{rid}/attachments/{refs['checkpoint.png']['id']}", headers=w.b.headers
    )
    assert got.status_code == 200
    assert got.content == PNG
    assert got.headers["content-type"] == "image/png"
    stored = (settings.data_dir / "blobs" / rid / refs["checkpoint.png"]["id"]).read_bytes()
    assert b"canary-photo" not in stored
    assert stored[:2] == b"B\x01"
    assert (
        client.get(
            f"{API}/reports/{rid}/attachments/{refs['w.pdf']['id']}", headers=w.outsider.headers
        ).status_code
        == 404
    )


def test_the_api_names_the_file_as_the_page_does(
    db_session: Session, client: TestClient, settings: Settings
) -> None:
    """One download answer for the API and the pages: the author's file name, percent-encoded
    (RFC 6266), always as a download, never cached."""
    w = world(db_session, client)
    rid = publish(client, w.a, flash(attachments=[attach("photo du barrage.png", PNG)]))["id"]
    [ref] = client.get(f"{API}/reports/{rid}", headers=w.b.headers).json()["attachments"]
    got = client.get(f"{API}/reports/{rid}/attachments/{ref['id']}", headers=w.b.headers)
    assert got.status_code == 200
    assert got.headers["content-disposition"] == (
        "attachment; filename*=UTF-8''photo%20du%20barrage.png"
    )
    assert got.headers["cache-control"] == "no-store"
    assert got.headers["x-content-type-options"] == "nosniff"


def test_altered_attachment_is_an_integrity_error(
    db_session: Session, client: TestClient, settings: Settings
) -> None:
    w = world(db_session, client)
    rid = publish(client, w.a, flash(attachments=[attach("p.png", PNG)]))["id"]
    ref = client.get(f"{API}/reports/{rid}", headers=w.b.headers).json()["attachments"][0]
    path = settings.data_dir / "blobs" / rid / ref["id"]
    data = bytearray(path.read_bytes())
    data[60] ^= 1
    path.write_bytes(bytes(data))
    got = client.get(f"{API}/reports/{rid}/attachments/{ref['id']}", headers=w.b.headers)
    assert got.status_code == 409
    assert got.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "data",
    [b"MZ\x90\x00 an executable", b"<html><script>alert(1)</script>", b"PK\x03\x04zip"],
)
def test_only_photos_and_pdfs_are_accepted(
    db_session: Session, client: TestClient, data: bytes
) -> None:
    w = world(db_session, client)
    response = client.post(
        f"{API}/reports", json=flash(attachments=[attach("photo.png", data)]), headers=w.a.headers
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "attachments.0.content"


def test_size_limit_is_configurable(
    db_session: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    w = world(db_session, client)
    monkeypatch.setenv("SLTHUB_ATTACHMENT_MAX_BYTES", "1000")
    response = client.post(
        f"{API}/reports", json=flash(attachments=[attach("big.png", PNG)]), headers=w.a.headers
    )
    assert response.status_code == 422
    assert "at most" in response.json()["detail"]
    blobs = settings.data_dir / "blobs"
    assert not blobs.exists() or not any(blobs.iterdir())
