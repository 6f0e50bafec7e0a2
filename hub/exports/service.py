"""Exports as CSV with HXL hashtags (the second row), for humanitarian tools.

Two kinds, on purpose different:
- aggregates come from headers only (what the hub sees anyway): counts by area, category
  group and month, for coordinators;
- content exports are decrypted in the member's session, of the reports their organisation
  can read, with the day and the fine place suppressed unless asked for — a type, a place
  and a day can identify an incident on their own.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from hub.actors import Actor, Permission
from hub.audit import service as audit
from hub.audit.models import AuditAction
from hub.i18n import gettext as _
from hub.organisations.models import Organisation
from hub.reports import service as reports
from hub.reports.errors import ReportIntegrityError
from hub.reports.models import Report, ReportWrap
from hub.reports.schemas import IncidentBody
from policies.vocabulary import Category, ReportType

# Categories grouped the way the Aid Worker Security Database groups means of attack.
CATEGORY_GROUPS: dict[Category, str] = {
    **dict.fromkeys(
        (
            Category.SHOOTING,
            Category.EXPLOSIVE_IED,
            Category.INDIRECT_FIRE_AIRSTRIKE,
            Category.COMPLEX_ATTACK,
            Category.LANDMINE_UXO,
            Category.ARMED_CLASH_CROSSFIRE,
            Category.BODILY_ASSAULT,
            Category.SEXUAL_VIOLENCE,
        ),
        "violence",
    ),
    **dict.fromkeys(
        (Category.KIDNAPPING_ABDUCTION, Category.DISAPPEARANCE, Category.ARREST_DETENTION),
        "abduction_detention",
    ),
    **dict.fromkeys(
        (
            Category.ARMED_ROBBERY,
            Category.THEFT_BURGLARY,
            Category.LOOTING_PROPERTY_DAMAGE,
            Category.FRAUD_CYBER,
        ),
        "crime",
    ),
    **dict.fromkeys(
        (
            Category.THREAT_INTIMIDATION_HARASSMENT,
            Category.CIVIL_UNREST_MOB,
            Category.ACCESS_OBSTRUCTION,
        ),
        "threat_access",
    ),
    **dict.fromkeys((Category.ROAD_TRAFFIC_ACCIDENT, Category.NATURAL_HAZARD), "accident_hazard"),
    Category.OTHER: "other",
}


def category_group(code: str | None) -> str:
    try:
        return CATEGORY_GROUPS[Category(code)] if code else "other"
    except ValueError:
        return "other"


def _csv(header: list[str], tags: list[str], rows: Iterable[list[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerow(tags)
    writer.writerows(rows)
    return out.getvalue()


def aggregates_csv(session: Session, *, actor: Actor) -> str:
    """Incident counts by header area, category group and month (withdrawn reports left
    out: their originator took them back)."""
    if actor.member is not None:
        reports.reader(actor, need_keys=False)  # a suspended partner's coordinator gets nothing
    actor.require(Permission.REPORT_EXPORT_AGGREGATES)
    counts: Counter[tuple[str, str, str]] = Counter()
    for area, category, occurred in session.execute(
        select(Report.area_code, Report.category, Report.occurred_on)
        .where(Report.type == ReportType.INCIDENT.value)
        .where(Report.withdrawn_at.is_(None))
    ):
        counts[(area, category_group(category), occurred.strftime("%Y-%m"))] += 1
    audit.record(
        session,
        action=AuditAction.REPORT_EXPORT,
        actor=actor.label,
        actor_id=actor.id,
        details={"kind": "aggregates", "rows": len(counts)},
    )
    session.commit()
    return _csv(
        ["area", "category_group", "month", "incidents"],
        ["#adm1+code", "#event+type+group", "#date+month", "#affected+incidents+num"],
        ([*key, n] for key, n in sorted(counts.items())),
    )


def content_csv(
    session: Session, *, actor: Actor, include_day: bool = False, include_place: bool = False
) -> str:
    """The incident reports my organisation can read, decrypted in my session."""
    who = reports.reader(actor)
    stmt = (
        select(Report)
        .join(
            ReportWrap,
            and_(
                ReportWrap.report_id == Report.id,
                ReportWrap.organisation_id == who.organisation.id,
            ),
        )
        .where(ReportWrap.removed_at.is_(None))
        .where(Report.withdrawn_at.is_(None))
        .where(Report.type == ReportType.INCIDENT.value)
        .order_by(Report.occurred_on, Report.id)
    )
    rows: list[list[object]] = []
    skipped = 0
    for report in list(session.scalars(stmt)):
        try:
            opened = reports.open_for(session, who, report)
        except ReportIntegrityError:
            skipped += 1  # audited by open_for; one damaged report does not stop the export
            continue
        body = opened.body.content
        if not isinstance(body, IncidentBody):
            continue
        anonymous = report.anonymous and report.originator_id != who.organisation.id
        originator = session.get(Organisation, report.originator_id)
        victims = body.affected
        place = report.area_code
        if include_place and opened.body.precise_area:
            place = opened.body.precise_area
        when = (
            opened.body.occurred_at.date().isoformat()
            if include_day
            else opened.body.occurred_at.strftime("%Y-%m")
        )
        rows.append(
            [
                report.id,
                place,
                when,
                report.category or "",
                report.severity,
                victims.national.killed + victims.international.killed,
                victims.national.injured + victims.international.injured,
                victims.national.kidnapped + victims.international.kidnapped,
                _("a partner organisation") if anonymous or originator is None else originator.name,
            ]
        )
    audit.record(
        session,
        action=AuditAction.REPORT_EXPORT,
        actor=actor.label,
        actor_id=actor.id,
        details={
            "kind": "content",
            "organisation": who.organisation.id,
            "reports": [r[0] for r in rows],
            "skipped_damaged": skipped,
            "day": include_day,
            "place": include_place,
        },
    )
    session.commit()
    return _csv(
        [
            "report",
            "area",
            "occurred",
            "category",
            "severity",
            "killed",
            "injured",
            "abducted",
            "organisation",
        ],
        [
            "#meta+id",
            "#adm1+code" if not include_place else "#loc+code",
            "#date+occurred",
            "#event+type",
            "#severity",
            "#affected+killed",
            "#affected+injured",
            "#affected+abducted",
            "#org+name",
        ],
        rows,
    )
