"""An audit entry as the audit API returns it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict


class AuditEntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    at: dt.datetime
    actor: str
    actor_id: str | None
    action: str
    target: str | None
    details: dict[str, Any]
    prev_hash: str
    hash: str
    # True when this view left out the author of an anonymous report (the stored entry and
    # its hash keep everything; `slthub audit verify` checks those).
    redacted: bool = False
