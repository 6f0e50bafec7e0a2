"""Members, their roles, their wraps of the organisation's keys, and invitations."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import Base, str_enum, utcnow
from hub.organisations.models import Organisation

# One vocabulary for the whole project: the policy engine's, re-exported here.
from policies.vocabulary import Role as Role

# Roles that change what others see or who takes part: a stolen passphrase alone must not do.
ROLES_REQUIRING_TOTP = frozenset({Role.COORDINATOR, Role.COMMITTEE, Role.OPERATOR})


class MemberStatus(StrEnum):
    ACTIVE = "active"
    REMOVED = "removed"


class Member(Base):
    __tablename__ = "members"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    status: Mapped[MemberStatus] = mapped_column(
        str_enum(MemberStatus, 16),
        default=MemberStatus.ACTIVE,
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    # The member's secret key, locked by their passphrase (Argon2id inside crypto/).
    # Cleared when the member is removed.
    locked_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The TOTP shared secret has to be readable by the hub to check codes; it opens nothing.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    # Last accepted TOTP time step, so a code cannot be replayed within its window.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    organisation: Mapped[Organisation] = relationship(lazy="joined", foreign_keys=[organisation_id])
    role_rows: Mapped[list[MemberRole]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="MemberRole.role"
    )

    @property
    def roles(self) -> list[Role]:
        return [row.role for row in self.role_rows]

    def has_role(self, *roles: Role) -> bool:
        return any(row.role in roles for row in self.role_rows)

    @property
    def needs_totp(self) -> bool:
        return self.has_role(*ROLES_REQUIRING_TOTP)


class MemberRole(Base):
    __tablename__ = "member_roles"

    member_id: Mapped[str] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(str_enum(Role, 32), primary_key=True)


class MemberKeyWrap(Base):
    """The organisation's secret keys sealed to one member: the grant itself."""

    __tablename__ = "member_key_wraps"

    member_id: Mapped[str] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    key_version: Mapped[int]
    wrap: Mapped[bytes] = mapped_column(LargeBinary)
    granted_by_id: Mapped[str | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    granted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Invitation(Base):
    """A one-time link to join an organisation (hub/members/invitations.py). Only a hash of
    the token is kept; the email carrying it is the only clear copy once it is sent."""

    __tablename__ = "invitations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    display_name: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    language: Mapped[str] = mapped_column(String(2))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The member who invited (the committee member who approved, for an applicant's contact).
    invited_by_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]
    member_id: Mapped[str | None] = mapped_column(String(36))
