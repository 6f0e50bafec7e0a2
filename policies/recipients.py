"""Who receives a report when it is published.

Guarantees (each stated as a property test in tests/policies):
- the originating organisation always receives its own report;
- no other organisation that is not approved (pending, suspended) or not known receives it;
- TLP:RED reaches only organisations the audience names: a scope audience (area, all
  partners, or the policy's default) with TLP:RED gives the originator alone;
- for a fixed audience the cooperation level does not change the recipients, and for the
  policy's default audience a higher level never gives a narrower audience (the policy loader
  refuses a file where it would) — so raising an area's risk never narrows recipients;
- the result is a frozenset, independent of the order organisations were given in.

"Approved partners in the area" (`policies.areas.concerned_areas`) means approved
organisations present in the report's area, in an area containing it (a country-wide presence
covers every province), or in an area inside it (a partner working in one district is
concerned by a report about its province).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from policies.areas import AreaMap, concerned_areas
from policies.decision import Decision, Reason, ReasonCode
from policies.facts import Audience, Organisation, ReportHeader
from policies.policyfile import Policy
from policies.vocabulary import AudienceScope, Level, Tlp

OrganisationMap = Mapping[str, Organisation]


def organisation_map(organisations: Iterable[Organisation]) -> dict[str, Organisation]:
    return {o.id: o for o in organisations}


def partners_in_area(area: str, organisations: OrganisationMap, areas: AreaMap) -> frozenset[str]:
    """Approved organisations concerned by `area` (see the module docstring)."""
    concerned = concerned_areas(area, areas)
    return frozenset(
        o.id for o in organisations.values() if o.approved and not o.areas.isdisjoint(concerned)
    )


def resolve_recipients(
    header: ReportHeader,
    audience: Audience | None,
    organisations: OrganisationMap,
    level: Level,
    policy: Policy,
    *,
    areas: AreaMap,
) -> Decision[frozenset[str]]:
    """Organisation ids whose keys the report's data key must be sealed to.

    `audience` None means the policy's default audience at `level`."""
    reasons = [Reason.of(ReasonCode.ORIGINATOR_RECEIVES)]
    named: frozenset[str] = frozenset()
    scope: AudienceScope | None
    if audience is None:
        scope = policy.at(level).default_audience
        reasons.append(Reason.of(ReasonCode.DEFAULT_AUDIENCE, level=level, scope=scope))
    else:
        scope, named = audience.scope, audience.organisations
    others: frozenset[str]
    if header.tlp is Tlp.RED and scope in (AudienceScope.AREA, AudienceScope.ALL_PARTNERS):
        reasons.append(Reason.of(ReasonCode.RED_NEEDS_NAMES, scope=scope))
        others = frozenset()
    elif named:
        kept = set()
        for org_id in sorted(named - {header.originator}):
            org = organisations.get(org_id)
            if org is None:
                reasons.append(Reason.of(ReasonCode.EXCLUDED_UNKNOWN, org=org_id))
            elif not org.approved:
                reasons.append(
                    Reason.of(ReasonCode.EXCLUDED_NOT_APPROVED, org=org_id, status=org.status)
                )
            else:
                kept.add(org_id)
        others = frozenset(kept)
        reasons.append(Reason.of(ReasonCode.AUDIENCE_NAMED, count=len(others)))
    elif scope is AudienceScope.AREA:
        others = partners_in_area(header.area, organisations, areas) - {header.originator}
        reasons.append(Reason.of(ReasonCode.AUDIENCE_AREA, area=header.area, count=len(others)))
    elif scope is AudienceScope.ALL_PARTNERS:
        others = frozenset(
            o.id for o in organisations.values() if o.approved and o.id != header.originator
        )
        reasons.append(Reason.of(ReasonCode.AUDIENCE_ALL_PARTNERS, count=len(others)))
    else:
        others = frozenset()
        reasons.append(Reason.of(ReasonCode.AUDIENCE_ORIGINATOR_ONLY))
    return Decision(others | {header.originator}, tuple(reasons))
