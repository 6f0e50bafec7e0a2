"""Joining in pages: the application form (/apply, no account needed) and the oversight
committee's page (/committee/organisations) where it approves, refuses, suspends and
reinstates. Every form carries a CSRF token; every decision is the service's, audited."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from hub.actors import Actor
from hub.deps import SessionDep, client_address
from hub.errors import (
    Forbidden,
    HubError,
    InvalidInput,
    Unauthorized,
    field_errors,
    validation_message,
)
from hub.i18n import gettext as _
from hub.organisations import joining
from hub.organisations.models import OrganisationKind
from hub.organisations.schemas import ApplicationCreate
from hub.web import PageActorDep, PageRoute, area_labels, plausible_id, render, require_csrf

router = APIRouter(include_in_schema=False, route_class=PageRoute)

Text = Annotated[str, Form(max_length=4000)]

_FIELDS = ("name", "kind", "contact_name", "contact_email", "areas", "reason", "phrase")


def _apply_page(
    request: Request,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    problem: str | None = None,
    status: int = 200,
    done: bool = False,
) -> Response:
    return render(
        request,
        "organisations/apply.html",
        status=status,
        form=form or {"kind": "ingo"},
        errors=errors or {},
        problem=problem,
        kinds=list(OrganisationKind),
        done=done,
    )


@router.get("/apply")
def apply_page(request: Request, done: Annotated[str, Query(max_length=8)] = "") -> Response:
    return _apply_page(request, done=done == "1")


@router.post("/apply")
def apply_submit(
    request: Request,
    session: SessionDep,
    csrf_token: Text = "",
    name: Text = "",
    kind: Text = "",
    contact_name: Text = "",
    contact_email: Text = "",
    areas: Text = "",
    reason: Text = "",
    phrase: Text = "",
) -> Response:
    require_csrf(request, csrf_token)
    form = {
        "name": name,
        "kind": kind,
        "contact_name": contact_name,
        "contact_email": contact_email,
        "areas": areas,
        "reason": reason,
        "phrase": phrase,
    }
    lines = [line for part in areas.splitlines() for line in part.split(",") if line.strip()]
    try:
        body = ApplicationCreate(
            name=name,
            kind=kind,  # type: ignore[arg-type]  # pydantic validates the text
            contact_name=contact_name,
            contact_email=contact_email,
            areas=lines,
            reason=reason,
            language="en" if request.state.locale == "en" else "fr",
            phrase=phrase,
        )
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for err in exc.errors():
            loc = err.get("loc") or ("",)
            errors.setdefault(str(loc[0]) if loc[0] in _FIELDS else "name", validation_message(err))
        return _apply_page(request, form=form, errors=errors, status=422)
    try:
        joining.apply(
            session,
            application=joining.ApplicationIn(**body.model_dump()),
            address=client_address(request),
        )
    except HubError as exc:
        session.rollback()
        errors = field_errors(exc)
        if not errors and exc.status == 409:
            errors = {"name": exc.message}
        return _apply_page(
            request,
            form=form,
            errors=errors,
            problem=None if errors else exc.message,
            status=exc.status,
        )
    return RedirectResponse("/apply?done=1", status_code=303)


# --- the committee --------------------------------------------------------------------------

NOTICES = {
    "approve": lambda: _("Approved; the contact is invited by email."),
    "refuse": lambda: _("Refused; the reason is recorded."),
    "suspend": lambda: _("Suspended: its members can log in and do nothing else."),
    "reinstate": lambda: _("Reinstated."),
}


def _committee_page(
    request: Request,
    session: Session,
    actor: Actor,
    *,
    status: int = 200,
    notice: str | None = None,
    problem: str | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    rows = joining.overview(session, actor=actor)
    return render(
        request,
        "organisations/committee.html",
        status=status,
        rows=rows,
        notice=notice,
        problem=problem,
        errors=errors or {},
        area_label=area_labels(session),
    )


@router.get("/committee/organisations")
def committee_page(
    request: Request,
    actor: PageActorDep,
    session: SessionDep,
    done: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    notice = NOTICES[done]() if done in NOTICES else None
    return _committee_page(request, session, actor, notice=notice)


@router.post("/committee/organisations/{organisation_id}/{action}")
def committee_decide(
    request: Request,
    organisation_id: str,
    action: str,
    actor: PageActorDep,
    session: SessionDep,
    csrf_token: Text = "",
    reason: Text = "",
) -> Response:
    require_csrf(request, csrf_token)
    if action not in NOTICES or not plausible_id(organisation_id):
        return _committee_page(
            request, session, actor, status=404, problem=_("No such organisation.")
        )
    try:
        if action == "approve":
            joining.approve(session, actor=actor, organisation_id=organisation_id)
        elif action == "refuse":
            joining.refuse(session, actor=actor, organisation_id=organisation_id, reason=reason)
        elif action == "suspend":
            joining.suspend(session, actor=actor, organisation_id=organisation_id, reason=reason)
        else:
            joining.reinstate(session, actor=actor, organisation_id=organisation_id)
    except (Unauthorized, Forbidden):
        raise
    except InvalidInput as exc:
        session.rollback()
        return _committee_page(
            request, session, actor, status=422, errors={organisation_id: exc.message}
        )
    except HubError as exc:
        session.rollback()
        return _committee_page(request, session, actor, status=exc.status, problem=exc.message)
    return RedirectResponse(f"/committee/organisations?done={action}", status_code=303)
