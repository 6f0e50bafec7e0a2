"""Passing a report on: share requests, the originator's answer, standing consents, and the
queue of approved shares that wait for a key holder.

Only a holder of a report's wrap can seal its data key to another organisation, and the hub
holds none: every new wrap is made in the session of a logged-in member whose organisation
already holds the report. The policy engine decides *whether* (`policies.may_share`); the
audit names the person or the rule that allowed each share.

This module keeps share requests (asked, approved, denied, revoked) and what their pages show.
Standing consents are consents/standing.py, the explanation of a decision consents/explain.py,
the facts publication needs consents/rules.py and the queue consents/queue.py; their names are
re-exported here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

import policies
from alerts.facts import AlertKind, ShareFacts
from alerts.outbox import ShareNotice, enqueue_share
from hub.actors import Actor, Permission
from hub.audit import service as audit
from hub.audit.models import AuditAction
from hub.consents.explain import explain_access as explain_access
from hub.consents.explain import explain_for_console as explain_for_console
from hub.consents.models import ShareRequest, ShareStatus
from hub.consents.queue import complete_pending
from hub.consents.rules import rule_facts
from hub.consents.schemas import ShareRequestCreate, ShareRequestRead
from hub.consents.standing import StandingConsentView as StandingConsentView
from hub.consents.standing import create_standing_consent as create_standing_consent
from hub.consents.standing import list_standing_consents as list_standing_consents
from hub.consents.standing import remove_standing_consent as remove_standing_consent
from hub.consents.standing import standing_consent_views as standing_consent_views
from hub.db import utcnow
from hub.errors import Conflict, Forbidden, InvalidInput, NotFound
from hub.i18n import gettext as _
from hub.organisations.models import Organisation, OrganisationStatus
from hub.reports import service as reports
from hub.reports.context import PolicyContext, load_context
from hub.reports.errors import withdrawn
from hub.reports.models import Report
from hub.reports.schemas import HeaderRead
from policies import Policy
from policies.vocabulary import Level

# The reason codes that let a holder pass a report on without asking the originator.
_AUTOMATIC = {
    policies.ReasonCode.ORIGINATOR_SHARES: "originator",
    policies.ReasonCode.GREEN_COMMUNITY: "green",
    policies.ReasonCode.CLEAR_ANYONE: "clear",
    policies.ReasonCode.STANDING_CONSENT: "standing_consent",
    policies.ReasonCode.CONSENT_GIVEN: "consent",
}


# --- share requests --------------------------------------------------------------------------


def _allowed_by_for(allowed_by: str | None, *, viewer: str, originator: str | None) -> str | None:
    """What allowed a share, as the viewer may know it. The originator sees which person or
    rule it was; anyone else sees only the kind ("originator", "standing_consent", "green"…):
    a member id or a rule id would link an anonymous report to its author's other reports."""
    if allowed_by is None or viewer == originator:
        return allowed_by
    kind = allowed_by.split(":", 1)[0]
    return "originator" if kind == "person" else kind


def _read(request: ShareRequest, *, viewer: str, originator: str | None) -> ShareRequestRead:
    if request.status is ShareStatus.APPROVED and request.sealed_at is None:
        message = _("Approved; it will be readable when a holder is next online.")
    elif request.status is ShareStatus.APPROVED:
        message = _("Approved; the organisation can read the report now.")
    elif request.status is ShareStatus.PENDING:
        message = _("Waiting for the originator's answer.")
    elif request.status is ShareStatus.DENIED:
        message = _("The originator did not consent.")
    else:
        message = _("The originator revoked this organisation's access.")
    return ShareRequestRead(
        id=request.id,
        report_id=request.report_id,
        from_organisation=request.requester_id,
        to_organisation=request.target_id,
        reason=request.reason,
        status=request.status,
        allowed_by=_allowed_by_for(request.allowed_by, viewer=viewer, originator=originator),
        readable=request.status is ShareStatus.APPROVED and request.sealed_at is not None,
        message=message,
        direction="incoming" if viewer == originator else "outgoing",
        created_at=request.created_at,
    )


def _viewer_read(session: Session, request: ShareRequest, viewer: str) -> ShareRequestRead:
    report = session.get(Report, request.report_id)
    return _read(request, viewer=viewer, originator=report.originator_id if report else None)


def _decide(
    ctx: PolicyContext,
    session: Session,
    *,
    holder: str,
    target: str,
    report: Report,
    rule_facts_: list[tuple[str, list[policies.StandingConsent]]],
    consents: tuple[policies.Consent, ...] = (),
) -> tuple[policies.Decision[bool], str | None]:
    """The engine's answer, and the name of what allowed it (a rule id for standing
    consent)."""
    header = reports.header_fact(report)
    recipients = reports.holders(session, report.id)
    all_facts = [f for _id, facts in rule_facts_ for f in facts]
    decision = policies.may_share(
        ctx.organisation(holder),
        ctx.organisation(target),
        header,
        recipients,
        consents,
        all_facts,
        ctx.policy,
        areas=ctx.areas,
        at=ctx.at,
        revoked=reports.revoked_from(session, report.id),
    )
    allowed_by = None
    if decision.outcome:
        code = decision.reasons[-1].code
        allowed_by = _AUTOMATIC.get(code)
        if code is policies.ReasonCode.STANDING_CONSENT:
            for rule_id, facts in rule_facts_:
                if any(f.target == target for f in facts):
                    allowed_by = f"standing_consent:{rule_id}"
                    break
    return decision, allowed_by


def request_share(
    session: Session,
    *,
    actor: Actor,
    report_id: str,
    request_in: ShareRequestCreate,
    policy: Policy,
    now: dt.datetime | None = None,
) -> ShareRequestRead:
    who = reports.reader(actor, need_keys=False)
    report = reports.readable_report(session, who, report_id, to_act=True)
    actor.require(Permission.REPORT_SHARE)
    now = now or utcnow()
    target = session.get(Organisation, request_in.to_organisation)
    if target is None:
        raise InvalidInput(_("No such organisation."), field="to_organisation")
    ctx = load_context(session, policy=policy, at=now)
    try:
        level = Level(report.level)
        facts = list(rule_facts(session, ctx, originator=report.originator_id, level=level))
        decision, allowed_by = _decide(
            ctx,
            session,
            holder=who.organisation.id,
            target=target.id,
            report=report,
            rule_facts_=facts,
        )
    except ValueError as exc:
        raise reports.integrity_failure(session, actor=actor, report=report, exc=exc) from exc
    codes = {r.code for r in decision.reasons}
    if policies.ReasonCode.ALREADY_RECIPIENT in codes:
        raise Conflict(_("This organisation can already read the report."))
    if not decision.outcome and policies.ReasonCode.CONSENT_REQUIRED not in codes:
        raise Forbidden(policies.explain(decision, reports.reader_lang()))
    open_request = session.scalar(
        select(ShareRequest)
        .where(ShareRequest.report_id == report.id, ShareRequest.target_id == target.id)
        .where(ShareRequest.status.in_([ShareStatus.PENDING, ShareStatus.APPROVED]))
    )
    if open_request is not None:
        raise Conflict(_("A request to pass this report to that organisation is already open."))
    request = ShareRequest(
        report_id=report.id,
        requester_id=who.organisation.id,
        requested_by_id=actor.id,
        target_id=target.id,
        reason=request_in.reason,
        status=ShareStatus.APPROVED if decision.outcome else ShareStatus.PENDING,
        allowed_by=allowed_by,
        decided_at=now if decision.outcome else None,
        created_at=now,
    )
    session.add(request)
    session.flush()
    audit.record_by(
        session,
        action=AuditAction.SHARE_REQUEST,
        actor=actor,
        target=request.id,
        details={"report": report.id, "from": who.organisation.id, "to": target.id},
    )
    if decision.outcome:
        audit.record_by(
            session,
            action=AuditAction.SHARE_APPROVE,
            actor=actor,
            target=request.id,
            details={"report": report.id, "to": target.id, "allowed_by": allowed_by},
        )
        complete_pending(session, actor=actor, only=request.id)
    else:
        _notify(
            session,
            AlertKind.SHARE_REQUESTED,
            request,
            report,
            requester=who.organisation,
            target=target,
            to_organisation=report.originator_id,
        )
    session.commit()
    return _read(request, viewer=who.organisation.id, originator=report.originator_id)


def _incoming(
    session: Session, who: reports.Reader, request_id: str
) -> tuple[ShareRequest, Report]:
    request = session.get(ShareRequest, request_id)
    report = session.get(Report, request.report_id) if request else None
    if request is None or report is None:
        raise NotFound(_("No such share request."))
    if report.originator_id != who.organisation.id:
        if who.organisation.id == request.requester_id:
            raise Forbidden(_("Only the originator of the report can answer this request."))
        raise NotFound(_("No such share request."))
    if report.withdrawn:
        raise withdrawn()
    if request.status is not ShareStatus.PENDING:
        raise Conflict(
            _("This request was already answered (%(status)s).") % {"status": request.status}
        )
    return request, report


def approve_share(
    session: Session, *, actor: Actor, request_id: str, now: dt.datetime | None = None
) -> ShareRequestRead:
    who = reports.reader(actor, need_keys=False)
    actor.require(Permission.REPORT_SHARE)
    request, report = _incoming(session, who, request_id)
    target = session.get(Organisation, request.target_id)
    if target is None or target.status != OrganisationStatus.APPROVED:
        raise Conflict(_("The organisation asked for is not an approved partner now."))
    now = now or utcnow()
    request.status = ShareStatus.APPROVED
    request.allowed_by = f"person:{actor.id}"
    request.decided_by_id = actor.id
    request.decided_at = now
    audit.record_by(
        session,
        action=AuditAction.SHARE_APPROVE,
        actor=actor,
        target=request.id,
        details={"report": report.id, "to": request.target_id, "allowed_by": "person"},
    )
    session.flush()
    complete_pending(session, actor=actor, only=request.id)
    _tell_requester(session, request, report, target)
    session.commit()
    return _read(request, viewer=who.organisation.id, originator=report.originator_id)


def deny_share(session: Session, *, actor: Actor, request_id: str) -> ShareRequestRead:
    who = reports.reader(actor, need_keys=False)
    actor.require(Permission.REPORT_SHARE)
    request, report = _incoming(session, who, request_id)
    request.status = ShareStatus.DENIED
    request.decided_by_id = actor.id
    request.decided_at = utcnow()
    audit.record_by(
        session,
        action=AuditAction.SHARE_DENY,
        actor=actor,
        target=request.id,
        details={"report": report.id, "to": request.target_id},
    )
    _tell_requester(session, request, report, session.get(Organisation, request.target_id))
    session.commit()
    return _read(request, viewer=who.organisation.id, originator=report.originator_id)


def _notify(
    session: Session,
    kind: AlertKind,
    request: ShareRequest,
    report: Report,
    *,
    requester: Organisation | None,
    target: Organisation | None,
    to_organisation: str,
    members: tuple[str, ...] = (),
    outcome: str = "pending",
) -> None:
    """The outbox event for a share request or its answer, in the caller's transaction.
    Names only organisations both sides already know: never the originator of the report
    (the requester may hold an anonymous one)."""
    enqueue_share(
        session,
        kind=kind,
        source=f"share:{request.id}:{outcome}",
        notice=ShareNotice(
            report=reports.report_facts(session, report),
            share=ShareFacts(
                requester=(requester.name if requester else request.requester_id)[:60],
                target=(target.name if target else request.target_id)[:60],
                outcome=outcome,
            ),
            members=members,
        ),
        organisation=to_organisation,
    )


def _tell_requester(
    session: Session, request: ShareRequest, report: Report, target: Organisation | None
) -> None:
    """ "On denial the requester is told" — and on approval, including when the share waits
    for a key holder to come online."""
    if request.status is ShareStatus.DENIED:
        outcome = "denied"
    else:
        outcome = "approved" if request.sealed_at is not None else "approved_waiting"
    _notify(
        session,
        AlertKind.SHARE_ANSWERED,
        request,
        report,
        requester=session.get(Organisation, request.requester_id),
        target=target,
        to_organisation=request.requester_id,
        members=(request.requested_by_id,) if request.requested_by_id else (),
        outcome=outcome,
    )


def list_share_requests(session: Session, *, actor: Actor) -> list[ShareRequestRead]:
    """Requests about my organisation's reports (incoming) and the ones it made (outgoing)."""
    who = reports.reader(actor, need_keys=False)
    complete_pending(session, actor=actor)
    org = who.organisation.id
    rows = session.execute(
        select(ShareRequest, Report.originator_id)
        .join(Report, Report.id == ShareRequest.report_id)
        .where(or_(Report.originator_id == org, ShareRequest.requester_id == org))
        .order_by(ShareRequest.created_at.desc())
        .limit(500)
    ).all()
    session.commit()
    return [_read(request, viewer=org, originator=originator) for request, originator in rows]


def revoke_recipient(
    session: Session, *, actor: Actor, report_id: str, organisation_id: str
) -> None:
    """The originator removes a recipient's wrap: its future reads fail. What it already
    read cannot be taken back, and the audit says so."""
    who = reports.reader(actor, need_keys=False)
    report = reports.readable_report(session, who, report_id, to_act=True)
    if report.originator_id != who.organisation.id:
        raise Forbidden(_("Only the organisation that published a report can revoke access."))
    actor.require(Permission.REPORT_SHARE)
    if organisation_id == report.originator_id:
        raise InvalidInput(_("The originator always keeps its own report."))
    wrap = reports.active_wrap(session, report.id, organisation_id)
    if wrap is None:
        raise NotFound(_("This organisation is not a recipient of the report."))
    wrap.wrap = None
    wrap.removed_at = utcnow()
    wrap.removed_reason = "revoked"
    for request in session.scalars(
        select(ShareRequest)
        .where(ShareRequest.report_id == report.id, ShareRequest.target_id == organisation_id)
        .where(ShareRequest.status.in_([ShareStatus.PENDING, ShareStatus.APPROVED]))
    ):
        request.status = ShareStatus.REVOKED
    audit.record_by(
        session,
        action=AuditAction.REPORT_REVOKE,
        actor=actor,
        target=report.id,
        details={
            "organisation": organisation_id,
            "note": "it may already have read the report before this revocation",
        },
    )
    session.commit()


# --- what the share-request pages show -------------------------------------------------------


@dataclass(frozen=True)
class ShareRequestView:
    request: ShareRequestRead
    from_name: str
    to_name: str
    # The report's header as the viewer may see it (an anonymous originator stays hidden);
    # None if a header column was edited (opening the report says so).
    report: HeaderRead | None
    # Incoming, still pending, and the viewer speaks for the originator.
    can_answer: bool


def share_request_views(
    session: Session, *, actor: Actor, report_id: str | None = None
) -> list[ShareRequestView]:
    """`list_share_requests` with the names and report headers a page shows; `report_id`
    keeps the requests about one report."""
    requests = list_share_requests(session, actor=actor)
    if report_id is not None:
        requests = [r for r in requests if r.report_id == report_id]
    if not requests:
        return []
    viewer = reports.reader(actor, need_keys=False).organisation.id
    wanted = {q.report_id for q in requests}
    report_rows = {r.id: r for r in session.scalars(select(Report).where(Report.id.in_(wanted)))}
    org_ids = {q.from_organisation for q in requests} | {q.to_organisation for q in requests}
    org_ids |= {r.originator_id for r in report_rows.values()}
    organisations = {
        o.id: o for o in session.scalars(select(Organisation).where(Organisation.id.in_(org_ids)))
    }
    answers = actor.may(Permission.REPORT_SHARE)
    out = []
    for q in requests:
        report = report_rows.get(q.report_id)
        originator = organisations.get(report.originator_id) if report else None
        header = None
        if report is not None and originator is not None:
            try:
                header = reports.header_read(report, viewer, originator)
            except (ValueError, ValidationError):
                header = None
        sender = organisations.get(q.from_organisation)
        target = organisations.get(q.to_organisation)
        out.append(
            ShareRequestView(
                request=q,
                from_name=sender.name if sender else q.from_organisation,
                to_name=target.name if target else q.to_organisation,
                report=header,
                can_answer=(
                    answers and q.direction == "incoming" and q.status is ShareStatus.PENDING
                ),
            )
        )
    return out
