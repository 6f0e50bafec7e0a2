"""The area tree as the engine walks it.

Guarantees: walks always terminate (a cycle or a dangling parent in the data ends the walk
instead of looping or raising), and visit each area at most once, nearest first.

Every engine function takes the areas as a `Mapping[str, Area]`. An `AreaTree` is such a
mapping with each area's lineage and children computed once, when it is built: build one when
the areas change and reuse it across requests (it is immutable), and the decisions that need
"inside or above this area" cost set look-ups instead of tree walks. A plain dict works too,
at the price of indexing it on every call.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping

from policies.facts import Area

AreaMap = Mapping[str, Area]


def _walk(code: str, areas: AreaMap) -> tuple[str, ...]:
    chain = [code]
    seen = {code}
    area = areas.get(code)
    while area is not None and area.parent is not None and area.parent not in seen:
        chain.append(area.parent)
        seen.add(area.parent)
        area = areas.get(area.parent)
    return tuple(chain)


class AreaTree(Mapping[str, Area]):
    """An immutable, indexed area mapping (see the module docstring)."""

    __slots__ = ("_areas", "_children", "_lineage")

    def __init__(self, areas: Iterable[Area]) -> None:
        self._areas: dict[str, Area] = {a.code: a for a in areas}
        self._lineage = {code: _walk(code, self._areas) for code in self._areas}
        children: dict[str, list[str]] = defaultdict(list)
        for area in self._areas.values():
            if area.parent is not None:
                children[area.parent].append(area.code)
        self._children = {code: tuple(sorted(kids)) for code, kids in children.items()}

    def __getitem__(self, code: str) -> Area:
        return self._areas[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._areas)

    def __len__(self) -> int:
        return len(self._areas)

    def lineage(self, code: str) -> tuple[str, ...]:
        found = self._lineage.get(code)
        return found if found is not None else (code,)

    def subtree(self, code: str) -> frozenset[str]:
        """`code` and every area below it."""
        out = {code}
        stack = [code]
        while stack:
            for child in self._children.get(stack.pop(), ()):
                if child not in out:
                    out.add(child)
                    stack.append(child)
        return frozenset(out)


def area_map(areas: Iterable[Area]) -> AreaTree:
    return AreaTree(areas)


def as_tree(areas: AreaMap) -> AreaTree:
    return areas if isinstance(areas, AreaTree) else AreaTree(areas.values())


def lineage(code: str, areas: AreaMap) -> tuple[str, ...]:
    """`code`, its parent, its grandparent … up to the root. An unknown code is its own
    lineage; a parent missing from `areas` ends the walk there."""
    if isinstance(areas, AreaTree):
        return areas.lineage(code)
    return _walk(code, areas)


def depth(code: str, areas: AreaMap) -> int:
    """0 for a root (a country), 1 for its children (admin1), and so on."""
    return len(lineage(code, areas)) - 1


def concerned_areas(code: str, areas: AreaMap) -> frozenset[str]:
    """Areas whose presence makes a partner concerned by something in `code`: the area
    itself, every area containing it (a country-wide presence covers every province) and
    every area inside it (a partner in one district works inside the province a report is
    about)."""
    tree = as_tree(areas)
    return frozenset(tree.lineage(code)) | tree.subtree(code)
