from __future__ import annotations

from fastapi import APIRouter

from hub.deps import ActorDep, SessionDep
from hub.organisations import service
from hub.organisations.schemas import OrganisationCreate, OrganisationCreated, OrganisationRead

router = APIRouter(prefix="/organisations", tags=["organisations"])

_PROBLEMS: dict[int | str, dict[str, object]] = {
    401: {"description": "Not logged in"},
    403: {"description": "Needs the committee role"},
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


@router.post("/{organisation_id}/approve", response_model=OrganisationRead, responses=_PROBLEMS)
def approve(organisation_id: str, actor: ActorDep, session: SessionDep) -> OrganisationRead:
    org = service.approve_organisation(session, actor=actor, organisation_id=organisation_id)
    return service.as_read(org)


@router.post("/{organisation_id}/suspend", response_model=OrganisationRead, responses=_PROBLEMS)
def suspend(organisation_id: str, actor: ActorDep, session: SessionDep) -> OrganisationRead:
    org = service.suspend_organisation(session, actor=actor, organisation_id=organisation_id)
    return service.as_read(org)
