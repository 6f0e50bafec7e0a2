from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from hub.organisations.models import OrganisationKind, OrganisationStatus


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
