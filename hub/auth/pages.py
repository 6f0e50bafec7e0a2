"""The login page and the landing page: plain HTML forms, no JavaScript needed."""

from __future__ import annotations

from typing import Annotated

import segno
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from hub.actors import Actor
from hub.auth import service
from hub.db import utcnow
from hub.deps import PolicyDep, SessionDep, SettingsDep, client_address
from hub.directory import service as directory
from hub.errors import HubError, TooManyAttempts, field_errors
from hub.i18n import current_locale
from hub.i18n import gettext as _
from hub.members import service as members
from hub.members.models import Role
from hub.organisations import service as organisations
from hub.overview import service as overview
from hub.security import SESSION_COOKIE
from hub.web import (
    PageRoute,
    actor_from_cookie,
    area_labels,
    area_levels,
    render,
    require_csrf,
    secure_cookies,
    signed_in,
    to_login,
)

router = APIRouter(include_in_schema=False, route_class=PageRoute)

FormText = Annotated[str, Form(max_length=1024)]


@router.get("/login")
def login_page(request: Request) -> Response:
    return render(request, "auth/login.html")


@router.post("/login")
def login_submit(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    email: FormText = "",
    password: FormText = "",
    totp: FormText = "",
    csrf_token: FormText = "",
) -> Response:
    require_csrf(request, csrf_token)
    try:
        result = service.login(
            session,
            settings=settings,
            email=email,
            passphrase=password,
            totp=totp or None,
            address=client_address(request),
        )
    except TooManyAttempts as exc:
        page = render(request, "auth/login.html", status=429, error=exc.message, email=email)
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    except HubError as exc:
        return render(request, "auth/login.html", status=exc.status, error=exc.message, email=email)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        result.token,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request),
        path="/",
        max_age=settings.session_hours * 3600,
    )
    return response


@router.get("/")
def landing(request: Request, session: SessionDep, policy: PolicyDep) -> Response:
    actor, member = signed_in(request, session)
    granted = members.wrap_of(session, member) is not None
    try:
        service.require_approved_organisation(member)
        standing = None
    except service.OrganisationNotApproved as refused:
        standing = refused.message
    situation = (
        None
        if standing
        else overview.situation(
            session,
            actor=actor,
            policy=policy,
            now=utcnow(),
            lang=current_locale.get(),
            keys=granted,
        )
    )
    return render(
        request,
        "auth/landing.html",
        standing=standing,
        member=member,
        organisation=member.organisation,
        roles=", ".join(member.roles),
        granted=granted,
        keys_help=None if granted else members.keys_help(),
        fingerprint=organisations.fingerprint(member.organisation),
        situation=situation,
        coordinator=member.has_role(Role.COORDINATOR),
        area_label=area_labels(session),
        # Focal points are asked to choose what partners see of them in the directory.
        directory_prompt=standing is None and directory.should_prompt(session, member),
        area_level=area_levels(
            session, {r.header.area for r in situation.latest} if situation else (), policy
        ),
    )


@router.post("/logout")
def logout_submit(request: Request, session: SessionDep, csrf_token: FormText = "") -> Response:
    require_csrf(request, csrf_token)
    actor = actor_from_cookie(request, session, any_status=True)
    if actor is not None:
        service.logout(session, actor=actor)
    return to_login()


def _totp_page(
    request: Request,
    actor: Actor,
    secret: str,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    assert actor.member is not None  # noqa: S101 (callers checked)
    uri = members.totp_uri(actor.member, secret)
    qr_svg = segno.make(uri, error="m").svg_inline(scale=4, omitsize=True)
    return render(
        request, "auth/totp.html", status=status, secret=secret, qr_svg=qr_svg, errors=errors or {}
    )


@router.get("/account/totp")
def totp_page(request: Request, session: SessionDep) -> Response:
    actor, member = signed_in(request, session)
    if member.totp_secret is not None:
        return RedirectResponse("/", status_code=303)
    return _totp_page(request, actor, members.new_totp_secret())


@router.post("/account/totp")
def totp_submit(
    request: Request,
    session: SessionDep,
    secret: FormText = "",
    totp: FormText = "",
    passphrase: FormText = "",
    csrf_token: FormText = "",
) -> Response:
    require_csrf(request, csrf_token)
    actor, _member = signed_in(request, session)
    try:
        members.enrol_totp(session, actor=actor, secret=secret, code=totp, passphrase=passphrase)
    except HubError as exc:
        errors = field_errors(exc)
        # Only a secret the hub made is shown again (a forged one could be anything).
        shown = secret if members.TOTP_SECRET_RE.fullmatch(secret) else members.new_totp_secret()
        return _totp_page(request, actor, shown, errors, status=exc.status)
    return RedirectResponse("/", status_code=303)


@router.post("/logout/everywhere")
def logout_everywhere_submit(
    request: Request, session: SessionDep, csrf_token: FormText = ""
) -> Response:
    require_csrf(request, csrf_token)
    actor = actor_from_cookie(request, session, any_status=True)
    if actor is not None:
        members.end_sessions(session, actor=actor)
    return to_login()


# --- passphrase -------------------------------------------------------------------------------


def _passphrase_page(
    request: Request,
    *,
    errors: dict[str, str] | None = None,
    error: str | None = None,
    done: bool = False,
    status: int = 200,
) -> Response:
    # The fields are never filled back in: a passphrase does not travel back to the browser.
    return render(
        request,
        "auth/passphrase.html",
        status=status,
        errors=errors or {},
        error=error,
        done=done,
    )


@router.get("/account/passphrase")
def passphrase_page(request: Request, session: SessionDep) -> Response:
    signed_in(request, session)
    return _passphrase_page(request)


@router.post("/account/passphrase")
def passphrase_submit(
    request: Request,
    session: SessionDep,
    current_password: FormText = "",
    new_password: FormText = "",
    confirm_password: FormText = "",
    csrf_token: FormText = "",
) -> Response:
    require_csrf(request, csrf_token)
    actor, _member = signed_in(request, session)
    if new_password != confirm_password:
        return _passphrase_page(
            request,
            errors={"confirm_password": _("The two new passphrases are not the same.")},
            status=422,
        )
    try:
        members.change_passphrase(session, actor=actor, current=current_password, new=new_password)
    except HubError as exc:
        errors = field_errors(exc)
        return _passphrase_page(
            request,
            errors=errors,
            error=None if errors else exc.message,
            status=exc.status,
        )
    return _passphrase_page(request, done=True)
