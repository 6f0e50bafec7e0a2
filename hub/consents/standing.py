"""Standing consents: an originator's rules that let its new reports reach named organisations
or kinds of organisation (never TLP:RED), created, listed and removed by its members, each
change audited in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.actors import Actor, Permission
from hub.audit import service as audit
from hub.audit.models import AuditAction
from hub.consents.models import StandingConsentRule
from hub.consents.schemas import StandingConsentCreate, StandingConsentRead
from hub.db import utcnow
from hub.errors import InvalidInput, NotFound
from hub.i18n import gettext as _
from hub.members.models import Member
from hub.organisations.models import Organisation
from hub.reports import service as reports
from policies import Policy
from policies.vocabulary import Level, OrganisationKind, ReportType, Tlp


def _rule_read(rule: StandingConsentRule) -> StandingConsentRead:
    return StandingConsentRead(
        id=rule.id,
        to_organisation=rule.target_id,
        to_kind=OrganisationKind(rule.target_kind) if rule.target_kind else None,
        max_tlp=Tlp(rule.max_tlp),
        report_types=[ReportType(t) for t in rule.report_types],
        areas=rule.areas,
        levels=[Level(v) for v in rule.levels],
        expires_at=rule.expires_at,
    )


def create_standing_consent(
    session: Session, *, actor: Actor, rule_in: StandingConsentCreate, policy: Policy
) -> StandingConsentRead:
    who = reports.reader(actor, need_keys=False)
    actor.require(Permission.REPORT_SHARE)
    if rule_in.to_organisation is not None:
        target = session.get(Organisation, rule_in.to_organisation)
        if target is None:
            raise InvalidInput(_("No such organisation."), field="to_organisation")
    from policies.vocabulary import tlp_rank

    if tlp_rank(rule_in.max_tlp) > tlp_rank(policy.standing_consent_max_tlp):
        raise InvalidInput(
            _("The policy lets a standing consent cover at most TLP:%(tlp)s.")
            % {"tlp": policy.standing_consent_max_tlp.upper()},
            field="max_tlp",
        )
    rule = StandingConsentRule(
        originator_id=who.organisation.id,
        target_id=rule_in.to_organisation,
        target_kind=rule_in.to_kind.value if rule_in.to_kind else None,
        max_tlp=rule_in.max_tlp.value,
        report_types=sorted(t.value for t in rule_in.report_types),
        areas=sorted(rule_in.areas),
        levels=sorted(v.value for v in rule_in.levels),
        expires_at=rule_in.expires_at,
        created_by_id=actor.id,
    )
    session.add(rule)
    session.flush()
    read = _rule_read(rule)
    audit.record_by(
        session,
        action=AuditAction.STANDING_CONSENT_SET,
        actor=actor,
        target=rule.id,
        details=read.model_dump(mode="json"),
    )
    session.commit()
    return read


def list_standing_consents(session: Session, *, actor: Actor) -> list[StandingConsentRead]:
    who = reports.reader(actor, need_keys=False)
    rules = session.scalars(
        select(StandingConsentRule)
        .where(StandingConsentRule.originator_id == who.organisation.id)
        .where(StandingConsentRule.removed_at.is_(None))
        .order_by(StandingConsentRule.created_at)
    )
    return [_rule_read(r) for r in rules]


def remove_standing_consent(session: Session, *, actor: Actor, rule_id: str) -> None:
    who = reports.reader(actor, need_keys=False)
    actor.require(Permission.REPORT_SHARE)
    rule = session.get(StandingConsentRule, rule_id)
    if rule is None or rule.originator_id != who.organisation.id or rule.removed_at:
        raise NotFound(_("No such standing consent."))
    rule.removed_at = utcnow()
    audit.record_by(
        session,
        action=AuditAction.STANDING_CONSENT_REMOVE,
        actor=actor,
        target=rule.id,
    )
    session.commit()


@dataclass(frozen=True)
class StandingConsentView:
    rule: StandingConsentRead
    # The target organisation's name (None when the rule names a kind).
    target_name: str | None
    # Who made the rule: a member's name, or None when the console did or the member is gone.
    created_by: str | None
    created_at: dt.datetime


def standing_consent_views(session: Session, *, actor: Actor) -> list[StandingConsentView]:
    """`list_standing_consents` with the names the page shows (the API gives ids only)."""
    who = reports.reader(actor, need_keys=False)
    rules = list(
        session.scalars(
            select(StandingConsentRule)
            .where(StandingConsentRule.originator_id == who.organisation.id)
            .where(StandingConsentRule.removed_at.is_(None))
            .order_by(StandingConsentRule.created_at)
        )
    )
    if not rules:
        return []
    org_ids = {r.target_id for r in rules if r.target_id}
    names = {
        org_id: name
        for org_id, name in session.execute(
            select(Organisation.id, Organisation.name).where(Organisation.id.in_(org_ids))
        )
    }
    member_ids = {r.created_by_id for r in rules if r.created_by_id}
    makers = {
        member_id: name
        for member_id, name in session.execute(
            select(Member.id, Member.display_name).where(Member.id.in_(member_ids))
        )
    }
    return [
        StandingConsentView(
            rule=_rule_read(r),
            target_name=names.get(r.target_id) if r.target_id else None,
            created_by=makers.get(r.created_by_id) if r.created_by_id else None,
            created_at=r.created_at,
        )
        for r in rules
    ]
