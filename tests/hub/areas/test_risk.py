"""Risk and level: raising at once, leaving enhanced with four eyes, expiry and review,
each change audited and announced in the outbox — with a frozen clock."""

import datetime as dt

import pytest
from sqlalchemy import select

from alerts import outbox
from alerts.models import AlertEvent
from hub.actors import Actor
from hub.areas import service
from hub.areas.schemas import RiskApplied, RiskPending
from hub.audit.models import AuditEntry
from hub.errors import Conflict, Forbidden, InvalidInput
from hub.members.models import Role
from policies import default_policy
from policies.vocabulary import Level, Risk
from tests.hub.factories import make_member, make_organisation

from .factories import make_tree

T0 = dt.datetime(2026, 11, 23, 6, 0, tzinfo=dt.UTC)
POLICY = default_policy()


@pytest.fixture
def coordinators(db_session) -> tuple[Actor, Actor]:
    make_tree(db_session)
    un = make_organisation(db_session, name="OCHA")
    people = []
    for _ in range(2):
        member = make_member(db_session, un, roles=(Role.COORDINATOR,)).member
        people.append(Actor(label=member.email, member=member))
    return people[0], people[1]


def _set(session, actor, code, risk, reason, *, now=T0, **times):
    return service.set_risk(
        session, actor=actor, code=code, risk=risk, reason=reason, now=now, policy=POLICY, **times
    )


def _standing(session, code, at=T0):
    return service.area_standing(session, code, at=at, policy=POLICY).outcome


def _events(session) -> list[AlertEvent]:
    """The level-change alerts (a change into or out of enhanced also writes the briefing
    series' notice to coordinators: tests/hub/briefings)."""
    return list(
        session.scalars(
            select(AlertEvent)
            .where(AlertEvent.kind == "level_changed")
            .order_by(AlertEvent.created_at)
        )
    )


def test_raising_takes_effect_at_once_and_is_announced(db_session, coordinators) -> None:
    alice, _ = coordinators
    result = _set(db_session, alice, "CD61", Risk.HIGH, "Affrontements")
    assert result == RiskApplied(code="CD61", risk=Risk.HIGH, level=Level.ENHANCED)
    # Children inherit the raise.
    assert _standing(db_session, "CD6102").level is Level.ENHANCED
    assert _standing(db_session, "CD62").level is Level.NORMAL
    (event,) = _events(db_session)
    facts = outbox.facts_from_json(event.facts)
    assert (facts.old_level, facts.new_level) == ("normal", "enhanced")
    assert set(event.areas) == {"CD61", "CD", "CD6102", "CD6103"}
    entry = db_session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert entry.action == "area:set-risk"
    assert entry.actor == alice.label


def test_leaving_enhanced_needs_a_second_coordinator(db_session, coordinators) -> None:
    alice, bob = coordinators
    _set(db_session, alice, "CD61", Risk.VERY_HIGH, "Enlèvements")
    later = T0 + dt.timedelta(days=3)
    pending = _set(db_session, alice, "CD61", Risk.MEDIUM, "Accalmie", now=later)
    assert isinstance(pending, RiskPending)
    assert _standing(db_session, "CD61", later).level is Level.ENHANCED
    with pytest.raises(Forbidden):
        service.confirm_risk_change(
            db_session, actor=alice, change_id=pending.change_id, now=later, policy=POLICY
        )
    confirmed = service.confirm_risk_change(
        db_session, actor=bob, change_id=pending.change_id, now=later, policy=POLICY
    )
    assert confirmed.level is Level.NORMAL
    assert _standing(db_session, "CD6103", later).risk is Risk.MEDIUM
    with pytest.raises(Conflict):
        service.confirm_risk_change(
            db_session, actor=bob, change_id=pending.change_id, now=later, policy=POLICY
        )
    assert [e.facts["new_level"] for e in _events(db_session)] == ["enhanced", "normal"]


def test_lowering_within_normal_needs_no_confirmation(db_session, coordinators) -> None:
    alice, _ = coordinators
    _set(db_session, alice, "CD62", Risk.MEDIUM, "x" * 5)
    result = _set(db_session, alice, "CD62", Risk.LOW, "calme")
    assert isinstance(result, RiskApplied)


def test_only_coordinators_set_risk(db_session, coordinators) -> None:
    ngo = make_organisation(db_session, name="NGO")
    focal = make_member(db_session, ngo, roles=(Role.FOCAL_POINT,)).member
    with pytest.raises(Forbidden):
        service.set_risk(
            db_session,
            actor=Actor(label=focal.email, member=focal),
            code="CD61",
            risk=Risk.HIGH,
            reason="because",
            now=T0,
            policy=POLICY,
        )


def test_temporary_raise_lapses_once_with_an_alert(db_session, coordinators) -> None:
    alice, _ = coordinators
    _set(db_session, alice, "CD6102", Risk.HIGH, "Élections", expires_at=T0 + dt.timedelta(days=2))
    assert service.expire_risks(db_session, now=T0 + dt.timedelta(days=1), policy=POLICY) == []
    assert _standing(db_session, "CD6102", T0 + dt.timedelta(days=1)).level is Level.ENHANCED
    after = T0 + dt.timedelta(days=2, minutes=5)
    (lapse,) = service.expire_risks(db_session, now=after, policy=POLICY)
    assert (lapse.from_risk, lapse.to_risk) == (Risk.HIGH, Risk.LOW)  # back to the default
    assert _standing(db_session, "CD6102", after).level is Level.NORMAL
    assert service.expire_risks(db_session, now=after, policy=POLICY) == []
    assert [e.facts["new_level"] for e in _events(db_session)] == ["enhanced", "normal"]


def test_a_raise_longer_than_the_policy_allows_is_refused(db_session, coordinators) -> None:
    alice, _ = coordinators
    with pytest.raises(InvalidInput) as caught:
        _set(
            db_session, alice, "CD61", Risk.HIGH, "trop long", expires_at=T0 + dt.timedelta(days=90)
        )
    assert caught.value.extra["errors"][0]["field"] == "expires_at"


def test_review_reminder_once(db_session, coordinators) -> None:
    alice, _ = coordinators
    _set(db_session, alice, "CD62", Risk.MEDIUM, "à revoir", review_at=T0 + dt.timedelta(days=7))
    assert service.review_reminders(db_session, now=T0 + dt.timedelta(days=6)) == []
    (due,) = service.review_reminders(db_session, now=T0 + dt.timedelta(days=8))
    assert due.risk is Risk.MEDIUM
    assert service.review_reminders(db_session, now=T0 + dt.timedelta(days=9)) == []


def test_detail_explains_inheritance(db_session, coordinators) -> None:
    alice, _ = coordinators
    _set(db_session, alice, "CD61", Risk.HIGH, "Affrontements")
    detail = service.area_detail(db_session, "CD6102", at=T0, policy=POLICY, lang="en")
    assert detail.risk_source == "CD61"
    assert detail.level is Level.ENHANCED
    assert any("CD61" in line for line in detail.explanation)
    parent = service.area_detail(db_session, "CD61", at=T0, policy=POLICY)
    assert parent.history[0].reason == "Affrontements"
    assert parent.children == ["CD6102", "CD6103"]


def test_presence_feeds_the_policy_facts(db_session, coordinators) -> None:
    ngo = make_organisation(db_session, name="NGO Kivu")
    focal = make_member(db_session, ngo, roles=(Role.FOCAL_POINT,)).member
    actor = Actor(label=focal.email, member=focal)
    service.set_presence(db_session, actor=actor, organisation_id=ngo.id, areas=["CD6102", "CD61"])
    facts = {o.id: o for o in service.policy_organisations(db_session)}
    assert facts[ngo.id].areas == frozenset({"CD61", "CD6102"})
    with pytest.raises(InvalidInput):
        service.set_presence(db_session, actor=actor, organisation_id=ngo.id, areas=["ZZ99"])
    other = make_organisation(db_session, name="Other")
    with pytest.raises(Forbidden):
        service.set_presence(db_session, actor=actor, organisation_id=other.id, areas=["CD61"])
