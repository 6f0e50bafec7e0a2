"""Building organisations and members the way the hub does, through its services."""

from __future__ import annotations

import uuid
from typing import Any

import pyotp
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from hub.actors import CONSOLE
from hub.members import service as members
from hub.members.models import Role
from hub.organisations import service as organisations
from hub.organisations.models import Organisation, OrganisationKind

PASSPHRASE = "a quiet road near goma"


def make_organisation(
    session: Session,
    *,
    name: str | None = None,
    kind: OrganisationKind = OrganisationKind.INGO,
    approve: bool = True,
) -> Organisation:
    return organisations.create_organisation(
        session,
        actor=CONSOLE,
        name=name or f"Org {uuid.uuid4().hex[:8]}",
        kind=kind,
        approve=approve,
    )


def make_member(
    session: Session,
    organisation: Organisation,
    *,
    roles: tuple[Role, ...] = (Role.FOCAL_POINT,),
    email: str | None = None,
    passphrase: str = PASSPHRASE,
) -> members.Created:
    return members.create_member(
        session,
        actor=CONSOLE,
        organisation=organisation,
        email=email or f"m{uuid.uuid4().hex[:8]}@example.org",
        display_name=None,
        roles=list(roles),
        passphrase=passphrase,
    )


def current_code(secret: str) -> str:
    return pyotp.TOTP(secret).now()


def login(
    client: TestClient, email: str, passphrase: str = PASSPHRASE, totp: str | None = None
) -> dict[str, str]:
    body: dict[str, Any] = {"email": email, "password": passphrase}
    if totp is not None:
        body["totp"] = totp
    response = client.post("/api/v1/auth/login", json=body)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
