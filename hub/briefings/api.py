"""JSON API for briefings: an area's series and briefings, scheduling, answers."""

from __future__ import annotations

from fastapi import APIRouter

from hub.alerting.wiring import alert_secret
from hub.briefings import minutes, service, views
from hub.briefings.schemas import (
    AnswerIn,
    BriefingCreate,
    BriefingRead,
    InvitationRead,
    MinutesIn,
    MinutesRead,
    SeriesMove,
    SeriesRead,
)
from hub.db import utcnow
from hub.deps import ActorDep, PolicyDep, SessionDep, SettingsDep
from hub.openapi import server_checks

router = APIRouter(tags=["briefings"])

_PROBLEMS: dict[int | str, dict[str, object]] = {
    401: {"description": "Not logged in"},
    403: {"description": "Needs the coordinator role"},
    404: {"description": "No such area, series, briefing or invitation"},
    409: {"description": "Already decided, ended, cancelled or over"},
    422: {"description": "Invalid input"},
}


@router.get("/areas/{code}/briefings", response_model=list[BriefingRead], responses=_PROBLEMS)
def area_briefings(code: str, actor: ActorDep, session: SessionDep) -> list[BriefingRead]:
    """The area's briefings a coordinator sees, or those the caller is invited to."""
    found = views.area_briefings(session, code, actor=actor, now=utcnow())
    return [*found.past[::-1], *found.upcoming]


@router.get("/briefing-series", response_model=list[SeriesRead], responses=_PROBLEMS)
def list_series(actor: ActorDep, session: SessionDep) -> list[SeriesRead]:
    return views.all_series(session, actor=actor)


@router.post("/briefing-series/{series_id}/confirm", response_model=SeriesRead, responses=_PROBLEMS)
def confirm_series(
    series_id: str, actor: ActorDep, session: SessionDep, settings: SettingsDep
) -> SeriesRead:
    series = service.confirm_series(
        session, actor=actor, series_id=series_id, now=utcnow(), secret=alert_secret(settings)
    )
    return SeriesRead.model_validate(series)


@router.put("/briefing-series/{series_id}", response_model=SeriesRead, responses=_PROBLEMS)
def move_series(
    series_id: str, body: SeriesMove, actor: ActorDep, session: SessionDep, settings: SettingsDep
) -> SeriesRead:
    series = service.move_series(
        session,
        actor=actor,
        series_id=series_id,
        change=body,
        now=utcnow(),
        secret=alert_secret(settings),
    )
    return SeriesRead.model_validate(series)


@router.post("/briefing-series/{series_id}/cancel", response_model=SeriesRead, responses=_PROBLEMS)
def cancel_series(series_id: str, actor: ActorDep, session: SessionDep) -> SeriesRead:
    series = service.cancel_series(session, actor=actor, series_id=series_id, now=utcnow())
    return SeriesRead.model_validate(series)


@router.post(
    "/briefings",
    status_code=201,
    response_model=BriefingRead,
    responses=_PROBLEMS,
    openapi_extra=server_checks(
        area="an area the hub knows (GET /areas)",
        starts_at="in the future (read in the area's time zone when it has no offset)",
    ),
)
def schedule(
    body: BriefingCreate, actor: ActorDep, session: SessionDep, settings: SettingsDep
) -> BriefingRead:
    briefing = service.schedule(
        session, actor=actor, briefing_in=body, now=utcnow(), secret=alert_secret(settings)
    )
    return views.read_briefing(session, briefing, actor)


@router.get("/briefings/{briefing_id}", response_model=BriefingRead, responses=_PROBLEMS)
def get_briefing(briefing_id: str, actor: ActorDep, session: SessionDep) -> BriefingRead:
    return views.briefing_detail(session, actor=actor, briefing_id=briefing_id).briefing


@router.post("/briefings/{briefing_id}/answer", response_model=InvitationRead, responses=_PROBLEMS)
def answer(
    briefing_id: str, body: AnswerIn, actor: ActorDep, session: SessionDep
) -> InvitationRead:
    invitation = service.answer_as_member(
        session, actor=actor, briefing_id=briefing_id, attending=body.attending, now=utcnow()
    )
    briefing = service.get_briefing(session, invitation.briefing_id)
    return InvitationRead(
        briefing=views.read_briefing(session, briefing, actor), answer=invitation.answer
    )


@router.post(
    "/briefings/{briefing_id}/minutes",
    status_code=201,
    response_model=MinutesRead,
    responses=_PROBLEMS,
    openapi_extra=server_checks(text="not only spaces"),
)
def publish_minutes(
    briefing_id: str,
    body: MinutesIn,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    policy: PolicyDep,
) -> MinutesRead:
    """A sealed `meeting_minutes` report to the organisations that said they attend."""
    report_id = minutes.publish_minutes(
        session,
        actor=actor,
        briefing_id=briefing_id,
        text=body.text,
        decisions=body.decisions,
        policy=policy,
        data_dir=settings.data_dir,
        now=utcnow(),
    )
    return MinutesRead(
        report_id=report_id,
        organisations=minutes.attending_organisations(session, briefing_id),
    )
