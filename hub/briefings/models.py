"""Coordination briefings of an area: the series its level calls for, each briefing, and who
was invited and answered.

A series is proposed by the hub when an area turns enhanced (the policy's cadence), and a
coordinator confirms, moves or cancels it; it ends when the area returns to normal. A
briefing is one meeting, of a series or scheduled on its own, at a UTC instant that the pages
and the invitation show in the area's time zone."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, str_enum, utcnow
from policies.cadence import Cadence, Weekday, parse_clock
from policies.vocabulary import Briefing as Every


def _id() -> str:
    return str(uuid.uuid4())


class SeriesStatus(StrEnum):
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    ENDED = "ended"


ACTIVE_SERIES = (SeriesStatus.PROPOSED, SeriesStatus.CONFIRMED)


class BriefingStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Answer(StrEnum):
    YES = "yes"
    NO = "no"


class BriefingSeries(Base):
    """The regular briefings of one area: `every` (policies' Briefing) on `weekday` at
    `local_time` in `timezone`. At most one proposed or confirmed series per area (the
    service keeps it so)."""

    __tablename__ = "briefing_series"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_id)
    area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), index=True)
    status: Mapped[SeriesStatus] = mapped_column(str_enum(SeriesStatus, 16))
    every: Mapped[str] = mapped_column(String(16))
    weekday: Mapped[str] = mapped_column(String(16))
    local_time: Mapped[str] = mapped_column(String(5))  # "HH:MM", the area's wall clock
    duration_minutes: Mapped[int] = mapped_column(Integer)
    timezone: Mapped[str] = mapped_column(String(64))
    place: Mapped[str] = mapped_column(Text, default="")
    agenda: Mapped[str] = mapped_column(Text, default="")
    # What proposed it: "risk:<assessment>" or "lapse:<assessment>", or a member's schedule.
    source: Mapped[str] = mapped_column(String(100))
    proposed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[str | None] = mapped_column(String(36))
    decided_by: Mapped[str | None] = mapped_column(String(320))
    decided_at: Mapped[dt.datetime | None]
    ended_at: Mapped[dt.datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(100))

    def cadence(self) -> Cadence:
        return Cadence(
            every=Every(self.every),
            weekday=Weekday(self.weekday),
            time=parse_clock(self.local_time),
            duration=dt.timedelta(minutes=self.duration_minutes),
        )


class Briefing(Base):
    """One meeting. `sequence` is the RFC 5545 SEQUENCE of its invitation: it grows at each
    move or cancellation, so a calendar replaces the earlier copy (same UID)."""

    __tablename__ = "briefings"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_id)
    series_id: Mapped[str | None] = mapped_column(
        ForeignKey("briefing_series.id", ondelete="SET NULL"), index=True
    )
    area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), index=True)
    status: Mapped[BriefingStatus] = mapped_column(
        str_enum(BriefingStatus, 16), default=BriefingStatus.SCHEDULED
    )
    starts_at: Mapped[dt.datetime] = mapped_column(index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    timezone: Mapped[str] = mapped_column(String(64))
    place: Mapped[str] = mapped_column(Text, default="")
    agenda: Mapped[str] = mapped_column(Text, default="")
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    # Who called it (None: the hub, for a series' occurrence) and on whose behalf.
    organiser_id: Mapped[str | None] = mapped_column(String(36))
    organiser: Mapped[str] = mapped_column(String(320))
    organiser_organisation_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    invited_at: Mapped[dt.datetime | None]
    minutes_report_id: Mapped[str | None] = mapped_column(String(36))


class BriefingInvitation(Base):
    """One invited person; `token_hash` is SHA-256 of the answer link's token, which only
    the email carries."""

    __tablename__ = "briefing_invitations"
    __table_args__ = (UniqueConstraint("briefing_id", "member_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_id)
    briefing_id: Mapped[str] = mapped_column(ForeignKey("briefings.id", ondelete="CASCADE"))
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    answer: Mapped[Answer | None] = mapped_column(str_enum(Answer, 8))
    answered_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
