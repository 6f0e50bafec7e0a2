"""Members in pages: the invitation link (/join/{token}: no account needed, the token is the
credential) and the organisation's members page (/organisation/members: roles, grants,
removal, invitations). Every form carries a CSRF token; every change is the service's."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from hub.actors import Actor, Permission
from hub.deps import SessionDep
from hub.errors import Forbidden, HubError, InvalidInput, NotFound, Unauthorized, field_errors
from hub.i18n import gettext as _
from hub.members import invitations, roles, service
from hub.members.invitations import NEVER_BY_INVITATION as NEVER_BY_INVITATION_ROLES
from hub.members.models import Role
from hub.web import PageActorDep, PageRoute, label, plausible_id, render, require_csrf

router = APIRouter(include_in_schema=False, route_class=PageRoute)

Text = Annotated[str, Form(max_length=1024)]


def _roles_text(codes: tuple[Role, ...]) -> str:
    return ", ".join(label(r) for r in codes)


def _gone(request: Request, exc: HubError) -> Response:
    return render(request, "members/gone.html", status=404, message=exc.message)


def _join_page(
    request: Request,
    session: Session,
    token: str,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    problem: str | None = None,
    status: int = 200,
    totp_secret: str | None = None,
) -> Response:
    try:
        opened = invitations.preview(session, token=token)
    except invitations.InvitationGone as exc:
        return _gone(request, exc)
    secret = totp_secret or (invitations.new_totp_secret() if opened.needs_totp else None)
    return render(
        request,
        "members/join.html",
        status=status,
        token=token,
        invitation=opened,
        roles=_roles_text(opened.roles),
        form=form or {"display_name": opened.display_name},
        errors=errors or {},
        problem=problem,
        totp_secret=secret,
        totp_uri=invitations.totp_uri(opened.email, secret) if secret else None,
    )


@router.get("/join/{token}")
def join_page(request: Request, token: str, session: SessionDep) -> Response:
    return _join_page(request, session, token)


@router.post("/join/{token}")
def join_submit(
    request: Request,
    token: str,
    session: SessionDep,
    csrf_token: Text = "",
    display_name: Annotated[str, Form(max_length=200)] = "",
    password: Text = "",
    confirm: Text = "",
    totp_secret: Annotated[str, Form(max_length=64)] = "",
    totp: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    require_csrf(request, csrf_token)
    try:
        created = invitations.accept(
            session,
            token=token,
            display_name=display_name,
            passphrase=password,
            confirm=confirm,
            totp_secret=totp_secret,
            totp_code=totp,
        )
    except invitations.InvitationGone as exc:
        session.rollback()
        return _gone(request, exc)
    except HubError as exc:
        session.rollback()
        errors = field_errors(exc)
        return _join_page(
            request,
            session,
            token,
            form={"display_name": display_name},
            errors=errors,
            problem=None if errors else exc.message,
            status=exc.status,
            totp_secret=totp_secret if service.TOTP_SECRET_RE.fullmatch(totp_secret) else None,
        )
    return render(
        request,
        "members/joined.html",
        recovery_code=created.recovery_code,
        fingerprint=created.fingerprint,
    )


# --- the members page ----------------------------------------------------------------------

NOTICES = {
    "invited": lambda: _("The invitation is on its way; the link works once, for 7 days."),
    "granted": lambda: _("The keys are granted: your colleague can now read what is shared."),
    "roles": lambda: _("The roles are saved."),
    "removed": lambda: _(
        "The member is removed: their key, grant and sessions are deleted. If they may have "
        "kept a copy of the organisation's keys, rotate them (slthub org rotate-keys)."
    ),
    "revoked": lambda: _("The invitation is withdrawn: its link no longer works."),
}


def _members_page(
    request: Request,
    session: Session,
    actor: Actor,
    *,
    status: int = 200,
    notice: str | None = None,
    problem: str | None = None,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    member = actor.member
    assert member is not None  # noqa: S101 (a page actor is a member)
    rows = service.list_members(session, actor=actor)
    may_manage = actor.may(Permission.MEMBER_INVITE)
    allowed = invitations.grantable_roles(actor)
    mine = [r for r in Role if r in allowed]
    return render(
        request,
        "members/members.html",
        status=status,
        organisation=member.organisation.name,
        members=rows,
        me=member.id,
        my_roles=mine,
        roles=[r for r in Role if r not in NEVER_BY_INVITATION_ROLES],
        i_hold_keys=service.wrap_of(session, member) is not None,
        may_manage=may_manage,
        may_remove=actor.may(Permission.MEMBER_REMOVE),
        invitations=invitations.pending_invitations(session, actor=actor) if may_manage else [],
        notice=notice,
        problem=problem,
        form=form or {"roles": [], "language": request.state.locale},
        errors=errors or {},
    )


@router.get("/organisation/members")
def members_page(
    request: Request,
    actor: PageActorDep,
    session: SessionDep,
    done: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    return _members_page(
        request, session, actor, notice=NOTICES[done]() if done in NOTICES else None
    )


async def _posted_roles(request: Request) -> list[str]:
    form = await request.form(max_files=0, max_fields=50)
    return [str(v) for v in form.getlist("roles")][:10]


RolesDep = Annotated[list[str], Depends(_posted_roles)]


def _roles(codes: list[str]) -> list[Role]:
    try:
        return [Role(c) for c in codes]
    except ValueError as exc:
        raise InvalidInput(_("Pick roles from the list."), field="roles") from exc


def _act(request: Request, session: Session, actor: Actor, done: str, work: Any) -> Response:
    try:
        work()
    except (Unauthorized, Forbidden):
        raise
    except HubError as exc:
        session.rollback()
        return _members_page(request, session, actor, status=exc.status, problem=exc.message)
    return RedirectResponse(f"/organisation/members?done={done}", status_code=303)


@router.post("/organisation/members/invite")
def members_invite(
    request: Request,
    actor: PageActorDep,
    session: SessionDep,
    chosen: RolesDep,
    csrf_token: Text = "",
    email: Annotated[str, Form(max_length=320)] = "",
    display_name: Annotated[str, Form(max_length=200)] = "",
    language: Annotated[str, Form(max_length=8)] = "fr",
) -> Response:
    require_csrf(request, csrf_token)
    form = {"email": email, "display_name": display_name, "roles": chosen, "language": language}
    try:
        if "@" not in email or len(email.strip()) < 3:
            raise InvalidInput(_("Give an email address."), field="email")
        invitations.invite_colleague(
            session,
            actor=actor,
            email=email,
            display_name=display_name,
            roles=_roles(chosen),
            language=language,
        )
    except (Unauthorized, Forbidden):
        raise
    except HubError as exc:
        session.rollback()
        errors = field_errors(exc)
        return _members_page(
            request,
            session,
            actor,
            status=exc.status,
            form=form,
            errors=errors,
            problem=None if errors else exc.message,
        )
    return RedirectResponse("/organisation/members?done=invited", status_code=303)


def _member_id(member_id: str) -> str:
    if not plausible_id(member_id):
        raise NotFound(_("No such member."))
    return member_id


@router.post("/organisation/members/{member_id}/grant")
def members_grant(
    request: Request,
    member_id: str,
    actor: PageActorDep,
    session: SessionDep,
    csrf_token: Text = "",
) -> Response:
    require_csrf(request, csrf_token)
    return _act(
        request,
        session,
        actor,
        "granted",
        lambda: service.grant(session, actor=actor, member_id=_member_id(member_id)),
    )


@router.post("/organisation/members/{member_id}/roles")
def members_roles(
    request: Request,
    member_id: str,
    actor: PageActorDep,
    session: SessionDep,
    chosen: RolesDep,
    csrf_token: Text = "",
) -> Response:
    require_csrf(request, csrf_token)
    return _act(
        request,
        session,
        actor,
        "roles",
        lambda: roles.set_roles(
            session, actor=actor, member_id=_member_id(member_id), roles=_roles(chosen)
        ),
    )


@router.post("/organisation/members/{member_id}/remove")
def members_remove(
    request: Request,
    member_id: str,
    actor: PageActorDep,
    session: SessionDep,
    csrf_token: Text = "",
) -> Response:
    require_csrf(request, csrf_token)
    return _act(
        request,
        session,
        actor,
        "removed",
        lambda: service.remove_member(session, actor=actor, member_id=_member_id(member_id)),
    )


@router.post("/organisation/invitations/{invitation_id}/revoke")
def invitation_revoke(
    request: Request,
    invitation_id: str,
    actor: PageActorDep,
    session: SessionDep,
    csrf_token: Text = "",
) -> Response:
    require_csrf(request, csrf_token)
    return _act(
        request,
        session,
        actor,
        "revoked",
        lambda: invitations.revoke(session, actor=actor, invitation_id=_member_id(invitation_id)),
    )
