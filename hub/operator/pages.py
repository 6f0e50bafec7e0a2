"""The operator's pages (operator role only): `/operator/audit` — the audit log, filtered and
paged, with the chain's last verification and a button that runs one — and
`/operator/health`."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from hub.audit import browse
from hub.audit.labels import action_labels, problem_text, target_kinds
from hub.db import read_request
from hub.deps import SessionDep, SettingsDep
from hub.i18n import gettext as _
from hub.operator.health import health_report
from hub.web import PageActorDep, PageRoute, area_labels, render, require_csrf

router = APIRouter(include_in_schema=False, route_class=PageRoute)

Filter = Annotated[str, Query(max_length=200)]


def _day(text: str, name: str, errors: dict[str, str]) -> dt.date | None:
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        day = None
    # The period's end is read up to the next midnight: the calendar's last day (9999-12-31)
    # has none, and would overflow.
    if day is None or day == dt.date.max:
        errors[name] = _("Give a date as YYYY-MM-DD.")
        return None
    return day


@router.get("/operator/audit", dependencies=[Depends(read_request)])
def audit_page(
    request: Request,
    actor: PageActorDep,
    session: SessionDep,
    action: Filter = "",
    who: Filter = "",
    organisation: Filter = "",
    area: Filter = "",
    since: Filter = "",
    until: Filter = "",
    cursor: Filter = "",
    verified: Annotated[str, Query(max_length=8)] = "",
) -> Response:
    errors: dict[str, str] = {}
    filters = browse.AuditFilters(
        action=action,
        actor=who,
        organisation=organisation,
        area=area,
        since=_day(since, "since", errors),
        until=_day(until, "until", errors),
    )
    view = browse.operator_view(session, actor=actor, filters=filters, cursor=cursor)
    errors.update(view.page.errors)
    shown = {
        "action": action,
        "who": who,
        "organisation": organisation,
        "area": area,
        "since": since,
        "until": until,
    }
    kept = {k: v for k, v in shown.items() if v and k not in errors}
    older = None
    if view.page.next_cursor:
        older = "/operator/audit?" + urlencode({**kept, "cursor": view.page.next_cursor})
    last = view.last
    return render(
        request,
        "operator/audit.html",
        area_label=area_labels(session),
        page=view.page,
        last=last,
        last_problem=problem_text(last.row.code, last.row.first_bad) if last else None,
        just_verified=verified == "1",
        filters=shown,
        errors=errors,
        older=older,
        newest="/operator/audit?" + urlencode(kept) if kept else "/operator/audit",
        first_page=not cursor,
        actions=sorted(action_labels().items(), key=lambda kv: kv[1].casefold()),
        labels=action_labels(),
        kinds=target_kinds(),
    )


@router.post("/operator/audit/verify")
def verify_now(
    request: Request,
    actor: PageActorDep,
    session: SessionDep,
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    require_csrf(request, csrf_token)
    browse.verify_now(session, actor=actor)
    return RedirectResponse("/operator/audit?verified=1", status_code=303)


@router.get("/operator/health", dependencies=[Depends(read_request)])
def health_page(
    request: Request, actor: PageActorDep, session: SessionDep, settings: SettingsDep
) -> Response:
    report = health_report(
        session, actor=actor, settings=settings, scheduler=request.app.state.scheduler
    )
    return render(request, "operator/health.html", report=report)
