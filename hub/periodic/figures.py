"""The header figures of an area over a period: what the periodic security report counts.

Built from report headers only — the hub cannot read bodies — and read from the partial
index `ix_reports_counts` alone: one grouped query per period returns counts by day, category
and severity, never a header row. Whether a header counts (not withdrawn; an incident's latest
stage) is kept on the row by publication and withdrawal (hub/reports/counting.py), so no
header needs a look-up of its incident's other stages: the cost follows the period's reports
in the area, not the size of the database (bench/periodic.py).

What the figures show and what they do not (docs/threat-model.md: headers are hub-visible by
design, kept coarse):
- counts only, by week (never by day), category, severity and sub-area; no originator, no
  summary, no report id of anything the reader's organisation was not given;
- an incident counts once, as its latest stage (final over update over flash, then the latest
  published), like the aggregates export; withdrawn reports do not count;
- a TLP:RED report counts only for an organisation it was given: RED names its recipients,
  and even the fact that such a report exists is theirs.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Select, func, or_, select, text, true
from sqlalchemy.orm import Session

from hub.reports.models import Report, ReportWrap
from policies.vocabulary import ReportType, Severity, Tlp

# A period longer than this is refused: a year by week is already 53 bars.
MAX_DAYS = 366
DEFAULT_DAYS = 7

_INCIDENT = ReportType.INCIDENT.value


@dataclass(frozen=True)
class Period:
    """From `start` to `end`, both days included."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def previous(self) -> Period:
        """The period of the same length that ends the day before this one starts."""
        return Period(self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1))

    def weeks(self) -> list[Period]:
        """Seven-day steps from the start; the last one may be shorter."""
        out = []
        start = self.start
        while start <= self.end:
            out.append(Period(start, min(start + dt.timedelta(days=6), self.end)))
            start += dt.timedelta(days=7)
        return out

    @classmethod
    def last_days(cls, today: dt.date, days: int = DEFAULT_DAYS) -> Period:
        return cls(today - dt.timedelta(days=days - 1), today)


@dataclass(frozen=True)
class CategoryCount:
    category: str
    count: int
    previous: int


@dataclass(frozen=True)
class WeekCount:
    week: Period
    count: int


@dataclass(frozen=True)
class Figures:
    code: str
    period: Period
    total: int
    previous_total: int
    weeks: list[WeekCount]
    previous_weeks: list[WeekCount]
    categories: list[CategoryCount]
    severities: dict[str, int]
    other_types: dict[str, int]
    # Incidents by the area itself and each area directly below it (its subtree folded in).
    by_area: list[tuple[str, int]] = field(default_factory=list)

    @property
    def change(self) -> int:
        return self.total - self.previous_total

    @property
    def change_percent(self) -> int | None:
        """Rounded; None when the previous period had none (no ratio to give)."""
        if self.previous_total == 0:
            return None
        return round(100 * self.change / self.previous_total)


def _visible(organisation_id: str) -> ColumnElement[bool]:
    """Not TLP:RED, or RED and given to this organisation (a live wrap): a primary-key
    look-up of report_wraps, for RED headers only (the OR stops at the first branch for the
    others). Written as a scalar sub-query, not EXISTS: PostgreSQL may turn an EXISTS into
    one hash of every wrap the organisation holds — 100k to 1M for a partner given every
    report, 0.1 to 0.4 s — where the RED headers' own look-ups take milliseconds
    (bench.periodic, bench.chart); a scalar sub-query is never hashed. The wrap's primary key
    (report, organisation) makes it at most one row."""
    given = (
        select(ReportWrap.report_id)
        .where(
            ReportWrap.report_id == Report.id,
            ReportWrap.organisation_id == organisation_id,
            ReportWrap.removed_at.is_(None),
        )
        .scalar_subquery()
    )
    return or_(Report.tlp != Tlp.RED.value, given.is_not(None))


def _in(codes: Sequence[str], span: Period, organisation_id: str) -> list[ColumnElement[bool]]:
    """The headers that count (`reports.counts`: not withdrawn, an incident's latest stage,
    hub/reports/counting.py) of these areas in this span, as this organisation may count
    them: ranges of the partial index ix_reports_counts, whose condition is `counts`."""
    return [
        Report.counts == true(),
        Report.area_code.in_(list(codes)),
        Report.occurred_on >= span.start,
        Report.occurred_on <= span.end,
        _visible(organisation_id),
    ]


def _weeks(span: Period, by_day: Counter[dt.date]) -> list[WeekCount]:
    return [
        WeekCount(
            week,
            sum(n for day, n in by_day.items() if week.start <= day <= week.end),
        )
        for week in span.weeks()
    ]


def incident_counts(
    codes: Sequence[str], span: Period, organisation_id: str
) -> Select[dt.date, str | None, str, int]:
    """Incidents by day, category and severity: the report's one query over the index
    (tests/hub/periodic/test_figures.py reads its plan)."""
    return (
        select(Report.occurred_on, Report.category, Report.severity, func.count())
        .where(*_in(codes, span, organisation_id))
        .where(Report.type == _INCIDENT)
        .group_by(Report.occurred_on, Report.category, Report.severity)
    )


def without_jit(session: Session) -> None:
    """For the rest of the transaction, no JIT compilation on PostgreSQL. A count over a
    country's thousand area codes is estimated dear enough to pass `jit_above_cost` at 1M
    reports, and compiling it took ~1 s where the count itself took ~80 ms (bench.chart's
    EXPLAIN ANALYZE). Short grouped reads gain nothing from JIT."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL jit = off"))


def area_figures(
    session: Session,
    *,
    code: str,
    codes: Sequence[str],
    children: dict[str, str],
    period: Period,
    organisation_id: str,
) -> Figures:
    """`codes`: the area and every area below it; `children`: each of those codes mapped to
    the area directly below `code` that contains it (or `code` itself)."""
    both = Period(period.previous.start, period.end)
    without_jit(session)
    incidents = session.execute(incident_counts(codes, both, organisation_id)).all()
    current_days: Counter[dt.date] = Counter()
    previous_days: Counter[dt.date] = Counter()
    categories: Counter[str] = Counter()
    previous_categories: Counter[str] = Counter()
    severities: Counter[str] = Counter()
    for day, category, severity, count in incidents:
        name = category or "other"
        if day >= period.start:
            current_days[day] += count
            categories[name] += count
            severities[severity] += count
        else:
            previous_days[day] += count
            previous_categories[name] += count
    others = session.execute(
        select(Report.type, func.count())
        .where(*_in(codes, period, organisation_id))
        .where(Report.type != _INCIDENT)
        .group_by(Report.type)
    ).all()
    places = session.execute(
        select(Report.area_code, func.count())
        .where(*_in(codes, period, organisation_id))
        .where(Report.type == _INCIDENT)
        .group_by(Report.area_code)
    ).all()
    by_area: Counter[str] = Counter()
    for area_code, count in places:
        by_area[children.get(area_code, code)] += count
    names = set(categories) | set(previous_categories)
    return Figures(
        code=code,
        period=period,
        total=sum(current_days.values()),
        previous_total=sum(previous_days.values()),
        weeks=_weeks(period, current_days),
        previous_weeks=_weeks(period.previous, previous_days),
        categories=sorted(
            (CategoryCount(n, categories[n], previous_categories[n]) for n in names),
            key=lambda c: (-c.count, -c.previous, c.category),
        ),
        severities={s.value: severities[s.value] for s in Severity if severities[s.value]},
        other_types=dict(sorted((str(t), int(n)) for t, n in others)),
        by_area=sorted(by_area.items(), key=lambda item: (item[0] != code, -item[1], item[0])),
    )


def fold_children(
    code: str, subtree: Iterable[str], lineage: Mapping[str, Sequence[str]]
) -> dict[str, str]:
    """Each code of the subtree → the area directly below `code` on its lineage (or `code`)."""
    out = {}
    for member in subtree:
        chain = list(lineage.get(member, (member,)))
        if code in chain:
            index = chain.index(code)
            out[member] = chain[index - 1] if index > 0 else code
    return out
