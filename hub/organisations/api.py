"""The JSON routes of organisations: create, apply, the committee's decisions, key rotation."""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, Body, Request

from hub.deps import ActorDep, SessionDep, client_address
from hub.openapi import server_checks
from hub.organisations import joining, service
from hub.organisations.schemas import (
    ApplicationCreate,
    ApplicationRead,
    DecisionReason,
    OrganisationCreate,
    OrganisationCreated,
    OrganisationRead,
    SuspendReason,
)

router = APIRouter(prefix="/organisations", tags=["organisations"])

_PROBLEMS: dict[int | str, dict[str, object]] = {
    401: {"description": "Not logged in"},
    403: {"description": "Needs the committee role (with a second factor)"},
    404: {"description": "No such organisation"},
    409: {"description": "Already in that state, or the name is taken"},
}


@router.get("", response_model=list[OrganisationRead], responses=_PROBLEMS)
def list_organisations(actor: ActorDep, session: SessionDep) -> list[OrganisationRead]:
    return service.list_organisations(session)


@router.post("", status_code=201, response_model=OrganisationCreated, responses=_PROBLEMS)
def create_organisation(
    body: OrganisationCreate, actor: ActorDep, session: SessionDep
) -> OrganisationCreated:
    org = service.create_organisation(session, actor=actor, name=body.name, kind=body.kind)
    return OrganisationCreated(id=org.id, status=org.status)


@router.post(
    "/applications",
    status_code=201,
    response_model=OrganisationCreated,
    responses={
        409: {"description": "The name is taken or looks like a partner's"},
        429: {"description": "Too many applications from this network, or waiting"},
    },
    openapi_extra=server_checks(
        areas="areas the hub knows, by name or code (GET /areas)",
        name="a name that is not, and does not look like, a partner's",
        contact_name="a name, not only spaces",
        contact_email="an address email-validator accepts (stricter than the email format)",
        reason="ten characters besides spaces",
    ),
)
def apply(body: ApplicationCreate, request: Request, session: SessionDep) -> OrganisationCreated:
    """Apply to join (no account needed): a pending organisation that the oversight
    committee approves or refuses. Nothing is emailed until a committee member approves."""
    org = joining.apply(
        session,
        application=joining.ApplicationIn(**body.model_dump()),
        address=client_address(request),
    )
    return OrganisationCreated(id=org.id, status=org.status)


@router.get("/applications", response_model=list[ApplicationRead], responses=_PROBLEMS)
def list_applications(actor: ActorDep, session: SessionDep) -> list[ApplicationRead]:
    """Every organisation with what it said when it applied (committee)."""
    return [
        ApplicationRead(**dataclasses.asdict(view))
        for view in joining.overview(session, actor=actor)
    ]


@router.post("/{organisation_id}/approve", response_model=OrganisationRead, responses=_PROBLEMS)
def approve(organisation_id: str, actor: ActorDep, session: SessionDep) -> OrganisationRead:
    """Approve a pending organisation (its applicant's contact is invited by email); on a
    suspended one, the same as reinstate."""
    org = joining.approve(session, actor=actor, organisation_id=organisation_id)
    return service.as_read(org)


@router.post(
    "/{organisation_id}/refuse",
    response_model=OrganisationRead,
    responses=_PROBLEMS,
    openapi_extra=server_checks(reason="three characters besides spaces"),
)
def refuse(
    organisation_id: str, body: DecisionReason, actor: ActorDep, session: SessionDep
) -> OrganisationRead:
    org = joining.refuse(session, actor=actor, organisation_id=organisation_id, reason=body.reason)
    return service.as_read(org)


@router.post("/{organisation_id}/suspend", response_model=OrganisationRead, responses=_PROBLEMS)
def suspend(
    organisation_id: str,
    actor: ActorDep,
    session: SessionDep,
    body: Annotated[SuspendReason | None, Body()] = None,
) -> OrganisationRead:
    org = joining.suspend(
        session,
        actor=actor,
        organisation_id=organisation_id,
        reason=body.reason if body else "",
    )
    return service.as_read(org)


@router.post("/{organisation_id}/reinstate", response_model=OrganisationRead, responses=_PROBLEMS)
def reinstate(organisation_id: str, actor: ActorDep, session: SessionDep) -> OrganisationRead:
    org = joining.reinstate(session, actor=actor, organisation_id=organisation_id)
    return service.as_read(org)
