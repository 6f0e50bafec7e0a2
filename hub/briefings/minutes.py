"""The minutes of a briefing: a sealed report of type `meeting_minutes`, published by a member
of the organisation that writes them, through the usual publication path, to the
organisations that said they attend. Keys, not an `if`, keep everyone else out: the data key
is sealed to those organisations only (and to any holder the originator's own standing
consents name, as for every report)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.actors import Actor
from hub.audit import service as audit
from hub.audit.models import AuditAction
from hub.briefings.models import Answer, BriefingInvitation, BriefingStatus
from hub.briefings.service import get_briefing
from hub.briefings.views import local_start
from hub.errors import Conflict, Forbidden, InvalidInput
from hub.i18n import gettext as _
from hub.members.models import Role
from hub.organisations.models import Organisation, OrganisationStatus
from hub.reports import service as reports
from hub.reports.models import Report
from hub.reports.schemas import ReportCreate
from policies import Policy


def attending_organisations(session: Session, briefing_id: str) -> list[str]:
    """The organisations that said yes and are still approved partners: one suspended since
    receives nothing new, the minutes included."""
    return sorted(
        set(
            session.scalars(
                select(BriefingInvitation.organisation_id)
                .join(Organisation, Organisation.id == BriefingInvitation.organisation_id)
                .where(
                    BriefingInvitation.briefing_id == briefing_id,
                    BriefingInvitation.answer == Answer.YES,
                    Organisation.status == OrganisationStatus.APPROVED,
                )
            )
        )
    )


def publish_minutes(
    session: Session,
    *,
    actor: Actor,
    briefing_id: str,
    text: str,
    decisions: str,
    policy: Policy,
    data_dir: Path,
    now: dt.datetime,
) -> str:
    """Returns the report's id. Publishing twice gives the first report (the idempotency
    key is the briefing's); the report is committed by the publication, then the briefing
    records it."""
    member = actor.member
    briefing = get_briefing(session, briefing_id)
    attending = attending_organisations(session, briefing.id)
    # A coordinator, or a focal point of an organisation that attended: who was there.
    may = member is not None and (
        member.has_role(Role.COORDINATOR)
        or (member.has_role(Role.FOCAL_POINT) and member.organisation_id in attending)
    )
    if not may:
        raise Forbidden(
            _("Only coordinators and the focal points of those who attend publish the minutes.")
        )
    if briefing.status is BriefingStatus.CANCELLED:
        raise Conflict(_("This briefing was cancelled."))
    # One set of minutes per briefing. The publication is idempotent per member (a retry
    # gives the first report); anyone else would publish a second report and move the
    # briefing's link to it.
    if briefing.minutes_report_id is not None and member is not None:
        author = session.scalar(
            select(Report.created_by_id).where(Report.id == briefing.minutes_report_id)
        )
        if author != member.id:
            raise Conflict(_("The minutes of this briefing are already published."))
    text, decisions = text.strip(), decisions.strip()
    if not text:
        raise InvalidInput(_("Write the minutes."), field="text")
    if not attending:
        raise Conflict(_("Nobody said they attend: there is nobody to send the minutes to."))
    title = _("Briefing %(area)s, %(when)s") % {
        "area": briefing.area_code,
        "when": local_start(briefing),
    }
    report_in = ReportCreate.model_validate(
        {
            "type": "meeting_minutes",
            "area": briefing.area_code,
            "severity": "minor",
            "occurred_at": min(briefing.starts_at, now),
            "tlp": "amber+strict",
            "audience": {"organisations": attending},
            "body": {
                "kind": "meeting_minutes",
                "title": title[:500],
                "narrative": text,
                "measures": decisions or None,
            },
        }
    )
    published = reports.submit_report(
        session,
        actor=actor,
        report_in=report_in,
        policy=policy,
        data_dir=data_dir,
        idempotency_key=f"briefing-minutes:{briefing.id}",
        now=now,
    )
    report_id = published.report.id
    briefing = get_briefing(session, briefing_id)
    if briefing.minutes_report_id != report_id:
        briefing.minutes_report_id = report_id
        audit.record(
            session,
            action=AuditAction.BRIEFING_MINUTES,
            actor=actor.label,
            actor_id=actor.id,
            target=f"briefing:{briefing.id}",
            details={"report": report_id, "organisations": attending},
        )
        session.commit()
    return report_id
