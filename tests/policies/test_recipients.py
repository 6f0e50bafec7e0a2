"""Who receives a report: the rules of policies.recipients, as examples and as properties."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from policies import (
    Audience,
    Organisation,
    ReasonCode,
    cooperation_level,
    default_policy,
    organisation_map,
    parse_policy,
    resolve_recipients,
)
from policies.vocabulary import (
    RISK_ORDER,
    AudienceScope,
    Level,
    OrganisationStatus,
    Tlp,
)
from tests.policies.factories import (
    AREAS,
    audience_st,
    header,
    header_st,
    org,
    organisations_st,
)

POLICY = default_policy()
# A valid policy where the level does change the default audience, so that the "raising risk
# never narrows" property is tested against more than two equal defaults.
WIDENING = parse_policy(
    """
[levels.normal]
default_audience = "originator"
[levels.enhanced]
default_audience = "all_partners"
"""
)
PROPS = settings(max_examples=150, deadline=None)

ORGS = organisation_map(
    [
        org("origin", "CD6102"),
        org("country", "CD"),  # present country-wide: covers every province
        org("district", "CD6102"),  # inside the report's province
        org("province", "CD61"),
        org("elsewhere", "CD62"),
        org("mali", "ML01"),
        org("pending", "CD61", status=OrganisationStatus.PENDING),
        org("suspended", "CD61", status=OrganisationStatus.SUSPENDED),
    ]
)


def test_area_scope_reaches_partners_above_in_and_below_the_area() -> None:
    d = resolve_recipients(
        header(area="CD61"),
        Audience.of_scope(AudienceScope.AREA),
        ORGS,
        Level.NORMAL,
        POLICY,
        areas=AREAS,
    )
    assert d.outcome == {"origin", "country", "district", "province"}
    assert d.has(ReasonCode.AUDIENCE_AREA)


def test_area_scope_of_a_district_skips_sibling_provinces_and_other_countries() -> None:
    d = resolve_recipients(
        header(area="CD6102"),
        Audience.of_scope(AudienceScope.AREA),
        ORGS,
        Level.NORMAL,
        POLICY,
        areas=AREAS,
    )
    assert d.outcome == {"origin", "country", "district", "province"}
    d = resolve_recipients(
        header(area="CD6201"),
        Audience.of_scope(AudienceScope.AREA),
        ORGS,
        Level.NORMAL,
        POLICY,
        areas=AREAS,
    )
    assert d.outcome == {"origin", "country", "elsewhere"}


def test_all_partners_means_every_approved_organisation() -> None:
    d = resolve_recipients(
        header(),
        Audience.of_scope(AudienceScope.ALL_PARTNERS),
        ORGS,
        Level.NORMAL,
        POLICY,
        areas=AREAS,
    )
    assert d.outcome == {"origin", "country", "district", "province", "elsewhere", "mali"}


def test_named_audience_drops_unknown_and_unapproved_with_a_reason_each() -> None:
    audience = Audience.named("mali", "pending", "suspended", "ghost")
    d = resolve_recipients(header(), audience, ORGS, Level.NORMAL, POLICY, areas=AREAS)
    assert d.outcome == {"origin", "mali"}
    excluded = {r.get("org") for r in d.reasons if r.code is ReasonCode.EXCLUDED_NOT_APPROVED}
    assert excluded == {"pending", "suspended"}
    assert [r.get("org") for r in d.reasons if r.code is ReasonCode.EXCLUDED_UNKNOWN] == ["ghost"]


def test_red_with_a_scope_goes_to_the_originator_alone() -> None:
    for audience in (None, Audience.of_scope(AudienceScope.AREA)):
        d = resolve_recipients(
            header(tlp=Tlp.RED), audience, ORGS, Level.ENHANCED, POLICY, areas=AREAS
        )
        assert d.outcome == {"origin"}
        assert d.has(ReasonCode.RED_NEEDS_NAMES)


def test_red_with_names_reaches_the_approved_names() -> None:
    d = resolve_recipients(
        header(tlp=Tlp.RED), Audience.named("mali"), ORGS, Level.ENHANCED, POLICY, areas=AREAS
    )
    assert d.outcome == {"origin", "mali"}


def test_widening_policy_default_audiences() -> None:
    normal = resolve_recipients(header(), None, ORGS, Level.NORMAL, WIDENING, areas=AREAS)
    enhanced = resolve_recipients(header(), None, ORGS, Level.ENHANCED, WIDENING, areas=AREAS)
    assert normal.outcome == {"origin"}
    assert normal.has(ReasonCode.AUDIENCE_ORIGINATOR_ONLY)
    assert enhanced.outcome == {"origin", "country", "district", "province", "elsewhere", "mali"}


def test_no_audience_uses_the_level_default() -> None:
    d = resolve_recipients(header(), None, ORGS, Level.ENHANCED, POLICY, areas=AREAS)
    assert d.has(ReasonCode.DEFAULT_AUDIENCE)
    assert d.outcome == {"origin", "country", "district", "province"}


@PROPS
@given(data=st.data(), orgs=organisations_st, audience=audience_st)
def test_originator_always_receives(
    data: st.DataObject, orgs: dict[str, Organisation], audience: Audience | None
) -> None:
    h = data.draw(header_st(sorted(orgs)))
    level = data.draw(st.sampled_from(list(Level)))
    d = resolve_recipients(h, audience, orgs, level, POLICY, areas=AREAS)
    assert h.originator in d.outcome


@PROPS
@given(data=st.data(), orgs=organisations_st, audience=audience_st)
def test_unapproved_organisations_receive_nothing_new(
    data: st.DataObject, orgs: dict[str, Organisation], audience: Audience | None
) -> None:
    h = data.draw(header_st(sorted(orgs)))
    level = data.draw(st.sampled_from(list(Level)))
    d = resolve_recipients(h, audience, orgs, level, POLICY, areas=AREAS)
    for org_id in d.outcome - {h.originator}:
        assert org_id in orgs
        assert orgs[org_id].status is OrganisationStatus.APPROVED


@PROPS
@given(data=st.data(), orgs=organisations_st, audience=audience_st)
def test_red_never_reaches_an_organisation_it_does_not_name(
    data: st.DataObject, orgs: dict[str, Organisation], audience: Audience | None
) -> None:
    h = data.draw(header_st(sorted(orgs)).filter(lambda h: h.tlp is Tlp.RED))
    level = data.draw(st.sampled_from(list(Level)))
    d = resolve_recipients(h, audience, orgs, level, POLICY, areas=AREAS)
    named = audience.organisations if audience is not None else frozenset()
    assert d.outcome <= named | {h.originator}


@PROPS
@given(data=st.data(), orgs=organisations_st, audience=audience_st)
def test_raising_risk_never_narrows_recipients(
    data: st.DataObject, orgs: dict[str, Organisation], audience: Audience | None
) -> None:
    h = data.draw(header_st(sorted(orgs)))
    policy = data.draw(st.sampled_from([POLICY, WIDENING]))
    lower, higher = sorted(
        data.draw(st.lists(st.sampled_from(RISK_ORDER), min_size=2, max_size=2)),
        key=RISK_ORDER.index,
    )
    levels = [cooperation_level(r, policy).outcome for r in (lower, higher)]
    before, after = (
        resolve_recipients(h, audience, orgs, lvl, policy, areas=AREAS).outcome for lvl in levels
    )
    assert before <= after


@PROPS
@given(data=st.data(), orgs=organisations_st, audience=audience_st)
def test_decisions_are_deterministic_whatever_the_input_order(
    data: st.DataObject, orgs: dict[str, Organisation], audience: Audience | None
) -> None:
    h = data.draw(header_st(sorted(orgs)))
    level = data.draw(st.sampled_from(list(Level)))
    items = data.draw(st.permutations(list(orgs.items())))
    first = resolve_recipients(h, audience, orgs, level, POLICY, areas=AREAS)
    again = resolve_recipients(h, audience, dict(items), level, POLICY, areas=AREAS)
    assert first == again


@PROPS
@given(data=st.data(), orgs=organisations_st, audience=audience_st)
def test_a_plain_dict_of_areas_decides_like_an_area_tree(
    data: st.DataObject, orgs: dict[str, Organisation], audience: Audience | None
) -> None:
    h = data.draw(header_st(sorted(orgs)))
    level = data.draw(st.sampled_from(list(Level)))
    indexed = resolve_recipients(h, audience, orgs, level, POLICY, areas=AREAS)
    plain = resolve_recipients(h, audience, orgs, level, POLICY, areas=dict(AREAS))
    assert indexed == plain
