"""The end of a report: withdrawn by its originator or purged after its type's retention, the
envelope, the key wraps and the attachments' blobs are destroyed (shredded) in one
transaction with the audit entry; liaisons alerted of it hear that it was withdrawn.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from alerts.facts import AlertKind, MsgType
from alerts.outbox import enqueue
from hub.actors import CONSOLE, Actor, Permission
from hub.audit import service as audit
from hub.audit.models import AuditAction
from hub.consents.rules import close_requests_for
from hub.db import utcnow
from hub.errors import Forbidden
from hub.i18n import gettext as _
from hub.reports import attachments as files
from hub.reports import counting
from hub.reports.errors import report_not_found
from hub.reports.models import Attachment, Report, ReportWrap
from hub.reports.publishing import report_facts
from hub.reports.readers import active_wrap, holders, reader
from policies import Policy
from policies.vocabulary import Level, ReportType


def _shred(
    session: Session, report: Report, *, reason: str, now: dt.datetime, data_dir: Path
) -> int:
    """Crypto-shredding: every wrap and the ciphertext go; the header stays as a tombstone.
    It no longer counts in the figures; when it stood for an incident, the latest remaining
    stage does again (hub/reports/counting.py). Call it before the audit entry: the
    incident's lock comes before the audit head's."""
    incident = report.incident_key if report.type == counting.INCIDENT else None
    if incident is not None:
        counting.lock_incident(session, incident)
    if session.get_bind().dialect.name == "sqlite":
        # Overwrite freed pages instead of leaving the old bytes in the file.
        session.execute(text("PRAGMA secure_delete = ON"))
    wraps = list(session.scalars(select(ReportWrap).where(ReportWrap.report_id == report.id)))
    for wrap in wraps:
        wrap.wrap = None
        if wrap.removed_at is None:
            wrap.removed_at = now
            wrap.removed_reason = "withdrawn"
    report.envelope = None
    report.attestation = None
    report.withdrawn_at = now
    report.withdrawn_reason = reason
    report.counts = False
    for attachment in session.scalars(select(Attachment).where(Attachment.report_id == report.id)):
        attachment.removed_at = now
    close_requests_for(session, report.id)
    session.flush()
    if incident is not None:
        counting.elect(session, incident)
    files.remove_report_blobs(data_dir, report.id)
    return len(wraps)


def withdraw_report(
    session: Session,
    *,
    actor: Actor,
    report_id: str,
    data_dir: Path,
    now: dt.datetime | None = None,
) -> None:
    who = reader(actor, need_keys=False)
    report = session.get(Report, report_id)
    if report is None or active_wrap(session, report_id, who.organisation.id) is None:
        raise report_not_found()
    if report.originator_id != who.organisation.id:
        raise Forbidden(_("Only the organisation that published a report can withdraw it."))
    actor.require(Permission.REPORT_SHARE)
    if report.withdrawn:
        return
    now = now or utcnow()
    recipients = sorted(holders(session, report.id))
    count = _shred(session, report, reason="withdrawn", now=now, data_dir=data_dir)
    # Liaisons alerted of the report hear it was withdrawn; pending escalations stop.
    enqueue(
        session,
        kind=AlertKind.REPORT_PUBLISHED,
        source=f"report:{report.id}",
        version=2,
        facts=report_facts(session, report),
        organisations=recipients,
        areas=[report.area_code],
        msg_type=MsgType.CANCEL,
        supersedes=f"report:{report.id}",
    )
    audit.record_by(
        session,
        action=AuditAction.REPORT_WITHDRAW,
        actor=actor,
        target=report.id,
        details={"wraps_destroyed": count, "digest": report.digest},
    )
    session.commit()


def purge_expired(
    session: Session, *, now: dt.datetime, policy: Policy, data_dir: Path, actor: Actor = CONSOLE
) -> list[str]:
    """Shred every report older than its type's retention at the level it was published
    under (the policy file). The scheduler runs it; `now` is an argument for the tests."""
    purged: list[tuple[Report, int]] = []
    candidates = session.scalars(
        select(Report).where(Report.withdrawn_at.is_(None)).order_by(Report.created_at)
    )
    for report in list(candidates):
        try:
            keep = policy.at(Level(report.level)).retention[ReportType(report.type)]
        except (ValueError, KeyError):
            continue
        if report.created_at + keep > now:
            continue
        _shred(session, report, reason="retention", now=now, data_dir=data_dir)
        purged.append((report, keep.days))
    # The audit entries after every shred: once the audit head is locked, taking an
    # incident's lock could wait on a publication that waits on the head.
    for report, days in purged:
        audit.record_by(
            session,
            action=AuditAction.REPORT_PURGE,
            actor=actor,
            target=report.id,
            details={"retention_days": days, "digest": report.digest},
        )
    session.commit()
    return [report.id for report, _days in purged]
