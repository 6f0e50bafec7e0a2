"""What a report looks like on the wire: the header (routing facts the hub sees) and the body
(everything sealed), as distinct types per report type.

The body schema is versioned (`BODY_SCHEMA_VERSION`, named in the signed header as
`"<kind>/<version>"`): a body sealed today must still parse when the schema grows.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hub.fields import AreaCode, HubId, Moment, Summary
from policies.vocabulary import (
    AudienceScope,
    Category,
    Level,
    OrganisationKind,
    Precedence,
    ReportType,
    Severity,
    Stage,
    Tlp,
)

BODY_SCHEMA_VERSION = 1

Text = Annotated[str, Field(max_length=20_000)]
Short = Annotated[str, Field(max_length=500)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- body detail vocabularies (DOMAIN.md "Incident categories": AWSD / INSO detail fields) ---


class AttackContext(StrEnum):
    AMBUSH = "ambush"
    CROSSFIRE = "crossfire"
    INDIVIDUAL_ATTACK = "individual_attack"
    MOB_VIOLENCE = "mob_violence"
    RAID = "raid"
    DETENTION = "detention"
    UNKNOWN = "unknown"


class LocationType(StrEnum):
    HOME = "home"
    OFFICE_COMPOUND = "office_compound"
    PROJECT_SITE = "project_site"
    PUBLIC_PLACE = "public_place"
    ROAD = "road"
    CUSTODY = "custody"
    UNKNOWN = "unknown"


class ActorType(StrEnum):
    UNAFFILIATED = "unaffiliated"
    AID_RECIPIENT = "aid_recipient"
    STAFF_MEMBER = "staff_member"
    CRIMINAL = "criminal"
    STATE = "state"
    NON_STATE_ARMED_GROUP = "non_state_armed_group"
    UNKNOWN = "unknown"


class Coordinates(Strict):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


Count = Annotated[int, Field(ge=0, le=100_000)]


class Victims(Strict):
    killed: Count = 0
    injured: Count = 0
    kidnapped: Count = 0
    detained: Count = 0
    missing: Count = 0


class Affected(Strict):
    national: Victims = Field(default_factory=Victims)
    international: Victims = Field(default_factory=Victims)


class _Common(Strict):
    narrative: Text | None = None
    location: Short | None = None
    coordinates: Coordinates | None = None
    finer_area: Annotated[str, Field(max_length=32)] | None = None
    analysis: Text | None = None
    sources: Text | None = None


class IncidentBody(_Common):
    """A flash report answers who, what, where, when, what has been done, what help is
    needed; updates and final reports add the detail fields."""

    kind: Literal["incident"] = "incident"
    who_involved: Text | None = None
    what_happened: Text | None = None
    actions_taken: Text | None = None
    help_needed: Text | None = None
    affected: Affected = Field(default_factory=Affected)
    gender: Short | None = None
    attack_context: AttackContext | None = None
    location_type: LocationType | None = None
    actor_type: ActorType | None = None
    motive: Short | None = None
    perpetrators: Text | None = None
    witnesses: Text | None = None
    assets: Text | None = None


class SituationBody(_Common):
    kind: Literal["situation"] = "situation"
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    outlook: Text | None = None
    recommendations: Text | None = None


class AlertBody(_Common):
    kind: Literal["alert"] = "alert"
    advice: Text | None = None
    valid_until: Moment | None = None


class GuidanceBody(_Common):
    """Procedures, mitigation measures, lessons, operational plans, risk assessments, the
    minutes of a briefing: a text with its scope, and what to do (decided)."""

    kind: Literal[
        "procedure",
        "mitigation",
        "lesson",
        "operational_plan",
        "risk_assessment",
        "meeting_minutes",
    ]
    title: Short | None = None
    measures: Text | None = None
    applies_to: Short | None = None


ReportBody = Annotated[
    IncidentBody | SituationBody | AlertBody | GuidanceBody, Field(discriminator="kind")
]


class AttachmentIn(Strict):
    filename: Annotated[str, Field(min_length=1, max_length=200)]
    # Base64. The declared type is not trusted: the hub sniffs the content.
    content: str


class AttachmentRef(Strict):
    """An attachment as the signed body names it: the digest pins the exact file."""

    id: str
    filename: str
    content_type: str
    size: int
    digest: str


class SealedBody(Strict):
    """The plaintext inside the envelope."""

    schema_: str = Field(alias="schema")
    occurred_at: Moment
    # The area as the author gave it, when the header carries a coarser one.
    precise_area: str | None = None
    content: ReportBody
    attachments: list[AttachmentRef] = Field(default_factory=list)

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def _audience_schema(schema: dict[str, Any]) -> None:
    # What _one_form checks, told to clients: named organisations or a scope, not both.
    schema["oneOf"] = [
        {
            "required": ["organisations"],
            "properties": {"organisations": {"type": "array"}, "scope": {"type": "null"}},
        },
        {
            "required": ["scope"],
            "properties": {"scope": {"type": "string"}, "organisations": {"type": "null"}},
        },
    ]


class AudienceIn(Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_audience_schema)

    organisations: Annotated[list[HubId], Field(min_length=1, max_length=2000)] | None = None
    scope: Literal[AudienceScope.AREA, AudienceScope.ALL_PARTNERS] | None = None

    @model_validator(mode="after")
    def _one_form(self) -> AudienceIn:
        if (self.organisations is None) == (self.scope is None):
            raise ValueError('give either "organisations" or "scope"')
        if self.organisations is not None and not self.organisations:
            raise ValueError("name at least one organisation")
        return self


def _report_create_schema(schema: dict[str, Any]) -> None:
    """What _consistent checks, told to clients: one shape per report type — the body is
    that type's body, and only incidents have a stage."""
    body = schema["properties"].pop("body")
    refs: dict[str, str] = body.get("discriminator", {}).get("mapping", {})
    if not refs:  # not the shape pydantic gives today: leave the schema general
        schema["properties"]["body"] = body
        return
    variants = []
    for report_type in ReportType:
        ref = refs.get(report_type.value)
        if ref is None:
            continue
        variant: dict[str, Any] = {
            "properties": {
                "type": {"const": report_type.value},
                "body": {
                    "allOf": [{"$ref": ref}, {"properties": {"kind": {"const": report_type.value}}}]
                },
            },
        }
        if report_type is not ReportType.INCIDENT:
            variant["properties"]["stage"] = {"type": "null"}
        variants.append(variant)
    schema["required"] = sorted({*schema.get("required", []), "body"})
    schema["oneOf"] = variants


class ReportCreate(Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_report_create_schema)

    type: ReportType
    stage: Stage | None = None
    incident_id: HubId | None = None
    supersedes: HubId | None = None
    area: AreaCode
    category: Category | None = None
    severity: Severity
    precedence: Precedence | None = None
    occurred_at: Moment
    tlp: Tlp | None = None
    # Written for alerts: one line, no control character (it goes into SMS, mail and CAP).
    summary: Summary | None = None
    audience: AudienceIn | None = None
    anonymous: bool = False
    show_kind: bool = False
    expires_at: Moment | None = None
    body: ReportBody
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=10)

    @model_validator(mode="before")
    @classmethod
    def _body_kind_from_type(cls, data: Any) -> Any:
        # The body's kind is the report's type: clients send it once, at the top.
        if isinstance(data, dict) and isinstance(data.get("body"), dict) and "type" in data:
            body = dict(data["body"])
            body.setdefault("kind", str(data["type"]))
            data = {**data, "body": body}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> ReportCreate:
        if self.body.kind != self.type.value:
            raise ValueError("the body does not match the report type")
        if self.type is ReportType.INCIDENT and self.stage is None:
            self.stage = Stage.FLASH
        if self.type is not ReportType.INCIDENT and self.stage is not None:
            raise ValueError("only incident reports have a stage")
        if self.summary is not None:
            self.summary = " ".join(self.summary.split()) or None
        return self


class ReportCreated(BaseModel):
    id: str
    recipients: list[str]
    level: Level
    # Named organisations it could not be sealed to: unknown, not approved, or no keys yet.
    not_reached: list[str] = Field(default_factory=list)


class OriginatorRead(BaseModel):
    """For an anonymous report only the originator itself sees `id` and `name`."""

    id: str | None
    name: str
    kind: OrganisationKind | None
    anonymous: bool


class HeaderRead(BaseModel):
    type: ReportType
    stage: Stage | None
    incident_id: str | None
    supersedes: str | None
    originator: OriginatorRead
    area: str
    category: Category | None
    severity: Severity
    precedence: Precedence
    occurred_on: dt.date
    reported_at: dt.datetime
    tlp: Tlp
    level: Level
    expires_at: dt.datetime | None
    summary: str | None
    status: Literal["published", "withdrawn"]


class ReportSummary(BaseModel):
    id: str
    header: HeaderRead


class ReportRead(BaseModel):
    id: str
    header: HeaderRead
    body: ReportBody
    occurred_at: dt.datetime
    precise_area: str | None
    attachments: list[AttachmentRef]
    signature: Literal["valid"]
    # "hub_sms": a flash report sent by SMS from a registered phone of the originator,
    # sealed and attested by the hub (the organisation did not sign it).
    verified_by: Literal["originator", "hub_attestation", "hub_sms"]


class ExplainRead(BaseModel):
    report: str
    organisation: str
    can_read: bool
    reasons: list[str]
    explanation: str
