"""The demo's briefings: the enhanced area CD61 (Nord-Kivu) has a confirmed weekly series
(the policy's Tuesday 10:00, Goma time) with its next briefing scheduled and its invitations
out; Gao's (ML07) is left proposed, for a coordinator to confirm."""

from __future__ import annotations

import secrets
from pathlib import Path

from sqlalchemy.orm import Session

from hub.actors import Actor
from hub.alerting.wiring import ALERT_SECRET_FILE
from hub.briefings import service
from hub.briefings.levels import active_series
from hub.briefings.models import SeriesStatus
from hub.briefings.schemas import SeriesMove
from hub.db import utcnow
from hub.members.models import Member
from policies.cadence import Weekday

DEMO_BRIEFING = SeriesMove(
    weekday=Weekday.TUESDAY,
    time="10:00",
    duration_minutes=60,
    place="DEMO — Goma, salle de réunion UNDSS ; appel : +243 81 000 0000, code 4417",
    agenda="DEMO — 1. Incidents de la semaine  2. Axe Goma–Rutshuru  3. Mouvements prévus",
)


def populate_briefings(session: Session, coordinator: Member, data_dir: Path | None) -> None:
    """Once: on later runs the series is confirmed already."""
    series = active_series(session, "CD61")
    if series is None or series.status is not SeriesStatus.PROPOSED:
        return
    secret_file = data_dir / ALERT_SECRET_FILE if data_dir else None
    # Without the hub's data directory the answer links cannot work: a throwaway secret
    # keeps the scenario whole all the same.
    if secret_file is not None and secret_file.exists():
        secret = secret_file.read_bytes()
    else:
        secret = secrets.token_bytes(32)
    actor = Actor(label=coordinator.email, member=coordinator)
    now = utcnow()
    service.move_series(
        session, actor=actor, series_id=series.id, change=DEMO_BRIEFING, now=now, secret=secret
    )
    service.confirm_series(session, actor=actor, series_id=series.id, now=now, secret=secret)
