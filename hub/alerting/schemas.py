"""What the liaison and delivery APIs take and return."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from hub.fields import AreaCode, ContactLine, PhoneLine, PhraseLine
from policies.vocabulary import ReportType, Severity


class ChannelsIn(BaseModel):
    """Which channels, and where. `email: null` (or omitted while `sms` is given) means the
    account's own address; a key that is absent means that channel is not wanted."""

    model_config = ConfigDict(extra="forbid")

    email: ContactLine | None = None
    sms: PhoneLine | None = None


class QuietHoursIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: str = Field(pattern=r"^\d{2}:\d{2}$", examples=["22:00"])
    end: str = Field(pattern=r"^\d{2}:\d{2}$", examples=["06:00"])
    timezone: str | None = Field(default=None, examples=["Africa/Lubumbashi"])


class LiaisonSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    areas: list[AreaCode] = Field(min_length=1, max_length=200)
    min_severity: Severity = Severity.MINOR
    report_types: list[ReportType] = Field(default_factory=list)
    channels: ChannelsIn = Field(default_factory=ChannelsIn)
    language: Literal["fr", "en"] = "fr"
    timezone: str = Field(default="UTC", max_length=64)
    quiet_hours: QuietHoursIn | None = None
    anti_phishing_phrase: PhraseLine
    deputies: list[ContactLine] = Field(
        default_factory=list, description="deputies' emails, in order"
    )
    smime_certificate: str | None = Field(default=None, max_length=20000)
    weekly_report: bool = Field(
        default=False,
        description="the weekly periodic security report of these areas, by email on Monday "
        "at 06:00 in `timezone`",
    )


class ContactRead(BaseModel):
    channel: Literal["email", "sms"]
    address: str
    confirmed: bool


class QuietHoursRead(BaseModel):
    start: str
    end: str
    timezone: str


class LiaisonRead(BaseModel):
    id: str
    organisation: str
    areas: list[str]
    min_severity: str
    report_types: list[str]
    channels: list[str]
    contacts: list[ContactRead]
    language: str
    timezone: str
    quiet_hours: QuietHoursRead | None
    anti_phishing_phrase: str
    deputies: list[str]
    smime_fingerprint: str | None
    weekly_report: bool


class CodeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[0-9]{4,8}$", description="the digits the SMS gave")


class DeliveryRead(BaseModel):
    id: str
    event_id: str
    kind: str
    liaison_id: str
    channel: str
    step: int
    status: str
    attempts: int
    due_at: dt.datetime
    sent_at: dt.datetime | None
    last_outcome: str | None
    last_error: str | None
    acknowledged_at: dt.datetime | None


class AckRead(BaseModel):
    event_id: str
    acknowledged_at: dt.datetime
    stopped_escalation_steps: int


class TestAlertRead(BaseModel):
    event_id: str = Field(
        description="the alert event; its deliveries: GET /alerts/{id}/deliveries"
    )
