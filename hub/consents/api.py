"""JSON API for consent: share requests, the originator's answers, revocation, standing
consents."""

from __future__ import annotations

from fastapi import APIRouter, Response

from hub.consents import service
from hub.consents.schemas import (
    ShareRequestCreate,
    ShareRequestRead,
    StandingConsentCreate,
    StandingConsentRead,
)
from hub.deps import ActorDep, PolicyDep, SessionDep
from hub.openapi import server_checks

router = APIRouter(tags=["consent"])

_PROBLEMS: dict[int | str, dict[str, object]] = {
    401: {"description": "Not logged in"},
    403: {"description": "Not allowed (role, originator only, or the policy forbids it)"},
    404: {"description": "No such report or request that your organisation can see"},
    409: {"description": "Already answered, already a recipient, or already requested"},
    410: {"description": "Withdrawn by the originator"},
    422: {"description": "Invalid input"},
}


@router.post(
    "/reports/{report_id}/share-requests",
    status_code=201,
    response_model=ShareRequestRead,
    responses=_PROBLEMS,
    openapi_extra=server_checks(to_organisation="an organisation the hub knows"),
)
def request_share(
    report_id: str,
    body: ShareRequestCreate,
    actor: ActorDep,
    session: SessionDep,
    policy: PolicyDep,
) -> ShareRequestRead:
    return service.request_share(
        session, actor=actor, report_id=report_id, request_in=body, policy=policy
    )


@router.get("/share-requests", response_model=list[ShareRequestRead], responses=_PROBLEMS)
def list_share_requests(actor: ActorDep, session: SessionDep) -> list[ShareRequestRead]:
    return service.list_share_requests(session, actor=actor)


@router.post(
    "/share-requests/{request_id}/approve", response_model=ShareRequestRead, responses=_PROBLEMS
)
def approve(request_id: str, actor: ActorDep, session: SessionDep) -> ShareRequestRead:
    return service.approve_share(session, actor=actor, request_id=request_id)


@router.post(
    "/share-requests/{request_id}/deny", response_model=ShareRequestRead, responses=_PROBLEMS
)
def deny(request_id: str, actor: ActorDep, session: SessionDep) -> ShareRequestRead:
    return service.deny_share(session, actor=actor, request_id=request_id)


@router.delete(
    "/reports/{report_id}/recipients/{organisation_id}", status_code=204, responses=_PROBLEMS
)
def revoke(report_id: str, organisation_id: str, actor: ActorDep, session: SessionDep) -> Response:
    service.revoke_recipient(
        session, actor=actor, report_id=report_id, organisation_id=organisation_id
    )
    return Response(status_code=204)


@router.get("/standing-consents", response_model=list[StandingConsentRead], responses=_PROBLEMS)
def list_standing(actor: ActorDep, session: SessionDep) -> list[StandingConsentRead]:
    return service.list_standing_consents(session, actor=actor)


@router.post(
    "/standing-consents",
    status_code=201,
    response_model=StandingConsentRead,
    responses=_PROBLEMS,
    openapi_extra=server_checks(
        to_organisation="an organisation the hub knows",
        max_tlp="at most the policy file's cap for standing consents",
        areas="an area the hub knows (GET /areas)",
        expires_at="in the future",
    ),
)
def create_standing(
    body: StandingConsentCreate, actor: ActorDep, session: SessionDep, policy: PolicyDep
) -> StandingConsentRead:
    return service.create_standing_consent(session, actor=actor, rule_in=body, policy=policy)


@router.delete("/standing-consents/{rule_id}", status_code=204, responses=_PROBLEMS)
def remove_standing(rule_id: str, actor: ActorDep, session: SessionDep) -> Response:
    service.remove_standing_consent(session, actor=actor, rule_id=rule_id)
    return Response(status_code=204)
