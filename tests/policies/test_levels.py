"""Effective risk, the level it gives, four eyes, temporary raises and their expiry — all on
a frozen clock: every instant is an argument."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policies import (
    Assessment,
    Change,
    ReasonCode,
    area_standing,
    can_lower_level,
    check_temporary_raise,
    cooperation_level,
    default_policy,
    effective_risk,
    index_assessments,
    lapsing_between,
    raise_expiry,
    reviews_due,
)
from policies.vocabulary import RISK_ORDER, Level, Risk, level_rank
from tests.policies.factories import AREA_CODES, AREAS, NOW

POLICY = default_policy()
DAY = timedelta(days=1)


def risk_of(code: str, *rows: Assessment, at: datetime = NOW) -> Risk:
    return effective_risk(code, AREAS, index_assessments(rows), at, POLICY).outcome


def test_own_assessment_wins_over_an_ancestors() -> None:
    rows = (
        Assessment("CD", Risk.MEDIUM, NOW - 10 * DAY),
        Assessment("CD61", Risk.HIGH, NOW - 5 * DAY),
    )
    d = effective_risk("CD61", AREAS, index_assessments(rows), NOW, POLICY)
    assert d.outcome is Risk.HIGH
    assert d.reasons[-1].code is ReasonCode.OWN_ASSESSMENT


def test_nearest_ancestor_is_inherited() -> None:
    rows = (
        Assessment("CD", Risk.MEDIUM, NOW - 10 * DAY),
        Assessment("CD61", Risk.VERY_HIGH, NOW - 5 * DAY),
    )
    d = effective_risk("CD610201", AREAS, index_assessments(rows), NOW, POLICY)
    assert d.outcome is Risk.VERY_HIGH
    (reason,) = d.reasons
    assert reason.code is ReasonCode.INHERITED_ASSESSMENT
    assert reason.get("source") == "CD61"


def test_no_assessment_anywhere_gives_the_policy_default() -> None:
    d = effective_risk("ML0101", AREAS, {}, NOW, POLICY)
    assert d.outcome is POLICY.default_risk
    assert d.has(ReasonCode.NO_ASSESSMENT)


def test_unknown_area_gives_the_policy_default_and_says_so() -> None:
    d = effective_risk("ZZ99", AREAS, {}, NOW, POLICY)
    assert d.outcome is POLICY.default_risk
    assert d.has(ReasonCode.UNKNOWN_AREA)


def test_an_assessment_is_not_in_force_before_it_starts() -> None:
    assert risk_of("CD61", Assessment("CD61", Risk.HIGH, NOW + DAY)) is POLICY.default_risk


def test_an_expired_temporary_raise_falls_back_to_what_was_beneath_it() -> None:
    base = Assessment("CD61", Risk.MEDIUM, NOW - 30 * DAY)
    raise_ = Assessment("CD61", Risk.VERY_HIGH, NOW - 3 * DAY, expires_at=NOW)
    assert risk_of("CD61", base, raise_, at=NOW - timedelta(seconds=1)) is Risk.VERY_HIGH
    d = effective_risk("CD61", AREAS, index_assessments([base, raise_]), NOW, POLICY)
    assert d.outcome is Risk.MEDIUM
    assert d.has(ReasonCode.EXPIRED_IGNORED)


def test_an_expired_own_raise_falls_back_to_the_ancestor() -> None:
    rows = (
        Assessment("CD", Risk.LOW, NOW - 30 * DAY),
        Assessment("CD6102", Risk.HIGH, NOW - 3 * DAY, expires_at=NOW - DAY),
    )
    assert risk_of("CD6102", *rows) is Risk.LOW


def test_latest_assessment_wins_and_a_tie_goes_to_the_higher_risk() -> None:
    older = Assessment("CD61", Risk.VERY_HIGH, NOW - 9 * DAY)
    newer = Assessment("CD61", Risk.LOW, NOW - 2 * DAY)
    assert risk_of("CD61", older, newer) is Risk.LOW
    tie = Assessment("CD61", Risk.HIGH, NOW - 2 * DAY)
    assert risk_of("CD61", newer, tie) is Risk.HIGH
    assert risk_of("CD61", tie, newer) is Risk.HIGH


def test_a_cycle_in_the_area_data_does_not_hang() -> None:
    from policies import Area, area_map

    looped = area_map([Area("A", "B"), Area("B", "A")])
    d = effective_risk("A", looped, {}, NOW, POLICY)
    assert d.outcome is POLICY.default_risk


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Assessment("CD", Risk.LOW, NOW.replace(tzinfo=None))


@pytest.mark.parametrize(
    ("risk", "level", "no_go"),
    [
        (Risk.VERY_LOW, Level.NORMAL, False),
        (Risk.MEDIUM, Level.NORMAL, False),
        (Risk.HIGH, Level.ENHANCED, False),
        (Risk.VERY_HIGH, Level.ENHANCED, False),
        (Risk.UNACCEPTABLE, Level.ENHANCED, True),
    ],
)
def test_cooperation_level_and_no_go(risk: Risk, level: Level, no_go: bool) -> None:
    d = cooperation_level(risk, POLICY)
    assert d.outcome is level
    assert d.has(ReasonCode.NO_GO) is no_go
    standing = area_standing(
        "CD61", AREAS, index_assessments([Assessment("CD61", risk, NOW - DAY)]), NOW, POLICY
    ).outcome
    assert (standing.risk, standing.level, standing.no_go) == (risk, level, no_go)


@settings(max_examples=100, deadline=None)
@given(
    code=st.sampled_from(AREA_CODES),
    rows=st.lists(
        st.builds(
            Assessment,
            area_code=st.sampled_from(AREA_CODES),
            risk=st.sampled_from(list(Risk)),
            effective_from=st.integers(-20, 5).map(lambda d: NOW + d * DAY),
            expires_at=st.one_of(st.none(), st.integers(-5, 20).map(lambda d: NOW + d * DAY)),
        ),
        max_size=8,
    ),
)
def test_effective_risk_is_deterministic_and_comes_from_the_lineage(
    code: str, rows: list[Assessment]
) -> None:
    first = effective_risk(code, AREAS, index_assessments(rows), NOW, POLICY)
    again = effective_risk(code, AREAS, index_assessments(reversed(rows)), NOW, POLICY)
    assert first == again
    from policies import lineage

    in_force = [a for a in rows if a.area_code in lineage(code, AREAS) and a.in_force(NOW)]
    if not in_force:
        assert first.outcome is POLICY.default_risk
    else:
        assert first.outcome in {a.risk for a in in_force}


# Four eyes ---------------------------------------------------------------------------------


def test_raising_takes_effect_at_once() -> None:
    d = can_lower_level(Risk.LOW, Risk.VERY_HIGH, proposed_by="ann", policy=POLICY)
    assert d.outcome is True
    assert d.has(ReasonCode.TAKES_EFFECT_AT_ONCE)


def test_lowering_within_a_level_takes_effect_at_once() -> None:
    assert can_lower_level(Risk.VERY_HIGH, Risk.HIGH, proposed_by="ann", policy=POLICY).outcome


def test_leaving_enhanced_waits_for_a_second_coordinator() -> None:
    d = can_lower_level(Risk.HIGH, Risk.MEDIUM, proposed_by="ann", policy=POLICY)
    assert d.outcome is False
    assert d.has(ReasonCode.AWAITING_CONFIRMATION)
    ok = can_lower_level(
        Risk.HIGH, Risk.MEDIUM, proposed_by="ann", confirmed_by=["bob"], policy=POLICY
    )
    assert ok.outcome is True
    assert ok.has(ReasonCode.CONFIRMED)


def test_the_proposer_cannot_confirm_their_own_change() -> None:
    d = can_lower_level(
        Risk.HIGH, Risk.LOW, proposed_by="ann", confirmed_by=["ann", "ann"], policy=POLICY
    )
    assert d.outcome is False
    assert d.has(ReasonCode.SAME_COORDINATOR)


def test_three_coordinators_when_the_policy_says_so() -> None:
    from policies import parse_policy

    strict = parse_policy("[changes]\ncoordinators_to_leave_enhanced = 3\n")
    two = can_lower_level(
        Risk.HIGH, Risk.LOW, proposed_by="ann", confirmed_by=["bob"], policy=strict
    )
    three = can_lower_level(
        Risk.HIGH, Risk.LOW, proposed_by="ann", confirmed_by=["bob", "cat"], policy=strict
    )
    assert (two.outcome, three.outcome) == (False, True)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(RISK_ORDER), st.sampled_from(RISK_ORDER))
def test_only_a_level_drop_ever_waits(current: Risk, proposed: Risk) -> None:
    d = can_lower_level(current, proposed, proposed_by="ann", policy=POLICY)
    drop = level_rank(POLICY.level_for(proposed)) < level_rank(POLICY.level_for(current))
    assert d.outcome is not drop


# Temporary raises and expiry ----------------------------------------------------------------


def test_temporary_raise_length_is_bounded() -> None:
    assert check_temporary_raise(NOW, NOW + 30 * DAY, POLICY).outcome is True
    too_long = check_temporary_raise(NOW, NOW + 31 * DAY, POLICY)
    assert too_long.outcome is False
    assert too_long.has(ReasonCode.RAISE_TOO_LONG)
    backwards = check_temporary_raise(NOW, NOW - DAY, POLICY)
    assert backwards.has(ReasonCode.RAISE_ENDS_BEFORE_START)


def test_expiry_job_finds_what_lapsed_and_what_it_changes() -> None:
    base = Assessment("CD61", Risk.MEDIUM, NOW - 30 * DAY)
    raise_ = Assessment("CD61", Risk.HIGH, NOW - 3 * DAY, expires_at=NOW + 2 * DAY)
    other = Assessment("ML01", Risk.HIGH, NOW - 3 * DAY, expires_at=NOW + 9 * DAY)
    rows = [base, raise_, other]
    last_run, this_run = NOW + DAY, NOW + 3 * DAY
    assert lapsing_between(rows, last_run, this_run) == (raise_,)
    assert lapsing_between(rows, this_run, this_run + DAY) == ()
    indexed = index_assessments(rows)
    for code in ("CD61", "CD6102"):  # the area itself and a child that inherits from it
        d = raise_expiry(raise_, code, AREAS, indexed, POLICY)
        t = d.outcome
        assert (t.before.level, t.after.level) == (Level.ENHANCED, Level.NORMAL)
        assert t.level_change is Change.LOWERED
        assert t.at == raise_.expires_at
        assert d.reasons[0].code is ReasonCode.RAISE_EXPIRES


def test_reviews_due() -> None:
    due = Assessment("CD61", Risk.HIGH, NOW - 9 * DAY, review_at=NOW - DAY)
    later = Assessment("CD62", Risk.HIGH, NOW - 9 * DAY, review_at=NOW + DAY)
    over = Assessment(
        "ML01", Risk.HIGH, NOW - 9 * DAY, expires_at=NOW - DAY, review_at=NOW - 2 * DAY
    )
    assert reviews_due([later, over, due], NOW) == (due,)


def test_retention_is_fixed_by_type_and_level_at_publication() -> None:
    from policies import explain, retained_until
    from policies.vocabulary import ReportType

    d = retained_until(ReportType.OPERATIONAL_PLAN, Level.ENHANCED, NOW, POLICY)
    assert d.outcome == NOW + timedelta(days=180)
    assert "kept for 180 days, until 22 May 2027 12:00 UTC" in explain(d, "en")
    assert "est conservé 180 jours, jusqu’au 22/05/2027 à 12:00 UTC" in explain(d, "fr")
