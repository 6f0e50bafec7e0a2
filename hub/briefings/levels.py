"""What an area's level means for its briefings: the series the new level calls for is
proposed, the one it no longer calls for ends (the briefings ahead are cancelled and their
invitees told). Called by the area service inside the risk change's transaction; flushes
only. Kept apart from hub/briefings/service.py so that the area service can call it without
importing the service that imports the area service."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.actors import Actor
from hub.audit import service as audit
from hub.audit.models import AuditAction
from hub.briefings import notices
from hub.briefings.models import (
    ACTIVE_SERIES,
    Briefing,
    BriefingSeries,
    BriefingStatus,
    SeriesStatus,
)
from hub.briefings.zones import area_zone
from policies import Policy
from policies.vocabulary import Level

HUB = "hub"


def active_series(session: Session, area_code: str) -> BriefingSeries | None:
    return session.scalar(
        select(BriefingSeries)
        .where(BriefingSeries.area_code == area_code, BriefingSeries.status.in_(ACTIVE_SERIES))
        .order_by(BriefingSeries.proposed_at.desc())
        .limit(1)
    )


def upcoming(session: Session, series_id: str, now: dt.datetime) -> list[Briefing]:
    return list(
        session.scalars(
            select(Briefing)
            .where(
                Briefing.series_id == series_id,
                Briefing.status == BriefingStatus.SCHEDULED,
                Briefing.starts_at > now,
            )
            .order_by(Briefing.starts_at)
        )
    )


def level_changed(
    session: Session,
    *,
    area_code: str,
    before: Level,
    after: Level,
    source: str,
    at: dt.datetime,
    policy: Policy,
) -> None:
    """Propose the series the new level calls for, or end the one it no longer calls for."""
    if before == after:
        return
    cadence = policy.at(after).briefing_cadence
    current = active_series(session, area_code)
    if not cadence.recurring:
        if current is not None:
            end_series(session, current, reason=f"level:{after.value}", at=at, by=None)
        return
    if current is not None:
        return
    series = BriefingSeries(
        area_code=area_code,
        status=SeriesStatus.PROPOSED,
        every=cadence.every.value,
        weekday=cadence.weekday.value,
        local_time=cadence.time.strftime("%H:%M"),
        duration_minutes=int(cadence.duration.total_seconds() // 60),
        timezone=area_zone(session, area_code),
        source=source[:100],
        proposed_at=at,
    )
    session.add(series)
    session.flush()
    notices.series(session, series=series, status="proposed", at=at)
    audit.record(
        session,
        action=AuditAction.BRIEFING_PROPOSE_SERIES,
        actor=HUB,
        target=f"area:{area_code}",
        details={"series": series.id, "every": series.every, "level": after.value},
    )


def end_series(
    session: Session, series: BriefingSeries, *, reason: str, at: dt.datetime, by: Actor | None
) -> None:
    """Ended by the level (`by` None) or cancelled by a coordinator."""
    series.status = SeriesStatus.CANCELLED if by is not None else SeriesStatus.ENDED
    series.ended_at = at
    series.end_reason = reason[:100]
    if by is not None:
        series.decided_by_id, series.decided_by, series.decided_at = by.id, by.label, at
    for briefing in upcoming(session, series.id, at):
        cancel_briefing(session, briefing, at=at)
    session.flush()
    notices.series(session, series=series, status="ended", at=at)
    audit.record(
        session,
        action=AuditAction.BRIEFING_CANCEL_SERIES if by else AuditAction.BRIEFING_END_SERIES,
        actor=by.label if by else HUB,
        actor_id=by.id if by else None,
        target=f"area:{series.area_code}",
        details={"series": series.id, "reason": series.end_reason},
    )


def cancel_briefing(session: Session, briefing: Briefing, *, at: dt.datetime) -> None:
    """Its invitees get the cancellation (a higher SEQUENCE) and no reminder."""
    briefing.status = BriefingStatus.CANCELLED
    briefing.sequence += 1
    session.flush()
    notices.briefing_changed(session, briefing=briefing, at=at)
