"""What the briefing pages and the API show: reads only, nothing is written here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from hub.actors import Actor
from hub.areas.facts import get_area
from hub.briefings.levels import active_series
from hub.briefings.models import (
    Answer,
    Briefing,
    BriefingInvitation,
    BriefingSeries,
    BriefingStatus,
)
from hub.briefings.schemas import BriefingRead, SeriesRead
from hub.briefings.service import get_briefing
from hub.errors import Forbidden, NotFound
from hub.i18n import gettext as _
from hub.members.models import Member, Role
from hub.organisations.models import Organisation


def local_start(briefing: Briefing) -> str:
    start = briefing.starts_at.astimezone(ZoneInfo(briefing.timezone))
    return start.strftime("%Y-%m-%d %H:%M")


def _reads(session: Session, briefings: list[Briefing], actor: Actor | None) -> list[BriefingRead]:
    """`actor` None: a reader who is not logged in (the answer link)."""
    counts: dict[tuple[str, str | None], int] = {}
    if briefings:
        for briefing_id, answer, n in session.execute(
            select(BriefingInvitation.briefing_id, BriefingInvitation.answer, func.count())
            .where(BriefingInvitation.briefing_id.in_([b.id for b in briefings]))
            .group_by(BriefingInvitation.briefing_id, BriefingInvitation.answer)
        ):
            counts[(briefing_id, answer.value if answer else None)] = n
    out = []
    for b in briefings:
        read = BriefingRead.model_validate(b)
        yes, no = counts.get((b.id, "yes"), 0), counts.get((b.id, "no"), 0)
        read.local_start = local_start(b)
        read.attending, read.declined = yes, no
        read.invited = yes + no + counts.get((b.id, None), 0)
        out.append(read)
    return _minutes_for(session, out, actor)


def _minutes_for(
    session: Session, reads: list[BriefingRead], actor: Actor | None
) -> list[BriefingRead]:
    """The minutes' report id only for coordinators and the members of an organisation that
    attended (those it was sealed to), as the briefing's page links it: to anyone else it
    is the id of a report their organisation was not given."""
    if actor is not None and actor.member is not None and actor.member.has_role(Role.COORDINATOR):
        return reads
    with_minutes = [r.id for r in reads if r.minutes_report_id]
    attended: set[str] = set()
    if with_minutes and actor is not None and actor.member is not None:
        attended = set(
            session.scalars(
                select(BriefingInvitation.briefing_id).where(
                    BriefingInvitation.briefing_id.in_(with_minutes),
                    BriefingInvitation.organisation_id == actor.member.organisation_id,
                    BriefingInvitation.answer == Answer.YES,
                )
            )
        )
    for read in reads:
        if read.minutes_report_id and read.id not in attended:
            read.minutes_report_id = None
    return reads


def read_briefing(session: Session, briefing: Briefing, actor: Actor | None = None) -> BriefingRead:
    """`actor` None (the answer link, no login): the minutes' id is left out."""
    return _reads(session, [briefing], actor)[0]


@dataclass(frozen=True)
class AreaBriefings:
    series: SeriesRead | None
    upcoming: list[BriefingRead]
    past: list[BriefingRead]


def _visible(query: Select[Any], actor: Actor) -> Select[Any]:
    """A coordinator sees every briefing; anyone else those they are invited to."""
    if actor.member is not None and actor.member.has_role(Role.COORDINATOR):
        return query
    invited = select(BriefingInvitation.briefing_id).where(
        BriefingInvitation.member_id == (actor.id or "")
    )
    return query.where(Briefing.id.in_(invited))


def area_briefings(
    session: Session, area_code: str, *, actor: Actor, now: dt.datetime
) -> AreaBriefings:
    get_area(session, area_code)  # an unknown area is a 404, not an empty list
    series = active_series(session, area_code)
    query = select(Briefing).where(Briefing.area_code == area_code).order_by(Briefing.starts_at)
    rows = list(session.scalars(_visible(query, actor)))
    reads = _reads(session, rows, actor)
    return AreaBriefings(
        series=SeriesRead.model_validate(series) if series else None,
        upcoming=[r for r in reads if r.starts_at > now],
        past=[r for r in reads if r.starts_at <= now][::-1][:20],
    )


def all_series(session: Session, *, actor: Actor) -> list[SeriesRead]:
    """Every area's series, with its place (often a call link) and agenda: for coordinators,
    who decide them; an invitee learns a briefing's details from its own invitation."""
    if actor.member is None or not actor.member.has_role(Role.COORDINATOR):
        raise Forbidden(_("Only coordinators see the briefing series."))
    return [
        SeriesRead.model_validate(s)
        for s in session.scalars(
            select(BriefingSeries).order_by(BriefingSeries.proposed_at.desc()).limit(200)
        )
    ]


def upcoming(session: Session, *, actor: Actor, now: dt.datetime) -> list[BriefingRead]:
    """Those of the last 12 hours and ahead that this person may see."""
    query = select(Briefing).where(Briefing.starts_at > now - dt.timedelta(hours=12))
    query = _visible(query.order_by(Briefing.starts_at).limit(200), actor)
    return _reads(session, list(session.scalars(query)), actor)


def upcoming_in(
    session: Session, codes: Iterable[str], *, actor: Actor, now: dt.datetime, limit: int = 5
) -> list[BriefingRead]:
    """The next briefings held for any of `codes` (an area and those containing it, for its
    page) that this person may see, cancelled ones left out."""
    query = (
        select(Briefing)
        .where(
            Briefing.area_code.in_(list(codes)),
            Briefing.starts_at > now,
            Briefing.status != BriefingStatus.CANCELLED,
        )
        .order_by(Briefing.starts_at)
        .limit(limit)
    )
    return _reads(session, list(session.scalars(_visible(query, actor))), actor)


@dataclass(frozen=True)
class Invited:
    member_id: str
    name: str
    organisation_id: str
    organisation: str
    answer: Answer | None


@dataclass(frozen=True)
class BriefingDetail:
    briefing: BriefingRead
    invited: list[Invited]
    mine: BriefingInvitation | None
    may_manage: bool
    # The minutes' report, for those it was sealed to (an attendee) and coordinators; and
    # whether this person may publish them (a coordinator or focal point, none yet).
    minutes_link: str | None
    may_publish_minutes: bool


def briefing_detail(session: Session, *, actor: Actor, briefing_id: str) -> BriefingDetail:
    """Coordinators and the invitees see a briefing; only coordinators see who answered."""
    briefing = get_briefing(session, briefing_id)
    mine = session.scalar(
        select(BriefingInvitation).where(
            BriefingInvitation.briefing_id == briefing.id,
            BriefingInvitation.member_id == (actor.id or ""),
        )
    )
    manage = actor.member is not None and actor.member.has_role(Role.COORDINATOR)
    if mine is None and not manage:
        raise NotFound(_("There is no such briefing."))
    invited = []
    if manage:
        for inv, name, org in session.execute(
            select(BriefingInvitation, Member.display_name, Organisation.name)
            .join(Member, Member.id == BriefingInvitation.member_id)
            .join(Organisation, Organisation.id == BriefingInvitation.organisation_id)
            .where(BriefingInvitation.briefing_id == briefing.id)
            .order_by(Organisation.name, Member.display_name)
        ):
            invited.append(Invited(inv.member_id, name, inv.organisation_id, org, inv.answer))
    attended = mine is not None and mine.answer is Answer.YES
    report = briefing.minutes_report_id
    member = actor.member
    return BriefingDetail(
        read_briefing(session, briefing, actor),
        invited,
        mine,
        manage,
        f"/reports/{report}" if report and (manage or attended) else None,
        report is None
        and member is not None
        and member.has_role(Role.COORDINATOR, Role.FOCAL_POINT)
        and (manage or attended),
    )
