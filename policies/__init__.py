"""SLT Hub's policy engine: pure functions from facts to decisions.

Guarantees: nothing in this package performs I/O (except `load_policy`, which reads the one
file it is given, and the shipped default), reads the clock, or imports any other part of the
project; every decision is a `Decision` carrying structured reasons that `explain` renders in
French or English. tests/policies/test_purity.py enforces the first part.

The hub's usual sequence for a new report:

    policy = load_policy(settings.policy_file)                      # once, at start-up
    areas = area_map(rows)                # an AreaTree: rebuild when areas change, reuse
    standing = area_standing(area, areas, assessments, now, policy) # risk, level, no-go
    may_publish(org, type, standing.outcome.level, policy)          # refuse if False
    header_area(area, areas, level, policy)                         # coarsen the header
    recipients = resolve_recipients(header, audience, orgs, level, policy, areas=areas)
    alert_plan(header, level, recipients.outcome, designations, policy, now, areas=areas)

docs/policy-file.md has the rules and the rest of the calls.
"""

from policies.alerting import (
    AlertPlan,
    AlertRoute,
    Delivery,
    PlannedStep,
    alert_plan,
    in_quiet_hours,
    level_change_plan,
    quiet_hours_end,
)
from policies.areas import AreaMap, AreaTree, area_map, concerned_areas, depth, lineage
from policies.consent import may_read, may_share
from policies.decision import Decision, Reason, ReasonCode
from policies.explain import explain, explain_lines, render_reason
from policies.facts import (
    Area,
    Assessment,
    Audience,
    Consent,
    Designation,
    Organisation,
    QuietHours,
    ReportHeader,
    StandingConsent,
)
from policies.levels import (
    Change,
    Standing,
    Transition,
    area_standing,
    can_lower_level,
    check_temporary_raise,
    cooperation_level,
    effective_risk,
    index_assessments,
    lapsing_between,
    raise_expiry,
    reviews_due,
)
from policies.policyfile import (
    EscalationStep,
    LevelPolicy,
    Policy,
    PolicyError,
    PolicyInvalid,
    check_policy,
    default_policy,
    load_policy,
    parse_policy,
)
from policies.publishing import header_area, may_publish, retained_until
from policies.recipients import organisation_map, partners_in_area, resolve_recipients

__all__ = [
    "AlertPlan",
    "AlertRoute",
    "Area",
    "AreaMap",
    "AreaTree",
    "Assessment",
    "Audience",
    "Change",
    "Consent",
    "Decision",
    "Delivery",
    "Designation",
    "EscalationStep",
    "LevelPolicy",
    "Organisation",
    "PlannedStep",
    "Policy",
    "PolicyError",
    "PolicyInvalid",
    "QuietHours",
    "Reason",
    "ReasonCode",
    "ReportHeader",
    "Standing",
    "StandingConsent",
    "Transition",
    "alert_plan",
    "area_map",
    "area_standing",
    "can_lower_level",
    "check_policy",
    "check_temporary_raise",
    "concerned_areas",
    "cooperation_level",
    "default_policy",
    "depth",
    "effective_risk",
    "explain",
    "explain_lines",
    "header_area",
    "in_quiet_hours",
    "index_assessments",
    "lapsing_between",
    "level_change_plan",
    "lineage",
    "load_policy",
    "may_publish",
    "may_read",
    "may_share",
    "organisation_map",
    "parse_policy",
    "partners_in_area",
    "quiet_hours_end",
    "raise_expiry",
    "render_reason",
    "resolve_recipients",
    "retained_until",
    "reviews_due",
]
