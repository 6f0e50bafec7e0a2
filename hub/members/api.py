"""The JSON routes of members: list, grant, roles, removal, and invitations."""

from __future__ import annotations

from fastapi import APIRouter, Response

from hub.deps import ActorDep, SessionDep
from hub.members import invitations, roles, service
from hub.members.models import Invitation, Role
from hub.members.schemas import (
    GrantResult,
    InvitationAccept,
    InvitationCreate,
    InvitationPreview,
    InvitationRead,
    MemberCreated,
    MemberRead,
    OrganisationRef,
    RolesSet,
)
from hub.openapi import server_checks

router = APIRouter(prefix="/members", tags=["members"])
invitation_router = APIRouter(prefix="/invitations", tags=["members"])

_PROBLEMS: dict[int | str, dict[str, object]] = {
    401: {"description": "Not logged in"},
    403: {"description": "Not allowed, or your organisation's keys are not granted to you"},
    404: {"description": "No such member in your organisation"},
    409: {"description": "Already granted, or cannot remove yourself"},
}
_GONE: dict[int | str, dict[str, object]] = {
    409: {"description": "A member with this email already exists"},
    404: {"description": "Unknown, used, replaced or expired invitation"},
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


_ROLES_RULE = "focal point and liaison; other roles only those the caller holds; never operator"


@router.put(
    "/{member_id}/roles",
    response_model=MemberRead,
    responses=_PROBLEMS,
    openapi_extra=server_checks(roles=_ROLES_RULE),
)
def set_roles(member_id: str, body: RolesSet, actor: ActorDep, session: SessionDep) -> MemberRead:
    """A focal point changes a colleague's roles (only roles they hold themselves)."""
    member = roles.set_roles(session, actor=actor, member_id=member_id, roles=body.roles)
    return service.as_read(session, member)


@router.delete("/{member_id}", status_code=204, responses=_PROBLEMS)
def remove(member_id: str, actor: ActorDep, session: SessionDep) -> Response:
    service.remove_member(session, actor=actor, member_id=member_id)
    return Response(status_code=204)


def _read(invitation: Invitation) -> InvitationRead:
    return InvitationRead(
        id=invitation.id,
        email=invitation.email,
        display_name=invitation.display_name,
        roles=[Role(r) for r in invitation.roles],
        expires_at=invitation.expires_at,
    )


@invitation_router.post(
    "",
    status_code=201,
    response_model=InvitationRead,
    responses=_PROBLEMS,
    openapi_extra=server_checks(
        email="an address without an account, that email-validator accepts", roles=_ROLES_RULE
    ),
)
def invite(body: InvitationCreate, actor: ActorDep, session: SessionDep) -> InvitationRead:
    """A focal point invites a colleague by email; the one-time link expires in 7 days."""
    invitation = invitations.invite_colleague(
        session,
        actor=actor,
        email=str(body.email),
        display_name=body.display_name,
        roles=body.roles,
        language=body.language,
    )
    return _read(invitation)


@invitation_router.get("", response_model=list[InvitationRead], responses=_PROBLEMS)
def open_invitations(actor: ActorDep, session: SessionDep) -> list[InvitationRead]:
    return [_read(i) for i in invitations.pending_invitations(session, actor=actor)]


@invitation_router.delete("/{invitation_id}", status_code=204, responses={**_PROBLEMS, **_GONE})
def revoke(invitation_id: str, actor: ActorDep, session: SessionDep) -> Response:
    invitations.revoke(session, actor=actor, invitation_id=invitation_id)
    return Response(status_code=204)


@invitation_router.get("/{token}", response_model=InvitationPreview, responses=_GONE)
def preview(token: str, session: SessionDep) -> InvitationPreview:
    """What an invitation is for (no account needed: the token is the credential), with a
    fresh TOTP secret to confirm when a role needs a second factor."""
    opened = invitations.preview(session, token=token)
    secret = invitations.new_totp_secret() if opened.needs_totp else None
    return InvitationPreview(
        email=opened.email,
        display_name=opened.display_name,
        organisation=opened.organisation,
        roles=list(opened.roles),
        needs_totp=opened.needs_totp,
        expires_at=opened.expires_at,
        totp_secret=secret,
        totp_uri=invitations.totp_uri(opened.email, secret) if secret else None,
    )


@invitation_router.post("/accept", status_code=201, response_model=MemberCreated, responses=_GONE)
def accept(body: InvitationAccept, session: SessionDep) -> MemberCreated:
    """Become a member: the organisation's first member is given its one-time recovery
    code here, once."""
    created = invitations.accept(
        session,
        token=body.token,
        display_name=body.display_name,
        passphrase=body.password,
        confirm=body.confirm,
        totp_secret=body.totp_secret,
        totp_code=body.totp,
    )
    member = created.member
    return MemberCreated(
        id=member.id,
        email=member.email,
        organisation=OrganisationRef(id=member.organisation.id, name=member.organisation.name),
        roles=member.roles,
        recovery_code=created.recovery_code,
        fingerprint=created.fingerprint,
        totp_secret=None,
    )
