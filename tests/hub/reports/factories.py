"""A small world of partner organisations around Goma, built through the hub's services, and
reports published the way an API client publishes them."""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from hub.actors import CONSOLE
from hub.areas import service as areas
from hub.members.models import Role
from hub.organisations.models import Organisation, OrganisationKind
from tests.hub.areas.factories import make_tree
from tests.hub.factories import login, make_member, make_organisation

API = "/api/v1"


FLASH: dict[str, Any] = {
    "type": "incident",
    "stage": "flash",
    "area": "CD6102",
    "category": "armed_robbery",
    "severity": "severe",
    "occurred_at": "2026-11-23T06:40:00+01:00",
    "tlp": "amber+strict",
    "summary": "Vol à main armée sur la route Goma–Rutshuru, pas de blessé",
    "body": {
        "narrative": "Convoy stopped by armed men.",
        "location": "PK 42, route RN2",
        "coordinates": {"lat": -1.18, "lon": 29.45},
        "actions_taken": "Staff returned to base.",
        "help_needed": "None.",
        "affected": {"national": {"injured": 0, "kidnapped": 0}, "international": {}},
    },
}


def flash(**changes: Any) -> dict[str, Any]:
    report = copy.deepcopy(FLASH)
    body_changes = changes.pop("body", None)
    report.update(changes)
    if body_changes:
        report["body"].update(body_changes)
    return report


@dataclass
class Party:
    org: Organisation
    email: str
    headers: dict[str, str]
    extra: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.org.id


def party(
    session: Session,
    client: TestClient,
    *,
    name: str,
    kind: OrganisationKind = OrganisationKind.INGO,
    presence: tuple[str, ...] = ("CD61",),
    approve: bool = True,
) -> Party:
    org = make_organisation(
        session, name=f"{name} {uuid.uuid4().hex[:6]}", kind=kind, approve=approve
    )
    if presence:
        areas.set_presence(session, actor=CONSOLE, organisation_id=org.id, areas=list(presence))
    created = make_member(session, org, roles=(Role.FOCAL_POINT,))
    return Party(org=org, email=created.member.email, headers=login(client, created.member.email))


def member_of(
    session: Session,
    client: TestClient,
    who: Party,
    *,
    roles: tuple[Role, ...],
    grant: bool = True,
) -> dict[str, str]:
    """Another member of `who`'s organisation, logged in; with the organisation's keys
    granted by the first member unless `grant` is False."""
    created = make_member(session, who.org, roles=roles)
    if grant:
        response = client.post(f"{API}/members/{created.member.id}/grant", headers=who.headers)
        assert response.status_code in (200, 201, 204), response.text
    totp = None
    if created.totp_secret:
        import pyotp

        totp = pyotp.TOTP(created.totp_secret).now()
    return login(client, created.member.email, totp=totp)


@dataclass
class World:
    a: Party  # publishes
    b: Party
    c: Party
    outsider: Party  # approved, present elsewhere (Sud-Kivu)


def world(session: Session, client: TestClient) -> World:
    make_tree(session)
    return World(
        a=party(session, client, name="Aid A"),
        b=party(session, client, name="Agency B", kind=OrganisationKind.UN),
        c=party(session, client, name="Relief C"),
        outsider=party(session, client, name="Outside D", presence=("CD62",)),
    )


def publish(client: TestClient, who: Party, report: dict[str, Any], **headers: str) -> Any:
    response = client.post(f"{API}/reports", json=report, headers={**who.headers, **headers})
    assert response.status_code in (200, 201), response.text
    return response.json()
