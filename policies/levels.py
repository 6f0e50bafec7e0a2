"""Risk and cooperation level of an area, and the rules for changing them.

Guarantees:
- an area's effective risk is its own assessment in force at `at`, else its nearest
  ancestor's; an assessment is in force from `effective_from` (inclusive) to `expires_at`
  (exclusive), so a temporary raise falls back to whatever was in force beneath it;
- among several assessments of one area in force at once, the latest `effective_from` wins,
  and on a tie the higher risk (erring towards protection);
- nothing is read from the clock: `at` / `now` are always arguments;
- leaving a level for a lower one needs `policy.coordinators_to_leave_enhanced` distinct
  coordinators (four eyes); raising, or staying at the same level, takes effect at once;
- a temporary raise may not last longer than `policy.max_temporary_raise`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from policies.areas import AreaMap, lineage
from policies.decision import Decision, Reason, ReasonCode
from policies.facts import Assessment
from policies.policyfile import Policy
from policies.vocabulary import Level, Risk, level_rank, risk_rank

AssessmentMap = Mapping[str, Sequence[Assessment]]


def index_assessments(assessments: Iterable[Assessment]) -> dict[str, tuple[Assessment, ...]]:
    """Group a flat list of assessments (all history rows) by area code, as
    `effective_risk` expects them. Build it once per request, not per area."""
    grouped: dict[str, list[Assessment]] = defaultdict(list)
    for a in assessments:
        grouped[a.area_code].append(a)
    return {code: tuple(rows) for code, rows in grouped.items()}


def _current(rows: Sequence[Assessment], at: datetime) -> Assessment | None:
    best: Assessment | None = None
    for a in rows:
        if a.in_force(at) and (
            best is None
            or (a.effective_from, risk_rank(a.risk)) > (best.effective_from, risk_rank(best.risk))
        ):
            best = a
    return best


def _lapsed(rows: Sequence[Assessment], at: datetime, after: datetime | None) -> Assessment | None:
    # The most recent temporary raise that ended by `at` and would otherwise still win. Ties
    # are broken on every field that can differ, so the answer never depends on row order.
    candidates = [
        a
        for a in rows
        if a.expires_at is not None
        and a.expires_at <= at
        and (after is None or a.effective_from > after)
    ]
    return max(
        candidates,
        key=lambda a: (a.expires_at, a.effective_from, risk_rank(a.risk)),
        default=None,
    )


def effective_risk(
    area_code: str,
    areas: AreaMap,
    assessments: AssessmentMap,
    at: datetime,
    policy: Policy,
) -> Decision[Risk]:
    reasons: list[Reason] = []
    for code in lineage(area_code, areas):
        rows = assessments.get(code, ())
        found = _current(rows, at)
        lapsed = _lapsed(rows, at, found.effective_from if found else None)
        if lapsed is not None and lapsed.expires_at is not None:
            reasons.append(
                Reason.of(
                    ReasonCode.EXPIRED_IGNORED,
                    area=code,
                    risk=lapsed.risk,
                    expired_at=lapsed.expires_at,
                )
            )
        if found is not None:
            if code == area_code:
                reason = Reason.of(
                    ReasonCode.OWN_ASSESSMENT,
                    area=code,
                    risk=found.risk,
                    since=found.effective_from,
                )
            else:
                reason = Reason.of(
                    ReasonCode.INHERITED_ASSESSMENT,
                    area=area_code,
                    source=code,
                    risk=found.risk,
                    since=found.effective_from,
                )
            return Decision(found.risk, (*reasons, reason))
    code = ReasonCode.NO_ASSESSMENT if area_code in areas else ReasonCode.UNKNOWN_AREA
    reasons.append(Reason.of(code, area=area_code, risk=policy.default_risk))
    return Decision(policy.default_risk, tuple(reasons))


def cooperation_level(risk: Risk, policy: Policy) -> Decision[Level]:
    level = policy.level_for(risk)
    reasons = [Reason.of(ReasonCode.RISK_LEVEL, risk=risk, level=level)]
    if risk in policy.no_go:
        reasons.append(Reason.of(ReasonCode.NO_GO, risk=risk))
    return Decision(level, tuple(reasons))


@dataclass(frozen=True, slots=True)
class Standing:
    """Where an area stands at one instant: what `GET /areas` shows."""

    area: str
    risk: Risk
    level: Level
    no_go: bool


def area_standing(
    area_code: str,
    areas: AreaMap,
    assessments: AssessmentMap,
    at: datetime,
    policy: Policy,
) -> Decision[Standing]:
    """Effective risk and the level it gives, with both sets of reasons."""
    risk = effective_risk(area_code, areas, assessments, at, policy)
    level = cooperation_level(risk.outcome, policy)
    standing = Standing(area_code, risk.outcome, level.outcome, risk.outcome in policy.no_go)
    return Decision(standing, risk.reasons + level.reasons)


def can_lower_level(
    current: Risk,
    proposed: Risk,
    *,
    proposed_by: str,
    confirmed_by: Sequence[str] = (),
    policy: Policy,
) -> Decision[bool]:
    """May a change of an area's effective risk from `current` to `proposed` take effect now?

    True at once unless the level drops. A drop needs `coordinators_to_leave_enhanced`
    distinct coordinators, the proposer included; a confirmation by the proposer counts
    once. The hub checks that each id belongs to a coordinator."""
    before, after = policy.level_for(current), policy.level_for(proposed)
    if level_rank(after) >= level_rank(before):
        return Decision(
            True, (Reason.of(ReasonCode.TAKES_EFFECT_AT_ONCE, from_level=before, to_level=after),)
        )
    reasons: list[Reason] = []
    if proposed_by in confirmed_by:
        reasons.append(Reason.of(ReasonCode.SAME_COORDINATOR, coordinator=proposed_by))
    have = len({proposed_by, *confirmed_by})
    need = policy.coordinators_to_leave_enhanced
    if have >= need:
        reasons.append(
            Reason.of(ReasonCode.CONFIRMED, from_level=before, to_level=after, have=have, need=need)
        )
        return Decision(True, tuple(reasons))
    reasons.append(
        Reason.of(
            ReasonCode.AWAITING_CONFIRMATION,
            from_level=before,
            to_level=after,
            have=have,
            need=need,
        )
    )
    return Decision(False, tuple(reasons))


def check_temporary_raise(
    effective_from: datetime, expires_at: datetime, policy: Policy
) -> Decision[bool]:
    """May an assessment with this expiry be recorded? Its lapse later needs no second
    coordinator: its length was bounded, and agreed, when it was set."""
    duration = expires_at - effective_from
    if duration.total_seconds() <= 0:
        return Decision(
            False,
            (
                Reason.of(
                    ReasonCode.RAISE_ENDS_BEFORE_START, since=effective_from, until=expires_at
                ),
            ),
        )
    code = (
        ReasonCode.RAISE_TOO_LONG
        if duration > policy.max_temporary_raise
        else ReasonCode.RAISE_WITHIN_LIMIT
    )
    return Decision(
        code is ReasonCode.RAISE_WITHIN_LIMIT,
        (Reason.of(code, duration=duration, max=policy.max_temporary_raise),),
    )


def lapsing_between(
    assessments: Iterable[Assessment], since: datetime, until: datetime
) -> tuple[Assessment, ...]:
    """Assessments whose expiry falls in (since, until]: what the risk-expiry job handles
    on each run. Sorted by expiry, then area, so runs are reproducible."""
    due = [a for a in assessments if a.expires_at is not None and since < a.expires_at <= until]
    return tuple(sorted(due, key=lambda a: (a.expires_at or since, a.area_code)))


def reviews_due(assessments: Iterable[Assessment], at: datetime) -> tuple[Assessment, ...]:
    """Assessments in force at `at` whose review date has come (for the reminder job)."""
    due = [
        a for a in assessments if a.review_at is not None and a.review_at <= at and a.in_force(at)
    ]
    return tuple(sorted(due, key=lambda a: (a.review_at or at, a.area_code)))


class Change(StrEnum):
    RAISED = "raised"
    LOWERED = "lowered"
    UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True)
class Transition:
    before: Standing
    after: Standing
    at: datetime

    @property
    def level_change(self) -> Change:
        b, a = level_rank(self.before.level), level_rank(self.after.level)
        return Change.RAISED if a > b else Change.LOWERED if a < b else Change.UNCHANGED


def raise_expiry(
    lapsed: Assessment,
    area_code: str,
    areas: AreaMap,
    assessments: AssessmentMap,
    policy: Policy,
) -> Decision[Transition]:
    """How the lapse of `lapsed` changes `area_code` (its own area or any area below it that
    inherits from it): the standing an instant before the expiry and at it."""
    if lapsed.expires_at is None:
        raise ValueError("only an assessment with an expiry lapses")
    at = lapsed.expires_at
    # Assessments have whole-second precision in practice; a microsecond before is "before".
    before = area_standing(area_code, areas, assessments, at - timedelta(microseconds=1), policy)
    after = area_standing(area_code, areas, assessments, at, policy)
    reason = Reason.of(
        ReasonCode.RAISE_EXPIRES,
        area=area_code,
        at=at,
        from_risk=before.outcome.risk,
        to_risk=after.outcome.risk,
    )
    return Decision(Transition(before.outcome, after.outcome, at), (reason, *after.reasons))
