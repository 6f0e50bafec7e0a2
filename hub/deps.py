"""FastAPI dependencies shared by the routers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from hub.actors import Actor
from hub.auth import service as auth
from hub.config import Settings
from hub.db import get_session, read_mostly
from hub.errors import Unauthorized
from hub.i18n import gettext as _
from hub.policy import policy_from_settings
from policies import Policy

SessionDep = Annotated[Session, Depends(get_session)]

T = TypeVar("T")

_bearer = HTTPBearer(auto_error=False, description="The access_token from POST /auth/login")


# The two below are `async` only so that FastAPI calls them in the event loop: a plain
# `def` dependency costs a hop through the threadpool on every request, for an attribute read.
async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_policy(request: Request) -> Policy:
    return policy_from_settings(request.app.state.settings)


PolicyDep = Annotated[Policy, Depends(get_policy)]


BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def _authenticate(
    session: Session, credentials: HTTPAuthorizationCredentials | None, *, any_status: bool = False
) -> Actor:
    """API clients authenticate with a bearer token only. Cookies are for pages, whose
    forms carry CSRF tokens; accepting cookies here would open the API to CSRF."""
    if credentials is None:
        raise Unauthorized(
            _("Log in first: send the token from POST /api/v1/auth/login as a bearer token.")
        )
    return auth.authenticate(session, token=credentials.credentials, any_status=any_status)


def current_actor(session: SessionDep, credentials: BearerDep) -> Actor:
    return _authenticate(session, credentials)


ActorDep = Annotated[Actor, Depends(current_actor)]


def any_status_actor(session: SessionDep, credentials: BearerDep) -> Actor:
    return _authenticate(session, credentials, any_status=True)


# Only for what a member of a pending or suspended organisation may still do: see their own
# status (GET /me) and log out.
AnyStatusActorDep = Annotated[Actor, Depends(any_status_actor)]


async def as_actor(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None,
    work: Callable[[Session, Actor], T],
    *,
    read: bool = False,
) -> T:
    """Authenticate and run `work` in one threadpool call, with a session of its own.

    For the routes every partner uses all day (publish, open a report): with ActorDep the
    actor and then the route each take a hop through the threadpool, and a hop cost
    0.3-0.6 ms on the 2-core test machine — as much as all the policy decisions of a
    publication. Same checks, same errors, same transaction rules as ActorDep/SessionDep.

    `read`: a read path (list, open). On SQLite it begins DEFERRED and takes no lock, so a
    long read never makes a writer wait; should it write after all (the open's audit entry)
    and SQLite refuse the upgrade, it runs once more as a writer (hub.db.read_mostly)."""

    def call() -> T:
        session: Session = request.app.state.session_factory()
        try:
            return work(session, _authenticate(session, credentials))
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    return await run_in_threadpool(read_mostly, call) if read else await run_in_threadpool(call)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
