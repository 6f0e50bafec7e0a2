"""Areas (P-codes and security areas), where organisations work, and risk over time."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, str_enum, utcnow
from policies.vocabulary import Risk


class AreaKind(StrEnum):
    COUNTRY = "country"
    ADMIN1 = "admin1"
    ADMIN2 = "admin2"
    ADMIN3 = "admin3"
    SECURITY_AREA = "security_area"


class Area(Base):
    """A node of the area tree. The code is opaque text (P-codes break their own nesting
    pattern in places), so the parent is explicit."""

    __tablename__ = "areas"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_fr: Mapped[str | None] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[AreaKind] = mapped_column(str_enum(AreaKind, 16))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("areas.code"), index=True)
    # Which boundary dataset (e.g. "COD-AB CD 2024-06") the code and geometry come from.
    dataset: Mapped[str | None] = mapped_column(String(100))
    # GeoJSON geometry, kept for the coordinators' map; never used for routing.
    geometry: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # A security area may list the P-codes it covers.
    covers: Mapped[list[str] | None] = mapped_column(JSON)
    # IANA zone its briefings are held in; None: its parent's (hub/briefings/zones.py).
    timezone: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Indexed: hub.areas.service.policy_areas reads max(updated_at) on every request.
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)

    def display_name(self, lang: str) -> str:
        return (self.name_fr if lang == "fr" else self.name_en) or self.name


class OrganisationPresence(Base):
    """An organisation works in an area: what gives the audience "partners in the area"
    its meaning. Kept by the organisation's focal points."""

    __tablename__ = "organisation_presence"

    organisation_id: Mapped[str] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), primary_key=True, index=True)
    added_by_id: Mapped[str | None] = mapped_column(String(36))
    added_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class RiskAssessment(Base):
    """A risk set on an area, in force from `effective_from` until `expires_at` (a temporary
    raise) or until a later assessment replaces it. Never updated or deleted: the history
    of an area is its assessments."""

    __tablename__ = "risk_assessments"
    __table_args__ = (Index("ix_risk_assessments_area_from", "area_code", "effective_from"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"))
    risk: Mapped[Risk] = mapped_column(str_enum(Risk, 16))
    reason: Mapped[str] = mapped_column(Text)
    set_by_id: Mapped[str | None] = mapped_column(String(36))
    set_by: Mapped[str] = mapped_column(String(320))
    confirmed_by_id: Mapped[str | None] = mapped_column(String(36))
    confirmed_by: Mapped[str | None] = mapped_column(String(320))
    effective_from: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime | None]
    review_at: Mapped[dt.datetime | None]
    # Set by the expiry sweep once the lapse of a temporary raise was announced, so that
    # each lapse is audited and alerted exactly once.
    lapse_handled_at: Mapped[dt.datetime | None]
    # Set by the review sweep once the reminder went out.
    review_reminded_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class RiskChangeStatus(StrEnum):
    AWAITING_CONFIRMATION = "awaiting_confirmation"
    CONFIRMED = "confirmed"
    WITHDRAWN = "withdrawn"


class RiskChange(Base):
    """A proposed risk that would take an area out of enhanced cooperation: it waits for a
    second coordinator (four eyes) before it becomes an assessment."""

    __tablename__ = "risk_changes"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), index=True)
    risk: Mapped[Risk] = mapped_column(str_enum(Risk, 16))
    reason: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[dt.datetime | None]
    review_at: Mapped[dt.datetime | None]
    proposed_by_id: Mapped[str | None] = mapped_column(String(36))
    proposed_by: Mapped[str] = mapped_column(String(320))
    proposed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    status: Mapped[RiskChangeStatus] = mapped_column(
        str_enum(RiskChangeStatus, 32), default=RiskChangeStatus.AWAITING_CONFIRMATION
    )
    decided_by_id: Mapped[str | None] = mapped_column(String(36))
    decided_by: Mapped[str | None] = mapped_column(String(320))
    decided_at: Mapped[dt.datetime | None]
    assessment_id: Mapped[str | None] = mapped_column(ForeignKey("risk_assessments.id"))
