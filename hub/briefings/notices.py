"""What the briefings tell people, through the alerts outbox (in the caller's transaction):
invitations with their calendar, changes and cancellations (a higher SEQUENCE), the SMS
reminder an hour before, and to coordinators a series proposed or ended. Flushes only."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts import briefings as notes
from alerts.facts import AlertKind, BriefingFacts
from alerts.models import LiaisonDesignation
from hub.areas.models import Area
from hub.briefings.models import Briefing, BriefingInvitation, BriefingSeries
from hub.members.models import Member, MemberRole, MemberStatus, Role
from hub.organisations.models import Organisation
from policies.cadence import next_occurrences

HUB_ORGANISER = "briefings@slthub.invalid"


def _area_name(session: Session, code: str) -> str:
    area = session.get(Area, code)
    return (area.display_name("fr") if area else code)[:80]


def _people(session: Session, pairs: list[tuple[str, str]]) -> tuple[notes.Invitee, ...]:
    """(invitation id, member id) → Invitee, with what to use without a designation."""
    if not pairs:
        return ()
    ids = [m for _, m in pairs]
    members = {
        m.id: (m, org)
        for m, org in session.execute(
            select(Member, Organisation.name)
            .join(Organisation, Organisation.id == Member.organisation_id)
            .where(Member.id.in_(ids))
        )
    }
    designations = {
        d.member_id: d
        for d in session.scalars(
            select(LiaisonDesignation).where(LiaisonDesignation.member_id.in_(ids))
        )
    }
    out = []
    for invitation, member_id in pairs:
        if member_id not in members:
            continue
        member, organisation = members[member_id]
        d = designations.get(member_id)
        out.append(
            notes.Invitee(
                invitation=invitation,
                member=member.id,
                organisation=member.organisation_id,
                email=member.email,
                name=member.display_name,
                language=d.language if d else "fr",
                phrase=(d.anti_phishing_phrase if d else organisation)[:20],
            )
        )
    return tuple(out)


def _facts(session: Session, briefing: Briefing) -> BriefingFacts:
    return BriefingFacts(
        area_code=briefing.area_code,
        area_name=_area_name(session, briefing.area_code),
        starts_at=briefing.starts_at,
        timezone=briefing.timezone,
        duration_minutes=briefing.duration_minutes,
        place=briefing.place,
        agenda=briefing.agenda,
        organiser=briefing.organiser,
        cancelled=briefing.status == "cancelled",
        moved=briefing.sequence > 0,
    )


def _notice(
    session: Session, briefing: Briefing, invitees: tuple[notes.Invitee, ...]
) -> notes.BriefingNotice:
    return notes.BriefingNotice(
        briefing=_facts(session, briefing),
        uid=f"{briefing.id}@slthub",
        sequence=briefing.sequence,
        organiser_email=briefing.organiser if "@" in briefing.organiser else HUB_ORGANISER,
        invitees=invitees,
    )


def invitations(
    session: Session,
    *,
    briefing: Briefing,
    invitations: list[BriefingInvitation],
    at: dt.datetime,
) -> None:
    """The invitation emails (with the .ics) and the SMS reminder of one version of a
    briefing; a later version's reminder replaces the earlier one's."""
    invitees = _people(session, [(i.id, i.member_id) for i in invitations])
    notice = _notice(session, briefing, invitees)
    version = briefing.sequence + 1
    notes.enqueue(
        session,
        kind=AlertKind.BRIEFING_INVITATION,
        source=f"briefing:{briefing.id}:invitation",
        version=version,
        notice=notice,
    )
    reminder = f"briefing:{briefing.id}:reminder"
    notes.enqueue(
        session,
        kind=AlertKind.BRIEFING_REMINDER,
        source=reminder,
        version=version,
        # A cancelled briefing reminds nobody: the empty notice stops the earlier one.
        notice=notes.BriefingNotice(
            briefing=notice.briefing,
            uid=notice.uid,
            sequence=notice.sequence,
            organiser_email=notice.organiser_email,
            invitees=() if notice.briefing.cancelled else invitees,
        ),
        supersedes=reminder if version > 1 else None,
    )


def briefing_changed(session: Session, *, briefing: Briefing, at: dt.datetime) -> None:
    rows = list(
        session.scalars(
            select(BriefingInvitation).where(BriefingInvitation.briefing_id == briefing.id)
        )
    )
    invitations(session, briefing=briefing, invitations=rows, at=at)


def _coordinators(session: Session) -> list[str]:
    return list(
        session.scalars(
            select(Member.id)
            .join(MemberRole, MemberRole.member_id == Member.id)
            .where(Member.status == MemberStatus.ACTIVE, MemberRole.role == Role.COORDINATOR)
            .order_by(Member.email)
        )
    )


def series(session: Session, *, series: BriefingSeries, status: str, at: dt.datetime) -> None:
    """To the coordinators: a series proposed (to confirm, move or cancel), or ended."""
    [start] = next_occurrences(series.cadence(), after=at, tz=ZoneInfo(series.timezone), count=1)
    facts = BriefingFacts(
        area_code=series.area_code,
        area_name=_area_name(session, series.area_code),
        starts_at=start,
        timezone=series.timezone,
        duration_minutes=series.duration_minutes,
        place=series.place,
        agenda=series.agenda,
        organiser=series.decided_by or "SLT Hub",
        series_status=status,
        every=series.every,
    )
    notes.enqueue(
        session,
        kind=AlertKind.BRIEFING_SERIES,
        source=f"series:{series.id}:{status}",
        version=1,
        notice=notes.BriefingNotice(
            briefing=facts,
            uid=f"{series.id}@slthub",
            sequence=0,
            organiser_email=HUB_ORGANISER,
            invitees=_people(session, [("", m) for m in _coordinators(session)]),
        ),
    )
