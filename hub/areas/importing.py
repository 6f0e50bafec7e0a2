"""Reading area files: CSV (code, name, parent, kind) and GeoJSON (OCHA COD style too).

Parsing collects every problem with the line (CSV) or feature (GeoJSON) it comes from, so a
coordinator fixes the file in one pass; the service imports nothing unless there is none.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from hub.areas.models import AreaKind

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,11}$")
CSV_COLUMNS = {"code", "name", "parent", "kind", "name_fr", "name_en", "covers"}
# A child's kind when the file leaves it out: one administrative level below its parent.
NEXT_KIND = {
    AreaKind.COUNTRY: AreaKind.ADMIN1,
    AreaKind.ADMIN1: AreaKind.ADMIN2,
    AreaKind.ADMIN2: AreaKind.ADMIN3,
    AreaKind.ADMIN3: AreaKind.SECURITY_AREA,
    AreaKind.SECURITY_AREA: AreaKind.SECURITY_AREA,
}


@dataclass
class AreaRow:
    where: str  # "line 7" or "feature 3" — how errors name the row
    code: str
    name: str
    parent: str | None
    kind: AreaKind | None
    name_fr: str | None = None
    name_en: str | None = None
    covers: list[str] | None = None
    geometry: dict[str, Any] | None = None


@dataclass
class ImportProblem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class Parsed:
    rows: list[AreaRow] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)


def _kind(value: str | None, where: str, problems: list[ImportProblem]) -> AreaKind | None:
    if not value:
        return None
    try:
        return AreaKind(value.strip().lower())
    except ValueError:
        kinds = ", ".join(k.value for k in AreaKind)
        problems.append(ImportProblem(where, f"unknown kind {value!r} (one of {kinds})"))
        return None


def _check_code(code: str, where: str, what: str, problems: list[ImportProblem]) -> None:
    if not CODE_RE.match(code):
        problems.append(
            ImportProblem(
                where,
                f"{what} {code!r} is not a valid code (1-12 letters, digits, '_', '-', '.')",
            )
        )


def parse_csv(text: str) -> Parsed:
    out = Parsed()
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = next(reader)
    except StopIteration:
        out.problems.append(ImportProblem("line 1", "the file is empty"))
        return out
    columns = [h.strip().lower() for h in header]
    unknown = [c for c in columns if c and c not in CSV_COLUMNS]
    missing = [c for c in ("code", "name") if c not in columns]
    if missing or unknown:
        if missing:
            out.problems.append(ImportProblem("line 1", f"missing column(s): {', '.join(missing)}"))
        if unknown:
            out.problems.append(ImportProblem("line 1", f"unknown column(s): {', '.join(unknown)}"))
        return out
    for cells in reader:
        where = f"line {reader.line_num}"
        if not any(c.strip() for c in cells):
            continue
        # An HXL hashtag row (#adm1+code …) under the header, as OCHA's CSVs have.
        if all(c.strip().startswith("#") or not c.strip() for c in cells):
            continue
        if len(cells) != len(columns):
            out.problems.append(
                ImportProblem(where, f"expected {len(columns)} fields, found {len(cells)}")
            )
            continue
        values = {col: cell.strip() for col, cell in zip(columns, cells, strict=True)}
        code, name = values.get("code", ""), values.get("name", "")
        if not code:
            out.problems.append(ImportProblem(where, "code is empty"))
            continue
        _check_code(code, where, "code", out.problems)
        if not name:
            out.problems.append(ImportProblem(where, f"{code}: name is empty"))
        parent = values.get("parent") or None
        if parent:
            _check_code(parent, where, "parent", out.problems)
        covers = [c.strip() for c in values.get("covers", "").split(";") if c.strip()] or None
        out.rows.append(
            AreaRow(
                where=where,
                code=code,
                name=name,
                parent=parent,
                kind=_kind(values.get("kind"), where, out.problems),
                name_fr=values.get("name_fr") or None,
                name_en=values.get("name_en") or None,
                covers=covers,
            )
        )
    return out


# --- GeoJSON -----------------------------------------------------------------------------

_ADM_PCODE = re.compile(r"^ADM([0-4])_PCODE$", re.IGNORECASE)


def _cod_properties(
    props: dict[str, Any],
) -> tuple[str | None, str | None, str | None, str | None, str | None]:
    """code, parent, name, name_fr, name_en from OCHA COD-AB properties (ADM2_PCODE …)."""
    levels = {int(m.group(1)): k for k in props if (m := _ADM_PCODE.match(k))}
    if not levels:
        return None, None, None, None, None
    deepest = max(levels)
    code = str(props[levels[deepest]] or "") or None
    parent = str(props[levels[deepest - 1]] or "") or None if deepest - 1 in levels else None

    def text(*keys: str) -> str | None:
        for key in keys:
            for k, v in props.items():
                if k.upper() == key and v:
                    return str(v)
        return None

    n = deepest
    return (
        code,
        parent,
        text(f"ADM{n}_REF", f"ADM{n}_NAME", f"ADM{n}_FR", f"ADM{n}_EN"),
        text(f"ADM{n}_FR"),
        text(f"ADM{n}_EN"),
    )


def _position_problem(pos: Any) -> str | None:
    if not isinstance(pos, list) or len(pos) < 2:
        return "a position is not [longitude, latitude]"
    lon, lat = pos[0], pos[1]
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lon, lat)):
        return "a coordinate is not a number"
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return "a coordinate is not finite"
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return f"position [{lon}, {lat}] is outside longitude ±180 / latitude ±90"
    return None


def _ring_problem(ring: Any, label: str) -> str | None:
    if not isinstance(ring, list) or len(ring) < 4:
        return f"{label} has fewer than 4 positions"
    for pos in ring:
        if problem := _position_problem(pos):
            return f"{label}: {problem}"
    if ring[0][:2] != ring[-1][:2]:
        return f"{label} is not closed (first and last positions differ)"
    return None


def geometry_problem(geometry: Any) -> str | None:
    """Why a GeoJSON geometry is unusable, or None. Checks structure, ranges and closed
    rings; it does not check self-intersection (the map draws such shapes regardless)."""
    if not isinstance(geometry, dict):
        return "geometry is not an object"
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    if kind == "Point":
        return _position_problem(coords)
    if kind == "Polygon":
        if not isinstance(coords, list) or not coords:
            return "a polygon needs at least one ring"
        for i, ring in enumerate(coords, 1):
            if problem := _ring_problem(ring, f"ring {i}"):
                return problem
        return None
    if kind == "MultiPolygon":
        if not isinstance(coords, list) or not coords:
            return "a multipolygon needs at least one polygon"
        for p, polygon in enumerate(coords, 1):
            if not isinstance(polygon, list) or not polygon:
                return f"polygon {p} has no ring"
            for i, ring in enumerate(polygon, 1):
                if problem := _ring_problem(ring, f"polygon {p} ring {i}"):
                    return problem
        return None
    return f"geometry type {kind!r} is not supported (Point, Polygon, MultiPolygon)"


def parse_geojson(text: str) -> Parsed:
    out = Parsed()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        out.problems.append(ImportProblem(f"line {exc.lineno}", f"not valid JSON: {exc.msg}"))
        return out
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        out.problems.append(ImportProblem("file", "expected a GeoJSON FeatureCollection"))
        return out
    features = data.get("features")
    if not isinstance(features, list):
        out.problems.append(ImportProblem("file", "the FeatureCollection has no features list"))
        return out
    for index, feature in enumerate(features, 1):
        where = f"feature {index}"
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            out.problems.append(ImportProblem(where, "not a GeoJSON Feature"))
            continue
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            out.problems.append(ImportProblem(where, "properties is not an object"))
            continue
        cod_code, cod_parent, cod_name, cod_fr, cod_en = _cod_properties(props)
        code = str(props.get("code") or cod_code or "").strip()
        if not code:
            out.problems.append(ImportProblem(where, "no code (property 'code' or ADMn_PCODE)"))
            continue
        where = f"feature {index} ({code})"
        _check_code(code, where, "code", out.problems)
        name = str(props.get("name") or cod_name or "").strip()
        if not name:
            out.problems.append(ImportProblem(where, "name is empty"))
        parent = str(props.get("parent") or cod_parent or "").strip() or None
        if parent:
            _check_code(parent, where, "parent", out.problems)
        geometry = feature.get("geometry")
        if geometry is not None and (problem := geometry_problem(geometry)):
            out.problems.append(ImportProblem(where, f"invalid geometry: {problem}"))
        covers_value = props.get("covers")
        covers = [str(c) for c in covers_value] if isinstance(covers_value, list) else None
        out.rows.append(
            AreaRow(
                where=where,
                code=code,
                name=name,
                parent=parent,
                kind=_kind(props.get("kind"), where, out.problems),
                name_fr=props.get("name_fr") or cod_fr,
                name_en=props.get("name_en") or cod_en,
                covers=covers,
                geometry=geometry,
            )
        )
    return out


def parse_file(name: str, text: str) -> Parsed:
    lowered = name.lower()
    if lowered.endswith((".geojson", ".json")):
        return parse_geojson(text)
    return parse_csv(text)
