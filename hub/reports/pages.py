"""The report pages: the list, one report, the publish form, withdrawal, revocation and the
request to pass a report on. Plain HTML forms (no JavaScript needed), a CSRF token in every
form, the member's cookie session for every decryption — exactly the API's services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from hub.actors import Actor, Permission
from hub.areas.service import area_code_for
from hub.consents import service as consents
from hub.consents.schemas import ShareRequestCreate
from hub.db import read_request
from hub.deps import PolicyDep, SessionDep, SettingsDep
from hub.errors import Forbidden, HubError, Unauthorized, validation_message
from hub.i18n import gettext as _
from hub.reports import drafts, flash, service
from hub.reports.downloads import attachment_response
from hub.reports.errors import report_not_found
from hub.reports.forms import HARMS, SIDES, UTC_OFFSETS, PublishForm
from hub.reports.labels import body_label, granted_labels, harm_labels
from hub.reports.schemas import ActorType, AttackContext, LocationType
from hub.security import SCRIPT_PAGE_CSP
from hub.web import (
    PageActorDep,
    PageRoute,
    area_labels,
    area_levels,
    plausible_id,
    render,
    require_csrf,
    secure_cookies,
)
from policies import Policy
from policies.vocabulary import Category, ReportType, Severity, Stage, Tlp

router = APIRouter(include_in_schema=False, route_class=PageRoute)

PAGE_SIZE = 25
# The author's last UTC offset, so that the next flash report starts from it.
OFFSET_COOKIE = "slthub_utc_offset"

FormText = Annotated[str, Form(max_length=1024)]
FormArea = Annotated[str, Form(max_length=4000)]

# Messages a redirect may ask for by name: never text from the address itself.
NOTICES: dict[str, Callable[[], str]] = {
    "withdrawn": lambda: _(
        "The report was withdrawn: its content is destroyed and former recipients are told."
    ),
    "revoked": lambda: _("Access revoked. The organisation may already have read the report."),
    "asked": lambda: _("Your request was recorded. Its answer is shown below."),
}


def _checked_id(text: str) -> str:
    if not plausible_id(text):
        raise report_not_found()
    return text


async def _posted(request: Request) -> list[tuple[str, Any]]:
    form = await request.form(max_files=0, max_fields=200)
    return list(form.multi_items())


PostedDep = Annotated[list[tuple[str, Any]], Depends(_posted)]


def _choice(enum: Any, text: str, name: str, errors: dict[str, str]) -> Any:
    if not text:
        return None
    try:
        return enum(text)
    except ValueError:
        errors[name] = _("This value is not one of the allowed choices.")
        return None


# --- the list -------------------------------------------------------------------------------


@router.get("/reports", dependencies=[Depends(read_request)])
def list_page(
    request: Request,
    actor: PageActorDep,
    session: SessionDep,
    policy: PolicyDep,
    area: Annotated[str, Query(max_length=200)] = "",
    type: Annotated[str, Query(max_length=200)] = "",
    severity: Annotated[str, Query(max_length=200)] = "",
    before: Annotated[str, Query(max_length=200)] = "",
    notice: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    errors: dict[str, str] = {}
    report_type = _choice(ReportType, type, "type", errors)
    chosen_severity = _choice(Severity, severity, "severity", errors)
    area = area.strip()
    # People look for a place by name; the list filters by code.
    area = area_code_for(session, area) or area
    if len(area) > 32 or any(ord(c) < 32 for c in area):
        errors["area"] = _("There is no area with the code %(code)s.") % {"code": area[:32]}
        area = ""
    page = service.inbox(
        session,
        actor=actor,
        policy=policy,
        area=area or None,
        report_type=report_type,
        severity=chosen_severity,
        before=before if service.valid_before(before) else None,
        limit=PAGE_SIZE,
    )
    rows = page.items
    older = None
    if page.next_before is not None:
        kept = {"area": area, "type": type, "severity": severity}
        older = "/reports?" + urlencode(
            {**{k: v for k, v in kept.items() if v and k not in errors}, "before": page.next_before}
        )
    filtered = bool(area or report_type or chosen_severity)
    return render(
        request,
        "reports/list.html",
        status=200,
        area_label=area_labels(session),
        area_level=area_levels(session, {r.header.area for r in rows}, policy),
        rows=rows,
        older=older,
        first_page=not before,
        filtered=filtered,
        errors=errors,
        filters={"area": area, "type": type, "severity": severity},
        report_types=list(ReportType),
        severities=list(Severity),
        notice=NOTICES[notice]() if notice in NOTICES else None,
        may_publish=actor.may(Permission.REPORT_PUBLISH),
    )


# --- publishing -----------------------------------------------------------------------------


def _form_page(
    request: Request, session: Any, actor: Actor, form: PublishForm, *, status: int = 200
) -> Response:
    return render(
        request,
        "reports/new.html",
        status=status,
        form=form,
        partners=service.partner_choices(session, actor=actor),
        areas=service.area_choices(session, actor=actor),
        stages=list(Stage),
        categories=list(Category),
        severities=list(Severity),
        tlps=list(Tlp),
        offsets=UTC_OFFSETS,
        sides=SIDES,
        harms=HARMS,
        attack_contexts=list(AttackContext),
        location_types=list(LocationType),
        actor_types=list(ActorType),
        body_label=body_label,
        victims=harm_labels(),
    )


@router.get("/reports/new")
def new_page(request: Request, actor: PageActorDep, session: SessionDep) -> Response:
    actor.require(Permission.REPORT_PUBLISH)
    prefill = {k: v for k, v in request.query_params.items() if isinstance(v, str)}
    form = PublishForm.blank(prefill=prefill, utc_offset=request.cookies.get(OFFSET_COOKIE))
    earlier = form.value("supersedes")
    if form.type is ReportType.INCIDENT and plausible_id(earlier):
        # "Update this incident": start from what the report it follows said.
        form.prefill_from(service.read_report(session, actor=actor, report_id=earlier))
    return _form_page(request, session, actor, form)


@router.post("/reports/new")
def publish(
    request: Request,
    # The form is read before authenticating: the transaction authentication begins must
    # not stay open (on SQLite, holding the write lock) while a slow client sends its body.
    posted: PostedDep,
    actor: PageActorDep,
    session: SessionDep,
    settings: SettingsDep,
    policy: PolicyDep,
) -> Response:
    require_csrf(request, next((v for k, v in posted if k == "csrf_token"), None))
    form = PublishForm.posted(posted)
    return _publish_form(
        request,
        session,
        actor,
        settings,
        policy,
        form,
        on_error=lambda status: _form_page(request, session, actor, form, status=status),
    )


def _publish_form(
    request: Request,
    session: Any,
    actor: Actor,
    settings: Any,
    policy: Policy,
    form: PublishForm,
    *,
    on_error: Callable[[int], Response],
) -> Response:
    report_in = form.to_report()
    if report_in is None:
        return on_error(422)
    try:
        # The key made when the form was rendered: a double tap, or the browser resending
        # the POST after a dropped connection, finds the report the first one created.
        published = service.submit_report(
            session,
            actor=actor,
            report_in=report_in,
            policy=policy,
            data_dir=settings.data_dir,
            idempotency_key=form.value("idempotency_key"),
        )
    except Unauthorized:
        raise
    except HubError as exc:
        form.add_service_error(exc)
        return on_error(exc.status)
    response = RedirectResponse(f"/reports/{published.report.id}?published=1", status_code=303)
    response.set_cookie(
        OFFSET_COOKIE,
        form.value("utc_offset"),
        max_age=365 * 86400,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request),
        path="/",
    )
    return response


# --- the flash form -------------------------------------------------------------------------


def _flash_page(
    request: Request,
    session: Any,
    actor: Actor,
    policy: Policy,
    form: PublishForm,
    *,
    query: str = "",
    status: int = 200,
    restored: bool = False,
) -> Response:
    response = render(
        request,
        "reports/flash.html",
        status=status,
        form=form,
        query=query,
        groups=service.flash_area_groups(session, actor=actor, query=query),
        categories=list(Category),
        severities=flash.severity_help(),
        tlps=flash.tlp_help(),
        default_tlps=flash.default_tlps(policy),
        restored=restored,
    )
    response.headers["Content-Security-Policy"] = SCRIPT_PAGE_CSP
    return response


@router.get("/reports/flash")
def flash_page(
    request: Request,
    actor: PageActorDep,
    session: SessionDep,
    policy: PolicyDep,
    q: Annotated[str, Query(max_length=60)] = "",
) -> Response:
    actor.require(Permission.REPORT_PUBLISH)
    offset = flash.member_utc_offset(
        session, actor=actor, fallback=request.cookies.get(OFFSET_COOKIE)
    )
    kept = drafts.latest(session, actor=actor)
    if kept is not None:
        # A form the hub received and did not publish, whose answer may never have arrived.
        form = PublishForm.posted_flash(kept.items())
    else:
        form = PublishForm.flash(utc_offset=offset, occurred_at=flash.now_at(offset))
    return _flash_page(
        request, session, actor, policy, form, query=q.strip(), restored=kept is not None
    )


@router.post("/reports/flash")
def publish_flash(
    request: Request,
    # Read before authenticating (see publish).
    posted: PostedDep,
    actor: PageActorDep,
    session: SessionDep,
    settings: SettingsDep,
    policy: PolicyDep,
) -> Response:
    require_csrf(request, next((v for k, v in posted if k == "csrf_token"), None))
    actor.require(Permission.REPORT_PUBLISH)
    form = PublishForm.posted_flash(posted)
    query = next((v for k, v in posted if k == "q" and isinstance(v, str)), "")[:60].strip()
    if any(k == "find" for k, _v in posted):
        # The search box without JavaScript: the same form again, narrowed, as typed.
        drafts.keep(session, actor=actor, values=form.values)
        return _flash_page(request, session, actor, policy, form, query=query)
    response = _publish_form(
        request,
        session,
        actor,
        settings,
        policy,
        form,
        on_error=lambda status: _flash_page(
            request, session, actor, policy, form, query=query, status=status
        ),
    )
    if response.status_code == 303:
        drafts.discard(session, actor=actor, idempotency_key=form.value("idempotency_key"))
    else:
        drafts.keep(session, actor=actor, values=form.values)
    return response


# --- one report -----------------------------------------------------------------------------


def _report_page(
    request: Request,
    session: Any,
    actor: Actor,
    report_id: str,
    *,
    status: int = 200,
    notice: str | None = None,
    published: bool = False,
    share: dict[str, str] | None = None,
    share_errors: dict[str, str] | None = None,
) -> Response:
    report = service.read_report(session, actor=actor, report_id=_checked_id(report_id))
    assert actor.member is not None  # noqa: S101 (PageActorDep guarantees a member)
    mine = report.header.originator.id == actor.member.organisation_id
    recipients = service.recipients_of(session, actor=actor, report_id=report.id) if mine else None
    return render(
        request,
        "reports/view.html",
        status=status,
        area_label=area_labels(session),
        report=report,
        header=report.header,
        body=report.body,
        mine=mine,
        recipients=recipients,
        published=published and mine,
        requests=consents.share_request_views(session, actor=actor, report_id=report.id),
        partners=service.partner_choices(session, actor=actor),
        may_share=actor.may(Permission.REPORT_SHARE),
        may_publish=actor.may(Permission.REPORT_PUBLISH),
        notice=notice,
        share=share or {},
        share_errors=share_errors or {},
        sides=SIDES,
        harms=HARMS,
        body_label=body_label,
        victims=harm_labels(),
        granted=granted_labels(),
    )


@router.get("/reports/{report_id}")
def report_page(
    request: Request,
    report_id: str,
    actor: PageActorDep,
    session: SessionDep,
    published: Annotated[str, Query(max_length=10)] = "",
    notice: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    return _report_page(
        request,
        session,
        actor,
        report_id,
        notice=NOTICES[notice]() if notice in NOTICES else None,
        published=published == "1",
    )


@router.get("/reports/{report_id}/attachments/{attachment_id}")
def attachment(
    report_id: str,
    attachment_id: str,
    actor: PageActorDep,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    if not plausible_id(attachment_id):
        raise report_not_found()
    found = service.read_attachment(
        session,
        actor=actor,
        report_id=_checked_id(report_id),
        attachment_id=attachment_id,
        data_dir=settings.data_dir,
    )
    return attachment_response(found)


@router.post("/reports/{report_id}/share-requests")
def ask_share(
    request: Request,
    report_id: str,
    actor: PageActorDep,
    session: SessionDep,
    policy: PolicyDep,
    to_organisation: FormText = "",
    reason: FormArea = "",
    csrf_token: FormText = "",
) -> Response:
    require_csrf(request, csrf_token)
    report_id = _checked_id(report_id)
    share = {"to_organisation": to_organisation, "reason": reason.strip()}
    errors: dict[str, str] = {}
    if not to_organisation:
        errors["to_organisation"] = _("Choose an organisation.")
    if not share["reason"]:
        errors["reason"] = _("Say why they need it: the originator decides on this reason.")
    try:
        request_in = ShareRequestCreate.model_validate(share)
    except ValidationError as exc:
        for err in exc.errors():
            errors.setdefault(str(err["loc"][0]) if err["loc"] else "form", validation_message(err))
    if errors:
        return _report_page(
            request, session, actor, report_id, status=422, share=share, share_errors=errors
        )
    try:
        consents.request_share(
            session, actor=actor, report_id=report_id, request_in=request_in, policy=policy
        )
    except Unauthorized:
        raise
    except HubError as exc:
        # Refused (TLP:RED, already a recipient, already asked…): said beside the form, with
        # what was typed. A report gone meanwhile answers its own page (404, 410).
        return _report_page(
            request,
            session,
            actor,
            report_id,
            status=exc.status,
            share=share,
            share_errors={"form": exc.message},
        )
    return RedirectResponse(f"/reports/{report_id}?notice=asked#share", status_code=303)


@router.post("/reports/{report_id}/recipients/{organisation_id}/revoke")
def revoke(
    request: Request,
    report_id: str,
    organisation_id: str,
    actor: PageActorDep,
    session: SessionDep,
    csrf_token: FormText = "",
) -> Response:
    require_csrf(request, csrf_token)
    if not plausible_id(organisation_id):
        raise report_not_found()
    consents.revoke_recipient(
        session, actor=actor, report_id=_checked_id(report_id), organisation_id=organisation_id
    )
    return RedirectResponse(f"/reports/{report_id}?notice=revoked", status_code=303)


@router.get("/reports/{report_id}/withdraw")
def withdraw_page(
    request: Request, report_id: str, actor: PageActorDep, session: SessionDep
) -> Response:
    found = service.report_header(session, actor=actor, report_id=_checked_id(report_id))
    assert actor.member is not None  # noqa: S101 (PageActorDep guarantees a member)
    if found.header.originator.id != actor.member.organisation_id:
        raise Forbidden(_("Only the organisation that published a report can withdraw it."))
    return render(
        request,
        "reports/withdraw.html",
        report=found,
        header=found.header,
        area_label=area_labels(session),
    )


@router.post("/reports/{report_id}/withdraw")
def withdraw(
    request: Request,
    report_id: str,
    actor: PageActorDep,
    session: SessionDep,
    settings: SettingsDep,
    csrf_token: FormText = "",
) -> Response:
    require_csrf(request, csrf_token)
    service.withdraw_report(
        session, actor=actor, report_id=_checked_id(report_id), data_dir=settings.data_dir
    )
    return RedirectResponse("/reports?notice=withdrawn", status_code=303)
