"""CSV exports with HXL hashtags."""

from __future__ import annotations

from fastapi import APIRouter, Response

from hub.deps import ActorDep, SessionDep
from hub.exports import service

router = APIRouter(prefix="/exports", tags=["exports"])

_CSV = "text/csv; charset=utf-8"


def _download(text: str, name: str) -> Response:
    return Response(
        text,
        media_type=_CSV,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/aggregates.csv", responses={403: {"description": "Coordinators and committee"}})
def aggregates(actor: ActorDep, session: SessionDep) -> Response:
    return _download(service.aggregates_csv(session, actor=actor), "incidents-by-area-month.csv")


@router.get("/reports.csv", responses={403: {"description": "Keys not granted"}})
def content(
    actor: ActorDep, session: SessionDep, include_day: bool = False, include_place: bool = False
) -> Response:
    text = service.content_csv(
        session, actor=actor, include_day=include_day, include_place=include_place
    )
    return _download(text, "reports.csv")
