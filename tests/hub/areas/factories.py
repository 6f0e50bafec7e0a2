"""Area trees for tests, imported through the service as a coordinator's file would be."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from hub.actors import CONSOLE
from hub.areas import service
from hub.areas.importing import parse_csv, parse_geojson

TREE_CSV = """code,name,parent,kind,name_fr,name_en
CD,RD Congo,,country,République démocratique du Congo,Democratic Republic of the Congo
CD61,Nord-Kivu,CD,admin1,,
CD6102,Rutshuru,CD61,admin2,,
CD6103,Masisi,CD61,admin2,,
CD62,Sud-Kivu,CD,admin1,,
CD6201,Kalehe,CD62,admin2,,
"""


def make_tree(session: Session) -> None:
    service.import_areas(session, actor=CONSOLE, parsed=parse_csv(TREE_CSV), dataset="test")


def _square(west: float, south: float, size: float) -> dict[str, object]:
    ring = [[west, south], [west + size, south], [west + size, south + size], [west, south + size]]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


BOUNDARIES = {
    "type": "FeatureCollection",
    "features": [
        {"type": "Feature", "properties": props, "geometry": geometry}
        for props, geometry in (
            (
                {"code": "CD61", "name": "Nord-Kivu", "parent": "CD", "kind": "admin1"},
                _square(28.0, -1.0, 2.0),
            ),
            (
                {"code": "CD6102", "name": "Rutshuru", "parent": "CD61", "kind": "admin2"},
                _square(29.0, -0.5, 1.0),
            ),
            (
                {"code": "CD6103", "name": "Masisi", "parent": "CD61", "kind": "admin2"},
                _square(28.0, -1.0, 1.0),
            ),
        )
    ],
}


def add_boundaries(session: Session) -> None:
    """Boundaries for North Kivu and two of its territories (squares, test data) on the tree
    of make_tree."""
    service.import_areas(
        session, actor=CONSOLE, parsed=parse_geojson(json.dumps(BOUNDARIES)), dataset="test"
    )
