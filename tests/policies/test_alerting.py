"""Alert plans: who is alerted, when (quiet hours in the liaison's own zone), and how a
missing acknowledgement escalates. `now` is always passed in."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from policies import (
    AlertRoute,
    Delivery,
    Designation,
    QuietHours,
    ReasonCode,
    alert_plan,
    default_policy,
    in_quiet_hours,
    level_change_plan,
    quiet_hours_end,
)
from policies.vocabulary import Channel, EscalationTarget, Level, ReportType, Severity
from tests.policies.factories import AREAS, NOW, header

POLICY = default_policy()
RECIPIENTS = frozenset({"origin", "a", "b"})
NIGHT_KINSHASA = QuietHours(time(22), time(6), "Africa/Kinshasa")  # UTC+1, no DST


def liaison(
    id: str = "la",
    organisation: str = "a",
    *areas: str,
    **kw: object,
) -> Designation:
    return Designation(id, organisation, frozenset(areas or {"CD61"}), **kw)  # type: ignore[arg-type]


def plan(
    designations: list[Designation],
    *,
    severity: Severity = Severity.SEVERE,
    level: Level = Level.ENHANCED,
    now: datetime = NOW,
    area: str = "CD61",
    type: ReportType = ReportType.INCIDENT,
) -> tuple[tuple[AlertRoute, ...], list[ReasonCode]]:
    d = alert_plan(
        header(severity=severity, area=area, type=type),
        level,
        RECIPIENTS,
        designations,
        POLICY,
        now,
        areas=AREAS,
    )
    return d.outcome.routes, [r.code for r in d.reasons]


def test_only_liaisons_of_recipient_organisations_are_alerted() -> None:
    routes, codes = plan([liaison("la", "a"), liaison("lx", "x")])
    assert [r.liaison for r in routes] == ["la"]
    assert ReasonCode.DESIGNATION_NOT_RECIPIENT in codes


def test_area_severity_and_type_filters() -> None:
    inside = liaison("l1", "a", "CD610201")  # designated for a district inside the area
    above = liaison("l2", "a", "CD")  # for the whole country
    sibling = liaison("l3", "a", "CD62")
    picky = liaison("l4", "b", "CD61", min_severity=Severity.EXTREME)
    lessons = liaison("l5", "b", "CD61", report_types=frozenset({ReportType.LESSON}))
    silent = liaison("l6", "b", "CD61", channels=())
    routes, codes = plan([inside, above, sibling, picky, lessons, silent])
    assert {r.liaison for r in routes} == {"l1", "l2"}
    for code in (
        ReasonCode.DESIGNATION_OTHER_AREA,
        ReasonCode.DESIGNATION_BELOW_SEVERITY,
        ReasonCode.DESIGNATION_OTHER_TYPE,
        ReasonCode.DESIGNATION_NO_CHANNEL,
    ):
        assert code in codes


def test_normal_level_sends_minor_reports_in_the_digest() -> None:
    (route,), codes = plan([liaison()], severity=Severity.MINOR, level=Level.NORMAL)
    assert route.delivery is Delivery.DIGEST
    assert ReasonCode.ALERT_DIGEST in codes
    assert route.send_at is None
    assert route.ack_deadline is None
    (route,), _ = plan([liaison()], severity=Severity.MINOR, level=Level.ENHANCED)
    assert route.delivery is Delivery.IMMEDIATE


def test_quiet_hours_defer_to_their_end_in_the_liaisons_zone() -> None:
    night = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)  # 00:30 in Kinshasa
    (route,), codes = plan([liaison(quiet_hours=NIGHT_KINSHASA)], now=night)
    assert route.delivery is Delivery.DEFERRED
    assert route.send_at == datetime(2026, 11, 24, 5, 0, tzinfo=UTC)  # 06:00 in Kinshasa
    assert ReasonCode.ALERT_DEFERRED in codes


def test_extreme_severity_overrides_quiet_hours_and_asks_for_acknowledgement() -> None:
    night = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)
    designation = liaison(quiet_hours=NIGHT_KINSHASA, deputies=("dep1", "dep2"))
    (route,), codes = plan([designation], severity=Severity.EXTREME, now=night)
    assert route.delivery is Delivery.IMMEDIATE
    assert route.send_at == night
    assert ReasonCode.QUIET_HOURS_OVERRIDDEN in codes
    assert route.ack_deadline == night + timedelta(minutes=15)
    assert [(s.to, s.liaison, s.at) for s in route.escalation] == [
        (EscalationTarget.DEPUTY, "dep1", night + timedelta(minutes=15)),
        (EscalationTarget.FOCAL_POINTS, None, night + timedelta(minutes=30)),
    ]
    assert route.escalation[0].channels == (Channel.SMS, Channel.EMAIL)


def test_no_acknowledgement_under_normal_cooperation() -> None:
    (route,), _ = plan([liaison()], severity=Severity.EXTREME, level=Level.NORMAL)
    assert route.ack_deadline is None
    assert route.escalation == ()


def test_a_missing_deputy_skips_the_step() -> None:
    (route,), codes = plan([liaison()], severity=Severity.EXTREME)
    assert [s.to for s in route.escalation] == [EscalationTarget.FOCAL_POINTS]
    assert ReasonCode.NO_DEPUTY in codes


def test_deferred_flash_counts_its_deadline_from_release() -> None:
    policy = default_policy()
    from policies import parse_policy

    no_override = parse_policy("[alerts]\nquiet_hours_override = []\n")
    night = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)
    d = alert_plan(
        header(severity=Severity.EXTREME),
        Level.ENHANCED,
        RECIPIENTS,
        [liaison(quiet_hours=NIGHT_KINSHASA)],
        no_override,
        night,
        areas=AREAS,
    )
    (route,) = d.outcome.routes
    release = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
    assert route.send_at == release
    assert route.ack_deadline == release + policy.at(Level.ENHANCED).ack_deadline


def test_quiet_hours_follow_daylight_saving_in_the_liaisons_zone() -> None:
    paris = QuietHours(time(22), time(7), "Europe/Paris")
    # 28 March 2026, 22:30 UTC = 23:30 in Paris (UTC+1); the clocks go forward that night,
    # so 07:00 the next morning is 05:00 UTC, not 06:00.
    now = datetime(2026, 3, 28, 22, 30, tzinfo=UTC)
    assert in_quiet_hours(paris, now)
    assert quiet_hours_end(paris, now) == datetime(2026, 3, 29, 5, 0, tzinfo=UTC)


def test_quiet_hours_edges() -> None:
    day = QuietHours(time(12), time(14), "UTC")
    assert in_quiet_hours(day, NOW)  # 12:00 is inside, the end is outside
    assert not in_quiet_hours(day, NOW.replace(hour=14))
    assert not in_quiet_hours(QuietHours(time(9), time(9), "UTC"), NOW)


def test_level_change_reaches_every_liaison_of_the_area_without_acknowledgement() -> None:
    designations = [liaison("la", "a", "CD"), liaison("lz", "z", "ML"), liaison("lb", "b")]
    d = level_change_plan("CD6102", Level.ENHANCED, designations, POLICY, NOW, areas=AREAS)
    assert [(r.liaison, r.ack_deadline) for r in d.outcome.routes] == [
        ("la", None),
        ("lb", None),
    ]


def test_plans_do_not_depend_on_designation_order() -> None:
    ds = [liaison("l2", "b"), liaison("l1", "a"), liaison("l3", "a", "CD")]
    first = alert_plan(header(), Level.ENHANCED, RECIPIENTS, ds, POLICY, NOW, areas=AREAS)
    again = alert_plan(header(), Level.ENHANCED, RECIPIENTS, ds[::-1], POLICY, NOW, areas=AREAS)
    assert first == again
