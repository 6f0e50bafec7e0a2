"""An area's incidents by month, for the small chart on its page: counted in SQL from report
headers only (the hub reads no body for it), for the area and every area within it, over the
last twelve months (this one included).

The numbers are the periodic security report's (hub/periodic/figures.py `incident_counts`),
summed by month, so the chart and `/areas/{code}/report` never disagree: an incident counts
once, as its latest stage; withdrawn reports do not count; a TLP:RED report counts only for an
organisation it was given. The grouping by month runs in the database over that query, which
reads the partial index `ix_reports_counts` alone (whether a header counts is kept on the row:
hub/reports/counting.py): the cost follows the area's incidents of the year, not the reports
stored (bench/chart.py prints it at 10k, 100k and 1M headers).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, extract, func, select
from sqlalchemy.orm import Session

from hub.actors import Actor
from hub.areas.service import policy_areas
from hub.organisations.models import OrganisationStatus
from hub.periodic.figures import Period, incident_counts, without_jit
from policies.areas import as_tree

MONTHS = 12


@dataclass(frozen=True)
class Month:
    start: dt.date
    incidents: int


@dataclass(frozen=True)
class IncidentMonths:
    code: str
    months: list[Month]

    @property
    def total(self) -> int:
        return sum(m.incidents for m in self.months)


def month_starts(today: dt.date, count: int = MONTHS) -> list[dt.date]:
    """The first day of each of the last `count` months, oldest first, this month last."""
    index = today.year * 12 + today.month - 1
    return [dt.date(i // 12, i % 12 + 1, 1) for i in range(index - count + 1, index + 1)]


def month_counts_query(
    codes: list[str], *, since: dt.date, until: dt.date, organisation_id: str
) -> Select[int, int, int]:
    """(year, month, incidents) in `codes` between `since` and `until`, as `organisation_id`
    may count them."""
    by_day = incident_counts(codes, Period(since, until), organisation_id).subquery()
    day = by_day.c.occurred_on
    year, month = extract("year", day), extract("month", day)
    count = list(by_day.c)[-1]  # the count of each (day, category, severity)
    return select(year, month, func.sum(count)).group_by(year, month)


def incidents_by_month(
    session: Session, *, actor: Actor, code: str, today: dt.date
) -> IncidentMonths | None:
    """None for a reader who may see no count (not logged in, or a member of an organisation
    that is not approved: it receives nothing)."""
    member = actor.member
    if member is None or member.organisation.status != OrganisationStatus.APPROVED:
        return None
    codes = sorted(as_tree(policy_areas(session)).subtree(code))
    starts = month_starts(today)
    query = month_counts_query(
        codes, since=starts[0], until=today, organisation_id=member.organisation_id
    )
    without_jit(session)
    counts = {(int(y), int(m)): int(n) for y, m, n in session.execute(query)}
    return IncidentMonths(
        code=code, months=[Month(s, counts.get((s.year, s.month), 0)) for s in starts]
    )
