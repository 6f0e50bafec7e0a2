"""The pending-reseal queue: approved shares wait until a member of an organisation holding
the report is online (a member's keys exist only in their request), then are sealed to the
requester with that member's keys, in the caller's transaction (flushes; never commits)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from crypto import CryptoError, OrganisationPublicKeys, reseal_for
from hub.actors import Actor
from hub.audit import service as audit
from hub.audit.models import AuditAction
from hub.consents.models import ShareRequest, ShareStatus
from hub.db import utcnow
from hub.errors import Conflict, Forbidden
from hub.members.service import organisation_keys_for
from hub.organisations.models import Organisation, OrganisationStatus
from hub.reports.header import sealed_of, signed_header
from hub.reports.models import Report, ReportWrap


@dataclass(frozen=True)
class _Work:
    request: ShareRequest
    report: Report
    holder_wrap: bytes


def pending_exists(session: Session, *, actor: Actor) -> bool:
    """Whether complete_pending may find work for this actor: one indexed look, a read."""
    member = actor.member
    if member is None or actor.member_keys is None:
        return False
    if member.organisation.status != OrganisationStatus.APPROVED:
        return False
    waiting = session.scalar(
        select(ShareRequest.id)
        .where(ShareRequest.status == ShareStatus.APPROVED)
        .where(ShareRequest.sealed_at.is_(None))
        .limit(1)
    )
    return waiting is not None


def complete_pending(session: Session, *, actor: Actor, only: str | None = None) -> int:
    """Seal approved shares that wait for a holder, with this member's keys if their
    organisation holds the report. Flushes; the caller commits. Returns how many."""
    member = actor.member
    if member is None or actor.member_keys is None:
        return 0
    org = member.organisation
    if org.status != OrganisationStatus.APPROVED:
        return 0
    # Almost always empty: a cheap look before the join.
    waiting = session.scalar(
        select(ShareRequest.id)
        .where(ShareRequest.status == ShareStatus.APPROVED)
        .where(ShareRequest.sealed_at.is_(None))
        .limit(1)
    )
    if waiting is None:
        return 0
    stmt = (
        select(ShareRequest, Report, ReportWrap.wrap)
        .join(Report, Report.id == ShareRequest.report_id)
        .join(ReportWrap, ReportWrap.report_id == Report.id)
        .where(ShareRequest.status == ShareStatus.APPROVED)
        .where(ShareRequest.sealed_at.is_(None))
        .where(Report.withdrawn_at.is_(None))
        .where(ReportWrap.organisation_id == org.id)
        .where(ReportWrap.removed_at.is_(None))
        .where(ReportWrap.wrap.is_not(None))
    )
    if only is not None:
        stmt = stmt.where(ShareRequest.id == only)
    # Two holders online at once must not both seal the same share: the first one locks it,
    # the other skips it (PostgreSQL; SQLite serialises writers anyway).
    stmt = stmt.with_for_update(of=ShareRequest, skip_locked=True)
    work = [_Work(r, rep, w) for r, rep, w in session.execute(stmt).all() if w is not None]
    if not work:
        return 0
    try:
        org_keys = organisation_keys_for(session, member=member, keys=actor.member_keys)
    except (Forbidden, Conflict):
        return 0  # this member holds no usable grant; another holder will do it
    done = 0
    for item in work:
        target = session.get(Organisation, item.request.target_id)
        if (
            target is None
            or target.public_keys is None
            or target.status != OrganisationStatus.APPROVED
        ):
            continue
        report = item.report
        try:
            sealed = sealed_of(report, {org.id: item.holder_wrap})
            new_wrap = reseal_for(
                sealed,
                signed_header(report),
                holder_id=org.id,
                holder=org_keys,
                new_public=OrganisationPublicKeys.from_bytes(target.public_keys),
            )
        except CryptoError:
            # This holder's wrap or the envelope is damaged: leave it for another holder.
            continue
        existing = session.get(ReportWrap, (report.id, target.id))
        allowed = (item.request.allowed_by or "consent").split(":")[0]
        if existing is None:
            session.add(
                ReportWrap(
                    report_id=report.id,
                    organisation_id=target.id,
                    wrap=new_wrap,
                    granted_by=allowed,
                    granted_by_member_id=member.id,
                    listed_at=report.created_at,
                )
            )
        else:
            # A recipient revoked earlier and given the report again.
            existing.wrap = new_wrap
            existing.granted_by = allowed
            existing.granted_by_member_id = member.id
            existing.removed_at = None
            existing.removed_reason = None
            existing.added_at = utcnow()
        item.request.sealed_at = utcnow()
        item.request.sealed_by_id = member.id
        audit.record_by(
            session,
            action=AuditAction.SHARE_SEAL,
            actor=actor,
            target=item.request.id,
            details={
                "report": report.id,
                "to": target.id,
                "sealed_by_organisation": org.id,
                "allowed_by": item.request.allowed_by,
            },
        )
        done += 1
    session.flush()
    return done
