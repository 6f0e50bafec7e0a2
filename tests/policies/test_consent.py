"""Reading and passing on: TLP 2.0 semantics and the SLT rule that nothing travels further
without the originator's consent."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policies import (
    Consent,
    Decision,
    Organisation,
    ReasonCode,
    StandingConsent,
    default_policy,
    may_read,
    may_share,
)
from policies.vocabulary import OrganisationStatus, ReportType, Tlp
from tests.policies.factories import AREAS, NOW, header, org

POLICY = default_policy()
ORIGIN = org("origin", "CD61")
HOLDER = org("holder", "CD61")
PEER = org("peer", "CD6102")  # an approved partner of the report's area (CD61)
FAR = org("far", "ML01")  # approved, but works elsewhere
SUSPENDED = org("susp", "CD61", status=OrganisationStatus.SUSPENDED)
RECIPIENTS = frozenset({"origin", "holder"})


def share(
    tlp: Tlp,
    target: Organisation = PEER,
    holder: Organisation = HOLDER,
    consents: tuple[Consent, ...] = (),
    standing: tuple[StandingConsent, ...] = (),
    at: datetime = NOW,
) -> Decision[bool]:
    return may_share(
        holder,
        target,
        header(tlp=tlp),
        RECIPIENTS,
        consents,
        standing,
        POLICY,
        areas=AREAS,
        at=at,
    )


@pytest.mark.parametrize(
    ("tlp", "to_peer", "to_far"),
    [
        (Tlp.RED, False, False),
        (Tlp.AMBER_STRICT, False, False),
        (Tlp.AMBER, False, False),
        (Tlp.GREEN, True, False),
        (Tlp.CLEAR, True, True),
    ],
)
def test_what_a_holder_may_pass_on_without_asking(tlp: Tlp, to_peer: bool, to_far: bool) -> None:
    assert share(tlp, PEER).outcome is to_peer
    assert share(tlp, FAR).outcome is to_far


@pytest.mark.parametrize("tlp", [Tlp.AMBER_STRICT, Tlp.AMBER, Tlp.GREEN])
def test_consent_for_the_report_opens_the_way(tlp: Tlp) -> None:
    d = share(tlp, FAR, consents=(Consent("R1", "far"),))
    assert d.outcome is True
    assert d.has(ReasonCode.CONSENT_GIVEN)


def test_consent_names_the_report_the_target_and_maybe_the_holder() -> None:
    assert not share(Tlp.AMBER, FAR, consents=(Consent("R2", "far"),)).outcome
    assert not share(Tlp.AMBER, FAR, consents=(Consent("R1", "peer"),)).outcome
    assert not share(Tlp.AMBER, FAR, consents=(Consent("R1", "far", via="someone"),)).outcome
    assert share(Tlp.AMBER, FAR, consents=(Consent("R1", "far", via="holder"),)).outcome


def test_red_never_travels_onward_even_with_consent() -> None:
    d = share(Tlp.RED, FAR, consents=(Consent("R1", "far"),))
    assert d.outcome is False
    assert d.has(ReasonCode.RED_NEVER_ONWARD)


def test_without_consent_the_answer_says_how_to_ask() -> None:
    d = share(Tlp.AMBER_STRICT, FAR)
    assert [r.code for r in d.reasons] == [
        ReasonCode.CONSENT_REQUIRED,
        ReasonCode.HINT_REQUEST_CONSENT,
    ]


def test_standing_consent_within_its_limits() -> None:
    sc = StandingConsent("origin", "far", max_tlp=Tlp.AMBER, areas=frozenset({"CD"}))
    assert share(Tlp.AMBER, FAR, standing=(sc,)).has(ReasonCode.STANDING_CONSENT)
    # amber+strict is stricter than the consent's max_tlp
    assert not share(Tlp.AMBER_STRICT, FAR, standing=(sc,)).outcome
    # the policy caps it too: a consent claiming amber+strict still stops at amber
    loose = StandingConsent("origin", "far", max_tlp=Tlp.AMBER_STRICT)
    assert not share(Tlp.AMBER_STRICT, FAR, standing=(loose,)).outcome
    # another area, type, originator or an expired consent does not count
    for other in (
        StandingConsent("origin", "far", max_tlp=Tlp.AMBER, areas=frozenset({"ML"})),
        StandingConsent(
            "origin", "far", max_tlp=Tlp.AMBER, report_types=frozenset({ReportType.LESSON})
        ),
        StandingConsent("someone", "far", max_tlp=Tlp.AMBER),
        StandingConsent("origin", "far", max_tlp=Tlp.AMBER, expires_at=NOW),
    ):
        assert not share(Tlp.AMBER, FAR, standing=(other,)).outcome
    soon = StandingConsent("origin", "far", max_tlp=Tlp.AMBER, expires_at=NOW + timedelta(1))
    assert share(Tlp.AMBER, FAR, standing=(soon,)).outcome


def test_the_originator_may_always_share_its_own_report() -> None:
    for tlp in Tlp:
        d = share(tlp, FAR, holder=ORIGIN)
        assert d.outcome is True
        assert d.has(ReasonCode.ORIGINATOR_SHARES)


def test_only_a_holder_can_pass_it_on() -> None:
    d = share(Tlp.CLEAR, FAR, holder=PEER)
    assert d.outcome is False
    assert d.has(ReasonCode.NOT_A_HOLDER)


def test_already_a_recipient_needs_nothing() -> None:
    d = share(Tlp.RED, org("holder", "CD61"), holder=ORIGIN)
    assert d.outcome is True
    assert d.has(ReasonCode.ALREADY_RECIPIENT)


@settings(max_examples=80, deadline=None)
@given(
    tlp=st.sampled_from(list(Tlp)),
    holder=st.sampled_from([ORIGIN, HOLDER, PEER]),
    status=st.sampled_from([OrganisationStatus.PENDING, OrganisationStatus.SUSPENDED]),
    consent=st.booleans(),
)
def test_nothing_ever_goes_to_an_unapproved_organisation(
    tlp: Tlp, holder: Organisation, status: OrganisationStatus, consent: bool
) -> None:
    target = org("far", "CD61", status=status)
    consents = (Consent("R1", "far"),) if consent else ()
    standing = (StandingConsent("origin", "far", max_tlp=Tlp.AMBER),)
    assert share(tlp, target, holder=holder, consents=consents, standing=standing).outcome is False


# Reading -----------------------------------------------------------------------------------


def test_originator_and_recipients_read_others_do_not() -> None:
    h = header(tlp=Tlp.AMBER_STRICT)
    assert may_read(ORIGIN, h, frozenset(), areas=AREAS).has(ReasonCode.IS_ORIGINATOR)
    assert may_read(HOLDER, h, RECIPIENTS, areas=AREAS).outcome is True
    d = may_read(FAR, h, RECIPIENTS, areas=AREAS)
    assert d.outcome is False
    assert [r.code for r in d.reasons] == [ReasonCode.NOT_RECIPIENT, ReasonCode.HINT_ASK_ORIGINATOR]


@pytest.mark.parametrize(
    ("tlp", "who", "hint"),
    [
        (Tlp.GREEN, PEER, ReasonCode.HINT_GREEN_ANY_HOLDER),
        (Tlp.GREEN, FAR, ReasonCode.HINT_ASK_ORIGINATOR),
        (Tlp.CLEAR, FAR, ReasonCode.HINT_CLEAR_ANY_HOLDER),
        (Tlp.RED, PEER, ReasonCode.HINT_ASK_ORIGINATOR),
        (Tlp.AMBER, SUSPENDED, ReasonCode.EXCLUDED_NOT_APPROVED),
    ],
)
def test_a_refusal_says_what_could_change_it(tlp: Tlp, who: Organisation, hint: ReasonCode) -> None:
    d = may_read(who, header(tlp=tlp), RECIPIENTS, areas=AREAS)
    assert d.outcome is False
    assert d.reasons[-1].code is hint
