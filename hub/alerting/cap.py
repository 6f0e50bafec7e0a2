"""GET /api/v1/alerts/cap: the CAP 1.2 feed (Atom) of what is public — level changes and
TLP:CLEAR alerts — for partners' alerting systems and dashboards.

It reads alert events (header facts only, never a body) and asks alerts.cap to build and
schema-check each CAP message. Members only: "public" is the SLT community's, and a feed
open to the internet would map the risk picture of a dangerous place for anyone.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.cap import CapAlert, CapReference, CapStatus, build_alert, feed_xml, validate
from alerts.facts import AlertKind, LevelChangeFacts, MsgType, ReportFacts
from alerts.models import AlertEvent
from alerts.outbox import facts_from_json
from hub.config import Settings
from hub.db import utcnow
from hub.deps import ActorDep, SessionDep

router = APIRouter(tags=["alerts"])
log = logging.getLogger("slthub.alerting.cap")


def public_alerts(session: Session, *, settings: Settings, limit: int) -> list[CapAlert]:
    """The newest public alerts. An Update or Cancel carries CAP `references` to the public
    alert(s) it supersedes; one that supersedes nothing public (a report made TLP:CLEAR only
    by its update) is published as a new Alert, and a Cancel of nothing public is left out.
    An event that cannot be made into valid CAP is logged and skipped: one bad entry never
    takes the whole feed down."""
    rows = session.scalars(
        select(AlertEvent)
        .where(AlertEvent.kind.in_([k.value for k in _PUBLIC_KINDS]))
        .order_by(AlertEvent.created_at.desc())
        .limit(limit * 4)  # reports are mostly not TLP:CLEAR; look a little further
    ).all()
    host = urlsplit(settings.base_url).hostname or "localhost"
    sender = f"alerts@{host}"
    status = CapStatus.EXERCISE if settings.demo else CapStatus.ACTUAL
    base = settings.base_url.rstrip("/")
    out: list[CapAlert] = []
    for event in rows:
        try:
            alert = _cap_alert(session, event, sender=sender, status=status, base=base)
            if alert is not None:
                validate(build_alert(alert))
        except (ValueError, TypeError, KeyError):  # CapInvalid is a ValueError
            log.exception("alert event %s cannot go into the CAP feed; left out", event.id)
            continue
        if alert is not None:
            out.append(alert)
        if len(out) == limit:
            break
    return out


_PUBLIC_KINDS = (AlertKind.LEVEL_CHANGED, AlertKind.REPORT_PUBLISHED)


def _is_public(facts: object) -> bool:
    return isinstance(facts, LevelChangeFacts) or (
        isinstance(facts, ReportFacts) and facts.tlp == "clear"
    )


def _cap_alert(
    session: Session, event: AlertEvent, *, sender: str, status: CapStatus, base: str
) -> CapAlert | None:
    facts = facts_from_json(event.facts)
    if not _is_public(facts):
        return None
    msg_type = MsgType(event.msg_type)
    references: tuple[CapReference, ...] = ()
    if msg_type is not MsgType.ALERT:
        references = _references(session, event, sender=sender)
        if not references:
            if msg_type is MsgType.CANCEL:
                return None  # nothing public to cancel
            msg_type = MsgType.ALERT
    return CapAlert(
        identifier=event.id,
        sender=sender,
        sent=event.created_at,
        link=f"{base}/areas/{facts.area_code}",
        level_change=facts if isinstance(facts, LevelChangeFacts) else None,
        report=facts if isinstance(facts, ReportFacts) else None,
        msg_type=msg_type,
        status=status,
        references=references,
    )


def _references(session: Session, event: AlertEvent, *, sender: str) -> tuple[CapReference, ...]:
    """The public alerts this event supersedes: the earlier events of the source it names
    (a report's update names the report it updates), or of its own source (a cancel)."""
    sources = {s for s in (event.supersedes, event.source) if s}
    earlier = session.scalars(
        select(AlertEvent)
        .where(AlertEvent.source.in_(sources))
        .where(AlertEvent.id != event.id)
        .where(AlertEvent.created_at <= event.created_at)
        .where(AlertEvent.kind.in_([k.value for k in _PUBLIC_KINDS]))
        .order_by(AlertEvent.created_at)
    ).all()
    refs = []
    for old in earlier:
        try:
            public = _is_public(facts_from_json(old.facts))
        except (ValueError, TypeError, KeyError):
            public = False
        if public:
            refs.append(CapReference(sender=sender, identifier=old.id, sent=old.created_at))
    return tuple(refs)


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
