"""The acknowledgement page and the address-confirmation page.

A GET only shows what would happen; the POST from the page does it. Mail security gateways
and chat previews follow every link in a message, and must not acknowledge an alert (which
would silence its escalation) or confirm an address on a liaison's behalf. No CSRF token:
the unguessable token in the URL is the credential, and a site that knows it could POST it
directly anyway.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from alerts.outbox import facts_from_json
from hub.actors import Actor
from hub.alerting import service
from hub.alerting.forms import LiaisonForm
from hub.alerting.schemas import DeliveryRead
from hub.db import utcnow
from hub.deps import SessionDep
from hub.errors import Forbidden, HubError, Unauthorized
from hub.i18n import gettext as _
from hub.members.models import Role
from hub.web import PageActorDep, PageRoute, render, require_csrf
from policies.vocabulary import ReportType, Severity

router = APIRouter(include_in_schema=False)


def _link_page(request: Request, *, status: int = 200, **context: Any) -> Response:
    """A page an alert's link opens, in the reader's language (the hub's pages layout)."""
    return render(request, "alerting/link.html", status=status, **context)


def _unknown(request: Request, message: str) -> Response:
    return _link_page(request, status=404, heading=_("This link does not work"), message=message)


@router.get("/a/{token}")
def ack_page(request: Request, session: SessionDep, token: str) -> Response:
    pending = service.ack_preview(session, token=token)
    if pending is None:
        return _unknown(
            request,
            _("Nothing to acknowledge: the alert was already acknowledged, or its link is wrong."),
        )
    facts = facts_from_json(pending.event.facts) if pending.event.kind != "digest" else None
    what = (
        f"{getattr(facts, 'area_code', pending.event.area_code)} — "
        f"{getattr(facts, 'severity', '') or ''} {getattr(facts, 'summary', '') or ''}"
    )
    return _link_page(
        request,
        heading=_("Acknowledge the alert"),
        what=what,
        action=f"/a/{quote(token, safe='')}",
        button=_("I acknowledge"),
    )


@router.post("/a/{token}")
def ack_submit(request: Request, session: SessionDep, token: str) -> Response:
    done = service.acknowledge_link(session, token=token, now=utcnow())
    if done is None:
        return _unknown(
            request,
            _("Nothing to acknowledge: the alert was already acknowledged, or its link is wrong."),
        )
    return _link_page(
        request,
        heading=_("Alert acknowledged"),
        message=_("Acknowledged: the escalation is stopped."),
    )


@router.get("/liaison/confirm/{token}")
def confirm_page(request: Request, token: str) -> Response:
    return _link_page(
        request,
        heading=_("Confirm this address"),
        action=f"/liaison/confirm/{quote(token, safe='')}",
        button=_("Confirm"),
    )


@router.post("/liaison/confirm/{token}")
def confirm_submit(request: Request, session: SessionDep, token: str) -> Response:
    try:
        address = service.confirm_email(session, token=token, now=utcnow())
    except HubError:
        return _unknown(request, _("This link is unknown or has expired."))
    return _link_page(
        request,
        heading=_("Address confirmed"),
        message=_("Alerts can now reach you at %(address)s.") % {"address": address},
    )


# --- the liaison page ----------------------------------------------------------------------

liaison_router = APIRouter(include_in_schema=False, route_class=PageRoute)

LIAISON_NOTICES: dict[str, Callable[[], str]] = {
    "saved": lambda: _(
        "Your designation was saved. A new email address gets a confirmation link; a new "
        "phone number a code by SMS to type below."
    ),
    "confirmed": lambda: _("Your phone number is confirmed."),
    "removed": lambda: _("You no longer receive alerts."),
    "test": lambda: _(
        "A test alert is on its way to each of your channels; its outcome appears in your "
        "deliveries below within a minute."
    ),
}

FormText = Annotated[str, Form(max_length=1024)]


async def _posted(request: Request) -> list[tuple[str, Any]]:
    form = await request.form(max_files=0, max_fields=100)
    return list(form.multi_items())


PostedDep = Annotated[list[tuple[str, Any]], Depends(_posted)]


def _liaison_page(
    request: Request,
    session: Session,
    actor: Actor,
    *,
    form: LiaisonForm | None = None,
    status: int = 200,
    notice: str | None = None,
    code_error: str | None = None,
) -> Response:
    lang = request.state.locale
    current = service.own_designation(session, actor=actor)
    _lookup, names = service.area_names(session, lang=lang)
    if form is None:
        form = LiaisonForm.of(current, names) if current else LiaisonForm.blank(lang=lang)
    member = actor.member
    may_designate = member is not None and member.has_role(Role.LIAISON, Role.FOCAL_POINT)
    log = service.deliveries(session, actor=actor, liaison_email=None) if member else []
    team: list[tuple[str, DeliveryRead]] = []
    if member is not None:
        # A focal point's log holds the organisation's deliveries (service.deliveries scopes
        # it): theirs first, then the others' — where a delivery_failed alert sends them.
        if member.has_role(Role.FOCAL_POINT):
            people = service.member_emails(session, {d.liaison_id for d in log})
            team = [(people.get(d.liaison_id, "?"), d) for d in log if d.liaison_id != member.id]
            team = team[:100]
        log = [d for d in log if d.liaison_id == member.id][:50]
    return render(
        request,
        "alerting/liaison.html",
        status=status,
        current=current,
        area_label=lambda code: f"{names.get(code, code)} ({code})",
        form=form,
        may_designate=may_designate,
        severities=list(Severity),
        report_types=list(ReportType),
        log=log,
        team=team,
        notice=notice,
        code_error=code_error,
    )


@liaison_router.get("/liaison")
def liaison_page(
    request: Request,
    actor: PageActorDep,
    session: SessionDep,
    notice: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    return _liaison_page(
        request,
        session,
        actor,
        notice=LIAISON_NOTICES[notice]() if notice in LIAISON_NOTICES else None,
    )


@liaison_router.post("/liaison")
def liaison_save(
    request: Request, actor: PageActorDep, session: SessionDep, posted: PostedDep
) -> Response:
    require_csrf(request, next((v for k, v in posted if k == "csrf_token"), None))
    form = LiaisonForm.posted(posted)
    lookup, _names = service.area_names(session, lang=request.state.locale)
    data = form.to_designation(areas=lookup)
    if data is None:
        return _liaison_page(request, session, actor, form=form, status=422)
    try:
        service.set_designation(session, actor=actor, data=data, now=utcnow())
    except Unauthorized:
        raise
    except Forbidden:
        raise
    except HubError as exc:
        session.rollback()
        form.add_service_error(exc)
        return _liaison_page(request, session, actor, form=form, status=exc.status)
    return RedirectResponse("/liaison?notice=saved", status_code=303)


@liaison_router.post("/liaison/sms-code")
def liaison_sms_code(
    request: Request,
    actor: PageActorDep,
    session: SessionDep,
    csrf_token: FormText = "",
    code: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    require_csrf(request, csrf_token)
    code = code.strip()
    if not code.isdigit() or not 4 <= len(code) <= 8:
        return _liaison_page(
            request, session, actor, status=422, code_error=_("The code is 4 to 8 digits.")
        )
    try:
        service.confirm_phone(session, actor=actor, code=code, now=utcnow())
    except Unauthorized:
        raise
    except HubError as exc:
        session.rollback()
        return _liaison_page(request, session, actor, status=exc.status, code_error=exc.message)
    return RedirectResponse("/liaison?notice=confirmed", status_code=303)


@liaison_router.post("/liaison/test")
def liaison_test(
    request: Request, actor: PageActorDep, session: SessionDep, csrf_token: FormText = ""
) -> Response:
    require_csrf(request, csrf_token)
    service.send_test_alert(session, actor=actor, now=utcnow())
    return RedirectResponse("/liaison?notice=test", status_code=303)


@liaison_router.post("/liaison/remove")
def liaison_remove(
    request: Request, actor: PageActorDep, session: SessionDep, csrf_token: FormText = ""
) -> Response:
    require_csrf(request, csrf_token)
    service.remove_designation(session, actor=actor)
    return RedirectResponse("/liaison?notice=removed", status_code=303)
