"""Back up a running hub into one archive; restore one into an empty hub.

The archive holds the database snapshot, the sealed attachments (`<data dir>/blobs`) and a
manifest signed with the hub's key. The hub's own keys and secrets (hub-keys, the S/MIME
identity, the alert secret) stay out unless asked for: whoever holds them can sign as the
hub — re-sign a rewritten audit chain, send alerts that verify — so they must not travel
with every nightly copy. A restore needs hub-keys in the data directory (or in the archive)
to check the manifest and the audit chain.

A restore checks everything it can before it writes anything: the archive (every member
against the manifest), the manifest's signature with the hub keys it will use, the kind of
database, that this hub knows the backup's migration, that the target holds no
organisations (unless `force`) and that no different hub keys would be overwritten.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import IO, Any

from sqlalchemy.exc import SQLAlchemyError

from crypto import BadSignature, CryptoError, HubKeys, verify_attestation
from hub.actors import CONSOLE
from hub.audit.models import AuditAction
from hub.audit.service import Verification
from hub.backup import archive as arc
from hub.backup import databases as dbs
from hub.config import HUB_KEYS_FILE, Settings
from hub.errors import HubError
from hub.keystore import load_hub_keys

# The hub's own secrets in the data directory, and the public certificate that goes with
# the S/MIME key (restoring one without the other leaves alerts unsigned).
KEY_FILES = (HUB_KEYS_FILE, "smime-key.pem", "smime-cert.pem", "alerts-secret")
DATABASE_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
BLOBS = "blobs"


class BackupRefused(HubError):
    """Nothing was written; the message says why and what to do."""


class RestoreIncomplete(HubError):
    """Something was written before the restore failed; the message says how to finish."""


def _hub_version() -> str:
    try:
        return metadata.version("slt-hub")
    except metadata.PackageNotFoundError:
        return "unknown"


def _kind(url: str) -> str:
    kind = dbs.kind_of(url)
    if kind not in DATABASE_MEMBER:
        raise BackupRefused(f"{dbs.display_url(url)}: only SQLite and PostgreSQL are supported")
    return kind


def _signed_statement(manifest: dict[str, Any]) -> dict[str, Any]:
    body = {k: v for k, v in manifest.items() if k != "signature"}
    return {"purpose": "slthub-backup-manifest", "manifest": body}


def _record(
    settings: Settings, keys: HubKeys, action: AuditAction, details: dict[str, Any]
) -> None:
    from hub.audit import service as audit
    from hub.db import make_engine, make_session_factory

    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine, signer=keys)() as session:
            audit.record(session, action=action, actor=CONSOLE.label, details=details)
            session.commit()
    finally:
        engine.dispose()


# --- backup ------------------------------------------------------------------------------


@dataclass
class BackupResult:
    file: Path
    size: int
    sha256: str
    created_at: dt.datetime
    kind: str
    revision: str | None
    counts: dict[str, int]
    hub_keys_included: bool
    key_files: list[str]
    left_out: list[str]
    seconds: float
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": str(self.file),
            "size": self.size,
            "sha256": self.sha256,
            "created_at": self.created_at.isoformat(),
            "database": {"kind": self.kind, "alembic_revision": self.revision},
            "counts": self.counts,
            "hub_keys_included": self.hub_keys_included,
            "key_files": self.key_files,
            "left_out": self.left_out,
            "seconds": round(self.seconds, 3),
            "warnings": self.warnings,
        }


def _blob_files(data_dir: Path) -> Iterator[tuple[str, Path]]:
    """Finished blobs only: `.<id>.part` files are attachments still being sealed."""
    root = data_dir / BLOBS
    if not root.is_dir():
        return
    for report in sorted(root.iterdir()):
        if report.name.startswith(".") or not report.is_dir():
            continue
        for blob in sorted(report.iterdir()):
            if not blob.name.startswith(".") and blob.is_file():
                yield f"{BLOBS}/{report.name}/{blob.name}", blob


def create_backup(
    settings: Settings, *, destination: Path, include_hub_keys: bool = False
) -> BackupResult:
    started = time.monotonic()
    created_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    kind = _kind(settings.database_url)
    if destination.exists():
        raise BackupRefused(f"{destination} already exists: choose another name")
    if not destination.parent.is_dir():
        raise BackupRefused(f"the directory {destination.parent} does not exist")
    try:
        keys = load_hub_keys(settings.hub_keys_path)
    except FileNotFoundError:
        raise BackupRefused(
            f"no hub keys at {settings.hub_keys_path}: run `slthub init` first"
        ) from None
    except (PermissionError, CryptoError) as exc:
        raise BackupRefused(str(exc)) from exc

    # The snapshot is written beside the archive, where there is room for the archive.
    workdir = Path(tempfile.mkdtemp(prefix=".slthub-backup-", dir=destination.parent))
    writer: arc.ArchiveWriter | None = None
    try:
        snapshot = workdir / DATABASE_MEMBER[kind]
        if kind == "sqlite":
            facts = dbs.snapshot_sqlite(dbs.sqlite_file(settings.database_url), snapshot)
        else:
            facts = dbs.dump_postgres(settings.database_url, snapshot, pg_bindir=settings.pg_bindir)
        writer = arc.ArchiveWriter(destination, created_at=created_at)
        writer.add_file(DATABASE_MEMBER[kind], snapshot)
        snapshot.unlink()
        key_files: list[str] = []
        if include_hub_keys:
            for name in KEY_FILES:
                path = settings.data_dir / name
                if path.is_file():
                    writer.add_bytes(f"keys/{name}", path.read_bytes())
                    key_files.append(name)
        # After the database: every attachment the snapshot refers to was sealed to disk
        # before its report committed, so it is here. One shredded in between is skipped.
        attachments = sum(
            writer.add_file(name, path) for name, path in _blob_files(settings.data_dir)
        )
        counts = {**facts.counts, "attachments": attachments}
        manifest: dict[str, Any] = {
            "format": arc.FORMAT,
            "format_version": arc.FORMAT_VERSION,
            "created_at": created_at.isoformat(),
            "hub_version": _hub_version(),
            "alembic_revision": facts.revision,
            "database": {"kind": kind, "member": DATABASE_MEMBER[kind], **facts.details},
            "counts": counts,
            "hub_keys_included": bool(key_files),
            "key_files": key_files,
            "hub_public_key": keys.public_bytes().hex(),
            "members": {name: m.as_dict() for name, m in sorted(writer.members.items())},
        }
        manifest["signature"] = keys.attest(_signed_statement(manifest)).hex()
        writer.finish(manifest)
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    digest = arc.sha256_of(destination)
    result = BackupResult(
        file=destination,
        size=destination.stat().st_size,
        sha256=digest,
        created_at=created_at,
        kind=kind,
        revision=facts.revision,
        counts=counts,
        hub_keys_included=bool(key_files),
        key_files=key_files,
        left_out=[n for n in KEY_FILES if n not in key_files and (settings.data_dir / n).exists()],
        seconds=time.monotonic() - started,
    )
    try:
        # A copy of everything left the hub: who made it, when, and which file, in the chain.
        _record(
            settings,
            keys,
            AuditAction.HUB_BACKUP,
            {"file": destination.name, "sha256": digest, "hub_keys_included": bool(key_files)},
        )
    except SQLAlchemyError as exc:
        result.warnings.append(
            f"the backup is complete but could not be recorded in the audit log: {exc}"
        )
    return result


# --- restore -----------------------------------------------------------------------------


@dataclass
class RestoreResult:
    file: Path
    kind: str
    backup_created_at: str
    backup_hub_version: str
    restored_revision: str | None
    revision: str | None
    counts: dict[str, int]
    hub_keys: str
    created_files: list[str]
    audit: Verification
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": str(self.file),
            "database": {
                "kind": self.kind,
                "restored_revision": self.restored_revision,
                "alembic_revision": self.revision,
            },
            "backup": {
                "created_at": self.backup_created_at,
                "hub_version": self.backup_hub_version,
            },
            "counts": self.counts,
            "hub_keys": self.hub_keys,
            "created_files": self.created_files,
            "audit": self.audit.as_dict(),
            "seconds": round(self.seconds, 3),
        }


@dataclass
class _KeyPlan:
    public: bytes
    write: dict[str, bytes]
    state: str


def _plan_keys(settings: Settings, archived: dict[str, bytes], *, force: bool) -> _KeyPlan:
    """Which key files to write, and the hub public key that must have signed the backup."""
    data_dir = settings.data_dir
    write: dict[str, bytes] = {}
    for name, data in archived.items():
        path = data_dir / name
        if not path.exists():
            write[name] = data
        elif path.read_bytes() != data:
            if not force:
                raise BackupRefused(
                    f"{path} differs from the {name} in the archive and would be overwritten: "
                    "give --force to replace it (the current one is kept beside it)"
                )
            write[name] = data
    if HUB_KEYS_FILE in archived:
        try:
            keys = HubKeys.from_bytes(archived[HUB_KEYS_FILE])
        except CryptoError as exc:
            raise BackupRefused(f"the archive's hub-keys cannot be read: {exc}") from exc
        state = "restored from the archive" if HUB_KEYS_FILE in write else "kept (identical)"
        return _KeyPlan(keys.public_bytes(), write, state)
    try:
        keys = load_hub_keys(settings.hub_keys_path)
    except FileNotFoundError:
        raise BackupRefused(
            f"no hub keys at {settings.hub_keys_path}, and this backup holds none (as it "
            "should). Copy the hub-keys you keep apart from the backups there "
            f"(chmod 600), then run the restore again."
        ) from None
    except (PermissionError, CryptoError) as exc:
        raise BackupRefused(str(exc)) from exc
    return _KeyPlan(keys.public_bytes(), write, "kept (already in the data directory)")


def _check_manifest(path: Path, manifest: dict[str, Any], *, public: bytes, url: str) -> str:
    """The manifest's signature, version, database kind and revision. Returns the kind."""
    from alembic.script import ScriptDirectory
    from alembic.util.exc import CommandError

    from hub.migrations import alembic_config

    if manifest.get("hub_public_key") != public.hex():
        raise BackupRefused(
            f"{path} was made by a hub whose public key is {manifest.get('hub_public_key')}, "
            f"but the hub keys here have {public.hex()}: put that hub's hub-keys in the data "
            "directory"
        )
    try:
        verify_attestation(
            _signed_statement(manifest), bytes.fromhex(str(manifest.get("signature"))), public
        )
    except (BadSignature, ValueError):
        raise BackupRefused(
            f"{path}: the manifest's signature does not verify: it was altered after the "
            "backup was made"
        ) from None
    if int(manifest.get("format_version", 0)) > arc.FORMAT_VERSION:
        raise BackupRefused(
            f"{path} has backup format {manifest['format_version']}; this hub reads up to "
            f"{arc.FORMAT_VERSION}: restore with the hub version that made it "
            f"({manifest.get('hub_version')})"
        )
    kind = str(manifest["database"]["kind"])
    target = _kind(url)
    if kind != target:
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise BackupRefused(
            f"{path} is a {names.get(kind, kind)} backup and {dbs.display_url(url)} is "
            f"{names[target]}: a backup restores into the same kind of database. To move, "
            f"restore into {names.get(kind, kind)}, then copy the data across with a tool "
            "made for it."
        )
    revision = manifest.get("alembic_revision")
    if revision:
        try:
            ScriptDirectory.from_config(alembic_config(url)).get_revision(str(revision))
        except CommandError:
            raise BackupRefused(
                f"{path} comes from a newer hub (database revision {revision}, hub "
                f"{manifest.get('hub_version')}): upgrade this hub first"
            ) from None
    return kind


def _organisations(url: str, kind: str) -> int | None:
    if kind == "sqlite":
        return dbs.sqlite_organisations(dbs.sqlite_file(url))
    return dbs.postgres_organisations(url)


@contextmanager
def _staging(parent: Path, prefix: str) -> Iterator[Path]:
    parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _private_file(path: Path) -> IO[bytes]:
    # Ciphertext, but headers and wraps too: readable by the service account only.
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


def _write_key_files(data_dir: Path, files: dict[str, bytes]) -> None:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    data_dir.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        path = data_dir / name
        if path.exists():
            # --force: the replaced file is kept, in case it was the one that mattered.
            os.replace(path, data_dir / f"{name}.before-restore-{stamp}")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fp:
            fp.write(data)
            fp.flush()
            os.fsync(fp.fileno())


def _swap_blobs(data_dir: Path, staged: Path) -> None:
    """The restored blobs replace the folder whole: the database they belong to is the
    restored one, so older sealed files would only be orphans."""
    live = data_dir / BLOBS
    old = data_dir / f".{BLOBS}.old-{uuid.uuid4().hex[:8]}"
    if live.exists():
        os.replace(live, old)
    os.replace(staged, live)
    shutil.rmtree(old, ignore_errors=True)


def restore_backup(settings: Settings, *, archive: Path, force: bool = False) -> RestoreResult:
    started = time.monotonic()
    url = settings.database_url
    _kind(url)
    inspected = arc.inspect(archive)
    manifest = inspected.manifest
    plan = _plan_keys(settings, inspected.keys, force=force)
    kind = _check_manifest(archive, manifest, public=plan.public, url=url)
    existing = _organisations(url, kind)
    if existing and not force:
        raise BackupRefused(
            f"{dbs.display_url(url)} already holds {existing} organisation(s): restore into an "
            "empty database, or give --force to replace everything in it"
        )
    database_member = DATABASE_MEMBER[kind]
    if kind == "postgresql":
        # Found now, so that a missing tool stops the restore before anything is written.
        dump_major = int(manifest["database"].get("pg_dump_major", 0))
        for tool in ("pg_restore", "psql"):
            dbs.find_tool(tool, at_least=dump_major, pg_bindir=settings.pg_bindir)

    data_dir = settings.data_dir
    target = dbs.sqlite_file(url) if kind == "sqlite" else None
    # SQLite: staged beside the target, so the swap is a rename. PostgreSQL: the dump goes
    # to the temporary directory (TMPDIR), pg_restore reads it from there.
    db_stage_parent = target.parent if target is not None else Path(tempfile.gettempdir())
    with (
        _staging(db_stage_parent, ".slthub-restore-") as db_stage,
        _staging(data_dir, ".slthub-restore-") as blob_stage,
    ):
        staged_db = db_stage / database_member
        staged_blobs = blob_stage / BLOBS
        staged_blobs.mkdir(mode=0o700)

        def open_sink(name: str) -> IO[bytes] | None:
            if name == database_member:
                return _private_file(staged_db)
            if name.startswith(f"{BLOBS}/"):
                dest = blob_stage / name
                dest.parent.mkdir(mode=0o700, exist_ok=True)
                return _private_file(dest)
            return None  # keys/ were read in the first pass

        arc.extract(archive, members=inspected.members, open_sink=open_sink)
        if target is None:
            # One transaction: on failure the database is as it was, nothing else written.
            dbs.restore_postgres(
                url, staged_db, dump_major=dump_major, pg_bindir=settings.pg_bindir
            )
        try:
            if target is not None:
                dbs.put_sqlite_in_place(staged_db, target)
            _write_key_files(data_dir, plan.write)
            _swap_blobs(data_dir, staged_blobs)
        except OSError as exc:
            raise RestoreIncomplete(
                f"the restore stopped half-way ({exc}): fix that and run it again with --force"
            ) from exc

    return _after_restore(settings, archive, manifest, plan, kind, started)


def _after_restore(
    settings: Settings,
    archive: Path,
    manifest: dict[str, Any],
    plan: _KeyPlan,
    kind: str,
    started: float,
) -> RestoreResult:
    """Migrate an older backup to this hub's head, create the alert files a backup without
    keys lacks, and check the audit chain with the hub keys now in place."""
    from alembic.script import ScriptDirectory

    from hub.alerting.wiring import ensure_alert_files
    from hub.audit import service as audit
    from hub.db import make_engine, make_session_factory
    from hub.migrations import alembic_config, upgrade

    url = settings.database_url
    upgrade(url)
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    alert_files = ensure_alert_files(settings)
    created = []
    if alert_files["alert_secret_created"]:
        created.append("alerts-secret")
    if alert_files["smime_identity_created"]:
        created.append("a self-signed S/MIME identity (smime-key.pem, smime-cert.pem)")
    keys = load_hub_keys(settings.hub_keys_path)
    engine = make_engine(url)
    try:
        with make_session_factory(engine, signer=keys)() as session:
            verification = audit.verify(session, hub_public=keys.public_bytes())
            if verification.ok:
                audit.record(
                    session,
                    action=AuditAction.HUB_RESTORE,
                    actor=CONSOLE.label,
                    details={
                        "file": archive.name,
                        "backup_created_at": manifest.get("created_at"),
                        "restored_revision": manifest.get("alembic_revision"),
                    },
                )
                session.commit()
    finally:
        engine.dispose()
    return RestoreResult(
        file=archive,
        kind=kind,
        backup_created_at=str(manifest.get("created_at")),
        backup_hub_version=str(manifest.get("hub_version")),
        restored_revision=manifest.get("alembic_revision"),
        revision=head,
        counts=dict(manifest.get("counts", {})),
        hub_keys=plan.state,
        created_files=created,
        audit=verification,
        seconds=time.monotonic() - started,
    )
