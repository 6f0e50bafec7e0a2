"""The area tree, names and risk standing as the policy engine's facts, read from the tables and
kept per database until a table changes (a stamp of the tables is checked on each use), so a
request builds the tree once at most.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

import policies
from hub.areas.models import Area, OrganisationPresence, RiskAssessment
from hub.errors import NotFound
from hub.i18n import gettext as _
from hub.organisations.models import Organisation
from policies import Policy
from policies.vocabulary import Level


def get_area(session: Session, code: str) -> Area:
    area = session.get(Area, code)
    if area is None:
        raise NotFound(_("There is no area with the code %(code)s.") % {"code": code})
    return area


# Publication, listing and alert planning read the area tree on every request, but it
# changes only when areas are imported. With a country's full P-code tree (5,130 areas)
# rebuilding it cost 8–47 ms a request on SQLite. A stamp of the table — row count, latest
# update, first and last code: four index look-ups, 0.3 ms — tells whether the tree built
# last time still holds. The stamp is read in the caller's
# transaction, so a tree built from uncommitted rows cannot outlive them: after a rollback
# the committed stamp differs. AreaTree is immutable, so threads share it safely. An edit
# made by hand in SQL that bumps none of the four is not seen until the process restarts.
_TREES: OrderedDict[tuple[Any, ...], Any] = OrderedDict()


_TREES_LOCK = threading.Lock()


_TREES_KEPT = 24  # a tree and two name tables per database a process serves, with room


def _database_key(session: Session) -> str:
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    return engine.url.render_as_string(hide_password=True)


def _table_stamp(session: Session) -> tuple[str, tuple[Any, ...]]:
    """What changes whenever the areas table does: the cache key of what is built from it."""
    # Four scalar subqueries, not one SELECT of four aggregates: each alone is answered from
    # an index (or the table's row count); together SQLite would scan every row.
    stamp = tuple(
        session.execute(
            select(
                select(func.count()).select_from(Area).scalar_subquery(),
                select(func.max(Area.updated_at)).scalar_subquery(),
                select(func.min(Area.code)).scalar_subquery(),
                select(func.max(Area.code)).scalar_subquery(),
            )
        ).one()
    )
    return (_database_key(session), stamp)


def _cached(key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
    with _TREES_LOCK:
        value = _TREES.get(key)
        if value is not None:
            _TREES.move_to_end(key)
            return value
    value = build()
    with _TREES_LOCK:
        _TREES[key] = value
        while len(_TREES) > _TREES_KEPT:
            _TREES.popitem(last=False)
    return value


def policy_areas(session: Session) -> policies.AreaMap:
    def build() -> policies.AreaMap:
        rows = session.execute(select(Area.code, Area.parent_code)).all()
        return policies.area_map(policies.Area(code, parent) for code, parent in rows)

    tree: policies.AreaMap = _cached(("tree", *_table_stamp(session)), build)
    return tree


def area_names(session: Session, lang: str) -> dict[str, str]:
    """Every area's name in `lang` (its own name where it has no translation), by code: pages
    show an area by its name with the code small, as people think of places by name."""

    def build() -> dict[str, str]:
        rows = session.execute(select(Area.code, Area.name, Area.name_fr, Area.name_en)).all()
        return {
            code: (name_fr if lang == "fr" else name_en) or name
            for code, name, name_fr, name_en in rows
        }

    names: dict[str, str] = _cached(("names", lang, *_table_stamp(session)), build)
    return names


def area_code_for(session: Session, text: str) -> str | None:
    """The code of the area a person typed, by its code or by its name in any language
    (case and accents as typed are forgiven only for the case)."""
    wanted = text.strip().casefold()
    if not wanted:
        return None
    for lang in ("fr", "en"):
        for code, name in area_names(session, lang).items():
            if wanted in (code.casefold(), name.casefold()):
                return code
    return None


def _assessment_fact(row: RiskAssessment) -> policies.Assessment:
    return policies.Assessment(
        area_code=row.area_code,
        risk=row.risk,
        effective_from=row.effective_from,
        expires_at=row.expires_at,
        review_at=row.review_at,
    )


def _assessments(
    session: Session, codes: Iterable[str] | None = None
) -> dict[str, tuple[policies.Assessment, ...]]:
    query = select(RiskAssessment)
    if codes is not None:
        query = query.where(RiskAssessment.area_code.in_(list(codes)))
    return policies.index_assessments(_assessment_fact(r) for r in session.scalars(query))


def area_standing(
    session: Session,
    code: str,
    *,
    at: dt.datetime,
    policy: Policy,
    areas: policies.AreaMap | None = None,
) -> policies.Decision[policies.Standing]:
    """`areas`: the area tree when the caller loaded it already in this transaction."""
    if areas is None:
        areas = policy_areas(session)
    lineage = policies.lineage(code, areas)
    return policies.area_standing(code, areas, _assessments(session, lineage), at, policy)


def current_levels(
    session: Session, codes: Iterable[str], *, at: dt.datetime, policy: Policy
) -> dict[str, Level]:
    """The cooperation level in force now in each of `codes` (pages show it beside an area a
    report names: the level the report was published under may have changed since)."""
    wanted = set(codes)
    if not wanted:
        return {}
    tree = policy_areas(session)
    lineages = {code: policies.lineage(code, tree) for code in wanted}
    assessments = _assessments(session, {a for line in lineages.values() for a in line})
    return {
        code: policies.area_standing(code, tree, assessments, at, policy).outcome.level
        for code in wanted
    }


def policy_organisations(session: Session) -> tuple[policies.Organisation, ...]:
    presence: dict[str, set[str]] = {}
    for org_id, code in session.execute(
        select(OrganisationPresence.organisation_id, OrganisationPresence.area_code)
    ):
        presence.setdefault(org_id, set()).add(code)
    return tuple(
        policies.Organisation(
            id=org.id,
            kind=org.kind,
            status=org.status,
            areas=frozenset(presence.get(org.id, ())),
        )
        for org in session.scalars(select(Organisation).order_by(Organisation.id))
    )
