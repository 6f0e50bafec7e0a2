"""A member's entry in the partners' directory: the contact details they keep and which of
them they show. Nothing is shown until the member chooses (every `show_*` starts False)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, str_enum, utcnow


class DirectoryAudience(StrEnum):
    # Members of every approved partner organisation.
    PARTNERS = "partners"
    # Members of approved partners working where the member's organisation works (one's area
    # is, contains or lies within one of the other's) — and the member's own organisation.
    AREA_PARTNERS = "area_partners"


class DirectoryEntry(Base):
    __tablename__ = "directory_entries"

    # Deleted with the member row; removing a member deletes it too (hub.members.service).
    member_id: Mapped[str] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    title: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(20))
    # None: the member's account address.
    email: Mapped[str | None] = mapped_column(String(320))
    show_name: Mapped[bool] = mapped_column(default=False)
    show_title: Mapped[bool] = mapped_column(default=False)
    show_phone: Mapped[bool] = mapped_column(default=False)
    show_email: Mapped[bool] = mapped_column(default=False)
    audience: Mapped[DirectoryAudience] = mapped_column(
        str_enum(DirectoryAudience, 16), default=DirectoryAudience.PARTNERS
    )
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def shown(self) -> list[str]:
        flags = {
            "name": self.show_name,
            "title": self.show_title,
            "phone": self.show_phone,
            "email": self.show_email,
        }
        return [name for name, on in flags.items() if on]
