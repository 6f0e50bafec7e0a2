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
    # Public keys, when the organisations were loaded by id (see load_context's `only`).
    public_keys: dict[str, bytes | None] = field(default_factory=dict)
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
    session: Session,
    *,
    policy: Policy,
    at: dt.datetime,
    only: Iterable[str] | None = None,
    presence: bool = True,
) -> PolicyContext:
    """`only` limits the organisations to those ids (with their public keys): enough for a
    decision about named organisations, and much cheaper with hundreds of partners.
    `presence=False` leaves their areas out, for decisions that do not look at them (a named
    audience)."""
    public_keys: dict[str, bytes | None] = {}
    if only is None:
        organisations = policies.organisation_map(areas_service.policy_organisations(session))
    else:
        organisations, public_keys = _some_organisations(session, set(only), presence)
    return PolicyContext(
        policy=policy,
        at=at,
        areas=areas_service.policy_areas(session),
        organisations=organisations,
        public_keys=public_keys,
    )


def _some_organisations(
    session: Session, ids: set[str], with_presence: bool
) -> tuple[dict[str, policies.Organisation], dict[str, bytes | None]]:
    presence: dict[str, set[str]] = {}
    if with_presence:
        for org_id, code in session.execute(
            select(OrganisationPresence.organisation_id, OrganisationPresence.area_code).where(
                OrganisationPresence.organisation_id.in_(ids)
            )
        ):
            presence.setdefault(org_id, set()).add(code)
    rows = session.execute(
        select(
            Organisation.id, Organisation.kind, Organisation.status, Organisation.public_keys
        ).where(Organisation.id.in_(ids))
    ).all()
    organisations = {
        org_id: policies.Organisation(
            id=org_id,
            kind=OrganisationKind(kind),
            status=OrganisationStatus(status),
            areas=frozenset(presence.get(org_id, ())),
        )
        for org_id, kind, status, _keys in rows
    }
    return organisations, {org_id: keys for org_id, *_rest, keys in rows}


def standing(session: Session, ctx: PolicyContext, code: str) -> policies.Standing:
    known = ctx._standing.get(code)
    if known is None:
        decision = areas_service.area_standing(
            session, code, at=ctx.at, policy=ctx.policy, areas=ctx.areas
        )
        known = ctx._standing[code] = decision.outcome
    return known


def area_name(session: Session, code: str) -> str:
    # Only the name: an area row may carry a large geometry.
    name = session.scalar(select(Area.name).where(Area.code == code))
    return name if name is not None else code
