"""The area pages: the tree with each area's name, risk and cooperation level (`/areas`), and
an area's own page (`/areas/{code}`) — its standing and where it comes from, history, pending
lowerings, partners present — where a coordinator sets its risk and confirms or refuses
another coordinator's lowering. Plain HTML forms; the alerts about a level change link here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

import policies
from hub.areas import maps, service
from hub.areas.models import AreaKind
from hub.areas.schemas import AreaRead
from hub.briefings import views as briefing_views
from hub.db import utcnow
from hub.deps import PolicyDep, SessionDep
from hub.errors import HubError, NotFound, field_errors
from hub.fields import FIRST_YEAR, LAST_YEAR
from hub.i18n import current_locale
from hub.i18n import gettext as _
from hub.members.models import Role
from hub.web import (
    PageActorDep,
    PageRoute,
    area_labels,
    input_type,
    plausible_id,
    render,
    require_csrf,
)
from policies.vocabulary import Risk

router = APIRouter(include_in_schema=False, route_class=PageRoute)

FormText = Annotated[str, Form(max_length=2000)]
# More areas than this and the tree shows countries and provinces only, with a search.
FULL_TREE_LIMIT = 300
SEARCH_LIMIT = 50

NOTICES = {
    "applied": lambda: _("The new risk applies now."),
    "pending": lambda: _(
        "Leaving enhanced cooperation waits for a second coordinator: the area keeps its "
        "level until one confirms."
    ),
    "confirmed": lambda: _("Confirmed: the new risk applies now."),
    "refused": lambda: _("The proposed change was refused; the area keeps its level."),
}


@dataclass(frozen=True)
class Row:
    area: AreaRead
    depth: int


def _rows(areas: list[AreaRead], query: str) -> tuple[list[Row], bool]:
    """The tree in order, each area under its parent; filtered when it is large."""
    by_parent: dict[str | None, list[AreaRead]] = {}
    codes = {a.code for a in areas}
    for area in areas:
        parent = area.parent if area.parent in codes else None
        by_parent.setdefault(parent, []).append(area)
    for children in by_parent.values():
        children.sort(key=lambda a: (a.name.casefold(), a.code))
    ordered: list[Row] = []
    stack: list[tuple[AreaRead, int]] = [(a, 0) for a in reversed(by_parent.get(None, []))]
    while stack:
        area, depth = stack.pop()
        ordered.append(Row(area, depth))
        stack.extend((c, depth + 1) for c in reversed(by_parent.get(area.code, [])))
    if query:
        needle = query.casefold()
        found = [
            r
            for r in ordered
            if needle in r.area.name.casefold() or needle in r.area.code.casefold()
        ]
        return found[:SEARCH_LIMIT], len(found) > SEARCH_LIMIT
    if len(ordered) > FULL_TREE_LIMIT:
        coarse = (AreaKind.COUNTRY, AreaKind.ADMIN1)
        return [r for r in ordered if r.area.kind in coarse], True
    return ordered, False


@router.get("/areas")
def areas_page(
    request: Request,
    actor: PageActorDep,
    session: SessionDep,
    policy: PolicyDep,
    q: Annotated[str, Query(max_length=80)] = "",
) -> Response:
    rows, partial = _rows(service.list_areas(session, at=utcnow(), policy=policy), q.strip())
    return render(request, "areas/list.html", rows=rows, partial=partial, query=q.strip())


def _area_page(
    request: Request,
    session: SessionDep,
    actor: PageActorDep,
    policy: PolicyDep,
    code: str,
    *,
    status: int = 200,
    notice: str | None = None,
    errors: dict[str, str] | None = None,
    error: str | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    if not plausible_id(code):
        raise NotFound(_("There is no area with the code %(code)s.") % {"code": code[:32]})
    detail = service.area_detail(
        session, code, at=utcnow(), policy=policy, lang=current_locale.get()
    )
    parent = (
        service.area_detail(
            session, detail.parent, at=utcnow(), policy=policy, lang=current_locale.get()
        )
        if detail.parent
        else None
    )
    member = actor.member
    coordinator = member is not None and member.has_role(Role.COORDINATOR)
    values = values or {}
    return render(
        request,
        "areas/detail.html",
        status=status,
        area=detail,
        parent=parent,
        partners=service.partners_present(session, code),
        # The area and its children: a child paints over its parent where both have one.
        map=maps.map_of(
            session,
            {code, *detail.children},
            at=utcnow(),
            policy=policy,
            lang=current_locale.get(),
        ),
        legend=maps.legend_of(policy, current_locale.get()),
        chart=maps.chart_of(
            session,
            actor=actor,
            code=code,
            name=detail.name,
            today=utcnow().date(),
            lang=current_locale.get(),
        ),
        area_label=area_labels(session),
        # A briefing of North Kivu concerns its territories too.
        briefings=briefing_views.upcoming_in(
            session,
            policies.lineage(code, service.policy_areas(session)),
            actor=actor,
            now=utcnow(),
        ),
        coordinator=coordinator,
        me=member.id if member else None,
        risks=list(Risk),
        notice=notice,
        error=error,
        errors=errors or {},
        values=values,
        expires_type=input_type("datetime-local", values.get("expires_at")),
        first_year=FIRST_YEAR,
        last_year=LAST_YEAR,
    )


@router.get("/areas/{code}")
def area_page(
    request: Request,
    code: str,
    actor: PageActorDep,
    session: SessionDep,
    policy: PolicyDep,
    notice: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    return _area_page(
        request,
        session,
        actor,
        policy,
        code,
        notice=NOTICES[notice]() if notice in NOTICES else None,
    )


@router.post("/areas/{code}/risk")
def set_risk_submit(
    request: Request,
    code: str,
    actor: PageActorDep,
    session: SessionDep,
    policy: PolicyDep,
    risk: FormText = "",
    reason: FormText = "",
    expires_at: Annotated[str, Form(max_length=40)] = "",
    csrf_token: FormText = "",
) -> Response:
    require_csrf(request, csrf_token)
    values = {"risk": risk, "reason": reason, "expires_at": expires_at}
    errors: dict[str, str] = {}
    chosen = None
    try:
        chosen = Risk(risk)
    except ValueError:
        errors["risk"] = _("This value is not one of the allowed choices.")
    until = None
    if expires_at:
        until = _utc_moment(expires_at)
        if until is None:
            errors["expires_at"] = _(
                "Give the date and time as YYYY-MM-DD HH:MM, e.g. 2026-11-23 06:40."
            )
    if len(reason.strip()) < 3:
        errors["reason"] = _("Say why the risk changes.")
    if errors or chosen is None:
        return _area_page(
            request, session, actor, policy, code, status=422, errors=errors, values=values
        )
    try:
        result = service.set_risk(
            session,
            actor=actor,
            code=code,
            risk=chosen,
            reason=reason,
            now=utcnow(),
            policy=policy,
            expires_at=until,
        )
    except NotFound:
        raise
    except HubError as exc:
        found = field_errors(exc)
        return _area_page(
            request,
            session,
            actor,
            policy,
            code,
            status=exc.status,
            errors=found,
            error=None if found else exc.message,
            values=values,
        )
    outcome = "applied" if hasattr(result, "level") else "pending"
    return RedirectResponse(f"/areas/{code}?notice={outcome}", status_code=303)


def _utc_moment(text: str) -> dt.datetime | None:
    """A datetime-local value (or 'YYYY-MM-DD HH:MM') read as UTC, within the hub's years."""
    try:
        when = dt.datetime.fromisoformat(text.strip().replace(" ", "T"))
    except ValueError:
        return None
    if not FIRST_YEAR <= when.year <= LAST_YEAR:
        return None
    return when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when


@router.post("/risk-changes/{change_id}/{decision}")
def decide_risk_change(
    request: Request,
    change_id: str,
    decision: str,
    actor: PageActorDep,
    session: SessionDep,
    policy: PolicyDep,
    csrf_token: FormText = "",
) -> Response:
    require_csrf(request, csrf_token)
    if decision not in ("confirm", "refuse") or not plausible_id(change_id):
        raise NotFound(_("There is no such risk change."))
    if decision == "confirm":
        applied = service.confirm_risk_change(
            session, actor=actor, change_id=change_id, now=utcnow(), policy=policy
        )
        return RedirectResponse(f"/areas/{applied.code}?notice=confirmed", status_code=303)
    refused = service.refuse_risk_change(session, actor=actor, change_id=change_id, now=utcnow())
    return RedirectResponse(f"/areas/{refused.area_code}?notice=refused", status_code=303)
