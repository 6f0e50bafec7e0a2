"""Consent as the hub stores it: requests to pass a report on, and standing consents.

An approved request whose wrap is not made yet (`sealed_at` empty) is the pending-reseal
queue: only a logged-in member of an organisation holding the report can make the wrap,
because the hub holds no key that opens a report.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, str_enum, utcnow
from hub.reports.models import new_id


class ShareStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
    REVOKED = "revoked"


class ShareRequest(Base):
    __tablename__ = "share_requests"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    requester_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    requested_by_id: Mapped[str | None] = mapped_column(String(36))
    target_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[ShareStatus] = mapped_column(str_enum(ShareStatus, 16))
    # What allowed it: "person" (a focal point approved), "standing_consent:<id>", "green",
    # "clear", "originator". The audit entry says the same.
    allowed_by: Mapped[str | None] = mapped_column(String(80))
    decided_by_id: Mapped[str | None] = mapped_column(String(36))
    decided_at: Mapped[dt.datetime | None]
    # Set when a holder's session made the wrap; empty while the share waits in the queue.
    sealed_at: Mapped[dt.datetime | None]
    sealed_by_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class StandingConsentRule(Base):
    """An originator's pre-approval: reports matching the rule may reach the target (one
    organisation, or every organisation of a kind) without asking each time."""

    __tablename__ = "standing_consents"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    originator_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    target_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"))
    target_kind: Mapped[str | None] = mapped_column(String(16))
    max_tlp: Mapped[str] = mapped_column(String(16))
    report_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Cooperation levels the rule applies in; empty = all ("in enhanced areas").
    levels: Mapped[list[str]] = mapped_column(JSON, default=list)
    expires_at: Mapped[dt.datetime | None]
    created_by_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[dt.datetime | None]
