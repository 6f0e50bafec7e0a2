"""What the area APIs take and return: areas, risk, changes awaiting confirmation, presence."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from hub.areas.models import AreaKind, RiskChangeStatus
from hub.fields import AreaCode, UtcMoment
from policies.vocabulary import Level, Risk


class AreaRead(BaseModel):
    code: str
    name: str
    parent: str | None
    kind: AreaKind
    risk: Risk
    level: Level
    no_go: bool


class AssessmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    risk: Risk
    reason: str
    set_by: str
    confirmed_by: str | None
    effective_from: dt.datetime
    expires_at: dt.datetime | None
    review_at: dt.datetime | None


class RiskChangeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    area_code: str
    risk: Risk
    reason: str
    proposed_by: str
    proposed_at: dt.datetime
    status: RiskChangeStatus
    expires_at: dt.datetime | None


class AreaDetail(AreaRead):
    name_fr: str | None
    name_en: str | None
    # Where the effective risk comes from: this area, or the ancestor it inherits from.
    risk_source: str | None
    effective_from: dt.datetime | None
    expires_at: dt.datetime | None
    review_at: dt.datetime | None
    explanation: list[str]
    history: list[AssessmentRead]
    pending: list[RiskChangeRead]
    children: list[str]


class RiskSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    risk: Risk
    reason: str = Field(min_length=3, max_length=2000)
    expires_at: UtcMoment | None = Field(
        default=None, description="a temporary raise falls back at this time"
    )
    review_at: UtcMoment | None = None


class RiskApplied(BaseModel):
    code: str
    risk: Risk
    level: Level


class RiskPending(BaseModel):
    change_id: str
    status: RiskChangeStatus


class PresenceSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    areas: list[AreaCode] = Field(max_length=5000)


class PresenceRead(BaseModel):
    organisation_id: str
    areas: list[str]


class ImportResult(BaseModel):
    created: int
    updated: int
