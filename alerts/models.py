"""alerts' own tables: the outbox of alert events (deliveries and designations follow).

Guarantee: an alert event is written in the same transaction as the change it announces
(a published report, a changed level). A rollback leaves no event; a commit leaves exactly
one per (source, version), so a retried publication cannot alert twice.

alerts/ never imports hub: these tables sit on their own `Base`, which the hub's Alembic
environment includes, and they refer to hub rows (organisations, areas) by opaque id only.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, DateTime, Index, MetaData, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# The same constraint naming as the hub's, so one Alembic history manages both.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTC(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes on SQLite too (which would drop the offset). The hub has the
    same type; alerts keeps its own rather than import hub."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTC()}  # noqa: RUF012 (SQLAlchemy reads it)


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
