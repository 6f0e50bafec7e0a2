"""What the consent APIs take and return: share requests, decisions, standing consents."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hub.consents.models import ShareStatus
from hub.fields import AreaCode, HubId, Moment
from policies.vocabulary import Level, OrganisationKind, ReportType, Tlp


class ShareRequestCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to_organisation: HubId
    # Seen by the originator and the hub: say why, not what the report says.
    reason: Annotated[str, Field(min_length=1, max_length=1000)]


class ShareRequestRead(BaseModel):
    id: str
    report_id: str
    from_organisation: str
    to_organisation: str
    reason: str
    status: ShareStatus
    allowed_by: str | None
    readable: bool
    message: str
    direction: Literal["incoming", "outgoing"]
    created_at: dt.datetime


class ShareDecision(BaseModel):
    id: str
    status: ShareStatus
    readable: bool
    message: str


def _one_of(fields: tuple[str, str]) -> list[dict[str, Any]]:
    """JSON Schema for "exactly one of these two, not null", as the validator checks it."""
    first, second = fields
    return [
        {
            "required": [first],
            "properties": {first: {"not": {"type": "null"}}, second: {"type": "null"}},
        },
        {
            "required": [second],
            "properties": {second: {"not": {"type": "null"}}, first: {"type": "null"}},
        },
    ]


def _standing_consent_schema(schema: dict[str, Any]) -> None:
    # What _one_target checks, told to clients: one target, and never TLP:RED.
    schema["oneOf"] = _one_of(("to_organisation", "to_kind"))
    schema["properties"]["max_tlp"] = {
        "type": "string",
        "enum": [t.value for t in Tlp if t is not Tlp.RED],
        "default": Tlp.AMBER.value,
    }


class StandingConsentCreate(BaseModel):
    """E.g. "UN entities in enhanced areas may receive my incident reports":
    `{"to_kind": "un", "levels": ["enhanced"], "report_types": ["incident"], "max_tlp": "amber"}`.
    """

    model_config = ConfigDict(extra="forbid", json_schema_extra=_standing_consent_schema)

    to_organisation: HubId | None = None
    to_kind: OrganisationKind | None = None
    max_tlp: Tlp = Tlp.AMBER
    report_types: list[ReportType] = Field(default_factory=list)
    areas: list[AreaCode] = Field(default_factory=list)
    levels: list[Level] = Field(default_factory=list)
    expires_at: Moment | None = None

    @model_validator(mode="after")
    def _one_target(self) -> StandingConsentCreate:
        if (self.to_organisation is None) == (self.to_kind is None):
            raise ValueError('give either "to_organisation" or "to_kind"')
        if self.max_tlp is Tlp.RED:
            raise ValueError("TLP:RED never travels onward")
        return self


class StandingConsentRead(BaseModel):
    id: str
    to_organisation: str | None
    to_kind: OrganisationKind | None
    max_tlp: Tlp
    report_types: list[ReportType]
    areas: list[str]
    levels: list[Level]
    expires_at: dt.datetime | None
