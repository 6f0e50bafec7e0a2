"""Organisations (with their public keys and recovery lock) and applications to join."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, str_enum, utcnow

# One vocabulary for the whole project: the policy engine's, re-exported here.
from policies.vocabulary import OrganisationKind as OrganisationKind
from policies.vocabulary import OrganisationStatus as OrganisationStatus


def _new_id() -> str:
    return str(uuid.uuid4())


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_new_id)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(str_enum(OrganisationKind, 16))
    status: Mapped[OrganisationStatus] = mapped_column(
        str_enum(OrganisationStatus, 16),
        default=OrganisationStatus.PENDING,
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The organisation's public keys exist from its first member on; its secret keys exist
    # only sealed: to each granted member (member_key_wraps) and under the recovery code.
    public_keys: Mapped[bytes | None] = mapped_column(LargeBinary)
    key_version: Mapped[int] = mapped_column(default=0)
    recovery_lock: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Who approved or suspended it last; no foreign key, so that organisations and members
    # do not reference each other in a cycle. The audit log has the full history.
    decided_by_id: Mapped[str | None] = mapped_column(String(36))
    decided_at: Mapped[dt.datetime | None]


class ApplicationDecision(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


class OrganisationApplication(Base):
    """What an organisation said when it applied to join (hub/organisations/joining.py).

    A refused applicant stays a suspended organisation, so its name stays taken and the
    decision can be revisited (reinstated) rather than re-applied for under a look-alike."""

    __tablename__ = "organisation_applications"

    organisation_id: Mapped[str] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    contact_name: Mapped[str] = mapped_column(String(200))
    contact_email: Mapped[str] = mapped_column(String(320))
    language: Mapped[str] = mapped_column(String(2))
    phrase: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    # A keyed hash of the applicant's network address, to limit applications per address.
    address_hash: Mapped[str] = mapped_column(String(64), index=True)
    applied_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    decision: Mapped[ApplicationDecision] = mapped_column(
        str_enum(ApplicationDecision, 16), default=ApplicationDecision.PENDING
    )
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[dt.datetime | None]
    decided_by_id: Mapped[str | None] = mapped_column(String(36))
