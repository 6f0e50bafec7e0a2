"""What the operator's health page shows: the database and its migration, the scheduler (who
leads, this process's jobs), the outbox's backlog and failed deliveries, the blob store, the
hub's key files, the version. Each figure is one indexed count or a file check: the page is
cheap enough to reload during an incident.

It reads no report body, no key and no address: counts, times, paths and fingerprints."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import stat
import sys
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from alerts.models import AlertDelivery, AlertEvent, DeliveryStatus
from alerts.scheduler import LEADER_LOCK_KEY
from hub.actors import Actor, Permission
from hub.audit.service import hub_public
from hub.config import Settings
from hub.db import utcnow


@dataclass(frozen=True)
class Count:
    count: int
    oldest: dt.datetime | None = None


@dataclass(frozen=True)
class KeyFile:
    name: str
    present: bool
    # Readable by others than the hub's user: the hub refuses hub-keys so, and so should you.
    too_open: bool = False


@dataclass(frozen=True)
class Job:
    id: str
    last_run: dt.datetime | None
    last_ok: bool | None
    next_run: dt.datetime | None


@dataclass(frozen=True)
class Leader:
    pid: int
    since: dt.datetime | None
    address: str | None


@dataclass
class HealthReport:
    database_kind: str
    revision: str | None
    head: str
    # The scheduler in this process: "leading", "waiting" (another process leads), or "off".
    scheduler: str
    leader: Leader | None
    jobs: list[Job]
    events_unplanned: Count
    deliveries_due: Count
    deliveries_retrying: Count
    deliveries_failed: Count
    deliveries_failed_week: int
    leases: Count
    leases_expired: int
    lease_holders: list[tuple[str, int]]
    blob_dir: str
    blob_dir_exists: bool
    blob_dir_writable: bool
    disk_free: int | None
    key_files: list[KeyFile] = field(default_factory=list)
    hub_key_fingerprint: str = ""
    version: str = ""
    python: str = ""

    @property
    def at_head(self) -> bool:
        return self.revision == self.head

    @property
    def ok(self) -> bool:
        return (
            self.at_head
            and self.blob_dir_writable
            and all(k.present and not k.too_open for k in self.key_files)
            and self.leases_expired == 0
        )


@cache
def _migration_head() -> str:
    from alembic.script import ScriptDirectory

    from hub.migrations import alembic_config

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    return str(head)


def _version() -> str:
    try:
        return metadata.version("slt-hub")
    except metadata.PackageNotFoundError:
        return "unknown"


def _count(session: Session, column: Any, *where: Any) -> Count:
    row = session.execute(select(func.count(), func.min(column)).where(*where)).one()
    return Count(int(row[0]), row[1])


def _leader(session: Session) -> Leader | None:
    """The PostgreSQL session holding the scheduler's advisory lock (alerts.scheduler)."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    key = LEADER_LOCK_KEY
    row = session.execute(
        text(
            "SELECT a.pid, a.backend_start, host(a.client_addr) FROM pg_locks l "
            "JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted "
            "AND l.classid = :hi AND l.objid = :lo AND l.objsubid = 1"
        ),
        {"hi": key >> 32, "lo": key & 0xFFFF_FFFF},
    ).first()
    return None if row is None else Leader(int(row[0]), row[1], row[2])


def _key_file(path: Path, *, secret: bool = True) -> KeyFile:
    try:
        mode = path.stat().st_mode
    except OSError:
        return KeyFile(path.name, present=False)
    too_open = secret and bool(mode & (stat.S_IRWXG | stat.S_IRWXO))
    return KeyFile(path.name, present=True, too_open=too_open)


def health_report(
    session: Session, *, actor: Actor, settings: Settings, scheduler: Any = None
) -> HealthReport:
    """`scheduler`: this process's alerts.scheduler.SchedulerService, or None."""
    actor.require(Permission.OPERATE)
    from hub.alerting.wiring import ALERT_SECRET_FILE, SMIME_CERT_FILE, SMIME_KEY_FILE

    now = utcnow()
    revision = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    jobs: list[Job] = []
    state = "off"
    if scheduler is not None:
        state = "leading" if scheduler.leading else "waiting"
        runs = getattr(scheduler, "last_runs", {})
        for job_id, next_run in sorted(scheduler.next_runs().items()):
            last = runs.get(job_id)
            jobs.append(Job(job_id, last[0] if last else None, last[1] if last else None, next_run))
    claimed = AlertDelivery.status == DeliveryStatus.CLAIMED.value
    parked = AlertDelivery.status == DeliveryStatus.PARKED.value
    pending = AlertDelivery.status == DeliveryStatus.PENDING.value
    holders = session.execute(
        select(AlertDelivery.claimed_by, func.count())
        .where(claimed)
        .group_by(AlertDelivery.claimed_by)
        .order_by(func.count().desc())
        .limit(10)
    ).all()
    blobs = settings.data_dir / "blobs"
    try:
        free: int | None = shutil.disk_usage(blobs if blobs.exists() else settings.data_dir).free
    except OSError:
        free = None
    return HealthReport(
        database_kind=session.get_bind().dialect.name,
        revision=revision,
        head=_migration_head(),
        scheduler=state,
        leader=_leader(session),
        jobs=jobs,
        events_unplanned=_count(session, AlertEvent.created_at, AlertEvent.planned_at.is_(None)),
        deliveries_due=_count(session, AlertDelivery.due_at, pending, AlertDelivery.due_at <= now),
        deliveries_retrying=_count(
            session, AlertDelivery.due_at, pending, AlertDelivery.attempts > 0
        ),
        deliveries_failed=_count(session, AlertDelivery.last_attempt_at, parked),
        deliveries_failed_week=_count(
            session,
            AlertDelivery.last_attempt_at,
            parked,
            AlertDelivery.last_attempt_at >= now - dt.timedelta(days=7),
        ).count,
        leases=_count(session, AlertDelivery.lease_until, claimed),
        leases_expired=_count(
            session, AlertDelivery.lease_until, claimed, AlertDelivery.lease_until < now
        ).count,
        lease_holders=[(str(h or "?"), int(n)) for h, n in holders],
        blob_dir=str(blobs),
        blob_dir_exists=blobs.is_dir(),
        blob_dir_writable=os.access(blobs if blobs.is_dir() else settings.data_dir, os.W_OK),
        disk_free=free,
        key_files=[
            _key_file(settings.hub_keys_path),
            _key_file(settings.data_dir / SMIME_CERT_FILE, secret=False),
            _key_file(settings.data_dir / SMIME_KEY_FILE),
            _key_file(settings.data_dir / ALERT_SECRET_FILE),
        ],
        hub_key_fingerprint=hub_public(session).hex()[:16],
        version=_version(),
        python=sys.version.split()[0],
    )
