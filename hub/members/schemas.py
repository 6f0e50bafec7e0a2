from __future__ import annotations

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
