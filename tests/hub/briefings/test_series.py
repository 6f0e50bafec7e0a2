"""The series a level calls for: proposed when an area turns enhanced, confirmed (its next
briefing scheduled, with invitations), moved, cancelled, and ended when the area returns to
normal — with a frozen clock."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from alerts.briefings import rsvp_token
from hub.actors import CONSOLE, Actor
from hub.areas import service as areas
from hub.audit.models import AuditEntry
from hub.briefings import service, views
from hub.briefings.models import (
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
from hub.members.models import Role
from policies import default_policy
from policies.cadence import Weekday
from policies.vocabulary import Risk
from tests.hub.areas.factories import make_tree
from tests.hub.factories import make_member, make_organisation

T0 = dt.datetime(2026, 11, 23, 6, 0, tzinfo=dt.UTC)  # a Monday
POLICY = default_policy()
SECRET = b"s" * 32


@pytest.fixture
def people(db_session) -> dict[str, Actor]:
    make_tree(db_session)
    un = make_organisation(db_session, name="UNDSS")
    ngo = make_organisation(db_session, name="ONG Kivu")
    away = make_organisation(db_session, name="ONG Ailleurs")
    out: dict[str, Actor] = {}
    for key, org, roles in (
        ("alice", un, (Role.COORDINATOR,)),
        ("bob", un, (Role.COORDINATOR,)),
        ("focal", ngo, (Role.FOCAL_POINT,)),
        ("liaison", ngo, (Role.LIAISON,)),
        ("reader", ngo, (Role.COMMITTEE,)),
        ("away", away, (Role.FOCAL_POINT,)),
    ):
        member = make_member(db_session, org, roles=roles).member
        out[key] = Actor(label=member.email, member=member)
    areas.set_presence(db_session, actor=CONSOLE, organisation_id=ngo.id, areas=["CD6102"])
    areas.set_presence(db_session, actor=CONSOLE, organisation_id=away.id, areas=["CD62"])
    return out


def _raise(session, actor, risk=Risk.HIGH, now=T0):
    return areas.set_risk(
        session, actor=actor, code="CD61", risk=risk, reason="Affrontements", now=now, policy=POLICY
    )


def _series(session) -> list[BriefingSeries]:
    return list(session.scalars(select(BriefingSeries).order_by(BriefingSeries.proposed_at)))


def test_area_raised_to_high_gets_its_proposed_series(db_session, people) -> None:
    _raise(db_session, people["alice"])
    (series,) = _series(db_session)
    assert series.area_code == "CD61"
    assert series.status is SeriesStatus.PROPOSED
    assert (series.every, series.weekday, series.local_time) == ("weekly", "tuesday", "10:00")
    # Eastern DRC: UTC+2, not Kinshasa's UTC+1.
    assert series.timezone == "Africa/Lubumbashi"
    assert db_session.scalars(select(Briefing)).all() == []  # nothing before a coordinator
    actions = db_session.scalars(select(AuditEntry.action)).all()
    assert "briefing:propose-series" in actions
    # Raising further within enhanced proposes nothing more.
    _raise(db_session, people["alice"], Risk.VERY_HIGH, now=T0 + dt.timedelta(hours=1))
    assert len(_series(db_session)) == 1


def test_confirming_schedules_the_next_briefing_and_invites_those_present(
    db_session, people
) -> None:
    _raise(db_session, people["alice"])
    (series,) = _series(db_session)
    with pytest.raises(Forbidden):
        service.confirm_series(
            db_session, actor=people["focal"], series_id=series.id, now=T0, secret=SECRET
        )
    service.confirm_series(
        db_session, actor=people["bob"], series_id=series.id, now=T0, secret=SECRET
    )
    assert series.status is SeriesStatus.CONFIRMED
    (briefing,) = db_session.scalars(select(Briefing)).all()
    local = briefing.starts_at.astimezone(ZoneInfo("Africa/Lubumbashi"))
    assert local.isoformat() == "2026-11-24T10:00:00+02:00"  # the next Tuesday, 10:00 in Goma
    invited = {i.member_id for i in db_session.scalars(select(BriefingInvitation)).all()}
    # Focal point and liaison of the organisation present; not a plain member, not the
    # organisation working elsewhere.
    assert invited == {people["focal"].id, people["liaison"].id}
    with pytest.raises(Conflict):
        service.confirm_series(
            db_session, actor=people["bob"], series_id=series.id, now=T0, secret=SECRET
        )
    # The scheduler's sweep keeps exactly one upcoming briefing.
    assert service.sweep(db_session, now=T0 + dt.timedelta(hours=1), secret=SECRET) == 0
    after = briefing.starts_at + dt.timedelta(minutes=1)
    assert service.sweep(db_session, now=after, secret=SECRET) == 1
    starts = sorted(b.starts_at for b in db_session.scalars(select(Briefing)))
    assert starts[1] - starts[0] == dt.timedelta(days=7)


def test_lowering_the_area_ends_the_series_and_cancels_what_is_ahead(db_session, people) -> None:
    alice, bob = people["alice"], people["bob"]
    _raise(db_session, alice)
    (series,) = _series(db_session)
    service.confirm_series(db_session, actor=bob, series_id=series.id, now=T0, secret=SECRET)
    later = T0 + dt.timedelta(hours=2)
    pending = areas.set_risk(
        db_session,
        actor=alice,
        code="CD61",
        risk=Risk.LOW,
        reason="Calme",
        now=later,
        policy=POLICY,
    )
    assert series.status is SeriesStatus.CONFIRMED  # four eyes: not yet
    areas.confirm_risk_change(
        db_session, actor=bob, change_id=pending.change_id, now=later, policy=POLICY
    )
    assert series.status is SeriesStatus.ENDED
    assert series.end_reason == "level:normal"
    (briefing,) = db_session.scalars(select(Briefing)).all()
    assert briefing.status is BriefingStatus.CANCELLED
    assert briefing.sequence == 1  # calendars replace the invitation with the cancellation
    assert "briefing:end-series" in db_session.scalars(select(AuditEntry.action)).all()
    # Raised again: a new proposal, the old series stays ended.
    _raise(db_session, alice, now=later + dt.timedelta(days=1))
    assert [s.status for s in _series(db_session)] == [SeriesStatus.ENDED, SeriesStatus.PROPOSED]


def test_a_lapsed_temporary_raise_ends_the_series(db_session, people) -> None:
    areas.set_risk(
        db_session,
        actor=people["alice"],
        code="CD61",
        risk=Risk.HIGH,
        reason="Élections",
        now=T0,
        policy=POLICY,
        expires_at=T0 + dt.timedelta(days=2),
    )
    (series,) = _series(db_session)
    areas.expire_risks(db_session, now=T0 + dt.timedelta(days=3), policy=POLICY)
    assert series.status is SeriesStatus.ENDED


def test_moving_and_cancelling_a_series(db_session, people) -> None:
    alice = people["alice"]
    _raise(db_session, alice)
    (series,) = _series(db_session)
    service.confirm_series(db_session, actor=alice, series_id=series.id, now=T0, secret=SECRET)
    (briefing,) = db_session.scalars(select(Briefing)).all()
    invitation = db_session.scalars(select(BriefingInvitation)).first()
    service.answer(db_session, token=rsvp_token(SECRET, invitation.id), attending=True, now=T0)
    change = SeriesMove(
        weekday=Weekday.THURSDAY,
        time="14:30",
        duration_minutes=90,
        place="Goma, salle B",
        agenda="Axe Rutshuru",
    )
    service.move_series(
        db_session, actor=alice, series_id=series.id, change=change, now=T0, secret=SECRET
    )
    local = briefing.starts_at.astimezone(ZoneInfo("Africa/Lubumbashi"))
    assert local.isoformat() == "2026-11-26T14:30:00+02:00"
    assert (briefing.sequence, briefing.place, briefing.duration_minutes) == (
        1,
        "Goma, salle B",
        90,
    )
    assert invitation.answer is None  # the answer was for the old time
    service.cancel_series(db_session, actor=alice, series_id=series.id, now=T0)
    assert series.status is SeriesStatus.CANCELLED
    assert briefing.status is BriefingStatus.CANCELLED
    with pytest.raises(Conflict):
        service.cancel_series(db_session, actor=alice, series_id=series.id, now=T0)


def test_scheduling_one_briefing_in_the_areas_time_zone(db_session, people) -> None:
    alice = people["alice"]
    briefing = service.schedule(
        db_session,
        actor=alice,
        briefing_in=BriefingCreate(
            area="CD6102", starts_at="2026-11-25T09:00", place="Rutshuru", agenda="Point sécurité"
        ),
        now=T0,
        secret=SECRET,
    )
    assert briefing.timezone == "Africa/Lubumbashi"
    assert briefing.starts_at == dt.datetime(2026, 11, 25, 7, 0, tzinfo=dt.UTC)
    read = views.read_briefing(db_session, briefing)
    assert (read.local_start, read.invited) == ("2026-11-25 09:00", 2)
    with pytest.raises(InvalidInput):
        service.schedule(
            db_session,
            actor=alice,
            briefing_in=BriefingCreate(area="CD6102", starts_at="2026-11-20T09:00"),
            now=T0,
            secret=SECRET,
        )
    with pytest.raises(NotFound):
        service.schedule(
            db_session,
            actor=alice,
            briefing_in=BriefingCreate(area="XX99", starts_at="2026-11-25T09:00"),
            now=T0,
            secret=SECRET,
        )
    with pytest.raises(Forbidden):
        service.schedule(
            db_session,
            actor=people["focal"],
            briefing_in=BriefingCreate(area="CD6102", starts_at="2026-11-25T09:00"),
            now=T0,
            secret=SECRET,
        )


def test_answers_by_link_and_by_page(db_session, people) -> None:
    briefing = service.schedule(
        db_session,
        actor=people["alice"],
        briefing_in=BriefingCreate(area="CD6102", starts_at="2026-11-25T09:00"),
        now=T0,
        secret=SECRET,
    )
    focal = db_session.scalar(
        select(BriefingInvitation).where(BriefingInvitation.member_id == people["focal"].id)
    )
    # Only a hash is stored; the token opens this invitation alone.
    token = rsvp_token(SECRET, focal.id)
    assert token not in focal.token_hash
    service.answer(db_session, token=token, attending=False, now=T0)
    assert focal.answer is Answer.NO
    with pytest.raises(NotFound):
        service.answer(db_session, token=rsvp_token(b"x" * 32, focal.id), attending=True, now=T0)
    service.answer_as_member(
        db_session, actor=people["liaison"], briefing_id=briefing.id, attending=True, now=T0
    )
    with pytest.raises(NotFound):
        service.answer_as_member(
            db_session, actor=people["away"], briefing_id=briefing.id, attending=True, now=T0
        )
    read = views.read_briefing(db_session, briefing)
    assert (read.attending, read.declined, read.invited) == (1, 1, 2)
    over = briefing.starts_at + dt.timedelta(hours=2)
    with pytest.raises(Conflict):
        service.answer(db_session, token=token, attending=True, now=over)


def test_zones_default_by_country_and_province(db_session, people) -> None:
    assert area_zone(db_session, "CD61") == "Africa/Lubumbashi"
    assert area_zone(db_session, "CD6102") == "Africa/Lubumbashi"
    assert area_zone(db_session, "CD") == "Africa/Kinshasa"
    assert area_zone(db_session, "nowhere") == "UTC"


def test_the_demo_area_has_a_confirmed_weekly_series_with_one_briefing(db_session) -> None:
    from hub import demo

    demo.populate(db_session)
    by_area = {s.area_code: s for s in db_session.scalars(select(BriefingSeries))}
    assert by_area["CD61"].status is SeriesStatus.CONFIRMED
    assert by_area["CD61"].every == "weekly"
    assert by_area["ML07"].status is SeriesStatus.PROPOSED
    assert by_area["ML07"].timezone == "Africa/Bamako"
    now = dt.datetime.now(dt.UTC)
    (upcoming,) = [b for b in db_session.scalars(select(Briefing)) if b.starts_at > now]
    assert upcoming.area_code == "CD61"
    assert upcoming.timezone == "Africa/Lubumbashi"
    assert db_session.scalars(
        select(BriefingInvitation).where(BriefingInvitation.briefing_id == upcoming.id)
    ).all()
    demo.populate(db_session)  # again: nothing more
    assert len(db_session.scalars(select(Briefing)).all()) == 1
