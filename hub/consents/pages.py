"""The share-request page: the originator's focal points answer requests to pass their reports
on; requesters follow theirs. Answers are POST forms with the CSRF token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from hub.consents import service
from hub.deps import SessionDep
from hub.errors import HubError, NotFound, Unauthorized
from hub.i18n import gettext as _
from hub.web import PageActorDep, PageRoute, plausible_id, render, require_csrf

router = APIRouter(include_in_schema=False, route_class=PageRoute)

FormText = Annotated[str, Form(max_length=1024)]


def _page(
    request: Request,
    session: SessionDep,
    actor: PageActorDep,
    *,
    status: int = 200,
    notice: str | None = None,
    error: str | None = None,
) -> Response:
    views = service.share_request_views(session, actor=actor)
    return render(
        request,
        "consents/share_requests.html",
        status=status,
        incoming=[v for v in views if v.request.direction == "incoming"],
        outgoing=[v for v in views if v.request.direction == "outgoing"],
        notice=notice,
        error=error,
    )


@router.get("/share-requests")
def share_requests_page(
    request: Request,
    actor: PageActorDep,
    session: SessionDep,
    notice: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    return _page(
        request,
        session,
        actor,
        notice=_("Your answer was recorded.") if notice == "answered" else None,
    )


def _answer(
    request: Request, session: SessionDep, actor: PageActorDep, request_id: str, approve: bool
) -> Response:
    if not plausible_id(request_id):
        raise NotFound(_("No such share request."))
    try:
        if approve:
            service.approve_share(session, actor=actor, request_id=request_id)
        else:
            service.deny_share(session, actor=actor, request_id=request_id)
    except Unauthorized:
        raise
    except HubError as exc:
        # Already answered by a colleague, report withdrawn meanwhile…: the list, as it is
        # now, with why nothing was done.
        return _page(request, session, actor, status=exc.status, error=exc.message)
    return RedirectResponse("/share-requests?notice=answered", status_code=303)


@router.post("/share-requests/{request_id}/approve")
def approve(
    request: Request,
    request_id: str,
    actor: PageActorDep,
    session: SessionDep,
    csrf_token: FormText = "",
) -> Response:
    require_csrf(request, csrf_token)
    return _answer(request, session, actor, request_id, approve=True)


@router.post("/share-requests/{request_id}/deny")
def deny(
    request: Request,
    request_id: str,
    actor: PageActorDep,
    session: SessionDep,
    csrf_token: FormText = "",
) -> Response:
    require_csrf(request, csrf_token)
    return _answer(request, session, actor, request_id, approve=False)
