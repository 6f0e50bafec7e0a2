"""What a report may be, before it is sealed: who may publish it, which types the area's
level allows, how fine its header's area may be, and how long it is kept.

Guarantees: only an approved organisation may publish; a report type is accepted only if the
policy allows it at the area's level; the header's area is never finer than the level's
`header_area_depth` (coarsened to the ancestor at that depth, never refined); retention is
fixed by the type and the level at publication, so a later level change never shortens or
extends what was promised when the report was shared.
"""

from __future__ import annotations

from datetime import datetime

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


def retained_until(
    report_type: ReportType, level: Level, published_at: datetime, policy: Policy
) -> Decision[datetime]:
    """When the retention purge must destroy a report's wraps (crypto-shredding)."""
    keep = policy.at(level).retention[report_type]
    until = published_at + keep
    return Decision(
        until,
        (
            Reason.of(
                ReasonCode.RETAINED_UNTIL,
                type=report_type,
                level=level,
                duration=keep,
                until=until,
            ),
        ),
    )
