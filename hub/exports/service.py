"""Exports as CSV with HXL hashtags (the second row), for humanitarian tools.

Two kinds, on purpose different:
- aggregates come from headers only (what the hub sees anyway): counts by area, category
  group and month, for coordinators;
- content exports are decrypted in the member's session, of the reports their organisation
  can read, with the day and the fine place suppressed unless asked for — a type, a place
  and a day can identify an incident on their own.

What readers of these files (HXL tools, spreadsheets) rely on:
- one incident is one row and is counted once: its flash, update and final reports share an
  `incident_id`, and only the latest stage stands for the incident (its victims included);
- each place column holds one level and is tagged by it: `#country+code`, `#adm1+code`,
  `#adm2+code`, `#adm3+code`, and `#loc+code` for a security area that follows no
  administrative boundary; the precise place, when asked for, is a column of its own;
- no cell starts a spreadsheet formula: text starting with = + - @, a tab or a CR gets a
  leading apostrophe (OWASP's advice for CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable

from sqlalchemy import and_, extract, func, select
from sqlalchemy.orm import Session

from hub.actors import Actor, Permission
from hub.areas.models import Area, AreaKind
from hub.audit import service as audit
from hub.audit.models import AuditAction
from hub.i18n import gettext as _
from hub.organisations.models import Organisation
from hub.reports import service as reports
from hub.reports.errors import ReportIntegrityError
from hub.reports.models import Report, ReportWrap
from hub.reports.readers import held_by
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


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    """Text a spreadsheet would run as a formula (an organisation named "=HYPERLINK(…)")
    is kept as text."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _csv(header: list[str], tags: list[str], rows: Iterable[list[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerow(tags)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return out.getvalue()


# --- places, one level per column -----------------------------------------------------------

_PLACE_LEVELS: tuple[tuple[AreaKind, str, str], ...] = (
    (AreaKind.COUNTRY, "country", "#country+code"),
    (AreaKind.ADMIN1, "admin1", "#adm1+code"),
    (AreaKind.ADMIN2, "admin2", "#adm2+code"),
    (AreaKind.ADMIN3, "admin3", "#adm3+code"),
    (AreaKind.SECURITY_AREA, "security_area", "#loc+code"),
)
PLACE_HEADERS = [name for _kind, name, _tag in _PLACE_LEVELS]
PLACE_TAGS = [tag for _kind, _name, tag in _PLACE_LEVELS]


class Places:
    """An area code as one value per level: the area and its ancestors, each in the column
    of its own kind (a security area's administrative parents fill theirs)."""

    def __init__(self, session: Session) -> None:
        self._areas = {
            code: (kind, parent)
            for code, kind, parent in session.execute(
                select(Area.code, Area.kind, Area.parent_code)
            )
        }
        self._cache: dict[str, list[str]] = {}

    def columns(self, code: str) -> list[str]:
        if code not in self._cache:
            found: dict[AreaKind, str] = {}
            current: str | None = code
            seen: set[str] = set()
            while current is not None and current not in seen and current in self._areas:
                seen.add(current)
                kind, parent = self._areas[current]
                found.setdefault(AreaKind(kind), current)
                current = parent
            if not found:  # an area unknown to the tree: keep it, as a location code
                found[AreaKind.SECURITY_AREA] = code
            self._cache[code] = [found.get(kind, "") for kind, _n, _t in _PLACE_LEVELS]
        return self._cache[code]


# --- one incident, one row -------------------------------------------------------------------

_STAGE_RANK = {"flash": 0, "update": 1, "final": 2}


def _latest_per_incident(reports_: Iterable[Report]) -> list[Report]:
    """The report that stands for each incident: its latest stage (final over update over
    flash), then its latest publication. A report without an incident id is its own."""
    latest: dict[str, Report] = {}
    for report in reports_:
        key = report.incident_id or report.id
        rank = (_STAGE_RANK.get(report.stage or "", 0), report.created_at)
        held = latest.get(key)
        if held is None or rank > (_STAGE_RANK.get(held.stage or "", 0), held.created_at):
            latest[key] = report
    return list(latest.values())


def aggregates_csv(session: Session, *, actor: Actor) -> str:
    """Incident counts by header area, category group and month, each incident once, by the
    figures' rule (withdrawn reports left out: their originator took them back)."""
    if actor.member is not None:
        reports.reader(actor, need_keys=False)  # a suspended partner's coordinator gets nothing
    actor.require(Permission.REPORT_EXPORT_AGGREGATES)
    counts: Counter[tuple[str, ...]] = Counter()
    places = Places(session)
    # One row per incident is `reports.counts` (hub/reports/counting.py: the latest live stage,
    # kept by publication and withdrawal): grouped in the database, read from the partial
    # index ix_reports_counts, so a million reports are never loaded to count them.
    year, month = extract("year", Report.occurred_on), extract("month", Report.occurred_on)
    grouped = session.execute(
        select(Report.area_code, Report.category, year, month, func.count())
        .where(Report.counts.is_(True), Report.type == ReportType.INCIDENT.value)
        .group_by(Report.area_code, Report.category, year, month)
    )
    for area_code, category, y, m, n in grouped:
        key = (
            *places.columns(area_code),
            category_group(category),
            f"{int(y):04d}-{int(m):02d}",
        )
        counts[key] += n
    audit.record_by(
        session,
        action=AuditAction.REPORT_EXPORT,
        actor=actor,
        details={"kind": "aggregates", "rows": len(counts)},
    )
    session.commit()
    return _csv(
        [*PLACE_HEADERS, "category_group", "month", "incidents"],
        [*PLACE_TAGS, "#event+type+group", "#date+month", "#affected+incidents+num"],
        ([*key, n] for key, n in sorted(counts.items())),
    )


def content_csv(
    session: Session, *, actor: Actor, include_day: bool = False, include_place: bool = False
) -> str:
    """The incident reports my organisation can read, decrypted in my session."""
    who = reports.reader(actor)
    stmt = (
        select(Report)
        .join(ReportWrap, and_(ReportWrap.report_id == Report.id, held_by(who.organisation.id)))
        .where(Report.withdrawn_at.is_(None))
        .where(Report.type == ReportType.INCIDENT.value)
        .order_by(Report.occurred_on, Report.id)
    )
    rows: list[list[object]] = []
    exported: list[str] = []
    skipped = 0
    places = Places(session)
    for report in sorted(
        _latest_per_incident(session.scalars(stmt)), key=lambda r: (r.occurred_on, r.id)
    ):
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
        precise = [opened.body.precise_area or ""] if include_place else []
        when = (
            opened.body.occurred_at.date().isoformat()
            if include_day
            else opened.body.occurred_at.strftime("%Y-%m")
        )
        exported.append(report.id)
        rows.append(
            [
                report.incident_id or report.id,
                *places.columns(report.area_code),
                *precise,
                when,
                report.category or "",
                report.severity,
                victims.national.killed + victims.international.killed,
                victims.national.injured + victims.international.injured,
                victims.national.kidnapped + victims.international.kidnapped,
                _("a partner organisation") if anonymous or originator is None else originator.name,
            ]
        )
    audit.record_by(
        session,
        action=AuditAction.REPORT_EXPORT,
        actor=actor,
        details={
            "kind": "content",
            "organisation": who.organisation.id,
            "reports": exported,
            "skipped_damaged": skipped,
            "day": include_day,
            "place": include_place,
        },
    )
    session.commit()
    return _csv(
        [
            "incident",
            *PLACE_HEADERS,
            *(["precise_place"] if include_place else []),
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
            *PLACE_TAGS,
            *(["#loc+code+precise"] if include_place else []),
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
