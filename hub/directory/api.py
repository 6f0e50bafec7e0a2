"""The JSON routes of the directory: an area's contacts, and my own entry in it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from hub.deps import ActorDep, SessionDep
from hub.directory import service
from hub.directory.schemas import DirectoryEntryRead, DirectoryEntrySet, DirectoryRead
from hub.fields import AreaCode
from hub.i18n import current_locale
from hub.openapi import server_checks

router = APIRouter(tags=["directory"])

_PROBLEMS: dict[int | str, dict[str, object]] = {
    401: {"description": "Not logged in"},
    403: {"description": "Your organisation is not an approved partner (pending or suspended)"},
    422: {"description": "Invalid input"},
}


@router.get(
    "/directory",
    response_model=DirectoryRead,
    responses=_PROBLEMS,
    openapi_extra=server_checks(area="an area the hub knows (GET /areas)"),
)
def get_directory(
    session: SessionDep,
    actor: ActorDep,
    area: Annotated[AreaCode, Query(description="an area's code, e.g. CD6102")],
) -> DirectoryRead:
    """Who to call in each approved organisation present in the area (in it, in an area
    containing it, or in an area within it): each member's name, role, phone and email as
    they chose to show them (a hidden detail is null). Approved partners only."""
    return service.lookup(session, actor=actor, area=area, lang=current_locale.get())


@router.get("/me/directory", response_model=DirectoryEntryRead, responses=_PROBLEMS)
def get_my_entry(session: SessionDep, actor: ActorDep) -> DirectoryEntryRead:
    """My entry in the directory; `show` is empty until I choose what partners see."""
    return service.get_entry(session, actor=actor)


@router.put(
    "/me/directory",
    response_model=DirectoryEntryRead,
    responses=_PROBLEMS,
    openapi_extra=server_checks(
        title="given when shown",
        phone="a phone number in international form (E.164, +243…), given when shown",
        email="an email address",
    ),
)
def put_my_entry(
    session: SessionDep, actor: ActorDep, body: DirectoryEntrySet
) -> DirectoryEntryRead:
    """Choose which of my contact details partners see in the directory, and which partners."""
    return service.set_entry(session, actor=actor, data=body)


@router.delete("/me/directory", status_code=204, responses=_PROBLEMS)
def delete_my_entry(session: SessionDep, actor: ActorDep) -> Response:
    """Leave the directory and forget the details kept there."""
    service.remove_entry(session, actor=actor)
    return Response(status_code=204)
