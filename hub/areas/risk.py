"""Risk levels: a coordinator sets an area's risk (or proposes it, confirmed or refused by a
second person where the policy asks for that); each change is audited and announced to
liaisons through the outbox in the same transaction. Assessments lapse at their end and
remind before their review date (the scheduler's jobs).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

import policies
from alerts import outbox
from alerts.facts import AlertKind, LevelChangeFacts
from hub.actors import Actor, Permission
from hub.areas.facts import _assessment_fact, _assessments, area_standing, get_area, policy_areas
from hub.areas.models import (
    Area,
    OrganisationPresence,
    RiskAssessment,
    RiskChange,
    RiskChangeStatus,
)
from hub.areas.schemas import AssessmentRead, RiskApplied, RiskChangeRead, RiskPending
from hub.audit import service as audit
from hub.audit.models import AuditAction
from hub.briefings import levels as briefing_levels
from hub.errors import Conflict, Forbidden, InvalidInput, NotFound
from hub.i18n import gettext as _
from hub.members.models import Role
from hub.organisations.models import Organisation, OrganisationStatus
from policies import Policy
from policies.vocabulary import Risk

SCHEDULER = "scheduler"


def _require_coordinator(actor: Actor) -> None:
    actor.require(Permission.AREA_SET_RISK)
    if actor.member is None:
        # Four eyes counts people: a risk change must name the coordinator who makes it.
        raise Forbidden(_("Name the coordinator making this change (--by EMAIL)."))
    if not actor.member.has_role(Role.COORDINATOR):
        raise Forbidden(_("Only coordinators set the risk of an area."))


def _affected_areas(session: Session, code: str, at: dt.datetime) -> list[str]:
    """Whose liaisons hear of a change on `code`: the area, its ancestors, and the areas
    below it that inherit its risk (none of their own in force)."""
    areas = policy_areas(session)
    codes = list(policies.lineage(code, areas))
    children: dict[str, list[str]] = {}
    for area in areas.values():
        if area.parent is not None:
            children.setdefault(area.parent, []).append(area.code)
    own = {c for c, rows in _assessments(session).items() if any(a.in_force(at) for a in rows)}
    stack = list(children.get(code, ()))
    while stack:
        child = stack.pop()
        if child in own:
            continue
        codes.append(child)
        stack.extend(children.get(child, ()))
    return codes


def _announce(
    session: Session,
    *,
    area: Area,
    source: str,
    before: policies.Standing,
    after: policies.Standing,
    at: dt.datetime,
    policy: Policy,
) -> None:
    if before.risk == after.risk:
        return
    # The briefing series the new level calls for (or the end of the old one's).
    briefing_levels.level_changed(
        session,
        area_code=area.code,
        before=before.level,
        after=after.level,
        source=source,
        at=at,
        policy=policy,
    )
    facts = LevelChangeFacts(
        area_code=area.code,
        area_name=area.display_name("fr")[:80],
        old_risk=before.risk.value,
        new_risk=after.risk.value,
        old_level=before.level.value,
        new_level=after.level.value,
        effective_at=at,
        no_go=after.no_go,
    )
    outbox.enqueue(
        session,
        kind=AlertKind.LEVEL_CHANGED,
        source=source,
        version=1,
        facts=facts,
        areas=_affected_areas(session, area.code, at),
    )


def _apply(
    session: Session,
    *,
    area: Area,
    risk: Risk,
    reason: str,
    expires_at: dt.datetime | None,
    review_at: dt.datetime | None,
    set_by: Actor,
    confirmed_by: Actor | None,
    now: dt.datetime,
    policy: Policy,
) -> tuple[RiskAssessment, policies.Standing]:
    before = area_standing(session, area.code, at=now, policy=policy).outcome
    row = RiskAssessment(
        area_code=area.code,
        risk=risk,
        reason=reason,
        set_by_id=set_by.id,
        set_by=set_by.label,
        confirmed_by_id=confirmed_by.id if confirmed_by else None,
        confirmed_by=confirmed_by.label if confirmed_by else None,
        effective_from=now,
        expires_at=expires_at,
        review_at=review_at,
    )
    session.add(row)
    session.flush()
    after = area_standing(session, area.code, at=now, policy=policy).outcome
    _announce(
        session,
        area=area,
        source=f"risk:{row.id}",
        before=before,
        after=after,
        at=now,
        policy=policy,
    )
    return row, after


def _check_times(
    now: dt.datetime, expires_at: dt.datetime | None, review_at: dt.datetime | None, policy: Policy
) -> None:
    for name, value in (("expires_at", expires_at), ("review_at", review_at)):
        if value is not None and value.tzinfo is None:
            raise InvalidInput(_("Give a time zone (e.g. +01:00 or Z)."), field=name)
    if review_at is not None and review_at <= now:
        raise InvalidInput(_("The review date must be in the future."), field="review_at")
    if expires_at is not None:
        check = policies.check_temporary_raise(now, expires_at, policy)
        if not check.outcome:
            raise InvalidInput(" ".join(policies.explain_lines(check, "en")), field="expires_at")


def set_risk(
    session: Session,
    *,
    actor: Actor,
    code: str,
    risk: Risk,
    reason: str,
    now: dt.datetime,
    policy: Policy,
    expires_at: dt.datetime | None = None,
    review_at: dt.datetime | None = None,
) -> RiskApplied | RiskPending:
    """Raising (or keeping the level) takes effect at once; leaving a level for a lower one
    waits for another coordinator (`confirm_risk_change`)."""
    _require_coordinator(actor)
    area = get_area(session, code)
    reason = reason.strip()
    if len(reason) < 3:
        raise InvalidInput(_("Say why the risk changes."), field="reason")
    _check_times(now, expires_at, review_at, policy)
    current = area_standing(session, code, at=now, policy=policy).outcome
    allowed = policies.can_lower_level(
        current.risk, risk, proposed_by=actor.id or actor.label, policy=policy
    )
    if allowed.outcome:
        row, after = _apply(
            session,
            area=area,
            risk=risk,
            reason=reason,
            expires_at=expires_at,
            review_at=review_at,
            set_by=actor,
            confirmed_by=None,
            now=now,
            policy=policy,
        )
        audit.record_by(
            session,
            action=AuditAction.AREA_SET_RISK,
            actor=actor,
            target=f"area:{code}",
            details={
                "assessment": row.id,
                "from_risk": current.risk.value,
                "risk": risk.value,
                "level": after.level.value,
                "reason": reason,
                "expires_at": expires_at.isoformat() if expires_at else None,
            },
        )
        session.commit()
        return RiskApplied(code=code, risk=after.risk, level=after.level)
    change = RiskChange(
        area_code=code,
        risk=risk,
        reason=reason,
        expires_at=expires_at,
        review_at=review_at,
        proposed_by_id=actor.id,
        proposed_by=actor.label,
        proposed_at=now,
    )
    session.add(change)
    session.flush()
    audit.record_by(
        session,
        action=AuditAction.AREA_PROPOSE_RISK,
        actor=actor,
        target=f"area:{code}",
        details={
            "change": change.id,
            "from_risk": current.risk.value,
            "risk": risk.value,
            "reason": reason,
        },
    )
    session.commit()
    return RiskPending(change_id=change.id, status=change.status)


def _awaiting_change(session: Session, change_id: str) -> RiskChange:
    change = session.get(RiskChange, change_id)
    if change is None:
        raise NotFound(_("There is no such risk change."))
    if change.status is not RiskChangeStatus.AWAITING_CONFIRMATION:
        raise Conflict(_("This change is already %(status)s.") % {"status": change.status.value})
    return change


def confirm_risk_change(
    session: Session, *, actor: Actor, change_id: str, now: dt.datetime, policy: Policy
) -> RiskApplied:
    _require_coordinator(actor)
    change = _awaiting_change(session, change_id)
    if change.proposed_by_id is not None and change.proposed_by_id == actor.id:
        raise Forbidden(_("Another coordinator must confirm: you proposed this change."))
    area = get_area(session, change.area_code)
    current = area_standing(session, area.code, at=now, policy=policy).outcome
    allowed = policies.can_lower_level(
        current.risk,
        change.risk,
        proposed_by=change.proposed_by_id or change.proposed_by,
        confirmed_by=[actor.id or actor.label],
        policy=policy,
    )
    if not allowed.outcome:
        raise Conflict(" ".join(policies.explain_lines(allowed, "en")))
    if change.expires_at is not None and change.expires_at <= now:
        raise Conflict(_("This change would already have expired; propose it again."))
    proposer = Actor(label=change.proposed_by)
    row, after = _apply(
        session,
        area=area,
        risk=change.risk,
        reason=change.reason,
        expires_at=change.expires_at,
        review_at=change.review_at if change.review_at and change.review_at > now else None,
        set_by=Actor(label=proposer.label),
        confirmed_by=actor,
        now=now,
        policy=policy,
    )
    row.set_by_id = change.proposed_by_id
    change.status = RiskChangeStatus.CONFIRMED
    change.decided_by_id, change.decided_by, change.decided_at = actor.id, actor.label, now
    change.assessment_id = row.id
    audit.record_by(
        session,
        action=AuditAction.AREA_CONFIRM_RISK,
        actor=actor,
        target=f"area:{area.code}",
        details={
            "change": change.id,
            "assessment": row.id,
            "proposed_by": change.proposed_by,
            "from_risk": current.risk.value,
            "risk": change.risk.value,
            "level": after.level.value,
        },
    )
    session.commit()
    return RiskApplied(code=area.code, risk=after.risk, level=after.level)


def refuse_risk_change(
    session: Session, *, actor: Actor, change_id: str, now: dt.datetime
) -> RiskChangeRead:
    """Another coordinator refuses a proposed lowering, or its proposer withdraws it: the
    area keeps its level, and the audit says who decided."""
    _require_coordinator(actor)
    change = _awaiting_change(session, change_id)
    change.status = RiskChangeStatus.WITHDRAWN
    change.decided_by_id, change.decided_by, change.decided_at = actor.id, actor.label, now
    audit.record_by(
        session,
        action=AuditAction.AREA_REFUSE_RISK,
        actor=actor,
        target=f"area:{change.area_code}",
        details={
            "change": change.id,
            "proposed_by": change.proposed_by,
            "risk": change.risk.value,
            "withdrawn_by_proposer": change.proposed_by_id == actor.id,
        },
    )
    session.commit()
    return RiskChangeRead.model_validate(change)


@dataclass(frozen=True)
class PartnerPresent:
    id: str
    name: str
    kind: str
    # The area the organisation named as one it works in: this one, or an area within it.
    area: str


def partners_present(session: Session, code: str) -> list[PartnerPresent]:
    """The approved partners working in the area or in an area within it (SLT's "partners
    present"), for the area's page."""
    tree = policy_areas(session)
    rows = session.execute(
        select(
            Organisation.id, Organisation.name, Organisation.kind, OrganisationPresence.area_code
        )
        .join(OrganisationPresence, OrganisationPresence.organisation_id == Organisation.id)
        .where(Organisation.status == OrganisationStatus.APPROVED)
        .order_by(Organisation.name, OrganisationPresence.area_code)
    ).all()
    seen: dict[str, PartnerPresent] = {}
    for org_id, name, kind, area in rows:
        if org_id in seen or area not in tree:
            continue
        if code == area or code in policies.lineage(area, tree):
            seen[org_id] = PartnerPresent(id=org_id, name=name, kind=str(kind), area=area)
    return list(seen.values())


@dataclass(frozen=True)
class Lapse:
    area: str
    assessment: str
    from_risk: Risk
    to_risk: Risk


def expire_risks(session: Session, *, now: dt.datetime, policy: Policy) -> list[Lapse]:
    """Announce every temporary raise that lapsed by `now` (once each): audit entry and,
    when the effective risk changes, a level-change alert. The scheduler calls this."""
    due = session.scalars(
        select(RiskAssessment)
        .where(
            RiskAssessment.expires_at.is_not(None),
            RiskAssessment.expires_at <= now,
            RiskAssessment.lapse_handled_at.is_(None),
        )
        .order_by(RiskAssessment.expires_at, RiskAssessment.area_code)
    ).all()
    lapses: list[Lapse] = []
    if not due:
        return lapses
    areas = policy_areas(session)
    assessments = _assessments(session)
    for row in due:
        transition = policies.raise_expiry(
            _assessment_fact(row), row.area_code, areas, assessments, policy
        ).outcome
        area = get_area(session, row.area_code)
        assert row.expires_at is not None  # noqa: S101 (selected on it)
        _announce(
            session,
            area=area,
            source=f"lapse:{row.id}",
            before=transition.before,
            after=transition.after,
            at=row.expires_at,
            policy=policy,
        )
        row.lapse_handled_at = now
        audit.record(
            session,
            action=AuditAction.AREA_RISK_LAPSED,
            actor=SCHEDULER,
            target=f"area:{row.area_code}",
            details={
                "assessment": row.id,
                "expired_at": row.expires_at.isoformat(),
                "from_risk": transition.before.risk.value,
                "to_risk": transition.after.risk.value,
                "level": transition.after.level.value,
            },
        )
        lapses.append(Lapse(row.area_code, row.id, transition.before.risk, transition.after.risk))
    session.commit()
    return lapses


def review_reminders(session: Session, *, now: dt.datetime) -> list[AssessmentRead]:
    """Assessments in force whose review date has come and that were not yet flagged: each
    is returned (for the coordinators' reminder) and audited once."""
    rows = session.scalars(
        select(RiskAssessment)
        .where(
            RiskAssessment.review_at.is_not(None),
            RiskAssessment.review_at <= now,
            RiskAssessment.review_reminded_at.is_(None),
        )
        .order_by(RiskAssessment.review_at)
    ).all()
    due = [r for r in rows if _assessment_fact(r).in_force(now)]
    for row in due:
        row.review_reminded_at = now
        audit.record(
            session,
            action=AuditAction.AREA_REVIEW_DUE,
            actor=SCHEDULER,
            target=f"area:{row.area_code}",
            details={
                "assessment": row.id,
                "review_at": row.review_at.isoformat() if row.review_at else None,
            },
        )
    session.commit()
    return [AssessmentRead.model_validate(r) for r in due]
