"""What the member APIs take and return: members, `/me`, grants, invitations."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from hub.members.models import Role
from policies.vocabulary import OrganisationStatus


class OrganisationRef(BaseModel):
    id: str
    name: str


class MyOrganisation(OrganisationRef):
    # "pending" or "suspended": the member may log in and see this, and do nothing else.
    status: OrganisationStatus


class MemberRead(BaseModel):
    id: str
    email: str
    display_name: str
    organisation: OrganisationRef
    roles: list[Role]
    keys: Literal["granted", "not_granted"]
    totp: bool


class Me(BaseModel):
    id: str
    email: str
    display_name: str
    organisation: MyOrganisation
    roles: list[Role]
    keys: Literal["granted", "not_granted"]
    # Why `keys` is "not_granted" and what to do about it, in the member's language.
    keys_help: str | None = None


class MemberCreated(BaseModel):
    id: str
    email: str
    organisation: OrganisationRef
    roles: list[Role]
    recovery_code: str | None = None
    fingerprint: str | None = None
    totp_secret: str | None = None


class PassphraseChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(max_length=1024)
    new_password: str = Field(max_length=1024)


class GrantResult(BaseModel):
    member_id: str
    keys: Literal["granted"] = "granted"
    key_version: int


class EmailIn(BaseModel):
    email: EmailStr


class OrganisationKeysRead(BaseModel):
    organisation: OrganisationRef
    key_version: int
    fingerprint: str


class InvitationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    display_name: str = Field(default="", max_length=200)
    roles: list[Role] = Field(min_length=1, max_length=5)
    language: Literal["fr", "en"] = "fr"


class InvitationRead(BaseModel):
    id: str
    email: str
    display_name: str
    roles: list[Role]
    expires_at: dt.datetime


class InvitationAccept(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=1, max_length=200)
    display_name: str = Field(default="", max_length=200)
    password: str = Field(max_length=1024)
    confirm: str = Field(max_length=1024)
    totp_secret: str = Field(default="", max_length=64)
    totp: str = Field(default="", max_length=16)


class InvitationPreview(BaseModel):
    email: str
    display_name: str
    organisation: str
    roles: list[Role]
    needs_totp: bool
    expires_at: dt.datetime
    # A fresh secret to confirm with a code, when a role needs a second factor.
    totp_secret: str | None = None
    totp_uri: str | None = None


class RolesSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    roles: list[Role] = Field(min_length=1, max_length=5)
