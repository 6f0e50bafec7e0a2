"""`slthub backup` / `slthub restore`, end to end on the suite's database (SQLite or
PostgreSQL): a report with an attachment published through the API survives a backup and a
restore into a new database and data directory, and its recipient still reads it; a damaged,
truncated or altered archive, a non-empty target, missing or different hub keys are refused
before anything is written.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import shutil
import tarfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, select, text
from typer.testing import CliRunner

from crypto import HubKeys
from hub.actors import CONSOLE
from hub.app import create_app
from hub.areas import service as areas
from hub.audit import service as audit
from hub.audit.models import AuditAction, AuditEntry
from hub.backup import databases as dbs
from hub.cli import app, initialise
from hub.config import Settings
from hub.db import checkpointer_of, make_engine, make_session_factory
from hub.keystore import load_hub_keys
from hub.migrations import alembic_config
from hub.organisations.models import Organisation, OrganisationKind
from tests.hub.areas.factories import make_tree
from tests.hub.conftest import TEST_SECRET
from tests.hub.factories import login, make_member, make_organisation
from tests.hub.reports.factories import API, flash


def settings_of(url: str, data_dir: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=url,
        data_dir=data_dir,
        secret_key=TEST_SECRET,
    )


def slthub(*args: str, ok: bool = True) -> dict[str, Any]:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert (result.exit_code == 0) == ok, result.output
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


@dataclass
class Published:
    settings: Settings
    report_id: str
    photo: bytes
    narrative: str
    reader: str


def publish_world(db: Any, data_dir: Path) -> Published:
    """Two approved organisations in Nord-Kivu; the first publishes a report with a photo
    to the second, through the API."""
    settings = settings_of(db.url, data_dir)
    initialise(settings)
    engine = make_engine(db.url)
    with make_session_factory(engine, signer=load_hub_keys(settings.hub_keys_path))() as session:
        make_tree(session)
        emails = []
        for kind in (OrganisationKind.INGO, OrganisationKind.UN):
            org = make_organisation(session, kind=kind)
            areas.set_presence(session, actor=CONSOLE, organisation_id=org.id, areas=["CD61"])
            emails.append((org.id, make_member(session, org).member.email))
    engine.dispose()
    photo = b"\x89PNG\r\n\x1a\n" + uuid.uuid4().bytes + bytes(3000)
    narrative = f"Convoy stopped at PK 42 ({uuid.uuid4().hex})"
    with serving(settings) as client:
        author = login(client, emails[0][1])
        report = flash(
            audience={"organisations": [emails[1][0]]},
            attachments=[{"filename": "pk42.png", "content": base64.b64encode(photo).decode()}],
            body={"narrative": narrative},
        )
        response = client.post(f"{API}/reports", json=report, headers=author)
        assert response.status_code == 201, response.text
    return Published(settings, response.json()["id"], photo, narrative, emails[1][1])


@contextmanager
def serving(settings: Settings) -> Iterator[TestClient]:
    """The hub as `slthub serve` builds it, closed afterwards: its SQLite checkpoint thread
    must not outlive it and touch a file that a restore has since replaced."""
    application = create_app(settings)
    engine = application.state.session_factory.kw["bind"]
    try:
        with TestClient(application) as client:
            yield client
    finally:
        checkpointer = checkpointer_of(engine)
        if checkpointer is not None:
            checkpointer.stop()
        engine.dispose()


def read_as(settings: Settings, published: Published) -> tuple[str, bytes]:
    with serving(settings) as client:
        reader = login(client, published.reader)
        read = client.get(f"{API}/reports/{published.report_id}", headers=reader)
        assert read.status_code == 200, read.text
        assert read.json()["signature"] == "valid"
        ref = read.json()["attachments"][0]
        got = client.get(
            f"{API}/reports/{published.report_id}/attachments/{ref['id']}", headers=reader
        )
        assert got.status_code == 200, got.text
        return read.json()["body"]["narrative"], got.content


def members_of(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}  # type: ignore[union-attr]


def written_state(db: Any, data_dir: Path) -> dict[str, Any]:
    """What a refused restore must leave as it was: the target database and data dir."""
    state: dict[str, Any] = {}
    if db.kind == "sqlite":
        # Not -shm, nor an empty -wal: any reader of a WAL database (the restore's look at
        # the target too) creates them or updates its read marks there; they hold no data.
        files = sorted(
            p
            for p in db.path.parent.glob(db.path.name + "*")
            if not p.name.endswith("-shm")
            and not (p.name.endswith("-wal") and not p.stat().st_size)
        )
        state["database"] = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
    else:
        engine = make_engine(db.url)
        with engine.connect() as conn:
            state["database"] = sorted(inspect(conn).get_table_names())
            if "organisations" in state["database"]:
                state["organisations"] = conn.execute(
                    text("SELECT count(*) FROM organisations")
                ).scalar_one()
        engine.dispose()
    state["data_dir"] = (
        {
            str(p.relative_to(data_dir)): p.read_bytes() if p.is_file() else None
            for p in sorted(data_dir.rglob("*"))
        }
        if data_dir.exists()
        else None
    )
    return state


def copy_hub_keys(source: Settings, data_dir: Path) -> None:
    """What an operator does before a restore: put back the hub-keys kept apart."""
    data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source.hub_keys_path, data_dir / "hub-keys")


def refused_restore(archive: Path, db: Any, data_dir: Path) -> str:
    """Run a restore that must be refused; check it wrote nothing; return the error."""
    before = written_state(db, data_dir)
    refused = slthub("restore", str(archive), "--db", db.url, "--data-dir", str(data_dir), ok=False)
    assert written_state(db, data_dir) == before
    return str(refused["error"])


@pytest.fixture
def published(fresh_database: Any, tmp_path: Path) -> Published:
    return publish_world(fresh_database, tmp_path / "var")


@pytest.fixture
def archive(published: Published, fresh_database: Any, tmp_path: Path) -> Path:
    path = tmp_path / "backups" / "slthub.tar.gz"
    path.parent.mkdir()
    slthub("backup", str(path), "--db", fresh_database.url, "--data-dir", str(tmp_path / "var"))
    return path


# --- the round trip ------------------------------------------------------------------------


def test_round_trip_into_a_new_database_and_data_dir(
    published: Published, fresh_database: Any, another_fresh_database: Any, tmp_path: Path
) -> None:
    source_dir = tmp_path / "var"
    path = tmp_path / "slthub-nightly.tar.gz"
    made = slthub("backup", str(path), "--db", fresh_database.url, "--data-dir", str(source_dir))

    assert set(made) == {
        "file",
        "size",
        "sha256",
        "created_at",
        "database",
        "counts",
        "hub_keys_included",
        "key_files",
        "left_out",
        "seconds",
        "warnings",
    }
    assert made["database"]["kind"] == fresh_database.kind
    assert made["counts"] == {
        "organisations": 2,
        "members": 2,
        "reports": 1,
        "audit_entries": made["counts"]["audit_entries"],
        "attachments": 1,
    }
    assert made["hub_keys_included"] is False
    assert made["left_out"] == ["hub-keys", "smime-key.pem", "smime-cert.pem", "alerts-secret"]
    assert "hub-keys" in made["warnings"][0]
    assert made["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert made["size"] == path.stat().st_size
    assert path.stat().st_mode & 0o777 == 0o600
    assert not path.with_name(path.name + ".tmp").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".slthub")] == []

    names = set(members_of(path))
    database_member = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
    assert names == {
        "manifest.json",
        database_member[fresh_database.kind],
        *(
            f"blobs/{p.parent.name}/{p.name}"
            for p in (source_dir / "blobs").rglob("*")
            if p.is_file()
        ),
    }
    assert len(names) == 3

    # The operator's separate copy of hub-keys goes into the new data dir; nothing else.
    target_dir = tmp_path / "new-var"
    copy_hub_keys(published.settings, target_dir)
    restored = slthub(
        "restore", str(path), "--db", another_fresh_database.url, "--data-dir", str(target_dir)
    )
    assert restored["audit"]["ok"] is True
    assert restored["audit"]["entries"] == made["counts"]["audit_entries"]
    assert restored["database"]["kind"] == fresh_database.kind
    assert restored["hub_keys"].startswith("kept")
    assert restored["counts"] == made["counts"]

    target = settings_of(another_fresh_database.url, target_dir)
    narrative, photo = read_as(target, published)
    assert narrative == published.narrative
    assert photo == published.photo

    verified = slthub(
        "audit", "verify", "--db", another_fresh_database.url, "--data-dir", str(target_dir)
    )
    assert verified["ok"] is True
    # The chain says a restore happened (and, on the source, that a backup was taken).
    assert AuditAction.HUB_RESTORE in actions(another_fresh_database.url)
    assert actions(fresh_database.url)[-1] == AuditAction.HUB_BACKUP


def actions(url: str) -> list[str]:
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(select(AuditEntry.action).order_by(AuditEntry.seq)).scalars().all()
    engine.dispose()
    return [str(action) for action in rows]


def test_a_backup_taken_while_the_hub_writes_is_consistent(
    fresh_database: Any, another_fresh_database: Any, tmp_path: Path
) -> None:
    """Organisations are created (each one appends to the audit chain) while backups are
    taken: each snapshot restores to a chain that verifies and counts what its manifest
    says."""
    settings = settings_of(fresh_database.url, tmp_path / "var")
    initialise(settings)
    keys = load_hub_keys(settings.hub_keys_path)
    stop = threading.Event()
    created = [0]
    failures: list[BaseException] = []

    def write() -> None:
        engine = make_engine(fresh_database.url)
        factory = make_session_factory(engine, signer=keys)
        try:
            while not stop.is_set():
                with factory() as session:
                    make_organisation(session)
                created[0] += 1
        except BaseException as exc:
            failures.append(exc)
        finally:
            engine.dispose()

    writer = threading.Thread(target=write)
    writer.start()
    archives = []
    try:
        for i in range(3):
            while created[0] < 5 * (i + 1) and writer.is_alive():
                stop.wait(0.01)
            path = tmp_path / f"during-{i}.tar.gz"
            slthub(
                "backup",
                str(path),
                "--db",
                fresh_database.url,
                "--data-dir",
                str(settings.data_dir),
            )
            archives.append(path)
    finally:
        stop.set()
        writer.join()
    assert not failures
    assert created[0] >= 15

    target_dir = tmp_path / "restored"
    copy_hub_keys(settings, target_dir)
    seen = set()
    for path in archives:
        manifest = json.loads(members_of(path)["manifest.json"])
        restored = slthub(
            "restore",
            str(path),
            "--db",
            another_fresh_database.url,
            "--data-dir",
            str(target_dir),
            "--force",
        )
        assert restored["audit"]["ok"] is True, restored["audit"]
        engine = make_engine(another_fresh_database.url)
        with engine.connect() as conn:
            count = conn.execute(text("SELECT count(*) FROM organisations")).scalar_one()
        engine.dispose()
        assert count == manifest["counts"]["organisations"]
        seen.add(count)
    # Three snapshots at three moments of a changing database.
    assert len(seen) == 3


# --- refusals ------------------------------------------------------------------------------


def rewrite_member(archive: Path, name: str, change: Any) -> bytes:
    """The archive with one member's bytes changed in place (same size), gzip'd again."""
    raw = bytearray(gzip.decompress(archive.read_bytes()))
    with tarfile.open(fileobj=io.BytesIO(bytes(raw))) as tar:
        member = tar.getmember(name)
    start = member.offset_data
    raw[start : start + member.size] = change(bytes(raw[start : start + member.size]))
    return gzip.compress(bytes(raw))


def flip_middle_byte(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]


@pytest.mark.parametrize("which", ["database", "blob"])
def test_a_member_with_one_byte_flipped_is_refused_and_nothing_is_written(
    which: str,
    published: Published,
    archive: Path,
    another_fresh_database: Any,
    tmp_path: Path,
) -> None:
    names = members_of(archive)
    name = next(n for n in names if n.startswith(which.replace("blob", "blobs/")))
    tampered = tmp_path / "tampered.tar.gz"
    tampered.write_bytes(rewrite_member(archive, name, flip_middle_byte))
    target_dir = tmp_path / "new-var"
    copy_hub_keys(published.settings, target_dir)
    error = refused_restore(tampered, another_fresh_database, target_dir)
    assert name in error
    assert "SHA-256" in error
    assert "Nothing was restored" in error


def test_a_manifest_rewritten_to_match_an_altered_member_is_refused(
    published: Published, archive: Path, another_fresh_database: Any, tmp_path: Path
) -> None:
    """Checksums catch damage; the hub's signature on the manifest catches a forger who
    recomputes them."""
    names = members_of(archive)
    blob = next(n for n in names if n.startswith("blobs/"))
    altered = flip_middle_byte(names[blob])
    manifest = json.loads(names["manifest.json"])
    manifest["members"][blob]["sha256"] = hashlib.sha256(altered).hexdigest()
    forged = tmp_path / "forged.tar.gz"
    with tarfile.open(forged, "w:gz") as tar:
        for name, data in names.items():
            if name == "manifest.json":
                data = json.dumps(manifest).encode()
            elif name == blob:
                data = altered
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    target_dir = tmp_path / "new-var"
    copy_hub_keys(published.settings, target_dir)
    error = refused_restore(forged, another_fresh_database, target_dir)
    assert "signature does not verify" in error


@pytest.mark.parametrize(
    ("damage", "said"),
    [
        (lambda data: data[: len(data) // 2], "truncated"),
        (lambda data: data[:-40], "truncated"),
        (flip_middle_byte, "damaged"),
    ],
    ids=["half", "last-bytes", "compressed-byte-flipped"],
)
def test_a_truncated_or_damaged_archive_is_refused_and_nothing_is_written(
    damage: Any,
    said: str,
    published: Published,
    archive: Path,
    another_fresh_database: Any,
    tmp_path: Path,
) -> None:
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(damage(archive.read_bytes()))
    target_dir = tmp_path / "new-var"
    copy_hub_keys(published.settings, target_dir)
    error = refused_restore(broken, another_fresh_database, target_dir)
    assert said in error
    assert str(broken) in error


def test_restore_over_a_database_with_organisations_needs_force(
    published: Published, archive: Path, fresh_database: Any, tmp_path: Path
) -> None:
    data_dir = tmp_path / "var"
    slthub(
        "org",
        "create",
        "Created After The Backup",
        "--kind",
        "ngo",
        "--db",
        fresh_database.url,
        "--data-dir",
        str(data_dir),
    )
    error = refused_restore(archive, fresh_database, data_dir)
    assert "already holds 3 organisation(s)" in error
    assert "--force" in error

    restored = slthub(
        "restore", str(archive), "--db", fresh_database.url, "--data-dir", str(data_dir), "--force"
    )
    assert restored["audit"]["ok"] is True
    names = [
        o["name"]
        for o in slthub("org", "list", "--db", fresh_database.url, "--data-dir", str(data_dir))[
            "organisations"
        ]
    ]
    assert "Created After The Backup" not in names
    assert len(names) == 2
    narrative, _photo = read_as(published.settings, published)
    assert narrative == published.narrative


# --- the hub's keys ------------------------------------------------------------------------


def test_hub_keys_stay_out_unless_asked_for(
    published: Published, archive: Path, fresh_database: Any, tmp_path: Path
) -> None:
    secret = published.settings.hub_keys_path.read_bytes()
    plain = gzip.decompress(archive.read_bytes())
    assert not any(name.startswith("keys/") for name in members_of(archive))
    assert secret[2:] not in plain

    with_keys = tmp_path / "with-keys.tar.gz"
    made = slthub(
        "backup",
        str(with_keys),
        "--include-hub-keys",
        "--db",
        fresh_database.url,
        "--data-dir",
        str(published.settings.data_dir),
    )
    assert made["hub_keys_included"] is True
    assert made["key_files"] == ["hub-keys", "smime-key.pem", "smime-cert.pem", "alerts-secret"]
    assert "sign as the hub" in made["warnings"][0]
    members = members_of(with_keys)
    assert members["keys/hub-keys"] == secret
    assert with_keys.stat().st_mode & 0o777 == 0o600


def test_restore_writes_archived_hub_keys_but_never_over_different_ones(
    published: Published,
    fresh_database: Any,
    another_fresh_database: Any,
    tmp_path: Path,
) -> None:
    with_keys = tmp_path / "with-keys.tar.gz"
    slthub(
        "backup",
        str(with_keys),
        "--include-hub-keys",
        "--db",
        fresh_database.url,
        "--data-dir",
        str(published.settings.data_dir),
    )
    # A data dir whose hub-keys are another hub's: refused, the keys untouched.
    other_dir = tmp_path / "other-var"
    other_dir.mkdir()
    other = other_dir / "hub-keys"
    other.write_bytes(HubKeys.generate().to_bytes())
    other.chmod(0o600)
    error = refused_restore(with_keys, another_fresh_database, other_dir)
    assert "hub-keys" in error
    assert "--force" in error

    # An empty data dir: the keys come from the archive, private.
    new_dir = tmp_path / "new-var"
    restored = slthub(
        "restore", str(with_keys), "--db", another_fresh_database.url, "--data-dir", str(new_dir)
    )
    assert restored["hub_keys"] == "restored from the archive"
    assert restored["created_files"] == []
    assert restored["audit"]["ok"] is True
    for name in ("hub-keys", "smime-key.pem", "alerts-secret"):
        assert (new_dir / name).read_bytes() == (published.settings.data_dir / name).read_bytes()
        assert (new_dir / name).stat().st_mode & 0o777 == 0o600
    narrative, _photo = read_as(settings_of(another_fresh_database.url, new_dir), published)
    assert narrative == published.narrative


def test_restore_without_the_hub_keys_says_where_to_put_them(
    archive: Path, another_fresh_database: Any, tmp_path: Path
) -> None:
    target_dir = tmp_path / "new-var"
    refused = slthub(
        "restore",
        str(archive),
        "--db",
        another_fresh_database.url,
        "--data-dir",
        str(target_dir),
        ok=False,
    )
    assert f"no hub keys at {target_dir / 'hub-keys'}" in refused["error"]
    assert not target_dir.exists()
    if another_fresh_database.kind == "sqlite":
        assert not another_fresh_database.path.exists()

    # `slthub init` on the new machine made new keys: not the ones that signed the backup.
    slthub("init", "--db", another_fresh_database.url, "--data-dir", str(target_dir))
    error = refused_restore(archive, another_fresh_database, target_dir)
    assert "public key" in error


# --- versions and kinds --------------------------------------------------------------------


def test_an_older_backup_restores_into_a_newer_hub(
    fresh_database: Any, another_fresh_database: Any, tmp_path: Path
) -> None:
    """A backup at the first migration, restored where `slthub init` already created this
    hub's newest schema: the restore replaces it and migrates the data to head."""
    from alembic import command
    from alembic.script import ScriptDirectory

    source = settings_of(fresh_database.url, tmp_path / "old-var")
    command.upgrade(alembic_config(fresh_database.url), "0001")
    keys = HubKeys.generate()
    copy_dir = source.data_dir
    copy_dir.mkdir()
    source.hub_keys_path.write_bytes(keys.to_bytes())
    source.hub_keys_path.chmod(0o600)
    engine = make_engine(fresh_database.url)
    with make_session_factory(engine, signer=keys)() as session:
        audit.record(session, action=AuditAction.HUB_INIT, actor="console")
        session.commit()
    engine.dispose()
    path = tmp_path / "old.tar.gz"
    made = slthub("backup", str(path), "--db", fresh_database.url, "--data-dir", str(copy_dir))
    assert made["database"]["alembic_revision"] == "0001"

    target_dir = tmp_path / "new-var"
    slthub("init", "--db", another_fresh_database.url, "--data-dir", str(target_dir))
    shutil.copy2(source.hub_keys_path, target_dir / "hub-keys")
    restored = slthub(
        "restore", str(path), "--db", another_fresh_database.url, "--data-dir", str(target_dir)
    )
    head = ScriptDirectory.from_config(alembic_config(fresh_database.url)).get_current_head()
    assert restored["database"]["restored_revision"] == "0001"
    assert restored["database"]["alembic_revision"] == head
    assert restored["audit"]["ok"] is True
    slthub(
        "org",
        "create",
        "After Restore",
        "--kind",
        "ngo",
        "--approve",
        "--db",
        another_fresh_database.url,
        "--data-dir",
        str(target_dir),
    )
    assert slthub(
        "audit", "verify", "--db", another_fresh_database.url, "--data-dir", str(target_dir)
    )["ok"]


def test_a_sqlite_backup_is_not_restored_into_postgresql(
    another_fresh_database: Any, tmp_path: Path
) -> None:
    if another_fresh_database.kind != "postgresql":
        pytest.skip("the other direction needs PostgreSQL: run with --db=postgresql")
    sqlite = settings_of(f"sqlite:///{tmp_path / 'hub.db'}", tmp_path / "var")
    initialise(sqlite)
    path = tmp_path / "sqlite.tar.gz"
    slthub("backup", str(path), "--db", sqlite.database_url, "--data-dir", str(sqlite.data_dir))
    error = refused_restore(path, another_fresh_database, sqlite.data_dir)
    assert "is a SQLite backup" in error
    assert "PostgreSQL" in error


def test_backup_refuses_to_overwrite_a_file(
    published: Published, archive: Path, fresh_database: Any
) -> None:
    before = archive.read_bytes()
    refused = slthub(
        "backup",
        str(archive),
        "--db",
        fresh_database.url,
        "--data-dir",
        str(published.settings.data_dir),
        ok=False,
    )
    assert "already exists" in refused["error"]
    assert archive.read_bytes() == before


def test_text_output_says_what_is_left_out(
    published: Published, fresh_database: Any, tmp_path: Path
) -> None:
    path = tmp_path / "text.tar.gz"
    result = CliRunner().invoke(
        app,
        [
            "backup",
            str(path),
            "--db",
            fresh_database.url,
            "--data-dir",
            str(published.settings.data_dir),
        ],
    )
    assert result.exit_code == 0, result.output
    assert f"backup written: {path}" in result.stdout
    assert "organisations: 2, members: 2, reports: 1" in result.stdout
    assert "not in this archive: the hub's own keys" in result.stderr


# --- PostgreSQL client tools ----------------------------------------------------------------


def test_pg_tool_versions_are_read_from_their_banner() -> None:
    assert dbs.tool_major("pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)") == 15
    assert dbs.tool_major("pg_restore (PostgreSQL) 9.6.24") == 9
    assert dbs.tool_major("pg_dump (PostgreSQL) 17beta1") == 17
    assert dbs.tool_major("something else") is None


def test_a_missing_or_older_pg_dump_is_named(tmp_path: Path) -> None:
    import subprocess

    with pytest.raises(dbs.DatabaseError, match=r"pg_dump not found in .*SLTHUB_PG_BINDIR"):
        dbs.find_tool("pg_dump", at_least=15, pg_bindir=tmp_path)
    bindir = Path(subprocess.check_output(["pg_config", "--bindir"], text=True).strip())
    found = dbs.find_tool("pg_dump", at_least=9, pg_bindir=bindir)
    assert found.path == bindir / "pg_dump"
    with pytest.raises(
        dbs.DatabaseError, match=rf"must be version 99 or newer.*version {found.major}"
    ):
        dbs.find_tool("pg_dump", at_least=99, pg_bindir=bindir)


def test_the_libpq_connection_keeps_the_password_off_the_command_line() -> None:
    conninfo, env = dbs.libpq_connection(
        "postgresql+psycopg://slthub:s3cret%25@db.example.org:6543/hub?sslmode=require"
    )
    assert "s3cret" not in conninfo
    assert env["PGPASSWORD"] == "s3cret%"
    for part in (
        "host=db.example.org",
        "port=6543",
        "user=slthub",
        "dbname=hub",
        "sslmode=require",
    ):
        assert part in conninfo


def test_organisations_are_what_the_manifest_counts(
    published: Published, archive: Path, fresh_database: Any
) -> None:
    manifest = json.loads(members_of(archive)["manifest.json"])
    engine = make_engine(fresh_database.url)
    with engine.connect() as conn:
        orgs = conn.execute(select(Organisation.id)).all()
    engine.dispose()
    assert manifest["counts"]["organisations"] == len(orgs)
    assert manifest["format_version"] == 1
    assert (
        manifest["hub_public_key"]
        == load_hub_keys(published.settings.hub_keys_path).public_bytes().hex()
    )


def test_a_failing_postgresql_restore_leaves_the_target_as_it_was(
    another_fresh_database: Any, tmp_path: Path
) -> None:
    """The hub's tables are dropped and the dump replayed in one transaction: when the dump
    cannot be replayed (here an extension only a superuser may create, restored by the
    hub's unprivileged role), the target keeps what it had."""
    if another_fresh_database.kind != "postgresql":
        pytest.skip("PostgreSQL only: run with --db=postgresql")
    import subprocess

    import psycopg

    cluster = another_fresh_database.cluster
    name = f"r_{uuid.uuid4().hex[:8]}"
    admin = f"host=127.0.0.1 port={cluster.port} user=postgres"
    dump = tmp_path / "needs-superuser.pgdump"
    try:
        with psycopg.connect(f"{admin} dbname=postgres", autocommit=True) as conn:
            conn.execute(f'CREATE ROLE "{name}" LOGIN')
            conn.execute(f'CREATE DATABASE "{name}_src"')
            conn.execute(f'CREATE DATABASE "{name}" OWNER "{name}"')
        with psycopg.connect(f"{admin} dbname={name}_src", autocommit=True) as conn:
            conn.execute("CREATE EXTENSION pg_stat_statements")
            conn.execute("CREATE TABLE organisations (id text)")
        subprocess.run(
            [
                str(cluster.bindir / "pg_dump"),
                "--format=custom",
                f"--file={dump}",
                f"--dbname={admin} dbname={name}_src",
            ],
            check=True,
            capture_output=True,
        )
        with psycopg.connect(f"{admin} user={name} dbname={name}", autocommit=True) as conn:
            conn.execute("CREATE TABLE organisations (id text)")
            conn.execute("INSERT INTO organisations VALUES ('kept')")

        url = f"postgresql+psycopg://{name}@127.0.0.1:{cluster.port}/{name}"
        with pytest.raises(dbs.DatabaseError, match=r"(?s)rolled back.*superuser"):
            dbs.restore_postgres(url, dump, dump_major=0, pg_bindir=cluster.bindir)
        with psycopg.connect(f"{admin} dbname={name}") as conn:
            assert conn.execute("SELECT id FROM organisations").fetchall() == [("kept",)]
    finally:
        with psycopg.connect(f"{admin} dbname=postgres", autocommit=True) as conn:
            for database in (name, f"{name}_src"):
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            conn.execute(f'DROP ROLE IF EXISTS "{name}"')


@pytest.mark.parametrize("depth", [100_000, 200])
def test_a_deeply_nested_manifest_is_refused_clearly(
    published: Published, archive: Path, another_fresh_database: Any, tmp_path: Path, depth: int
) -> None:
    """Was a RecursionError traceback, even with --json (json.loads, then the canonical
    form for the signature check, recurse as deep as the manifest nests)."""
    names = members_of(archive)
    manifest = json.loads(names["manifest.json"])
    if depth > 1000:  # deeper than json.loads can recurse
        nested = b'{"members": ' + b"[" * depth + b"]" * depth + b"}"
    else:  # parses, but deeper than any manifest of ours
        nested = json.dumps({**manifest, "note": json.loads("[" * depth + "]" * depth)}).encode()
    crafted = tmp_path / "nested.tar.gz"
    with tarfile.open(crafted, "w:gz") as tar:
        for name, data in names.items():
            data = nested if name == "manifest.json" else data
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    target_dir = tmp_path / "new-var"
    copy_hub_keys(published.settings, target_dir)
    error = refused_restore(crafted, another_fresh_database, target_dir)
    assert "not a valid manifest" in error
