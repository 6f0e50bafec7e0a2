from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import LargeBinary, String
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
