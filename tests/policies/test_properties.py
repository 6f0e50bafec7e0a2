"""Rules stated over generated worlds: sharing, alerting and explaining."""

from __future__ import annotations

from datetime import time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from policies import (
    Audience,
    Consent,
    Delivery,
    Designation,
    Organisation,
    QuietHours,
    StandingConsent,
    alert_plan,
    default_policy,
    explain,
    may_read,
    may_share,
    resolve_recipients,
)
from policies.vocabulary import Level, Severity, Tlp
from tests.policies.factories import (
    AREA_CODES,
    AREAS,
    NOW,
    ORG_IDS,
    audience_st,
    header_st,
    organisations_st,
)

POLICY = default_policy()
PROPS = settings(max_examples=120, deadline=None)

consents_st = st.lists(
    st.builds(
        Consent,
        report_id=st.just("R"),
        target=st.sampled_from(ORG_IDS),
        via=st.one_of(st.none(), st.sampled_from(ORG_IDS)),
    ),
    max_size=3,
)
standing_st = st.lists(
    st.builds(
        StandingConsent,
        originator=st.sampled_from(ORG_IDS),
        target=st.sampled_from(ORG_IDS),
        max_tlp=st.sampled_from(list(Tlp)),
    ),
    max_size=3,
)
zones = st.sampled_from(["UTC", "Africa/Kinshasa", "Africa/Bamako", "Europe/Paris", "Asia/Kabul"])
quiet_st = st.one_of(
    st.none(),
    st.builds(
        QuietHours,
        start=st.integers(0, 23).map(lambda h: time(h)),
        end=st.integers(0, 23).map(lambda h: time(h)),
        tz=zones,
    ),
)
designations_st = st.lists(
    st.builds(
        Designation,
        liaison=st.sampled_from([f"l{i}" for i in range(8)]),
        organisation=st.sampled_from(ORG_IDS),
        areas=st.frozensets(st.sampled_from(AREA_CODES), min_size=1, max_size=2),
        min_severity=st.sampled_from(list(Severity)),
        quiet_hours=quiet_st,
        deputies=st.lists(st.sampled_from(["d1", "d2"]), max_size=2, unique=True).map(tuple),
    ),
    max_size=6,
)


@PROPS
@given(data=st.data(), orgs=organisations_st, consents=consents_st, standing=standing_st)
def test_red_never_travels_and_amber_never_without_consent(
    data: st.DataObject,
    orgs: dict[str, Organisation],
    consents: list[Consent],
    standing: list[StandingConsent],
) -> None:
    ids = sorted(orgs)
    h = data.draw(header_st(ids))
    holder = orgs[data.draw(st.sampled_from(ids))]
    target = orgs[data.draw(st.sampled_from(ids))]
    recipients = frozenset(data.draw(st.lists(st.sampled_from(ids)))) | {h.originator}
    d = may_share(holder, target, h, recipients, consents, standing, POLICY, areas=AREAS, at=NOW)
    onward = holder.id != h.originator and target.id not in recipients
    if not target.approved:
        assert d.outcome is False
    if onward and h.tlp is Tlp.RED:
        assert d.outcome is False
    if onward and h.tlp in (Tlp.AMBER, Tlp.AMBER_STRICT) and not consents and not standing:
        assert d.outcome is False
    for lang in ("fr", "en"):
        assert explain(d, lang)


@PROPS
@given(data=st.data(), orgs=organisations_st, audience=audience_st)
def test_who_receives_can_read_and_nobody_else(
    data: st.DataObject, orgs: dict[str, Organisation], audience: Audience | None
) -> None:
    h = data.draw(header_st(sorted(orgs)))
    level = data.draw(st.sampled_from(list(Level)))
    recipients = resolve_recipients(h, audience, orgs, level, POLICY, areas=AREAS)
    for org in orgs.values():
        read = may_read(org, h, recipients.outcome, areas=AREAS)
        assert read.outcome is (org.id in recipients.outcome)
        assert explain(read, "fr")
        assert explain(read, "en")
    assert explain(recipients, "fr")


@PROPS
@given(
    data=st.data(),
    orgs=organisations_st,
    designations=designations_st,
    minutes=st.integers(0, 7 * 24 * 60),
)
def test_alerts_reach_only_recipients_and_quiet_hours_defer_never_drop(
    data: st.DataObject,
    orgs: dict[str, Organisation],
    designations: list[Designation],
    minutes: int,
) -> None:
    h = data.draw(header_st(sorted(orgs)))
    level = data.draw(st.sampled_from(list(Level)))
    now = NOW + timedelta(minutes=minutes)
    recipients = resolve_recipients(h, None, orgs, level, POLICY, areas=AREAS).outcome
    d = alert_plan(h, level, recipients, designations, POLICY, now, areas=AREAS)
    routes = d.outcome.routes
    assert {r.organisation for r in routes} <= recipients
    for route in routes:
        if route.delivery is Delivery.IMMEDIATE:
            assert route.send_at == now
        elif route.delivery is Delivery.DEFERRED:
            assert route.send_at is not None
            assert now < route.send_at <= now + timedelta(hours=25)
            assert h.severity not in POLICY.quiet_hours_override
        else:
            assert route.send_at is None
            assert route.ack_deadline is None
        if route.ack_deadline is not None:
            assert route.send_at is not None
            assert route.ack_deadline > route.send_at
            assert all(step.at >= route.ack_deadline for step in route.escalation)
    # Every designation is either routed or skipped with a reason naming its liaison.
    named = {r.get("liaison") for r in d.reasons if any(k == "liaison" for k, _ in r.params)}
    assert {x.liaison for x in designations} <= {r.liaison for r in routes} | named
    for lang in ("fr", "en"):
        text = explain(d, lang)
        assert "{" not in text
        assert bool(text) is bool(designations)


@PROPS
@given(data=st.data(), orgs=organisations_st, standing=standing_st)
def test_once_revoked_only_the_originator_gives_it_back(
    data: st.DataObject, orgs: dict[str, Organisation], standing: list[StandingConsent]
) -> None:
    ids = sorted(orgs)
    h = data.draw(header_st(ids))
    holder = orgs[data.draw(st.sampled_from(ids))]
    target = orgs[data.draw(st.sampled_from(ids))]
    recipients = frozenset(data.draw(st.lists(st.sampled_from(ids)))) | {h.originator}
    revoked = frozenset({target.id}) - recipients
    d = may_share(
        holder, target, h, recipients, (), standing, POLICY, areas=AREAS, at=NOW, revoked=revoked
    )
    if revoked and holder.id != h.originator:
        assert d.outcome is False
