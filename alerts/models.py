"""alerts' own tables: the outbox of alert events, liaison designations and deliveries.

Guarantee: an alert event is written in the same transaction as the change it announces
(a published report, a changed level). A rollback leaves no event; a commit leaves exactly
one per (source, version), so a retried publication cannot alert twice.

alerts/ never imports hub: these tables sit on `sqlbase.Base`, shared with the hub (so one
Alembic history manages both; `hub.models.all_metadata`), and they refer to hub rows
(organisations, areas) by opaque id only.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from sqlbase import Base


class AlertEvent(Base):
    """Something liaisons must hear about. Expanded into deliveries by the dispatcher."""

    __tablename__ = "alert_events"
    __table_args__ = (
        # One event per version of a source: publishing twice, or retrying a commit, cannot
        # produce two alerts.
        UniqueConstraint("source", "version", name="uq_alert_events_source_version"),
        # The dispatcher's sweep: events not yet expanded into deliveries, oldest first.
        Index("ix_alert_events_pending", "planned_at", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    kind: Mapped[str] = mapped_column(String(32))  # alerts.facts.AlertKind
    msg_type: Mapped[str] = mapped_column(String(16))  # alerts.facts.MsgType
    source: Mapped[str] = mapped_column(String(120))  # e.g. "report:<id>", "area:<code>"
    version: Mapped[int]
    supersedes: Mapped[str | None] = mapped_column(String(120))  # source of earlier alerts
    severity: Mapped[str | None] = mapped_column(String(16))
    area_code: Mapped[str] = mapped_column(String(32))
    # Header facts only (alerts.facts.ReportFacts / LevelChangeFacts as JSON): never a body.
    facts: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Who may hear of it: a report's recipient organisations; for a level change, the area
    # and its ancestors, whose designated liaisons are alerted.
    organisations: Mapped[list[str]] = mapped_column(JSON, default=list)
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(default=lambda: dt.datetime.now(dt.UTC))
    planned_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class LiaisonDesignation(Base):
    """A member of an organisation designated to receive alerts, and how.

    One per member: the areas it covers (each with everything below it), the minimum severity,
    the report types (empty = all), the ordered deputies who are reached when it does not
    acknowledge, language, quiet hours in its own zone, the anti-phishing phrase every alert
    repeats, and optionally an S/MIME certificate alerts are encrypted to. `member_id` and
    `organisation_id` are the hub's ids, held as opaque text (no foreign key into hub tables).
    """

    __tablename__ = "liaison_designations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    member_id: Mapped[str] = mapped_column(String(36), unique=True)
    organisation_id: Mapped[str] = mapped_column(String(36), index=True)
    display_name: Mapped[str] = mapped_column(String(200))
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    min_severity: Mapped[str] = mapped_column(String(16), default="minor")
    report_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Channels in the liaison's order of preference; only confirmed contacts are used.
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    deputies: Mapped[list[str]] = mapped_column(JSON, default=list)  # member ids, in order
    language: Mapped[str] = mapped_column(String(2), default="fr")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    quiet_start: Mapped[str | None] = mapped_column(String(5))  # "22:00", local wall clock
    quiet_end: Mapped[str | None] = mapped_column(String(5))
    anti_phishing_phrase: Mapped[str] = mapped_column(String(40))
    smime_certificate: Mapped[str | None] = mapped_column(Text)
    smime_fingerprint: Mapped[str | None] = mapped_column(String(100))
    # The weekly periodic security report of the designated areas, by email on Monday
    # morning in the liaison's time zone (hub/periodic).
    weekly_report: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[dt.datetime] = mapped_column(default=lambda: dt.datetime.now(dt.UTC))
    updated_at: Mapped[dt.datetime] = mapped_column(default=lambda: dt.datetime.now(dt.UTC))


class LiaisonContact(Base):
    """An address a liaison is reached at. The account's own email is confirmed from the
    start; any other address is used only once its owner proved it receives there (a link
    for email, a code for SMS), so a typo cannot send alerts to a stranger."""

    __tablename__ = "liaison_contacts"
    __table_args__ = (UniqueConstraint("designation_id", "channel"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    designation_id: Mapped[str] = mapped_column(
        ForeignKey("liaison_designations.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(8))  # "email" | "sms"
    address: Mapped[str] = mapped_column(String(320))
    confirmed_at: Mapped[dt.datetime | None]
    # SHA-256 of the confirmation secret; the secret itself is kept only until the message
    # carrying it is handed to the channel (`pending_secret`), then erased.
    secret_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    pending_secret: Mapped[str | None] = mapped_column(String(64))
    secret_expires_at: Mapped[dt.datetime | None]
    failed_attempts: Mapped[int] = mapped_column(default=0)


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # due at `due_at` (a deferral, an escalation step or a retry)
    CLAIMED = "claimed"  # a dispatcher holds it until `lease_until`
    SENT = "sent"
    PARKED = "parked"  # gave up on this channel: the focal point was told
    HELD = "held"  # waits for the liaison's digest
    DIGESTED = "digested"  # went out inside the digest `digest_event_id`
    CANCELLED = "cancelled"  # acknowledged, superseded, or its target is gone


class AlertDelivery(Base):
    """One message to one person on one channel for one escalation step of one event.

    The natural key (event, liaison, channel, step) is unique, so planning an event twice, or
    two dispatchers racing over the same event, cannot produce two deliveries.
    """

    __tablename__ = "alert_deliveries"
    __table_args__ = (
        UniqueConstraint(
            "event_id", "liaison_id", "channel", "step", name="uq_alert_deliveries_key"
        ),
        # The claim: what is due, oldest first.
        Index("ix_alert_deliveries_due", "status", "due_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    event_id: Mapped[str] = mapped_column(ForeignKey("alert_events.id"), index=True)
    liaison_id: Mapped[str] = mapped_column(String(36), index=True)
    organisation_id: Mapped[str] = mapped_column(String(36))
    channel: Mapped[str] = mapped_column(String(8))
    step: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(32))  # alerts.facts.AlertKind
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING.value)
    due_at: Mapped[dt.datetime]
    # For an escalation step: whose silence it answers (the liaison first alerted).
    escalated_from: Mapped[str | None] = mapped_column(String(36))
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[dt.datetime | None]
    first_attempt_at: Mapped[dt.datetime | None]
    last_attempt_at: Mapped[dt.datetime | None]
    # An SMS whose last outcome was unknown: ask the gateway before sending again.
    check_first: Mapped[bool] = mapped_column(default=False)
    sent_at: Mapped[dt.datetime | None]
    provider_id: Mapped[str | None] = mapped_column(String(200))
    last_outcome: Mapped[str | None] = mapped_column(String(16))
    last_error: Mapped[str | None] = mapped_column(String(400))
    ack_deadline: Mapped[dt.datetime | None]
    ack_token_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    acknowledged_at: Mapped[dt.datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    digest_event_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[dt.datetime] = mapped_column(default=lambda: dt.datetime.now(dt.UTC))
