"""Who may read a report, and who may pass it on to whom (TLP 2.0 and the SLT consent rule).

Guarantees:
- only the originator and the organisations a report was sealed to can read it;
- nothing ever goes to an organisation that is not approved;
- the originator may always share its own report (for TLP:RED that is naming one more
  recipient, which only the originator can do);
- any other holder: TLP:RED never; TLP:AMBER+STRICT and TLP:AMBER only with the originator's
  consent (for this report, or a standing consent that covers it); TLP:GREEN to approved
  partners of the report's area without asking (beyond them, with consent); TLP:CLEAR to
  anyone approved.

TLP:AMBER's "and their implementing partners, on a need-to-know basis" concerns what a
recipient does outside the hub; inside it, amber and amber+strict need the same consent.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from policies.areas import AreaMap, lineage
from policies.decision import Decision, Reason, ReasonCode
from policies.facts import Consent, Organisation, ReportHeader, StandingConsent
from policies.policyfile import Policy
from policies.recipients import partners_in_area
from policies.vocabulary import Tlp, tlp_rank


def _in_area_community(target: Organisation, header: ReportHeader, areas: AreaMap) -> bool:
    return bool(partners_in_area(header.area, {target.id: target}, areas))


def may_read(
    organisation: Organisation,
    header: ReportHeader,
    recipients: frozenset[str],
    *,
    areas: AreaMap,
) -> Decision[bool]:
    """Can `organisation` read the report? `recipients` are the organisations it is sealed
    to now (including those added later with consent).

    For an anonymous report, show an IS_ORIGINATOR answer only to the originator itself."""
    org, report = organisation.id, header.id
    if org == header.originator:
        return Decision(True, (Reason.of(ReasonCode.IS_ORIGINATOR, org=org, report=report),))
    if org in recipients:
        return Decision(
            True, (Reason.of(ReasonCode.IS_RECIPIENT, org=org, report=report, tlp=header.tlp),)
        )
    reasons = [Reason.of(ReasonCode.NOT_RECIPIENT, org=org, report=report, tlp=header.tlp)]
    if not organisation.approved:
        reasons.append(
            Reason.of(ReasonCode.EXCLUDED_NOT_APPROVED, org=org, status=organisation.status)
        )
    elif header.tlp is Tlp.CLEAR:
        reasons.append(Reason.of(ReasonCode.HINT_CLEAR_ANY_HOLDER, org=org))
    elif header.tlp is Tlp.GREEN and _in_area_community(organisation, header, areas):
        reasons.append(Reason.of(ReasonCode.HINT_GREEN_ANY_HOLDER, org=org, area=header.area))
    else:
        reasons.append(Reason.of(ReasonCode.HINT_ASK_ORIGINATOR, org=org))
    return Decision(False, tuple(reasons))


def _standing_covers(
    sc: StandingConsent,
    header: ReportHeader,
    target: str,
    policy: Policy,
    areas: AreaMap,
    at: datetime,
) -> bool:
    cap = min(tlp_rank(sc.max_tlp), tlp_rank(policy.standing_consent_max_tlp))
    return (
        sc.originator == header.originator
        and sc.target == target
        and tlp_rank(header.tlp) <= cap
        and (not sc.report_types or header.type in sc.report_types)
        and (not sc.areas or not sc.areas.isdisjoint(lineage(header.area, areas)))
        and (sc.expires_at is None or at < sc.expires_at)
    )


def may_share(
    holder: Organisation,
    target: Organisation,
    header: ReportHeader,
    recipients: frozenset[str],
    consents: Iterable[Consent],
    standing_consents: Iterable[StandingConsent],
    policy: Policy,
    *,
    areas: AreaMap,
    at: datetime,
    revoked: frozenset[str] = frozenset(),
) -> Decision[bool]:
    """May `holder` seal the report's data key to `target` now?

    True with ALREADY_RECIPIENT means there is nothing to do. False with CONSENT_REQUIRED
    means a share request to the originator is the way forward.

    `revoked` holds the organisations the originator took the report away from. Revocation
    is the originator's word on that organisation and that report, so it outranks every
    shortcut a holder could use (TLP:CLEAR or GREEN, a standing consent): only the
    originator, or its consent given for this report, hands it back."""
    report = header.id
    if holder.id != header.originator and holder.id not in recipients:
        return Decision(False, (Reason.of(ReasonCode.NOT_A_HOLDER, org=holder.id, report=report),))
    if not target.approved:
        return Decision(
            False,
            (Reason.of(ReasonCode.TARGET_NOT_APPROVED, target=target.id, status=target.status),),
        )
    if target.id in recipients or target.id == header.originator:
        return Decision(
            True, (Reason.of(ReasonCode.ALREADY_RECIPIENT, target=target.id, report=report),)
        )
    if holder.id == header.originator:
        return Decision(
            True,
            (Reason.of(ReasonCode.ORIGINATOR_SHARES, holder=holder.id, target=target.id),),
        )
    if header.tlp is Tlp.RED:
        return Decision(False, (Reason.of(ReasonCode.RED_NEVER_ONWARD, report=report),))
    if target.id in revoked:
        return _revoked(holder, target, header, consents)
    if header.tlp is Tlp.CLEAR:
        return Decision(True, (Reason.of(ReasonCode.CLEAR_ANYONE, report=report),))
    reasons: list[Reason] = []
    if header.tlp is Tlp.GREEN:
        if _in_area_community(target, header, areas):
            return Decision(
                True,
                (Reason.of(ReasonCode.GREEN_COMMUNITY, target=target.id, area=header.area),),
            )
        reasons.append(Reason.of(ReasonCode.GREEN_OUTSIDE_AREA, target=target.id, area=header.area))
    for consent in consents:
        if (
            consent.report_id == report
            and consent.target == target.id
            and consent.via in (None, holder.id)
        ):
            reasons.append(Reason.of(ReasonCode.CONSENT_GIVEN, target=target.id, report=report))
            return Decision(True, tuple(reasons))
    for sc in standing_consents:
        if _standing_covers(sc, header, target.id, policy, areas, at):
            reasons.append(Reason.of(ReasonCode.STANDING_CONSENT, target=target.id, report=report))
            return Decision(True, tuple(reasons))
    reasons.append(
        Reason.of(
            ReasonCode.CONSENT_REQUIRED,
            holder=holder.id,
            target=target.id,
            report=report,
            tlp=header.tlp,
        )
    )
    reasons.append(Reason.of(ReasonCode.HINT_REQUEST_CONSENT, holder=holder.id))
    return Decision(False, tuple(reasons))


def _revoked(
    holder: Organisation, target: Organisation, header: ReportHeader, consents: Iterable[Consent]
) -> Decision[bool]:
    reasons = [Reason.of(ReasonCode.REVOKED_BY_ORIGINATOR, target=target.id, report=header.id)]
    for consent in consents:
        if (
            consent.report_id == header.id
            and consent.target == target.id
            and consent.via in (None, holder.id)
        ):
            reasons.append(Reason.of(ReasonCode.CONSENT_GIVEN, target=target.id, report=header.id))
            return Decision(True, tuple(reasons))
    reasons.append(
        Reason.of(
            ReasonCode.CONSENT_REQUIRED,
            holder=holder.id,
            target=target.id,
            report=header.id,
            tlp=header.tlp,
        )
    )
    reasons.append(Reason.of(ReasonCode.HINT_REQUEST_CONSENT, holder=holder.id))
    return Decision(False, tuple(reasons))
