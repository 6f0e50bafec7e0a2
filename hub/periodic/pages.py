"""The periodic security report pages: `/areas/{code}/report?from=&to=` and its printable
variant `/areas/{code}/report/print?from=&to=` (the same content without the menu and the
period form, laid out for paper by the stylesheet's print rules; no PDF). Plain HTML, inline
SVG charts, no script."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any

from babel.dates import format_date
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from hub.areas.service import get_area
from hub.db import utcnow
from hub.deps import PolicyDep, SessionDep
from hub.errors import NotFound
from hub.fields import FIRST_YEAR, LAST_YEAR
from hub.i18n import current_locale, ngettext
from hub.i18n import gettext as _
from hub.periodic import charts
from hub.periodic.figures import MAX_DAYS, Figures, Period
from hub.periodic.service import periodic_report
from hub.web import PageActorDep, PageRoute, area_labels, label, plausible_id, render
from policies.vocabulary import Category, ReportType, Severity

router = APIRouter(include_in_schema=False, route_class=PageRoute)

DateText = Annotated[str, Query(max_length=40)]


def _day(text: str) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        return None
    return day if FIRST_YEAR <= day.year <= LAST_YEAR else None


def parse_period(start: str, end: str, today: dt.date) -> tuple[Period | None, dict[str, str]]:
    """The period asked for, or the errors by field. Left out: the last seven days up to
    today; one end only: a week from (or up to) it."""
    errors: dict[str, str] = {}
    wrong = _("Give the date as YYYY-MM-DD, e.g. 2026-11-23.")
    first = _day(start) if start.strip() else None
    last = _day(end) if end.strip() else None
    if start.strip() and first is None:
        errors["from"] = wrong
    if end.strip() and last is None:
        errors["to"] = wrong
    if errors:
        return None, errors
    week = dt.timedelta(days=6)
    if first is None and last is None:
        return Period.last_days(today), {}
    if first is None:
        assert last is not None  # noqa: S101 (one of them is given)
        first = last - week
    if last is None:
        last = first + week
    if last < first:
        return None, {"to": _("The end of the period comes before its start.")}
    if (last - first).days + 1 > MAX_DAYS:
        return None, {"to": _("A period is at most %(days)d days.") % {"days": MAX_DAYS}}
    return Period(first, last), {}


def _short(day: dt.date) -> str:
    return format_date(day, "d MMM", locale=current_locale.get())


_VOCABULARY: dict[str, type[StrEnum]] = {
    "category": Category,
    "severity": Severity,
    "type": ReportType,
}


def _vocab(kind: str, code: str) -> str:
    """A header code's label; a code the vocabulary does not know is shown as it is."""
    try:
        return label(_VOCABULARY[kind](code))
    except ValueError:
        return code


def _category(code: str) -> str:
    return _vocab("category", code)


def _charts(figures: Figures) -> dict[str, Any]:
    weeks = [
        charts.Bar(_short(w.week.start), w.count, p.count)
        for w, p in zip(figures.weeks, figures.previous_weeks, strict=False)
    ]
    week_desc = "; ".join(
        _("week of %(day)s: %(count)d (previous period: %(before)d)")
        % {"day": _short(w.week.start), "count": w.count, "before": p.count}
        for w, p in zip(figures.weeks, figures.previous_weeks, strict=False)
    )
    shown = [c for c in figures.categories if c.count]
    category_desc = "; ".join(f"{_category(c.category)}: {c.count}" for c in shown) or _(
        "No incident in the period."
    )
    return {
        "weeks": charts.columns(
            "by-week",
            _("Incidents by week, this period beside the previous one"),
            week_desc,
            weeks,
        ),
        "categories": charts.rows(
            "by-category",
            _("Incidents by category in the period"),
            category_desc,
            [charts.Bar(_category(c.category), c.count) for c in shown],
        )
        if shown
        else None,
    }


def _query(period: Period) -> str:
    return f"from={period.start.isoformat()}&to={period.end.isoformat()}"


def _page(
    request: Request,
    actor: PageActorDep,
    session: SessionDep,
    policy: PolicyDep,
    code: str,
    start: str,
    end: str,
    *,
    printable: bool,
) -> Response:
    if not plausible_id(code):
        raise NotFound(_("There is no area with the code %(code)s.") % {"code": code[:32]})
    today = utcnow().date()
    period, errors = parse_period(start, end, today)
    values = {"from": start, "to": end}
    if period is None:
        # The area must exist for its form to be shown again.
        area = get_area(session, code)
        return render(
            request,
            "periodic/report.html",
            status=422,
            code=code,
            name=area.display_name(current_locale.get()),
            errors=errors,
            values=values,
            report=None,
            printable=False,
        )
    report = periodic_report(
        session, actor=actor, policy=policy, code=code, period=period, lang=current_locale.get()
    )
    following = Period(
        period.end + dt.timedelta(days=1), period.end + dt.timedelta(days=period.days)
    )
    return render(
        request,
        "periodic/print.html" if printable else "periodic/report.html",
        code=code,
        name=report.name,
        report=report,
        figures=report.figures,
        period=period,
        charts=_charts(report.figures),
        errors={},
        values={"from": period.start.isoformat(), "to": period.end.isoformat()},
        query=_query(period),
        previous_query=_query(period.previous),
        next_query=_query(following) if following.start <= today else None,
        printable=printable,
        category=_category,
        vocab=_vocab,
        area_label=area_labels(session),
        days=ngettext("%(num)d day", "%(num)d days", period.days) % {"num": period.days},
        printed_at=utcnow(),
    )


@router.get("/areas/{code}/report")
def report_page(
    request: Request,
    code: str,
    actor: PageActorDep,
    session: SessionDep,
    policy: PolicyDep,
    start: Annotated[str, Query(alias="from", max_length=40)] = "",
    end: Annotated[str, Query(alias="to", max_length=40)] = "",
) -> Response:
    return _page(request, actor, session, policy, code, start, end, printable=False)


@router.get("/areas/{code}/report/print")
def report_print(
    request: Request,
    code: str,
    actor: PageActorDep,
    session: SessionDep,
    policy: PolicyDep,
    start: Annotated[str, Query(alias="from", max_length=40)] = "",
    end: Annotated[str, Query(alias="to", max_length=40)] = "",
) -> Response:
    return _page(request, actor, session, policy, code, start, end, printable=True)
