"""What the organisation APIs take and return: organisations, applications, decisions."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from hub.organisations.models import ApplicationDecision, OrganisationKind, OrganisationStatus


class OrganisationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=2, max_length=200)
    kind: OrganisationKind


class OrganisationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    kind: OrganisationKind
    status: OrganisationStatus
    fingerprint: str | None = None


class OrganisationCreated(BaseModel):
    id: str
    status: OrganisationStatus


class ApplicationCreate(BaseModel):
    """An organisation applies to join (no account needed)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=2, max_length=200)
    kind: OrganisationKind
    contact_name: str = Field(min_length=2, max_length=200)
    contact_email: EmailStr
    areas: list[Annotated[str, Field(max_length=200)]] = Field(
        min_length=1, max_length=50, description="area names or codes"
    )
    reason: str = Field(min_length=10, max_length=4000)
    language: Literal["fr", "en"] = "fr"
    phrase: str = Field(
        default="",
        max_length=20,
        description="an anti-phishing phrase the hub's emails will quote (default: the name)",
    )


class ApplicationRead(BaseModel):
    organisation_id: str
    name: str
    kind: OrganisationKind
    status: OrganisationStatus
    contact_name: str | None
    contact_email: str | None
    areas: list[str]
    reason: str | None
    applied_at: dt.datetime | None
    decision: ApplicationDecision | None
    decision_reason: str | None


class DecisionReason(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=3, max_length=4000)


class SuspendReason(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(default="", max_length=4000)
