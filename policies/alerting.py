"""How alerts about a report (or a level change) go out: to whom, by which channel, when,
and what happens if nobody acknowledges.

Guarantees:
- only liaisons of organisations that receive the report are alerted (an alert never tells an
  organisation about a report it cannot read);
- a liaison is alerted when one of its designated areas is the report's area, contains it or
  lies inside it, the severity reaches its minimum and the type is one it asked for;
- quiet hours defer an immediate alert to the end of the quiet period in the liaison's own time
  zone — they never drop it — except for severities the policy lets through
  (`alerts.quiet_hours_override`, extreme by default);
- digest-mode alerts carry no send time (the digest job batches them) and ask for no
  acknowledgement;
- when the report's precedence requires acknowledgement at the area's level, the deadline and
  every escalation step are absolute times counted from when the alert is actually sent
  (after any deferral); "deputy" steps take the liaison's deputies in order, and a step with
  no deputy left is skipped, not failed;
- routes are sorted by (organisation, liaison): the same facts give the same plan.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from policies.areas import AreaMap, concerned_areas
from policies.decision import Decision, Reason, ReasonCode
from policies.facts import Designation, QuietHours, ReportHeader
from policies.policyfile import Policy
from policies.vocabulary import (
    AlertMode,
    Channel,
    EscalationTarget,
    Lang,
    Level,
    Severity,
    severity_rank,
)


class Delivery(StrEnum):
    IMMEDIATE = "immediate"
    DIGEST = "digest"
    DEFERRED = "deferred"


@dataclass(frozen=True, slots=True)
class PlannedStep:
    """An escalation step. `liaison` is the deputy's id; None for the organisation's focal
    points, whom the alerts module looks up through the interface the hub hands it."""

    at: datetime
    to: EscalationTarget
    liaison: str | None
    channels: tuple[Channel, ...]


@dataclass(frozen=True, slots=True)
class AlertRoute:
    liaison: str
    organisation: str
    channels: tuple[Channel, ...]
    language: Lang
    delivery: Delivery
    send_at: datetime | None
    ack_deadline: datetime | None
    escalation: tuple[PlannedStep, ...]


@dataclass(frozen=True, slots=True)
class AlertPlan:
    routes: tuple[AlertRoute, ...]


def in_quiet_hours(quiet: QuietHours, now: datetime) -> bool:
    local = now.astimezone(ZoneInfo(quiet.tz)).time().replace(tzinfo=None)
    if quiet.start == quiet.end:
        return False
    if quiet.start < quiet.end:
        return quiet.start <= local < quiet.end
    return local >= quiet.start or local < quiet.end


def quiet_hours_end(quiet: QuietHours, now: datetime) -> datetime:
    """The next end of the quiet period after `now`, in UTC."""
    zone = ZoneInfo(quiet.tz)
    local = now.astimezone(zone)
    day = local.date()
    for _ in range(3):
        candidate = datetime.combine(day, quiet.end, tzinfo=zone)
        if candidate > local:
            return candidate.astimezone(UTC)
        day += timedelta(days=1)
    raise AssertionError("unreachable: an end time recurs within two days")


def _timing(
    designation: Designation,
    mode: AlertMode,
    severity: Severity | None,
    policy: Policy,
    now: datetime,
    reasons: list[Reason],
    level: Level,
) -> tuple[Delivery, datetime | None]:
    who = designation.liaison
    if mode is AlertMode.DIGEST:
        reasons.append(Reason.of(ReasonCode.ALERT_DIGEST, liaison=who, level=level))
        return Delivery.DIGEST, None
    quiet = designation.quiet_hours
    if quiet is not None and in_quiet_hours(quiet, now):
        if severity is not None and severity in policy.quiet_hours_override:
            reasons.append(
                Reason.of(ReasonCode.QUIET_HOURS_OVERRIDDEN, liaison=who, severity=severity)
            )
        else:
            until = quiet_hours_end(quiet, now)
            reasons.append(Reason.of(ReasonCode.ALERT_DEFERRED, liaison=who, until=until))
            return Delivery.DEFERRED, until
    reasons.append(Reason.of(ReasonCode.ALERT_IMMEDIATE, liaison=who, level=level))
    return Delivery.IMMEDIATE, now


def alert_plan(
    header: ReportHeader,
    level: Level,
    recipients: frozenset[str],
    designations: Iterable[Designation],
    policy: Policy,
    now: datetime,
    *,
    areas: AreaMap,
) -> Decision[AlertPlan]:
    """Alerts for a newly published report whose data key was sealed to `recipients`, in an
    area at cooperation `level`."""
    rules = policy.at(level)
    concerned = concerned_areas(header.area, areas)
    reasons: list[Reason] = []
    routes: list[AlertRoute] = []
    for d in sorted(designations, key=lambda d: (d.organisation, d.liaison)):
        who = d.liaison
        if d.organisation not in recipients:
            reasons.append(
                Reason.of(ReasonCode.DESIGNATION_NOT_RECIPIENT, liaison=who, org=d.organisation)
            )
            continue
        if d.areas.isdisjoint(concerned):
            reasons.append(
                Reason.of(ReasonCode.DESIGNATION_OTHER_AREA, liaison=who, area=header.area)
            )
            continue
        if severity_rank(header.severity) < severity_rank(d.min_severity):
            reasons.append(
                Reason.of(
                    ReasonCode.DESIGNATION_BELOW_SEVERITY,
                    liaison=who,
                    severity=header.severity,
                    min_severity=d.min_severity,
                )
            )
            continue
        if d.report_types and header.type not in d.report_types:
            reasons.append(
                Reason.of(ReasonCode.DESIGNATION_OTHER_TYPE, liaison=who, type=header.type)
            )
            continue
        if not d.channels:
            reasons.append(Reason.of(ReasonCode.DESIGNATION_NO_CHANNEL, liaison=who))
            continue
        mode = rules.alert_mode[header.severity]
        delivery, send_at = _timing(d, mode, header.severity, policy, now, reasons, level)
        deadline: datetime | None = None
        steps: list[PlannedStep] = []
        if send_at is not None and header.effective_precedence in rules.ack_precedences:
            deadline = send_at + rules.ack_deadline
            reasons.append(Reason.of(ReasonCode.ACK_REQUIRED, liaison=who, deadline=deadline))
            deputies = iter(d.deputies)
            for n, step in enumerate(rules.escalation, start=1):
                at = send_at + step.after
                if step.to is EscalationTarget.DEPUTY:
                    deputy = next(deputies, None)
                    if deputy is None:
                        reasons.append(Reason.of(ReasonCode.NO_DEPUTY, liaison=who, step=n))
                        continue
                    steps.append(PlannedStep(at, step.to, deputy, step.channels))
                    reasons.append(
                        Reason.of(
                            ReasonCode.ESCALATION_DEPUTY, liaison=who, step=n, deputy=deputy, at=at
                        )
                    )
                else:
                    steps.append(PlannedStep(at, step.to, None, step.channels))
                    reasons.append(
                        Reason.of(ReasonCode.ESCALATION_FOCAL_POINTS, liaison=who, step=n, at=at)
                    )
        routes.append(
            AlertRoute(
                liaison=who,
                organisation=d.organisation,
                channels=d.channels,
                language=d.language,
                delivery=delivery,
                send_at=send_at,
                ack_deadline=deadline,
                escalation=tuple(steps),
            )
        )
    return Decision(AlertPlan(tuple(routes)), tuple(reasons))


def level_change_plan(
    area_code: str,
    level: Level,
    designations: Iterable[Designation],
    policy: Policy,
    now: datetime,
    *,
    areas: AreaMap,
) -> Decision[AlertPlan]:
    """Alerts for a change of `area_code`'s level (now `level`): every liaison designated for
    the area, a containing or a contained area, at once, deferred by quiet hours, with no
    acknowledgement. A level change is public (TLP:CLEAR), so no recipient filter applies."""
    concerned = concerned_areas(area_code, areas)
    reasons: list[Reason] = []
    routes: list[AlertRoute] = []
    for d in sorted(designations, key=lambda d: (d.organisation, d.liaison)):
        if d.areas.isdisjoint(concerned):
            continue
        if not d.channels:
            reasons.append(Reason.of(ReasonCode.DESIGNATION_NO_CHANNEL, liaison=d.liaison))
            continue
        delivery, send_at = _timing(d, AlertMode.IMMEDIATE, None, policy, now, reasons, level)
        routes.append(
            AlertRoute(
                d.liaison, d.organisation, d.channels, d.language, delivery, send_at, None, ()
            )
        )
    return Decision(AlertPlan(tuple(routes)), tuple(reasons))
