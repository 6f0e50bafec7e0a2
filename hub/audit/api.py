from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Query

from hub.audit import service
from hub.audit.schemas import AuditEntryRead
from hub.deps import ActorDep, SessionDep

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get(
    "",
    response_model=list[AuditEntryRead],
    responses={
        401: {"description": "Not logged in"},
        403: {"description": "Needs operator or committee"},
    },
)
def list_audit(
    actor: ActorDep,
    session: SessionDep,
    after: Annotated[int, Query(ge=0, le=2**62, description="entries after this seq")] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[AuditEntryRead]:
    rows = service.list_entries(session, actor=actor, after=after, limit=limit)
    return [
        AuditEntryRead(
            seq=r.seq,
            at=r.at,
            actor=r.actor,
            actor_id=r.actor_id,
            action=r.action,
            target=r.target,
            details=json.loads(r.details),
            prev_hash=r.prev_hash,
            hash=r.hash,
        )
        for r in rows
    ]
