"""The situation map: areas drawn server-side as inline SVG from the boundaries imported with
them (GeoJSON geometry kept on `areas.geometry`), each area a link to its page, coloured by
its risk (which gives its level), with the legend and every area also said in words.

No tiles and nothing fetched: a light page for a 2G connection. Coordinates are projected
(equirectangular, longitude scaled by the cosine of the middle latitude), rounded to whole
units of a 400-wide view box and simplified (Douglas-Peucker, one unit) so that a COD-AB
boundary of thousands of points costs a few hundred bytes on the page.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

WIDTH = 400
MAX_HEIGHT = 400
# Tolerance of the simplification, in view-box units.
TOLERANCE = 1.0

Point = tuple[float, float]


@dataclass(frozen=True)
class MapArea:
    code: str
    name: str
    level: str
    risk: str
    geometry: dict[str, Any]
    # Words for the area's <title>: "Rutshuru: enhanced cooperation, high risk".
    says: str


def _rings(geometry: dict[str, Any]) -> list[list[Point]]:
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon":
        return [[(float(p[0]), float(p[1])) for p in ring] for ring in coords or []]
    if kind == "MultiPolygon":
        rings = [ring for polygon in coords or [] for ring in polygon]
        return [[(float(p[0]), float(p[1])) for p in ring] for ring in rings]
    return []


def _point(geometry: dict[str, Any]) -> Point | None:
    if geometry.get("type") == "Point":
        c = geometry.get("coordinates") or []
        return float(c[0]), float(c[1])
    return None


def _simplify(points: Sequence[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker, iterative (a long boundary would overflow recursion)."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        norm = math.hypot(dx, dy)
        worst, where = 0.0, -1
        for i in range(first + 1, last):
            px, py = points[i]
            if norm == 0:
                d = math.hypot(px - x1, py - y1)
            else:
                d = abs(dy * px - dx * py + x2 * y1 - y2 * x1) / norm
            if d > worst:
                worst, where = d, i
        if worst > tolerance and where > 0:
            keep[where] = True
            stack.append((first, where))
            stack.append((where, last))
    return [p for p, k in zip(points, keep, strict=True) if k]


class _Projection:
    def __init__(self, areas: Iterable[MapArea]) -> None:
        xs: list[float] = []
        ys: list[float] = []
        for area in areas:
            for ring in _rings(area.geometry):
                xs.extend(p[0] for p in ring)
                ys.extend(p[1] for p in ring)
            if (pt := _point(area.geometry)) is not None:
                xs.append(pt[0])
                ys.append(pt[1])
        self.empty = not xs
        if self.empty:
            return
        self.west, self.east = min(xs), max(xs)
        self.south, self.north = min(ys), max(ys)
        self.kx = math.cos(math.radians((self.north + self.south) / 2))
        span_x = max((self.east - self.west) * self.kx, 1e-9)
        span_y = max(self.north - self.south, 1e-9)
        self.scale = min(WIDTH / span_x, MAX_HEIGHT / span_y)
        self.width = max(1, round(span_x * self.scale))
        self.height = max(1, round(span_y * self.scale))

    def __call__(self, p: Point) -> Point:
        return (
            (p[0] - self.west) * self.kx * self.scale,
            (self.north - p[1]) * self.scale,
        )


def _path(rings: list[list[Point]], project: _Projection) -> str:
    parts = []
    for ring in rings:
        projected = _simplify([project(p) for p in ring], TOLERANCE)
        points: list[tuple[int, int]] = []
        for x, y in projected:
            q = (round(x), round(y))
            if not points or points[-1] != q:
                points.append(q)
        if len(points) > 1 and points[0] == points[-1]:
            points.pop()
        if len(points) < 3:
            continue
        head, *rest = points
        parts.append(f"M{head[0]} {head[1]}L" + " ".join(f"{x} {y}" for x, y in rest) + "Z")
    return "".join(parts)


def area_map(areas: Sequence[MapArea], *, label: str) -> Markup | None:
    """The SVG of `areas` (drawn in the given order: parents before children, so a child
    paints over its parent), or None when none has a boundary. `label` names the map for
    screen readers; the page lists the same areas in words next to it."""
    drawable = [a for a in areas if _rings(a.geometry) or _point(a.geometry)]
    if not drawable:
        return None
    project = _Projection(drawable)
    if project.empty:
        return None
    shapes = []
    for area in drawable:
        title = Markup("<title>{}</title>").format(area.says)
        css = f"m-{area.risk}"
        if (pt := _point(area.geometry)) is not None:
            x, y = project(pt)
            shape = Markup('<circle class="{}" cx="{}" cy="{}" r="6">{}</circle>').format(
                css, round(x), round(y), title
            )
        else:
            d = _path(_rings(area.geometry), project)
            if not d:
                continue
            shape = Markup('<path class="{}" d="{}">{}</path>').format(css, d, title)
        shapes.append(Markup('<a href="/areas/{}">{}</a>').format(area.code, shape))
    return Markup(
        '<svg class="map" viewBox="-2 -2 {w} {h}"><title>{label}</title>{body}</svg>'
    ).format(
        w=project.width + 4,
        h=project.height + 4,
        label=label,
        body=Markup("").join(shapes),
    )
