"""What a report may be, before it is sealed: who may publish it, which types the area's
level allows, and how fine its header's area may be.

Guarantees: only an approved organisation may publish; a report type is accepted only if the
policy allows it at the area's level; the header's area is never finer than the level's
`header_area_depth` (coarsened to the ancestor at that depth, never refined).
"""

from __future__ import annotations

from policies.areas import AreaMap, lineage
from policies.decision import Decision, Reason, ReasonCode
from policies.facts import Organisation
from policies.policyfile import Policy
from policies.vocabulary import Level, ReportType


def may_publish(
    organisation: Organisation, report_type: ReportType, level: Level, policy: Policy
) -> Decision[bool]:
    reasons: list[Reason] = []
    if not organisation.approved:
        reasons.append(
            Reason.of(
                ReasonCode.PUBLISHER_NOT_APPROVED,
                org=organisation.id,
                status=organisation.status,
            )
        )
    allowed = report_type in policy.at(level).report_types
    code = ReasonCode.TYPE_ALLOWED if allowed else ReasonCode.TYPE_NOT_ALLOWED
    reasons.append(Reason.of(code, type=report_type, level=level))
    return Decision(organisation.approved and allowed, tuple(reasons))


def header_area(area_code: str, areas: AreaMap, level: Level, policy: Policy) -> Decision[str]:
    """The area code a header may carry for a report about `area_code`: itself when it is
    coarse enough, else its ancestor at the level's `header_area_depth`. The finer code
    belongs in the sealed body."""
    chain = lineage(area_code, areas)
    allowed = policy.at(level).header_area_depth
    depth = len(chain) - 1
    if depth <= allowed:
        return Decision(
            area_code, (Reason.of(ReasonCode.AREA_PRECISE_ENOUGH, area=area_code, depth=allowed),)
        )
    coarse = chain[depth - allowed]
    return Decision(
        coarse,
        (
            Reason.of(
                ReasonCode.AREA_COARSENED,
                area=area_code,
                to_area=coarse,
                depth=allowed,
                level=level,
            ),
        ),
    )
