from __future__ import annotations

from fastapi import APIRouter, Response

from hub.deps import ActorDep, SessionDep
from hub.members import service
from hub.members.schemas import GrantResult, MemberRead

router = APIRouter(prefix="/members", tags=["members"])

_PROBLEMS: dict[int | str, dict[str, object]] = {
    401: {"description": "Not logged in"},
    403: {"description": "Not allowed, or your organisation's keys are not granted to you"},
    404: {"description": "No such member in your organisation"},
    409: {"description": "Already granted, or cannot remove yourself"},
}


@router.get("", response_model=list[MemberRead], responses=_PROBLEMS)
def list_members(actor: ActorDep, session: SessionDep) -> list[MemberRead]:
    """The members of my organisation and whether each holds its keys."""
    return service.list_members(session, actor=actor)


@router.post("/{member_id}/grant", response_model=GrantResult, responses=_PROBLEMS)
def grant(member_id: str, actor: ActorDep, session: SessionDep) -> GrantResult:
    """Give a colleague the organisation's keys, sealed to their own key."""
    wrap = service.grant(session, actor=actor, member_id=member_id)
    return GrantResult(member_id=wrap.member_id, key_version=wrap.key_version)


@router.delete("/{member_id}", status_code=204, responses=_PROBLEMS)
def remove(member_id: str, actor: ActorDep, session: SessionDep) -> Response:
    service.remove_member(session, actor=actor, member_id=member_id)
    return Response(status_code=204)
