"""The JSON route of the audit log, for operator and committee."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from hub.audit.schemas import AuditEntryRead
from hub.audit.views import audit_view
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
    return audit_view(session, actor=actor, after=after, limit=limit)
