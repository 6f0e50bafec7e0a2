"""FastAPI dependencies shared by the routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from hub.actors import Actor
from hub.auth import service as auth
from hub.config import Settings
from hub.db import get_session
from hub.errors import Unauthorized
from hub.i18n import gettext as _
from hub.policy import policy_from_settings
from policies import Policy

SessionDep = Annotated[Session, Depends(get_session)]

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


def current_actor(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    """API clients authenticate with a bearer token only. Cookies are for pages, whose
    forms carry CSRF tokens; accepting cookies here would open the API to CSRF."""
    if credentials is None:
        raise Unauthorized(
            _("Log in first: send the token from POST /api/v1/auth/login as a bearer token.")
        )
    return auth.authenticate(session, token=credentials.credentials)


ActorDep = Annotated[Actor, Depends(current_actor)]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
