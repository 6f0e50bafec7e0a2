"""Briefings: the series an area's level calls for, scheduling, invitations and answers.

Entry points take the session first and commit once; `level_changed` is a helper called from
the area service inside the risk change's transaction, and only flushes. Every decision is
audited in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.briefings import rsvp_token, token_hash
from hub.actors import Actor
from hub.areas.service import get_area
from hub.audit import service as audit
from hub.audit.models import AuditAction
from hub.briefings import notices
from hub.briefings.invitees import invitees
from hub.briefings.levels import HUB, end_series, upcoming
from hub.briefings.models import (
    ACTIVE_SERIES,
    Answer,
    Briefing,
    BriefingInvitation,
    BriefingSeries,
    BriefingStatus,
    SeriesStatus,
)
from hub.briefings.schemas import BriefingCreate, SeriesMove
from hub.briefings.zones import area_zone
from hub.errors import Conflict, Forbidden, InvalidInput, NotFound
from hub.i18n import gettext as _
from hub.members.models import Member, MemberStatus, Role
from hub.organisations.models import Organisation, OrganisationStatus
from policies.cadence import next_occurrences


def _require_coordinator(actor: Actor) -> None:
    if actor.member is None or not actor.member.has_role(Role.COORDINATOR):
        raise Forbidden(_("Only coordinators schedule briefings."))


def get_series(session: Session, series_id: str) -> BriefingSeries:
    series = session.get(BriefingSeries, series_id)
    if series is None:
        raise NotFound(_("There is no such briefing series."))
    return series


def get_briefing(session: Session, briefing_id: str) -> Briefing:
    briefing = session.get(Briefing, briefing_id)
    if briefing is None:
        raise NotFound(_("There is no such briefing."))
    return briefing


# --- coordinators decide ---------------------------------------------------------------------


def confirm_series(
    session: Session, *, actor: Actor, series_id: str, now: dt.datetime, secret: bytes
) -> BriefingSeries:
    _require_coordinator(actor)
    series = get_series(session, series_id)
    if series.status is not SeriesStatus.PROPOSED:
        raise Conflict(_("This series was already decided."))
    series.status = SeriesStatus.CONFIRMED
    series.decided_by_id, series.decided_by, series.decided_at = actor.id, actor.label, now
    _top_up(session, series, now=now, secret=secret, organiser=actor)
    audit.record_by(
        session,
        action=AuditAction.BRIEFING_CONFIRM_SERIES,
        actor=actor,
        target=f"area:{series.area_code}",
        details={"series": series.id},
    )
    session.commit()
    return series


def move_series(
    session: Session,
    *,
    actor: Actor,
    series_id: str,
    change: SeriesMove,
    now: dt.datetime,
    secret: bytes,
) -> BriefingSeries:
    """New day, time, length, place or agenda; the upcoming briefing moves with it (its
    invitation is sent again with a higher SEQUENCE, and earlier answers no longer hold)."""
    _require_coordinator(actor)
    series = get_series(session, series_id)
    if series.status not in ACTIVE_SERIES:
        raise Conflict(_("This series has ended."))
    series.weekday = change.weekday.value
    series.local_time = change.time
    series.duration_minutes = change.duration_minutes
    series.place = change.place.strip()
    series.agenda = change.agenda.strip()
    if series.status is SeriesStatus.CONFIRMED:
        ahead = upcoming(session, series.id, now)
        following = next_occurrences(
            series.cadence(), after=now, tz=ZoneInfo(series.timezone), count=1
        )
        for briefing in ahead[:1]:
            briefing.starts_at = following[0].astimezone(dt.UTC)
            briefing.duration_minutes = series.duration_minutes
            briefing.place, briefing.agenda = series.place, series.agenda
            briefing.sequence += 1
            for invitation in _invitations(session, briefing.id):
                invitation.answer, invitation.answered_at = None, None
            session.flush()
            notices.briefing_changed(session, briefing=briefing, at=now)
            session.flush()
        if not ahead:
            _top_up(session, series, now=now, secret=secret, organiser=actor)
    audit.record_by(
        session,
        action=AuditAction.BRIEFING_MOVE_SERIES,
        actor=actor,
        target=f"area:{series.area_code}",
        details={"series": series.id, "weekday": series.weekday, "time": series.local_time},
    )
    session.commit()
    return series


def cancel_series(
    session: Session, *, actor: Actor, series_id: str, now: dt.datetime
) -> BriefingSeries:
    _require_coordinator(actor)
    series = get_series(session, series_id)
    if series.status not in ACTIVE_SERIES:
        raise Conflict(_("This series has ended."))
    end_series(session, series, reason="cancelled", at=now, by=actor)
    session.commit()
    return series


def _top_up(
    session: Session,
    series: BriefingSeries,
    *,
    now: dt.datetime,
    secret: bytes,
    organiser: Actor | None = None,
) -> Briefing | None:
    """Keep one upcoming briefing scheduled for a confirmed series (flushes only)."""
    if series.status is not SeriesStatus.CONFIRMED or upcoming(session, series.id, now):
        return None
    [start] = next_occurrences(series.cadence(), after=now, tz=ZoneInfo(series.timezone), count=1)
    briefing = Briefing(
        series_id=series.id,
        area_code=series.area_code,
        starts_at=start.astimezone(dt.UTC),
        duration_minutes=series.duration_minutes,
        timezone=series.timezone,
        place=series.place,
        agenda=series.agenda,
        organiser_id=organiser.id if organiser else series.decided_by_id,
        organiser=organiser.label if organiser else (series.decided_by or HUB),
        organiser_organisation_id=(
            organiser.member.organisation_id if organiser and organiser.member else None
        ),
        created_at=now,
    )
    session.add(briefing)
    session.flush()
    _invite(session, briefing, now=now, secret=secret)
    return briefing


def sweep(session: Session, *, now: dt.datetime, secret: bytes) -> int:
    """The scheduler's pass: every confirmed series gets its next briefing once the last one
    has started. Returns how many were scheduled."""
    count = 0
    for series in session.scalars(
        select(BriefingSeries).where(BriefingSeries.status == SeriesStatus.CONFIRMED)
    ):
        if _top_up(session, series, now=now, secret=secret) is not None:
            count += 1
    session.commit()
    return count


# --- one briefing ----------------------------------------------------------------------------


def schedule(
    session: Session, *, actor: Actor, briefing_in: BriefingCreate, now: dt.datetime, secret: bytes
) -> Briefing:
    """A briefing on its own: the time is the area's wall clock."""
    _require_coordinator(actor)
    area = get_area(session, briefing_in.area)
    zone = area_zone(session, area.code)
    given = briefing_in.starts_at
    if given.tzinfo is None:  # the area's wall clock
        given = given.replace(tzinfo=ZoneInfo(zone))
    starts = given.astimezone(dt.UTC)
    if starts <= now:
        raise InvalidInput(_("The briefing must start in the future."), field="starts_at")
    briefing = Briefing(
        area_code=area.code,
        starts_at=starts,
        duration_minutes=briefing_in.duration_minutes,
        timezone=zone,
        place=briefing_in.place.strip(),
        agenda=briefing_in.agenda.strip(),
        organiser_id=actor.id,
        organiser=actor.label,
        organiser_organisation_id=actor.member.organisation_id if actor.member else None,
        created_at=now,
    )
    session.add(briefing)
    session.flush()
    count = _invite(session, briefing, now=now, secret=secret)
    audit.record_by(
        session,
        action=AuditAction.BRIEFING_SCHEDULE,
        actor=actor,
        target=f"area:{area.code}",
        details={"briefing": briefing.id, "starts_at": starts.isoformat(), "invited": count},
    )
    session.commit()
    return briefing


def _invitations(session: Session, briefing_id: str) -> list[BriefingInvitation]:
    return list(
        session.scalars(
            select(BriefingInvitation).where(BriefingInvitation.briefing_id == briefing_id)
        )
    )


def _invite(session: Session, briefing: Briefing, *, now: dt.datetime, secret: bytes) -> int:
    """An invitation for each liaison and focal point of the organisations present, each with
    its own answer link; the invitation emails and reminders go through the outbox."""
    rows = []
    for member_id, organisation_id in invitees(session, briefing.area_code):
        invitation_id = str(uuid.uuid4())
        row = BriefingInvitation(
            id=invitation_id,
            briefing_id=briefing.id,
            member_id=member_id,
            organisation_id=organisation_id,
            token_hash=token_hash(rsvp_token(secret, invitation_id)),
            created_at=now,
        )
        session.add(row)
        rows.append(row)
    briefing.invited_at = now
    session.flush()
    notices.invitations(session, briefing=briefing, invitations=rows, at=now)
    return len(rows)


def invitation_by_token(session: Session, token: str) -> tuple[BriefingInvitation, Briefing]:
    """The invitation a link names — only while its invitee is an active member of an approved
    organisation: the link needs no login, so it must not outlive what a login would refuse
    (a removed member, a suspended organisation's people)."""
    invitation = session.scalar(
        select(BriefingInvitation)
        .join(Member, Member.id == BriefingInvitation.member_id)
        .join(Organisation, Organisation.id == BriefingInvitation.organisation_id)
        .where(
            BriefingInvitation.token_hash == token_hash(token),
            Member.status == MemberStatus.ACTIVE,
            Member.organisation_id == BriefingInvitation.organisation_id,
            Organisation.status == OrganisationStatus.APPROVED,
        )
    )
    if invitation is None:
        raise NotFound(_("This answer link is unknown."))
    return invitation, get_briefing(session, invitation.briefing_id)


def _check_open(briefing: Briefing, now: dt.datetime) -> None:
    """An answer counts while the briefing can still be attended: the minutes are sealed to
    whoever said yes, so a yes after the end would join them to a meeting they missed."""
    if briefing.status is BriefingStatus.CANCELLED:
        raise Conflict(_("This briefing was cancelled."))
    if briefing.starts_at + dt.timedelta(minutes=briefing.duration_minutes) < now:
        raise Conflict(_("This briefing is over."))


def answer(
    session: Session, *, token: str, attending: bool, now: dt.datetime
) -> tuple[BriefingInvitation, Briefing]:
    """Yes or no, from the link in the invitation (no login: the token names one invitee)."""
    invitation, briefing = invitation_by_token(session, token)
    _check_open(briefing, now)
    invitation.answer = Answer.YES if attending else Answer.NO
    invitation.answered_at = now
    audit.record(
        session,
        action=AuditAction.BRIEFING_ANSWER,
        actor=f"member:{invitation.member_id}",
        actor_id=invitation.member_id,
        target=f"briefing:{briefing.id}",
        details={"answer": invitation.answer.value},
    )
    session.commit()
    return invitation, briefing


def answer_as_member(
    session: Session, *, actor: Actor, briefing_id: str, attending: bool, now: dt.datetime
) -> BriefingInvitation:
    """The same answer from the briefing's page, for a logged-in invitee."""
    invitation = session.scalar(
        select(BriefingInvitation).where(
            BriefingInvitation.briefing_id == briefing_id,
            BriefingInvitation.member_id == (actor.id or ""),
        )
    )
    if invitation is None:
        raise NotFound(_("There is no such briefing."))
    briefing = get_briefing(session, briefing_id)
    _check_open(briefing, now)
    invitation.answer = Answer.YES if attending else Answer.NO
    invitation.answered_at = now
    audit.record_by(
        session,
        action=AuditAction.BRIEFING_ANSWER,
        actor=actor,
        target=f"briefing:{briefing.id}",
        details={"answer": invitation.answer.value},
    )
    session.commit()
    return invitation
