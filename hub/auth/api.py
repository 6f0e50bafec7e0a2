"""The JSON routes of logging in and out, changing a passphrase, and who am I (`/me`)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from hub.auth import service
from hub.auth.schemas import LoginIn, Token
from hub.deps import ActorDep, AnyStatusActorDep, SessionDep, SettingsDep, client_address
from hub.errors import Unauthorized
from hub.members import service as members
from hub.members.schemas import Me, MyOrganisation, OrganisationKeysRead, PassphraseChange

router = APIRouter(tags=["auth"])

_PROBLEMS: dict[int | str, dict[str, object]] = {
    401: {"description": "Not logged in, or wrong credentials"},
    429: {"description": "Too many failed logins; see Retry-After"},
}


@router.post("/auth/login", response_model=Token, responses=_PROBLEMS)
def login(body: LoginIn, request: Request, session: SessionDep, settings: SettingsDep) -> Token:
    result = service.login(
        session,
        settings=settings,
        email=body.email,
        passphrase=body.password,
        totp=body.totp,
        address=client_address(request),
    )
    return Token(access_token=result.token, expires_at=result.expires_at)


@router.post("/auth/logout", status_code=204, responses=_PROBLEMS)
def logout(actor: AnyStatusActorDep, session: SessionDep) -> Response:
    service.logout(session, actor=actor)
    return Response(status_code=204)


@router.post("/auth/logout-everywhere", status_code=204, responses=_PROBLEMS)
def logout_everywhere(actor: AnyStatusActorDep, session: SessionDep) -> Response:
    """End every session of my account, this one included (a lost phone, a shared computer)."""
    members.end_sessions(session, actor=actor)
    return Response(status_code=204)


@router.post("/auth/passphrase", status_code=204, responses=_PROBLEMS)
def change_passphrase(
    body: PassphraseChange, actor: AnyStatusActorDep, session: SessionDep
) -> Response:
    """Re-locks my key under a new passphrase and ends my other sessions."""
    members.change_passphrase(
        session, actor=actor, current=body.current_password, new=body.new_password
    )
    return Response(status_code=204)


@router.get("/me", response_model=Me, responses=_PROBLEMS)
def me(actor: AnyStatusActorDep, session: SessionDep) -> Me:
    member = actor.member
    if member is None:  # bearer tokens always belong to a member
        raise Unauthorized("no member")
    granted = members.wrap_of(session, member) is not None
    return Me(
        id=member.id,
        email=member.email,
        display_name=member.display_name,
        organisation=MyOrganisation(
            id=member.organisation.id,
            name=member.organisation.name,
            status=member.organisation.status,
        ),
        roles=member.roles,
        keys="granted" if granted else "not_granted",
        keys_help=None if granted else members.keys_help(),
    )


@router.get(
    "/me/keys",
    response_model=OrganisationKeysRead,
    responses={
        **_PROBLEMS,
        403: {"description": "Your organisation's keys are not granted to you"},
    },
)
def my_keys(actor: ActorDep, session: SessionDep) -> OrganisationKeysRead:
    """Open my organisation's keys with this session, as reading a report will: proves the
    grant works, or says why there is none."""
    return members.open_my_keys(session, actor=actor)
