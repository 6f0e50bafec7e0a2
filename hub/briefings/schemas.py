"""What the briefing APIs take and return: briefings, series, invitations and answers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from hub.briefings.models import Answer, BriefingStatus, SeriesStatus
from hub.fields import FIRST_YEAR, LAST_YEAR, AreaCode, _iso_text
from policies.cadence import Weekday
from policies.vocabulary import Briefing as Every


def _in_window(value: dt.datetime) -> dt.datetime:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise PydanticCustomError(
            "datetime_range",
            "the date must lie between {first} and {last}",
            {"first": FIRST_YEAR, "last": LAST_YEAR},
        )
    return value


# The area's wall clock ("2026-12-08T10:00"); with an offset it is that instant.
LocalMoment = Annotated[
    dt.datetime,
    BeforeValidator(_iso_text),
    AfterValidator(_in_window),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "pattern": r"^(19|20|21)[0-9]{2}-",
            "description": "the area's local time (YYYY-MM-DDTHH:MM), or an instant with offset",
        }
    ),
]
Clock = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
Place = Annotated[str, Field(max_length=2000)]
Agenda = Annotated[str, Field(max_length=4000)]
Minutes = Annotated[int, Field(ge=15, le=480)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BriefingCreate(Strict):
    area: AreaCode
    starts_at: LocalMoment
    duration_minutes: Minutes = 60
    place: Place = ""
    agenda: Agenda = ""


class SeriesMove(Strict):
    weekday: Weekday
    time: Clock
    duration_minutes: Minutes = 60
    place: Place = ""
    agenda: Agenda = ""


class MinutesIn(Strict):
    text: Annotated[str, Field(min_length=1, max_length=4000)]
    decisions: Agenda = ""


class MinutesRead(BaseModel):
    report_id: str
    organisations: list[str]


class AnswerIn(Strict):
    attending: bool


class SeriesRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    area_code: str
    status: SeriesStatus
    every: Every
    weekday: str
    local_time: str
    duration_minutes: int
    timezone: str
    place: str
    agenda: str
    proposed_at: dt.datetime
    decided_by: str | None
    ended_at: dt.datetime | None
    end_reason: str | None


class BriefingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    series_id: str | None
    area_code: str
    status: BriefingStatus
    starts_at: dt.datetime
    local_start: str = ""
    duration_minutes: int
    timezone: str
    place: str
    agenda: str
    organiser: str
    invited: int = 0
    attending: int = 0
    declined: int = 0
    minutes_report_id: str | None


class InvitationRead(BaseModel):
    briefing: BriefingRead
    answer: Answer | None
