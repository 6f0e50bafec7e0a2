"""The area tree as the engine walks it: a mapping from code to `Area`.

Guarantees: walks always terminate (a cycle or a dangling parent in the data ends the walk
instead of looping or raising), and they visit each area at most once, nearest first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from policies.facts import Area

AreaMap = Mapping[str, Area]


def area_map(areas: Iterable[Area]) -> dict[str, Area]:
    return {a.code: a for a in areas}


def lineage(code: str, areas: AreaMap) -> tuple[str, ...]:
    """`code`, its parent, its grandparent … up to the root. An unknown code is its own
    lineage; a parent missing from `areas` ends the walk there."""
    chain = [code]
    seen = {code}
    area = areas.get(code)
    while area is not None and area.parent is not None and area.parent not in seen:
        chain.append(area.parent)
        seen.add(area.parent)
        area = areas.get(area.parent)
    return tuple(chain)


def depth(code: str, areas: AreaMap) -> int:
    """0 for a root (a country), 1 for its children (admin1), and so on."""
    return len(lineage(code, areas)) - 1


def related(presence: str, area: str, area_lineage: frozenset[str], areas: AreaMap) -> bool:
    """True when a partner present in `presence` is concerned by something in `area`: the
    same area, an area containing it (a country-wide presence covers every province), or an
    area inside it (a partner in one district works inside the province the report is about).
    `area_lineage` is `frozenset(lineage(area, areas))`, computed once by the caller."""
    return presence in area_lineage or area in lineage(presence, areas)
