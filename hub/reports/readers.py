"""Who is reading: a logged-in member of an approved organisation, and the reports their
organisation holds a live key wrap of (the one 404 for any other, 410 once withdrawn)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from crypto import OrganisationKeys
from hub.actors import Actor
from hub.errors import Forbidden, Unauthorized
from hub.i18n import gettext as _
from hub.members.models import Member
from hub.members.service import organisation_keys_for
from hub.organisations.models import Organisation, OrganisationStatus
from hub.reports.errors import report_not_found, withdrawn, withdrawn_conflict
from hub.reports.models import Report, ReportWrap


@dataclass(frozen=True)
class Reader:
    member: Member
    organisation: Organisation
    actor: Actor

    def keys(self, session: Session) -> OrganisationKeys:
        assert self.actor.member_keys is not None  # noqa: S101 (checked in reader())
        return organisation_keys_for(session, member=self.member, keys=self.actor.member_keys)


def reader(actor: Actor, *, need_keys: bool = True) -> Reader:
    """A logged-in member of an approved organisation. The checks come before any lookup
    of a report, so their answers say nothing about which reports exist."""
    member = actor.member
    if member is None or (need_keys and actor.member_keys is None):
        raise Unauthorized(_("Log in first."))
    organisation = member.organisation
    if organisation.status != OrganisationStatus.APPROVED:
        raise Forbidden(
            _("Your organisation is %(status)s: it cannot publish or read reports.")
            % {"status": organisation.status}
        )
    return Reader(member=member, organisation=organisation, actor=actor)


def held_by(organisation_id: str) -> ColumnElement[bool]:
    """The key wraps that are "the reports my organisation holds": its own that were not
    revoked. A report withdrawn since stays held (lists show it as withdrawn; what must not
    open it checks `Report.withdrawn_at`). The one rule for every list, lookup and export;
    `active_wrap` says the same of one row."""
    return and_(
        ReportWrap.organisation_id == organisation_id,
        or_(ReportWrap.removed_reason.is_(None), ReportWrap.removed_reason != "revoked"),
    )


def active_wrap(session: Session, report_id: str, organisation_id: str) -> ReportWrap | None:
    wrap = session.get(ReportWrap, (report_id, organisation_id))
    if wrap is None or wrap.removed_reason == "revoked":
        return None
    return wrap


def holders(session: Session, report_id: str) -> frozenset[str]:
    """Organisations holding a live wrap now (what policies call the recipients)."""
    rows = session.scalars(
        select(ReportWrap.organisation_id)
        .where(ReportWrap.report_id == report_id)
        .where(ReportWrap.removed_at.is_(None))
    )
    return frozenset(rows)


def revoked_from(session: Session, report_id: str) -> frozenset[str]:
    """Organisations the originator took the report away from (and has not given back)."""
    rows = session.scalars(
        select(ReportWrap.organisation_id)
        .where(ReportWrap.report_id == report_id)
        .where(ReportWrap.removed_at.is_not(None))
        .where(ReportWrap.removed_reason == "revoked")
    )
    return frozenset(rows)


def readable_report(
    session: Session, who: Reader, report_id: str, *, to_act: bool = False
) -> Report:
    """The report if `who`'s organisation was given it; the one 404 otherwise; 410 once the
    originator withdrew it (only to those who were given it)."""
    report = session.get(Report, report_id)
    if report is None or active_wrap(session, report_id, who.organisation.id) is None:
        raise report_not_found()
    if report.withdrawn:
        raise withdrawn_conflict() if to_act else withdrawn()
    return report
