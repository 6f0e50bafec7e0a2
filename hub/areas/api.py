"""The JSON routes of areas, risk levels, risk changes and organisations' presence."""

from __future__ import annotations

from fastapi import APIRouter, Response

from hub.areas import service
from hub.areas.schemas import (
    AreaDetail,
    AreaRead,
    PresenceRead,
    PresenceSet,
    RiskApplied,
    RiskPending,
    RiskSet,
)
from hub.db import utcnow
from hub.deps import ActorDep, PolicyDep, SessionDep
from hub.i18n import current_locale
from hub.openapi import server_checks

router = APIRouter(tags=["areas"])

_PROBLEMS: dict[int | str, dict[str, object]] = {
    401: {"description": "Not logged in"},
    403: {"description": "Needs the coordinator role (risk) or focal point (presence)"},
    404: {"description": "No such area, change or organisation"},
    409: {"description": "The change was already decided"},
}


@router.get("/areas", response_model=list[AreaRead], responses=_PROBLEMS)
def list_areas(actor: ActorDep, session: SessionDep, policy: PolicyDep) -> list[AreaRead]:
    return service.list_areas(session, at=utcnow(), policy=policy)


@router.get("/areas/{code}", response_model=AreaDetail, responses=_PROBLEMS)
def get_area(code: str, actor: ActorDep, session: SessionDep, policy: PolicyDep) -> AreaDetail:
    return service.area_detail(session, code, at=utcnow(), policy=policy, lang=current_locale.get())


@router.put(
    "/areas/{code}/risk",
    response_model=RiskApplied | RiskPending,
    responses={
        **_PROBLEMS,
        202: {
            "model": RiskPending,
            "description": "Leaving enhanced: a second coordinator "
            "must confirm (POST /risk-changes/{change_id}/confirm)",
        },
    },
)
def set_risk(
    code: str,
    body: RiskSet,
    actor: ActorDep,
    session: SessionDep,
    policy: PolicyDep,
    response: Response,
) -> RiskApplied | RiskPending:
    result = service.set_risk(
        session,
        actor=actor,
        code=code,
        risk=body.risk,
        reason=body.reason,
        expires_at=body.expires_at,
        review_at=body.review_at,
        now=utcnow(),
        policy=policy,
    )
    if isinstance(result, RiskPending):
        response.status_code = 202
    return result


@router.post("/risk-changes/{change_id}/confirm", response_model=RiskApplied, responses=_PROBLEMS)
def confirm_risk_change(
    change_id: str, actor: ActorDep, session: SessionDep, policy: PolicyDep
) -> RiskApplied:
    return service.confirm_risk_change(
        session, actor=actor, change_id=change_id, now=utcnow(), policy=policy
    )


@router.get(
    "/organisations/{organisation_id}/areas", response_model=PresenceRead, responses=_PROBLEMS
)
def get_presence(organisation_id: str, actor: ActorDep, session: SessionDep) -> PresenceRead:
    return service.get_presence(session, organisation_id)


@router.put(
    "/organisations/{organisation_id}/areas",
    response_model=PresenceRead,
    responses=_PROBLEMS,
    openapi_extra=server_checks(areas="an area the hub knows (GET /areas)"),
)
def set_presence(
    organisation_id: str, body: PresenceSet, actor: ActorDep, session: SessionDep
) -> PresenceRead:
    return service.set_presence(
        session, actor=actor, organisation_id=organisation_id, areas=body.areas
    )
