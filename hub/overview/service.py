"""The situation overview, the landing page of a logged-in member: where my organisation
works and how those areas stand, what changed there in the last seven days, the latest
reports my organisation holds, and what waits for me. Each part is one bounded query (the
reports come from the inbox listing, which costs a page, not the organisation's history)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import policies
from hub.actors import Actor
from hub.areas import service as areas
from hub.areas.maps import descendants, legend_of, map_of
from hub.areas.models import OrganisationPresence, RiskAssessment, RiskChange, RiskChangeStatus
from hub.areas.schemas import AreaRead
from hub.consents.models import ShareRequest, ShareStatus
from hub.errors import Forbidden
from hub.i18n import gettext as _
from hub.members.models import Member, MemberKeyWrap, MemberStatus, Role
from hub.reports import service as reports
from hub.reports.models import Report
from hub.reports.schemas import ReportSummary
from policies import Policy
from policies.vocabulary import Level, Risk

RECENT_DAYS = 7
LATEST_REPORTS = 5
RECENT_CHANGES = 20


@dataclass(frozen=True)
class Change:
    area: str
    risk: Risk
    level: Level
    at: dt.datetime
    reason: str
    # The level before this assessment, when it differs: a change of cooperation level.
    level_before: Level | None


@dataclass(frozen=True)
class Waiting:
    share_requests: int
    # Areas with a lowering another coordinator proposed, for me to confirm or refuse.
    confirmations: list[str]
    members_without_keys: int


@dataclass(frozen=True)
class Situation:
    my_areas: list[AreaRead]
    changes: list[Change]
    latest: list[ReportSummary]
    waiting: Waiting
    map: Markup | None
    legend: list[tuple[str, str, str]]


def situation(
    session: Session, *, actor: Actor, policy: Policy, now: dt.datetime, lang: str, keys: bool
) -> Situation:
    """`keys`: whether the member holds the organisation's keys (then members waiting for
    theirs are counted, as this member can grant them)."""
    member = actor.member
    if member is None:
        raise Forbidden(_("Log in first."))
    org_id = member.organisation_id
    tree = areas.policy_areas(session)
    present = set(
        session.scalars(
            select(OrganisationPresence.area_code).where(
                OrganisationPresence.organisation_id == org_id
            )
        )
    )
    present &= set(tree)
    by_code = {a.code: a for a in areas.list_areas(session, at=now, policy=policy)}
    my_areas = sorted(
        (by_code[c] for c in present if c in by_code), key=lambda a: (a.name.casefold(), a.code)
    )
    # Changes in the areas that concern my organisation (its areas, what contains them, what
    # is within them); everything when it named no area yet.
    concerned: set[str] | None = None
    if present:
        concerned = set()
        for code in present:
            concerned |= set(policies.concerned_areas(code, tree))
    since = now - dt.timedelta(days=RECENT_DAYS)
    query = (
        select(RiskAssessment)
        .where(RiskAssessment.effective_from >= since)
        .order_by(RiskAssessment.effective_from.desc())
        .limit(RECENT_CHANGES)
    )
    if concerned is not None:
        query = query.where(RiskAssessment.area_code.in_(sorted(concerned)))
    changes = []
    for row in session.scalars(query):
        before = session.scalars(
            select(RiskAssessment.risk)
            .where(
                RiskAssessment.area_code == row.area_code,
                RiskAssessment.effective_from < row.effective_from,
            )
            .order_by(RiskAssessment.effective_from.desc())
            .limit(1)
        ).first()
        level = policy.level_for(row.risk)
        earlier = policy.level_for(before) if before is not None else None
        changes.append(
            Change(
                area=row.area_code,
                risk=row.risk,
                level=level,
                at=row.effective_from,
                reason=row.reason,
                level_before=earlier if earlier is not None and earlier != level else None,
            )
        )
    share_requests = session.scalar(
        select(func.count())
        .select_from(ShareRequest)
        .join(Report, Report.id == ShareRequest.report_id)
        .where(Report.originator_id == org_id, ShareRequest.status == ShareStatus.PENDING)
    )
    confirmations: list[str] = []
    if member.has_role(Role.COORDINATOR):
        confirmations = list(
            session.scalars(
                select(RiskChange.area_code)
                .where(
                    RiskChange.status == RiskChangeStatus.AWAITING_CONFIRMATION,
                    RiskChange.proposed_by_id != member.id,
                )
                .distinct()
                .order_by(RiskChange.area_code)
                .limit(RECENT_CHANGES)
            )
        )
    without_keys = 0
    if keys:
        without_keys = (
            session.scalar(
                select(func.count())
                .select_from(Member)
                .outerjoin(MemberKeyWrap, MemberKeyWrap.member_id == Member.id)
                .where(
                    Member.organisation_id == org_id,
                    Member.status == MemberStatus.ACTIVE,
                    MemberKeyWrap.member_id.is_(None),
                )
            )
            or 0
        )
    mapped = descendants(tree, present) if present else set()
    drawn = map_of(session, mapped, at=now, policy=policy, lang=lang)
    # Last: the inbox listing commits (it completes the organisation's pending queue).
    latest = reports.inbox(session, actor=actor, policy=policy, limit=LATEST_REPORTS).items
    return Situation(
        my_areas=my_areas,
        changes=changes,
        latest=latest,
        waiting=Waiting(
            share_requests=share_requests or 0,
            confirmations=confirmations,
            members_without_keys=without_keys,
        ),
        map=drawn,
        legend=legend_of(policy, lang),
    )
