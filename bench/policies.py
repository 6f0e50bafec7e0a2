"""µs per policy decision on a large, realistic world.

    python -m bench.policies [--quick]

The world: a 5,130-area tree (5 countries → 25 admin1 each → 8 admin2 → 4 admin3), risk
assessments with history on about one area in ten, and 2,000 organisations each present in
one to three areas. Goal: ≤ 1 ms for `resolve_recipients` and for `effective_risk`. The
figures are printed, never asserted: a benchmark that fails on a busy machine teaches nothing.
"""

from __future__ import annotations

import argparse
import platform
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bench._timing import per_call_us
from policies import (
    Area,
    AreaTree,
    Assessment,
    Audience,
    Designation,
    Organisation,
    ReportHeader,
    alert_plan,
    area_map,
    default_policy,
    effective_risk,
    index_assessments,
    lineage,
    organisation_map,
    resolve_recipients,
)
from policies.vocabulary import (
    AudienceScope,
    Level,
    OrganisationKind,
    OrganisationStatus,
    ReportType,
    Risk,
    Severity,
    Tlp,
)

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


World = tuple[
    AreaTree, dict[str, tuple[Assessment, ...]], dict[str, Organisation], list[Designation]
]


def build_world(seed: int = 4) -> World:
    rng = random.Random(seed)
    areas: list[Area] = []
    for c in range(5):
        country = f"C{c}"
        areas.append(Area(country))
        for a1 in range(25):
            adm1 = f"{country}{a1:02d}"
            areas.append(Area(adm1, country))
            for a2 in range(8):
                adm2 = f"{adm1}{a2:02d}"
                areas.append(Area(adm2, adm1))
                for a3 in range(4):
                    areas.append(Area(f"{adm2}{a3:02d}", adm2))
    tree = area_map(areas)
    codes = sorted(tree)
    rows: list[Assessment] = []
    for code in rng.sample(codes, len(codes) // 10):
        for h in range(rng.randint(1, 3)):
            start = NOW - timedelta(days=30 * (h + 1))
            expiry = start + timedelta(days=20) if rng.random() < 0.3 else None
            rows.append(Assessment(code, rng.choice(list(Risk)), start, expiry))
    for c in range(5):  # every country assessed, so deep areas inherit from far up
        rows.append(Assessment(f"C{c}", Risk.MEDIUM, NOW - timedelta(days=400)))
    statuses = [OrganisationStatus.APPROVED] * 8 + [
        OrganisationStatus.PENDING,
        OrganisationStatus.SUSPENDED,
    ]
    orgs = organisation_map(
        Organisation(
            f"org{i:04d}",
            rng.choice(list(OrganisationKind)),
            rng.choice(statuses),
            frozenset(rng.sample(codes, rng.randint(1, 3))),
        )
        for i in range(2000)
    )
    designations = [
        Designation(f"liaison{i:04d}", f"org{i % 2000:04d}", frozenset(rng.sample(codes, 2)))
        for i in range(500)
    ]
    return tree, index_assessments(rows), orgs, designations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    args = parser.parse_args()
    repeat = 3 if args.quick else 7
    policy = default_policy()
    tree, assessments, orgs, designations = build_world()
    # The worst case: an admin3 area that inherits its risk from its country, four steps up.
    unassessed = next(
        c
        for c in sorted(tree)
        if len(c) == 8 and all(a not in assessments for a in lineage(c, tree)[:-1])
    )
    header = ReportHeader(
        "R1", ReportType.INCIDENT, "C200", Severity.SEVERE, Tlp.AMBER, originator="org0000"
    )
    country = replace(header, area="C2")
    # What a caller pays for passing a dict instead of a reusable AreaTree: indexing per call.
    plain = dict(tree)
    named = Audience.named(*[f"org{i:04d}" for i in range(0, 2000, 100)])
    area_scope = Audience.of_scope(AudienceScope.AREA)
    everyone = Audience.of_scope(AudienceScope.ALL_PARTNERS)
    recipients = resolve_recipients(
        header, area_scope, orgs, Level.ENHANCED, policy, areas=tree
    ).outcome

    cases = [
        (
            "effective_risk, admin3 inheriting 3 up",
            lambda: effective_risk(unassessed, tree, assessments, NOW, policy),
        ),
        (
            "effective_risk, unknown area",
            lambda: effective_risk("ZZ", tree, assessments, NOW, policy),
        ),
        (
            "resolve_recipients, area scope (admin1)",
            lambda: resolve_recipients(
                header, area_scope, orgs, Level.ENHANCED, policy, areas=tree
            ),
        ),
        (
            "resolve_recipients, area scope (country)",
            lambda: resolve_recipients(
                country, area_scope, orgs, Level.ENHANCED, policy, areas=tree
            ),
        ),
        (
            "resolve_recipients, admin1, plain dict",
            lambda: resolve_recipients(
                header, area_scope, orgs, Level.ENHANCED, policy, areas=plain
            ),
        ),
        (
            "resolve_recipients, all partners",
            lambda: resolve_recipients(header, everyone, orgs, Level.ENHANCED, policy, areas=tree),
        ),
        (
            "resolve_recipients, 20 named",
            lambda: resolve_recipients(header, named, orgs, Level.ENHANCED, policy, areas=tree),
        ),
        (
            "alert_plan, 500 designations",
            lambda: alert_plan(
                header, Level.ENHANCED, recipients, designations, policy, NOW, areas=tree
            ),
        ),
    ]
    print(
        f"policies bench — {len(tree):,} areas, {len(orgs):,} organisations, "
        f"{sum(map(len, assessments.values())):,} assessments; "
        f"Python {platform.python_version()} on {platform.machine()}"
    )
    print(f"{'decision':<42}{'µs':>10}")
    for name, fn in cases:
        print(f"{name:<42}{per_call_us(fn, repeat=repeat):>10,.1f}")
    print(f"(area scope reached {len(recipients) - 1} partners of {len(orgs):,}; goal ≤ 1,000 µs)")


if __name__ == "__main__":
    main()
