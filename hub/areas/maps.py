"""What the map and the incident chart of a page show: areas with their boundary and
standing (the overview, an area's page), and an area's incidents by month from report
headers the reader's organisation holds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from babel.dates import format_date
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

import policies
from hub.actors import Actor
from hub.areas.incidents import incidents_by_month
from hub.areas.mapsvg import MapArea, area_map
from hub.areas.models import Area
from hub.areas.service import _assessments, policy_areas
from hub.i18n import gettext as _
from hub.i18n import ngettext
from hub.periodic import charts
from hub.periodic.charts import Bar
from policies import Policy
from policies.vocabulary import LEVEL_LABELS, RISK_LABELS, Lang, Risk


def descendants(tree: policies.AreaMap, codes: set[str]) -> set[str]:
    """`codes` and every area within one of them."""
    return {c for c in tree if codes & set(policies.lineage(c, tree))}


def map_of(
    session: Session, codes: set[str], *, at: dt.datetime, policy: Policy, lang: str
) -> Markup | None:
    """The map of the areas in `codes` that have a boundary, parents drawn before children
    (None when none has one)."""
    if not codes:
        return None
    tree = policy_areas(session)
    rows = session.execute(
        select(Area.code, Area.name, Area.name_fr, Area.name_en, Area.geometry).where(
            Area.code.in_(sorted(codes)), Area.geometry.is_not(None)
        )
    ).all()
    if not rows:
        return None
    assessments = _assessments(session)
    said: Lang = "en" if lang == "en" else "fr"
    out = []
    for code, name, name_fr, name_en, geometry in sorted(
        rows, key=lambda r: (policies.depth(r.code, tree), r.code)
    ):
        standing = policies.area_standing(code, tree, assessments, at, policy).outcome
        shown = (name_fr if said == "fr" else name_en) or name
        out.append(
            MapArea(
                code=code,
                name=shown,
                level=str(standing.level),
                risk=str(standing.risk),
                geometry=geometry,
                says=_("%(area)s: %(level)s, risk %(risk)s")
                % {
                    "area": shown,
                    "level": LEVEL_LABELS[standing.level][said],
                    "risk": RISK_LABELS[standing.risk][said],
                },
            )
        )
    return area_map(out, label=_("Map of the areas, coloured by risk"))


def legend_of(policy: Policy, lang: str) -> list[tuple[str, str, str]]:
    """(risk code, risk in words, level in words) for each risk, as the map colours them."""
    said: Lang = "en" if lang == "en" else "fr"
    return [(str(r), RISK_LABELS[r][said], LEVEL_LABELS[policy.level_for(r)][said]) for r in Risk]


@dataclass(frozen=True)
class Chart:
    svg: Markup
    # What is counted, in a sentence.
    counted: str
    # The same in words as the chart's description: the total and the busiest month.
    says: str
    # (month in words, incidents) oldest first, for the table beside the chart.
    rows: list[tuple[str, int]]


def chart_of(
    session: Session, *, actor: Actor, code: str, name: str, today: dt.date, lang: str
) -> Chart | None:
    """The incidents-by-month chart of an area's page (None for a reader who may see no
    count)."""
    found = incidents_by_month(session, actor=actor, code=code, today=today)
    if found is None:
        return None
    locale = "en" if lang == "en" else "fr"
    rows = [(format_date(m.start, "LLLL y", locale=locale), m.incidents) for m in found.months]
    total = found.total
    says = ngettext(
        "%(total)d incident from %(first)s to %(last)s.",
        "%(total)d incidents from %(first)s to %(last)s.",
        total,
    ) % {"total": total, "first": rows[0][0], "last": rows[-1][0]}
    if total:
        busiest, most = max(rows, key=lambda r: r[1])
        says += " " + _("Busiest month: %(month)s (%(count)d).") % {"month": busiest, "count": most}
    counted = _(
        "Incidents reported in the hub here and in the areas within, by the month they "
        "occurred, from report headers: an incident counts once, withdrawn reports do not "
        "count, a TLP:RED report only if your organisation received it."
    )
    svg = charts.columns(
        "incidents",
        _("Incidents by month — %(area)s, last 12 months") % {"area": name},
        says,
        [Bar(format_date(m.start, "LLL", locale=locale), m.incidents) for m in found.months],
        height=150,
    )
    return Chart(svg=svg, counted=counted, says=says, rows=rows)
