"""The seizure drill: reports whose bodies and attachments hold unique canary strings are
published through the API; then everything at rest is searched — the raw database file (and
WAL) or the PostgreSQL cluster's files and a pg_dump, every file under the data directory
(var/, with the sealed attachments), and the archive `slthub backup` writes (decompressed:
every member, and on PostgreSQL the dump inside turned back into SQL by pg_restore) — and
no canary, and no report data key, is found; nor, in that archive, the hub's signing key.
A recipient still reads each one through the API.
"""

from __future__ import annotations

import base64
import gzip
import io
import re
import subprocess
import tarfile
import uuid
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from crypto import SealedReport, unlock_member_key, unwrap_for_member, unwrap_report_key
from hub.actors import CONSOLE
from hub.app import create_app
from hub.areas import service as areas
from hub.cli import app, initialise
from hub.config import Settings
from hub.db import make_engine, make_session_factory
from hub.keystore import load_hub_keys
from hub.members import service as members
from hub.members.models import Member
from hub.organisations.models import OrganisationKind
from hub.reports.models import Report, ReportWrap
from tests.hub.areas.factories import make_tree
from tests.hub.conftest import TEST_SECRET
from tests.hub.factories import PASSPHRASE, login, make_member, make_organisation
from tests.hub.reports.factories import API, flash
from tests.hub.test_at_rest import _encodings, _raw_bytes


def _files_under(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def _backup(db: Any, data_dir: Path, tmp_path: Path) -> bytes:
    """The operator's nightly archive, as `slthub backup` writes it, opened the way whoever
    steals it would: gunzipped, every member read, the PostgreSQL dump restored to SQL."""
    archive = tmp_path / "nightly.tar.gz"
    result = CliRunner().invoke(
        app, ["backup", str(archive), "--db", db.url, "--data-dir", str(data_dir), "--json"]
    )
    assert result.exit_code == 0, result.output
    raw = gzip.decompress(archive.read_bytes())
    with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}  # type: ignore[union-attr]
    assert any(name.startswith("blobs/") for name in members)
    parts = [raw, *members.values()]
    if "database.pgdump" in members:
        dump = tmp_path / "database.pgdump"
        dump.write_bytes(members["database.pgdump"])
        parts.append(
            subprocess.run(
                [str(db.cluster.bindir / "pg_restore"), "--file=-", str(dump)],
                check=True,
                capture_output=True,
            ).stdout
        )
    return b"".join(parts)


def test_seized_disk_database_and_backup_hold_no_body(fresh_database: Any, tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=fresh_database.url,
        data_dir=data_dir,
        secret_key=TEST_SECRET,
    )
    initialise(settings)
    hub_keys = load_hub_keys(settings.hub_keys_path)
    engine = make_engine(settings.database_url)
    with make_session_factory(engine, signer=hub_keys)() as session:
        make_tree(session)
        orgs = []
        for kind in (OrganisationKind.INGO, OrganisationKind.UN):
            org = make_organisation(session, kind=kind)
            areas.set_presence(session, actor=CONSOLE, organisation_id=org.id, areas=["CD61"])
            orgs.append((org.id, make_member(session, org).member.email))

    canaries: dict[str, bytes] = {}

    def canary(label: str) -> str:
        value = f"CANARY-{label}-{uuid.uuid4().hex}"
        canaries[label] = value.encode()
        return value

    published = []
    with TestClient(create_app(settings)) as client:
        author = login(client, orgs[0][1])
        reader = login(client, orgs[1][1])
        for i, tlp in enumerate(("amber+strict", "green", "red")):
            photo = b"\x89PNG\r\n\x1a\n" + canary(f"photo{i}").encode() + bytes(2000)
            report = flash(
                tlp=tlp,
                audience={"organisations": [orgs[1][0]]},
                anonymous=i == 1,
                attachments=[
                    {
                        "filename": canary(f"filename{i}"),
                        "content": base64.b64encode(photo).decode(),
                    }
                ],
                body={
                    "narrative": canary(f"narrative{i}"),
                    "location": canary(f"location{i}"),
                    "who_involved": canary(f"victim-name-{i}"),
                    "perpetrators": "Mouvement " + canary(f"perpetrator{i}"),
                },
            )
            response = client.post(f"{API}/reports", json=report, headers=author)
            assert response.status_code == 201, response.text
            published.append((response.json()["id"], photo))
        for rid, photo in published:
            read = client.get(f"{API}/reports/{rid}", headers=reader)
            assert read.status_code == 200
            assert read.json()["body"]["narrative"].startswith("CANARY-narrative")
            ref = read.json()["attachments"][0]
            got = client.get(f"{API}/reports/{rid}/attachments/{ref['id']}", headers=reader)
            assert got.content == photo

    # The data keys themselves, opened the way a recipient's member would.
    with make_session_factory(engine, signer=hub_keys)() as session:
        member = session.scalar(select(Member).where(Member.email == orgs[1][1]))
        assert member is not None
        assert member.locked_key is not None
        wrap = members.wrap_of(session, member)
        assert wrap is not None
        org_keys = unwrap_for_member(wrap.wrap, unlock_member_key(member.locked_key, PASSPHRASE))
        for rid, _photo in published:
            report = session.get(Report, rid)
            row = session.get(ReportWrap, (rid, orgs[1][0]))
            assert report is not None
            assert report.envelope is not None
            assert row is not None
            assert row.wrap is not None
            sealed = SealedReport.from_bytes(report.envelope).with_wraps({orgs[1][0]: row.wrap})
            key = unwrap_report_key(sealed, recipient_id=orgs[1][0], recipient=org_keys)
            canaries[f"data key of {rid}"] = key._bytes()
        envelope = report.envelope
    engine.dispose()

    at_rest = {
        "database": _raw_bytes(fresh_database),
        "var/": _files_under(data_dir),
        "backup": _backup(fresh_database, data_dir, tmp_path),
    }
    # The search does see what is stored: the last envelope is in the database's bytes.
    assert envelope in at_rest["database"]
    assert list((data_dir / "blobs").rglob("*"))
    for where, raw in at_rest.items():
        for label, secret in canaries.items():
            for form in _encodings(secret):
                assert re.search(re.escape(form), raw) is None, f"{label} found in {where}"
    # The search does see the backup: the last envelope is in it (PostgreSQL's dump writes
    # bytea as hex). The hub's own key is not.
    assert envelope in at_rest["backup"] or envelope.hex().encode() in at_rest["backup"]
    for form in _encodings(hub_keys.to_bytes()[2:]):
        assert re.search(re.escape(form), at_rest["backup"]) is None, "hub key in the backup"
