"""Area files: all or nothing, every problem named by its line or feature."""

import json

import pytest
from sqlalchemy import func, select

from hub.actors import CONSOLE
from hub.areas import service
from hub.areas.importing import parse_csv, parse_file, parse_geojson
from hub.areas.models import Area, AreaKind

from .factories import TREE_CSV, make_tree


def _count(session) -> int:
    return session.scalar(select(func.count()).select_from(Area))


def test_csv_import_builds_the_tree_with_inferred_kinds(db_session) -> None:
    csv_text = (
        "code,name,parent\nSO,Somalia,\n#country+code,#country+name,#x\n"
        "SO22,Banadir,SO\nSO2201,Mogadishu,SO22\n"
    )
    result = service.import_areas(db_session, actor=CONSOLE, parsed=parse_csv(csv_text))
    assert (result.created, result.updated) == (3, 0)
    assert db_session.get(Area, "SO").kind is AreaKind.COUNTRY
    assert db_session.get(Area, "SO22").kind is AreaKind.ADMIN1
    assert db_session.get(Area, "SO2201").kind is AreaKind.ADMIN2
    assert db_session.get(Area, "SO2201").parent_code == "SO22"


def test_reimport_updates_names(db_session) -> None:
    make_tree(db_session)
    updated = TREE_CSV.replace("Rutshuru,CD61", "Rutshuru (territoire),CD61")
    result = service.import_areas(db_session, actor=CONSOLE, parsed=parse_csv(updated))
    assert result.updated == 6
    assert db_session.get(Area, "CD6102").name == "Rutshuru (territoire)"


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("CD6199,Nowhere,CD69,admin2", "unknown parent CD69"),
        ("CD6102,Rutshuru again,CD61,admin2", "duplicate code CD6102"),
        ("CD 61 02,Spaces,CD61,admin2", "is not a valid code"),
        ("CD6104,Lubero,CD61,province", "unknown kind"),
        ("CD6105,,CD61,admin2", "name is empty"),
        ("CD6106,Too,many,fields,here", "expected 4 fields"),
    ],
)
def test_one_bad_line_imports_nothing_and_is_named(db_session, bad_line, message) -> None:
    text = (
        "code,name,parent,kind\nCD,Congo,,country\nCD61,Nord-Kivu,CD,admin1\n"
        "CD6102,Rutshuru,CD61,admin2\n"
    )
    text += bad_line + "\n"
    with pytest.raises(service.ImportRejected) as caught:
        service.import_areas(db_session, actor=CONSOLE, parsed=parse_csv(text))
    problems = [str(p) for p in caught.value.problems]
    assert any(p.startswith("line 5:") and message in p for p in problems), problems
    assert _count(db_session) == 0


def test_a_cycle_is_refused(db_session) -> None:
    text = "code,name,parent\nAA,A,BB\nBB,B,AA\n"
    with pytest.raises(service.ImportRejected) as caught:
        service.import_areas(db_session, actor=CONSOLE, parsed=parse_csv(text))
    assert any("parent cycle" in str(p) for p in caught.value.problems)
    assert _count(db_session) == 0


def test_cycle_through_an_existing_area(db_session) -> None:
    make_tree(db_session)
    text = "code,name,parent\nCD,Congo,CD6102\n"
    with pytest.raises(service.ImportRejected):
        service.import_areas(db_session, actor=CONSOLE, parsed=parse_csv(text))
    assert db_session.get(Area, "CD").parent_code is None


def test_missing_columns_and_empty_file() -> None:
    assert "missing column(s): name" in str(parse_csv("code,parent\nCD,\n").problems[0])
    assert parse_csv("").problems[0].message == "the file is empty"


SQUARE = [[[29.0, -1.0], [29.5, -1.0], [29.5, -1.5], [29.0, -1.5], [29.0, -1.0]]]


def _feature(props, geometry=None):
    return {"type": "Feature", "properties": props, "geometry": geometry}


def test_geojson_cod_style_properties_and_geometry(db_session) -> None:
    collection = {
        "type": "FeatureCollection",
        "features": [
            _feature({"ADM0_PCODE": "CD", "ADM0_FR": "RDC"}),
            _feature({"ADM0_PCODE": "CD", "ADM1_PCODE": "CD61", "ADM1_FR": "Nord-Kivu"}),
            _feature(
                {"ADM1_PCODE": "CD61", "ADM2_PCODE": "CD6102", "ADM2_FR": "Rutshuru"},
                {"type": "Polygon", "coordinates": SQUARE},
            ),
        ],
    }
    parsed = parse_file("cod-ab.geojson", json.dumps(collection))
    assert parsed.problems == []
    service.import_areas(db_session, actor=CONSOLE, parsed=parsed)
    area = db_session.get(Area, "CD6102")
    assert (area.name, area.name_fr, area.parent_code) == ("Rutshuru", "Rutshuru", "CD61")
    assert area.geometry["type"] == "Polygon"


@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        ({"type": "Polygon", "coordinates": [SQUARE[0][:-1]]}, "is not closed"),
        ({"type": "Polygon", "coordinates": [[[200, 0], [0, 0], [0, 1], [200, 0]]]}, "outside"),
        ({"type": "LineString", "coordinates": [[0, 0], [1, 1]]}, "not supported"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [0, 0]]]}, "fewer than 4"),
    ],
)
def test_invalid_geometry_names_the_feature(db_session, geometry, message) -> None:
    collection = {
        "type": "FeatureCollection",
        "features": [
            _feature({"code": "XX", "name": "X"}),
            _feature({"code": "XX01", "name": "X1", "parent": "XX"}, geometry),
        ],
    }
    parsed = parse_geojson(json.dumps(collection))
    assert [p.where for p in parsed.problems] == ["feature 2 (XX01)"]
    assert message in parsed.problems[0].message
    with pytest.raises(service.ImportRejected):
        service.import_areas(db_session, actor=CONSOLE, parsed=parsed)
    assert _count(db_session) == 0


def test_geojson_that_is_not_json_names_the_line() -> None:
    parsed = parse_geojson('{"type": "FeatureCollection",\n "features": [,]}')
    assert parsed.problems[0].where == "line 2"
