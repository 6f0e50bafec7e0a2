"""The area tree is kept between requests and rebuilt when the areas table changes
(hub.areas.service.policy_areas): never stale after an import, never built from rows that
were rolled back."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from hub.actors import CONSOLE
from hub.areas import service
from hub.areas.importing import parse_csv
from hub.areas.models import Area, AreaKind
from hub.db import make_engine, make_session_factory
from hub.migrations import upgrade

from .factories import TREE_CSV, make_tree


def test_the_tree_is_kept_while_the_areas_do_not_change(db_session: Session) -> None:
    make_tree(db_session)
    first = service.policy_areas(db_session)
    assert service.policy_areas(db_session) is first
    assert first.lineage("CD6102") == ("CD6102", "CD61", "CD")  # type: ignore[attr-defined]


def test_an_import_that_moves_or_adds_areas_is_seen_at_once(db_session: Session) -> None:
    make_tree(db_session)
    before = service.policy_areas(db_session)
    moved = TREE_CSV.replace("CD6103,Masisi,CD61", "CD6103,Masisi,CD62") + "CD6202,Uvira,CD62,,,\n"
    service.import_areas(db_session, actor=CONSOLE, parsed=parse_csv(moved), dataset="test")
    after = service.policy_areas(db_session)
    assert after is not before
    assert after["CD6103"].parent == "CD62"
    assert "CD6202" in after


def test_a_tree_built_inside_a_rolled_back_transaction_does_not_survive_it(
    fresh_database: Any, hub_keys: Any
) -> None:
    upgrade(fresh_database.url)
    engine = make_engine(fresh_database.url)
    sessions = make_session_factory(engine, signer=hub_keys)
    try:
        with sessions() as session:
            make_tree(session)
            session.commit()
        with sessions() as session:
            session.add(
                Area(code="CD6299", name="Nowhere", kind=AreaKind.ADMIN2, parent_code="CD62")
            )
            session.flush()
            assert "CD6299" in service.policy_areas(session)
            session.rollback()
        with sessions() as session:
            tree = service.policy_areas(session)
            assert "CD6299" not in tree
            assert "CD6201" in tree
    finally:
        engine.dispose()
