"""Briefing pages: `/briefings` (upcoming briefings; for coordinators the series to confirm,
move or cancel and the form to schedule one), a briefing's page, and `/b/{token}`, where an
invitee answers yes or no from the link in the invitation without logging in. Plain forms."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from hub.alerting.wiring import alert_secret
from hub.areas.service import area_code_for
from hub.briefings import minutes, service, views
from hub.briefings.schemas import BriefingCreate, SeriesMove
from hub.db import utcnow
from hub.deps import PolicyDep, SessionDep, SettingsDep
from hub.errors import HubError, NotFound, field_errors
from hub.i18n import gettext as _
from hub.members.models import Role
from hub.web import PageActorDep, PageRoute, area_labels, plausible_id, render, require_csrf
from policies.cadence import Weekday

router = APIRouter(include_in_schema=False, route_class=PageRoute)

FormText = Annotated[str, Form(max_length=4000)]

NOTICES = {
    "scheduled": lambda: _("The briefing is scheduled; the invitations are on their way."),
    "confirmed": lambda: _("The series is confirmed; its next briefing is scheduled."),
    "moved": lambda: _("The series was moved; the invitees are told."),
    "cancelled": lambda: _("The series was cancelled; the invitees are told."),
    "answered": lambda: _("Your answer was recorded."),
    "minutes": lambda: _(
        "The minutes are published, sealed to the organisations that said they attend."
    ),
}
WEEKDAYS: dict[Weekday, Callable[[], str]] = {
    Weekday.MONDAY: lambda: _("Monday"),
    Weekday.TUESDAY: lambda: _("Tuesday"),
    Weekday.WEDNESDAY: lambda: _("Wednesday"),
    Weekday.THURSDAY: lambda: _("Thursday"),
    Weekday.FRIDAY: lambda: _("Friday"),
    Weekday.SATURDAY: lambda: _("Saturday"),
    Weekday.SUNDAY: lambda: _("Sunday"),
}


def _messages(exc: ValidationError) -> dict[str, str]:
    out: dict[str, str] = {}
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else "form"
        out.setdefault(field, _("This value is not valid."))
    return out


def _list_page(
    request: Request,
    session: SessionDep,
    actor: PageActorDep,
    *,
    status: int = 200,
    notice: str | None = None,
    errors: dict[str, str] | None = None,
    error: str | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    coordinator = actor.member is not None and actor.member.has_role(Role.COORDINATOR)
    return render(
        request,
        "briefings/list.html",
        area_label=area_labels(session),
        status=status,
        briefings=views.upcoming(session, actor=actor, now=utcnow()),
        series=views.all_series(session, actor=actor) if coordinator else [],
        coordinator=coordinator,
        weekdays={str(k): v() for k, v in WEEKDAYS.items()},
        notice=notice,
        error=error,
        errors=errors or {},
        values=values or {},
    )


@router.get("/briefings")
def briefings_page(
    request: Request,
    session: SessionDep,
    actor: PageActorDep,
    notice: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    return _list_page(
        request, session, actor, notice=NOTICES[notice]() if notice in NOTICES else None
    )


@router.post("/briefings")
def schedule_submit(
    request: Request,
    session: SessionDep,
    actor: PageActorDep,
    settings: SettingsDep,
    area: FormText = "",
    starts_at: FormText = "",
    duration_minutes: FormText = "60",
    place: FormText = "",
    agenda: FormText = "",
    csrf_token: FormText = "",
) -> Response:
    require_csrf(request, csrf_token)
    values = {
        "area": area,
        "starts_at": starts_at,
        "duration_minutes": duration_minutes,
        "place": place,
        "agenda": agenda,
    }
    try:
        briefing_in = BriefingCreate(
            # People think of places by name: the name in either language, or the code.
            area=area_code_for(session, area) or area.strip(),
            starts_at=starts_at.strip().replace(" ", "T"),  # type: ignore[arg-type]
            duration_minutes=duration_minutes.strip() or 60,  # type: ignore[arg-type]
            place=place,
            agenda=agenda,
        )
        briefing = service.schedule(
            session,
            actor=actor,
            briefing_in=briefing_in,
            now=utcnow(),
            secret=alert_secret(settings),
        )
    except ValidationError as exc:
        return _list_page(request, session, actor, status=422, errors=_messages(exc), values=values)
    except HubError as exc:
        found = field_errors(exc)
        return _list_page(
            request,
            session,
            actor,
            status=exc.status,
            errors=found,
            error=None if found else exc.message,
            values=values,
        )
    return RedirectResponse(f"/briefings/{briefing.id}?notice=scheduled", status_code=303)


@router.post("/briefing-series/{series_id}/{decision}")
def series_decision(
    request: Request,
    series_id: str,
    decision: str,
    session: SessionDep,
    actor: PageActorDep,
    settings: SettingsDep,
    weekday: FormText = "",
    time: FormText = "",
    duration_minutes: FormText = "60",
    place: FormText = "",
    agenda: FormText = "",
    csrf_token: FormText = "",
) -> Response:
    require_csrf(request, csrf_token)
    if decision not in ("confirm", "move", "cancel") or not plausible_id(series_id):
        raise NotFound(_("There is no such briefing series."))
    now, secret = utcnow(), alert_secret(settings)
    if decision == "confirm":
        service.confirm_series(session, actor=actor, series_id=series_id, now=now, secret=secret)
        return RedirectResponse("/briefings?notice=confirmed", status_code=303)
    if decision == "cancel":
        service.cancel_series(session, actor=actor, series_id=series_id, now=now)
        return RedirectResponse("/briefings?notice=cancelled", status_code=303)
    try:
        change = SeriesMove(
            weekday=weekday,  # type: ignore[arg-type]
            time=time.strip(),
            duration_minutes=duration_minutes.strip() or 60,  # type: ignore[arg-type]
            place=place,
            agenda=agenda,
        )
    except ValidationError as exc:
        return _list_page(
            request, session, actor, status=422, errors=_messages(exc), values={"series": series_id}
        )
    service.move_series(
        session, actor=actor, series_id=series_id, change=change, now=now, secret=secret
    )
    return RedirectResponse("/briefings?notice=moved", status_code=303)


def _briefing_page(
    request: Request,
    session: SessionDep,
    actor: PageActorDep,
    briefing_id: str,
    *,
    status: int = 200,
    notice: str | None = None,
    errors: dict[str, str] | None = None,
    error: str | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    if not plausible_id(briefing_id):
        raise NotFound(_("There is no such briefing."))
    detail = views.briefing_detail(session, actor=actor, briefing_id=briefing_id)
    return render(
        request,
        "briefings/detail.html",
        area_label=area_labels(session),
        status=status,
        detail=detail,
        notice=notice,
        error=error,
        errors=errors or {},
        values=values or {},
    )


@router.get("/briefings/{briefing_id}")
def briefing_page(
    request: Request,
    briefing_id: str,
    session: SessionDep,
    actor: PageActorDep,
    notice: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    return _briefing_page(
        request,
        session,
        actor,
        briefing_id,
        notice=NOTICES[notice]() if notice in NOTICES else None,
    )


@router.post("/briefings/{briefing_id}/minutes")
def minutes_submit(
    request: Request,
    briefing_id: str,
    session: SessionDep,
    actor: PageActorDep,
    settings: SettingsDep,
    policy: PolicyDep,
    text: FormText = "",
    decisions: FormText = "",
    csrf_token: FormText = "",
) -> Response:
    require_csrf(request, csrf_token)
    if not plausible_id(briefing_id):
        raise NotFound(_("There is no such briefing."))
    try:
        minutes.publish_minutes(
            session,
            actor=actor,
            briefing_id=briefing_id,
            text=text,
            decisions=decisions,
            policy=policy,
            data_dir=settings.data_dir,
            now=utcnow(),
        )
    except HubError as exc:
        if exc.status == 404:
            raise
        found = field_errors(exc)
        return _briefing_page(
            request,
            session,
            actor,
            briefing_id,
            status=exc.status,
            errors=found,
            error=None if found else exc.message,
            values={"text": text, "decisions": decisions},
        )
    return RedirectResponse(f"/briefings/{briefing_id}?notice=minutes", status_code=303)


@router.post("/briefings/{briefing_id}/answer")
def answer_submit(
    request: Request,
    briefing_id: str,
    session: SessionDep,
    actor: PageActorDep,
    answer: FormText = "",
    csrf_token: FormText = "",
) -> Response:
    require_csrf(request, csrf_token)
    if answer not in ("yes", "no") or not plausible_id(briefing_id):
        raise NotFound(_("There is no such briefing."))
    service.answer_as_member(
        session, actor=actor, briefing_id=briefing_id, attending=answer == "yes", now=utcnow()
    )
    return RedirectResponse(f"/briefings/{briefing_id}?notice=answered", status_code=303)


# --- the answer link of an invitation (no login) ---------------------------------------------


def _token_ok(token: str) -> bool:
    return 10 <= len(token) <= 64 and all(c.isalnum() or c in "-_" for c in token)


@router.get("/b/{token}")
def answer_page(request: Request, token: str, session: SessionDep) -> Response:
    if not _token_ok(token):
        raise NotFound(_("This answer link is unknown."))
    invitation, briefing = service.invitation_by_token(session, token)
    return render(
        request,
        "briefings/answer.html",
        area_label=area_labels(session),
        briefing=views.read_briefing(session, briefing, None),
        answer=invitation.answer,
        token=token,
        done=False,
    )


@router.post("/b/{token}")
def answer_link_submit(
    request: Request, token: str, session: SessionDep, answer: FormText = ""
) -> Response:
    """The token is the authority here (like an acknowledgement link): it names one invitee
    and can only record their yes or no."""
    if not _token_ok(token) or answer not in ("yes", "no"):
        raise NotFound(_("This answer link is unknown."))
    invitation, briefing = service.answer(
        session, token=token, attending=answer == "yes", now=utcnow()
    )
    return render(
        request,
        "briefings/answer.html",
        area_label=area_labels(session),
        briefing=views.read_briefing(session, briefing, None),
        answer=invitation.answer,
        token=token,
        done=True,
    )
