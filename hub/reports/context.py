"""The facts the policy engine decides a report from, read from the hub's tables.

Areas, presence and risk belong to hub.areas; this module is the one place reports and
consents reach them, so that they decide from one consistent snapshot per request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

import policies
from hub.areas import service as areas_service
from hub.areas.models import Area, OrganisationPresence
from hub.organisations.models import Organisation
from policies import Policy
from policies.vocabulary import OrganisationKind, OrganisationStatus


@dataclass
class PolicyContext:
    policy: Policy
    at: dt.datetime
    areas: policies.AreaMap
    organisations: dict[str, policies.Organisation]
    _standing: dict[str, policies.Standing] = field(default_factory=dict)

    def organisation(self, org_id: str) -> policies.Organisation:
        found = self.organisations.get(org_id)
        if found is None:
            # An organisation the hub does not know is treated as a stranger: pending, so
            # that no rule lets anything reach it.
            return policies.Organisation(
                id=org_id,
                kind=OrganisationKind.OTHER,
                status=OrganisationStatus.PENDING,
            )
        return found


def load_context(
    session: Session, *, policy: Policy, at: dt.datetime, only: Iterable[str] | None = None
) -> PolicyContext:
    """`only` limits the organisations to those ids: enough for a decision about named
    organisations (a named audience), and much cheaper with hundreds of partners."""
    if only is None:
        organisations = policies.organisation_map(areas_service.policy_organisations(session))
    else:
        organisations = _some_organisations(session, set(only))
    return PolicyContext(
        policy=policy,
        at=at,
        areas=areas_service.policy_areas(session),
        organisations=organisations,
    )


def _some_organisations(session: Session, ids: set[str]) -> dict[str, policies.Organisation]:
    presence: dict[str, set[str]] = {}
    for org_id, code in session.execute(
        select(OrganisationPresence.organisation_id, OrganisationPresence.area_code).where(
            OrganisationPresence.organisation_id.in_(ids)
        )
    ):
        presence.setdefault(org_id, set()).add(code)
    rows = session.execute(
        select(Organisation.id, Organisation.kind, Organisation.status).where(
            Organisation.id.in_(ids)
        )
    )
    return {
        org_id: policies.Organisation(
            id=org_id,
            kind=OrganisationKind(kind),
            status=OrganisationStatus(status),
            areas=frozenset(presence.get(org_id, ())),
        )
        for org_id, kind, status in rows
    }


def standing(session: Session, ctx: PolicyContext, code: str) -> policies.Standing:
    known = ctx._standing.get(code)
    if known is None:
        decision = areas_service.area_standing(session, code, at=ctx.at, policy=ctx.policy)
        known = ctx._standing[code] = decision.outcome
    return known


def area_name(session: Session, code: str) -> str:
    # Only the name: an area row may carry a large geometry.
    name = session.scalar(select(Area.name).where(Area.code == code))
    return name if name is not None else code


def require_area(session: Session, code: str) -> None:
    """NotFound (a problem naming the code) when the area is unknown."""
    if session.scalar(select(Area.code).where(Area.code == code)) is None:
        areas_service.get_area(session, code)  # raises the areas' own NotFound
