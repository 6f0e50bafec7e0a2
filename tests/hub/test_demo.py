"""`slthub demo` builds a scenario a person can click through, once."""

from sqlalchemy import func, select

from hub import demo
from hub.actors import Actor
from hub.alerting import service as alerting
from hub.areas import service as areas
from hub.areas.models import Area
from hub.db import utcnow
from hub.members.models import Member
from policies import default_policy
from policies.vocabulary import Level


def test_demo_scenario_is_complete_and_idempotent(db_session) -> None:
    logins = demo.populate(db_session)
    assert {login["email"] for login in logins} == {p[1] for p in demo.PEOPLE}
    assert any(login["keys"] == "not_granted" for login in logins)
    at = utcnow()
    rutshuru = areas.area_standing(db_session, "CD6102", at=at, policy=default_policy()).outcome
    assert rutshuru.level is Level.ENHANCED  # inherited from Nord-Kivu's demo risk
    assert all(a.name.startswith("DEMO") for a in db_session.scalars(select(Area)))

    jb = db_session.scalar(select(Member).where(Member.email == "jb.mukendi@asf.example.org"))
    designation = alerting.get_designation(db_session, actor=Actor(label=jb.email, member=jb))
    assert designation.areas == ["CD61"]

    again = demo.populate(db_session)
    assert [login["email"] for login in again] == [login["email"] for login in logins]
    assert db_session.scalar(select(func.count()).select_from(Member)) == len(demo.PEOPLE)
