"""The share-request page: the originator's focal points answer requests to pass their reports
on; requesters follow theirs. The standing-consent page: an organisation's rules that pass its
reports on without asking each time. Answers are POST forms with the CSRF token."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from hub.actors import Actor, Permission
from hub.areas.service import policy_areas
from hub.consents import service
from hub.consents.forms import StandingConsentForm
from hub.db import utcnow
from hub.deps import PolicyDep, SessionDep
from hub.errors import HubError, NotFound, Unauthorized
from hub.i18n import gettext as _
from hub.reports import service as reports
from hub.web import PageActorDep, PageRoute, area_labels, plausible_id, render, require_csrf
from policies import Policy
from policies.vocabulary import Level, OrganisationKind, ReportType, Tlp, tlp_rank

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
        area_label=area_labels(session),
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


# --- standing consents ----------------------------------------------------------------------

# Messages a redirect may ask for by name: never text from the address itself.
STANDING_NOTICES: dict[str, Callable[[], str]] = {
    "added": lambda: _("The standing consent was added."),
    "removed": lambda: _("The standing consent was removed."),
}


async def _posted(request: Request) -> list[tuple[str, Any]]:
    form = await request.form(max_files=0, max_fields=100)
    return list(form.multi_items())


PostedDep = Annotated[list[tuple[str, Any]], Depends(_posted)]


def _standing_page(
    request: Request,
    session: Session,
    actor: Actor,
    policy: Policy,
    *,
    form: StandingConsentForm | None = None,
    status: int = 200,
    notice: str | None = None,
    error: str | None = None,
) -> Response:
    may_edit = actor.may(Permission.REPORT_SHARE)
    return render(
        request,
        "consents/standing.html",
        status=status,
        rules=service.standing_consent_views(session, actor=actor),
        may_edit=may_edit,
        form=form or StandingConsentForm.blank(),
        partners=reports.partner_choices(session, actor=actor) if may_edit else [],
        kinds=list(OrganisationKind),
        # Only what the policy lets a rule cover; TLP:RED never travels onward.
        tlps=[
            t
            for t in Tlp
            if t is not Tlp.RED and tlp_rank(t) <= tlp_rank(policy.standing_consent_max_tlp)
        ],
        report_types=list(ReportType),
        levels=list(Level),
        notice=notice,
        error=error,
    )


@router.get("/standing-consents")
def standing_page(
    request: Request,
    actor: PageActorDep,
    session: SessionDep,
    policy: PolicyDep,
    notice: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    return _standing_page(
        request,
        session,
        actor,
        policy,
        notice=STANDING_NOTICES[notice]() if notice in STANDING_NOTICES else None,
    )


@router.post("/standing-consents")
def add_standing(
    request: Request,
    # Read before authenticating (see hub.reports.pages.publish).
    posted: PostedDep,
    actor: PageActorDep,
    session: SessionDep,
    policy: PolicyDep,
) -> Response:
    require_csrf(request, next((v for k, v in posted if k == "csrf_token"), None))
    # Refused before reading the form: the service would refuse it anyway.
    actor.require(Permission.REPORT_SHARE)
    form = StandingConsentForm.posted(posted)
    rule_in = form.to_rule(
        partners={p.id for p in reports.partner_choices(session, actor=actor)},
        areas=policy_areas(session).keys(),
        today=utcnow().date(),
    )
    if rule_in is None:
        return _standing_page(request, session, actor, policy, form=form, status=422)
    try:
        service.create_standing_consent(session, actor=actor, rule_in=rule_in, policy=policy)
    except Unauthorized:
        raise
    except HubError as exc:
        form.add_service_error(exc)
        return _standing_page(request, session, actor, policy, form=form, status=exc.status)
    return RedirectResponse("/standing-consents?notice=added", status_code=303)


@router.post("/standing-consents/{rule_id}/remove")
def remove_standing(
    request: Request,
    rule_id: str,
    actor: PageActorDep,
    session: SessionDep,
    csrf_token: FormText = "",
) -> Response:
    require_csrf(request, csrf_token)
    if not plausible_id(rule_id):
        raise NotFound(_("No such standing consent."))
    service.remove_standing_consent(session, actor=actor, rule_id=rule_id)
    return RedirectResponse("/standing-consents?notice=removed", status_code=303)
