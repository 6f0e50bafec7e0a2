"""The weekly periodic report for liaisons who asked for it (`weekly_report` on their
designation): every Monday at 06:00 in each liaison's own time zone — as the daily digest
goes out (alerts/jobs.py) — one alert event per designated area, carrying the header figures
of the week that just ended (Monday to Sunday, local dates) and a link to the hub's page of
that area and week. The dispatcher sends it by email (alerts/weekly.py) with the usual
retries and delivery log.

The figures are those the liaison's organisation sees on the page (hub/periodic/figures.py):
a TLP:RED report counts only if the organisation holds it. One event per liaison, area and
week (its outbox source), so a second run of the sweep in the same hour adds nothing.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts import outbox
from alerts.facts import MAX_AREA_NAME_CHARS, PeriodicFacts
from alerts.models import LiaisonDesignation
from hub.areas import service as areas
from hub.areas.models import Area
from hub.organisations.models import Organisation, OrganisationStatus
from hub.periodic.figures import Period, area_figures, fold_children
from policies import Policy
from policies.areas import as_tree

# The hour of Monday, in each liaison's own time zone, at which the weekly report leaves.
WEEKLY_LOCAL_HOUR = 6


def last_week(local_today: dt.date) -> Period:
    """The Monday-to-Sunday week before the one `local_today` is in."""
    monday = local_today - dt.timedelta(days=local_today.weekday())
    return Period(monday - dt.timedelta(days=7), monday - dt.timedelta(days=1))


def weekly_reports(session: Session, *, now: dt.datetime, policy: Policy) -> int:
    """Enqueue the weekly reports due now; returns how many. Commits once."""
    wanting = session.scalars(
        select(LiaisonDesignation).where(LiaisonDesignation.weekly_report.is_(True))
    ).all()
    tree = as_tree(areas.policy_areas(session))
    made = 0
    for designation in wanting:
        local = now.astimezone(ZoneInfo(designation.timezone))
        if local.weekday() != 0 or local.hour != WEEKLY_LOCAL_HOUR:
            continue
        organisation = session.get(Organisation, designation.organisation_id)
        if organisation is None or organisation.status != OrganisationStatus.APPROVED:
            continue  # a suspended partner receives nothing new
        period = last_week(local.date())
        for code in designation.areas:
            area = session.get(Area, code)
            if area is None:
                continue
            codes = sorted(tree.subtree(code))
            figures = area_figures(
                session,
                code=code,
                codes=codes,
                children=fold_children(code, codes, {c: tree.lineage(c) for c in codes}),
                period=period,
                organisation_id=designation.organisation_id,
            )
            standing = areas.area_standing(session, code, at=now, policy=policy, areas=tree)
            facts = PeriodicFacts(
                area_code=code,
                area_name=area.display_name(designation.language)[:MAX_AREA_NAME_CHARS],
                start=period.start,
                end=period.end,
                total=figures.total,
                previous_total=figures.previous_total,
                risk=standing.outcome.risk.value,
                level=standing.outcome.level.value,
                categories=tuple((c.category, c.count) for c in figures.categories if c.count),
            )
            outbox.enqueue_weekly(
                session,
                notice=outbox.WeeklyNotice(member=designation.member_id, report=facts),
                organisation=designation.organisation_id,
            )
            made += 1
    session.commit()
    return made
