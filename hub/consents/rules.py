"""The consent facts publication and withdrawal need, below both reports and consents: an
originator's live standing-consent rules as the policy engine's facts, and closing the
share requests of a withdrawn report. Reads and flushes only; never commits."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

import policies
from hub.consents.models import ShareRequest, ShareStatus, StandingConsentRule
from hub.reports.context import PolicyContext
from policies.vocabulary import Level, ReportType, Tlp


def rule_facts(
    session: Session, ctx: PolicyContext, *, originator: str, level: Level
) -> Iterator[tuple[str, list[policies.StandingConsent]]]:
    """Each live rule of `originator` that applies at `level`, as the engine's facts (a rule
    naming a kind becomes one fact per organisation of that kind)."""
    rules = session.scalars(
        select(StandingConsentRule)
        .where(StandingConsentRule.originator_id == originator)
        .where(StandingConsentRule.removed_at.is_(None))
        .order_by(StandingConsentRule.created_at)
    )
    for rule in rules:
        if rule.levels and level.value not in rule.levels:
            continue
        if rule.target_id is not None:
            targets = [rule.target_id]
        else:
            targets = [o.id for o in ctx.organisations.values() if o.kind == rule.target_kind]
        yield (
            rule.id,
            [
                policies.StandingConsent(
                    originator=originator,
                    target=target,
                    max_tlp=Tlp(rule.max_tlp),
                    report_types=frozenset(ReportType(t) for t in rule.report_types),
                    areas=frozenset(rule.areas),
                    expires_at=rule.expires_at,
                )
                for target in targets
            ],
        )


def close_requests_for(session: Session, report_id: str) -> None:
    """On withdrawal: nothing pending stays pending, nothing waits to be sealed."""
    for request in session.scalars(
        select(ShareRequest)
        .where(ShareRequest.report_id == report_id)
        .where(ShareRequest.status.in_([ShareStatus.PENDING, ShareStatus.APPROVED]))
    ):
        request.status = ShareStatus.REVOKED if request.sealed_at else ShareStatus.DENIED


def has_standing_consents(session: Session, organisation_id: str) -> bool:
    return (
        session.scalar(
            select(StandingConsentRule.id)
            .where(StandingConsentRule.originator_id == organisation_id)
            .where(StandingConsentRule.removed_at.is_(None))
            .limit(1)
        )
        is not None
    )
