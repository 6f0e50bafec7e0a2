"""GET /api/v1/alerts/cap: the CAP 1.2 feed (Atom) of what is public — level changes and
TLP:CLEAR alerts — for partners' alerting systems and dashboards.

It reads alert events (header facts only, never a body) and asks alerts.cap to build and
schema-check each CAP message. Members only: "public" is the SLT community's, and a feed
open to the internet would map the risk picture of a dangerous place for anyone.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from alerts.cap import CapAlert, CapStatus, feed_xml
from alerts.facts import AlertKind, LevelChangeFacts, MsgType, ReportFacts
from alerts.models import AlertEvent
from alerts.outbox import facts_from_json
from hub.config import Settings
from hub.db import utcnow
from hub.deps import ActorDep, SessionDep

router = APIRouter(tags=["alerts"])


def public_alerts(session: Session, *, settings: Settings, limit: int) -> list[CapAlert]:
    rows = session.scalars(
        select(AlertEvent)
        .where(
            or_(
                AlertEvent.kind == AlertKind.LEVEL_CHANGED.value,
                AlertEvent.kind == AlertKind.REPORT_PUBLISHED.value,
            )
        )
        .order_by(AlertEvent.created_at.desc())
        .limit(limit * 4)  # reports are mostly not TLP:CLEAR; look a little further
    ).all()
    host = urlsplit(settings.base_url).hostname or "localhost"
    status = CapStatus.EXERCISE if settings.demo else CapStatus.ACTUAL
    out: list[CapAlert] = []
    for event in rows:
        facts = facts_from_json(event.facts)
        if isinstance(facts, ReportFacts) and facts.tlp != "clear":
            continue
        base = settings.base_url.rstrip("/")
        out.append(
            CapAlert(
                identifier=event.id,
                sender=f"alerts@{host}",
                sent=event.created_at,
                link=f"{base}/api/v1/areas/{facts.area_code}",
                level_change=facts if isinstance(facts, LevelChangeFacts) else None,
                report=facts if isinstance(facts, ReportFacts) else None,
                msg_type=MsgType(event.msg_type),
                status=status,
            )
        )
        if len(out) == limit:
            break
    return out


@router.get(
    "/alerts/cap",
    response_class=Response,
    responses={
        200: {"content": {"application/atom+xml": {}}},
        401: {"description": "Not logged in"},
    },
)
def cap_feed(
    request: Request,
    actor: ActorDep,
    session: SessionDep,
    limit: int = Query(default=50, ge=1, le=500),
) -> Response:
    settings: Settings = request.app.state.settings
    alerts = public_alerts(session, settings=settings, limit=limit)
    body = feed_xml(
        alerts,
        feed_id=f"urn:slthub:cap:{urlsplit(settings.base_url).hostname or 'localhost'}",
        title="SLT Hub — public alerts",
        self_link=str(request.url),
        updated=alerts[0].sent if alerts else utcnow(),
    )
    return Response(body, media_type="application/atom+xml")
