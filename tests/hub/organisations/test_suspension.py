"""A member of a pending or suspended organisation may log in, see its status and log out —
nothing else, whatever their roles (the adversarial review found a suspended partner's
coordinator raising risk and its committee member reinstating it)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from hub.actors import CONSOLE
from hub.cli_common import member_actor
from hub.errors import Forbidden
from hub.members.models import Role
from hub.organisations import service as organisations
from tests.hub.areas.factories import make_tree
from tests.hub.factories import current_code, login, make_member, make_organisation

API = "/api/v1"


def _logged_in(client: TestClient, session: Session, org: Any, role: Role) -> dict[str, str]:
    created = make_member(session, org, roles=(role,))
    totp = current_code(created.totp_secret) if created.totp_secret else None
    return login(client, created.member.email, totp=totp)


def _refused(response: Any) -> None:
    assert response.status_code == 403, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"] == "urn:slthub:problem:organisation-not-approved"


def test_suspension_ends_every_power_of_sessions_already_open(
    client: TestClient, db_session: Session
) -> None:
    make_tree(db_session)
    partner = make_organisation(db_session, name="Partenaire Suspendu")
    other = make_organisation(db_session, name="Autre Partenaire")
    coordinator = _logged_in(client, db_session, partner, Role.COORDINATOR)
    committee = _logged_in(client, db_session, partner, Role.COMMITTEE)
    focal = _logged_in(client, db_session, partner, Role.FOCAL_POINT)
    # While approved, the coordinator may set risk.
    ok = client.put(
        f"{API}/areas/CD61/risk",
        headers=coordinator,
        json={"risk": "high", "reason": "Affrontements"},
    )
    assert ok.status_code == 200, ok.text

    organisations.suspend_organisation(db_session, actor=CONSOLE, organisation_id=partner.id)

    _refused(
        client.put(
            f"{API}/areas/CD62/risk",
            headers=coordinator,
            json={"risk": "high", "reason": "Affrontements"},
        )
    )
    _refused(
        client.put(
            f"{API}/organisations/{other.id}/areas", headers=coordinator, json={"areas": ["CD61"]}
        )
    )
    _refused(client.post(f"{API}/organisations/{partner.id}/approve", headers=committee))
    _refused(client.post(f"{API}/organisations/{other.id}/suspend", headers=committee))
    _refused(client.get(f"{API}/reports", headers=focal))
    _refused(client.get(f"{API}/audit", headers=committee))

    me = client.get(f"{API}/me", headers=focal)
    assert me.status_code == 200
    assert me.json()["organisation"]["status"] == "suspended"
    assert client.post(f"{API}/auth/logout", headers=focal).status_code == 204


def test_a_pending_organisation_logs_in_and_sees_its_status_only(
    client: TestClient, db_session: Session
) -> None:
    pending = make_organisation(db_session, name="En Attente", approve=False)
    focal = _logged_in(client, db_session, pending, Role.FOCAL_POINT)
    assert client.get(f"{API}/me", headers=focal).json()["organisation"]["status"] == "pending"
    _refused(client.get(f"{API}/organisations", headers=focal))
    refused = client.get(f"{API}/reports", headers={**focal, "Accept-Language": "fr"})
    assert "approbation du comité" in refused.json()["detail"]


def test_the_console_refuses_a_suspended_member_given_as_by(db_session: Session) -> None:
    partner = make_organisation(db_session, name="Suspendu Console")
    created = make_member(db_session, partner, roles=(Role.COORDINATOR,))
    assert member_actor(db_session, created.member.email).member is not None
    organisations.suspend_organisation(db_session, actor=CONSOLE, organisation_id=partner.id)
    with pytest.raises(Forbidden):
        member_actor(db_session, created.member.email)


def test_pages_say_suspended_and_offer_nothing_else(
    db_session: Session, client: TestClient, app: Any
) -> None:
    from tests.hub.pages import browsers

    partner = make_organisation(db_session, name="Suspendu Pages")
    created = make_member(db_session, partner, roles=(Role.FOCAL_POINT,))
    organisations.suspend_organisation(db_session, actor=CONSOLE, organisation_id=partner.id)
    with browsers(app) as browser:
        page = browser(created.member.email, lang="fr")
        landing = page.get("/")
        assert landing.status_code == 200
        assert "Votre organisation est suspendue" in landing.text
        assert 'href="/reports"' not in landing.text
        refused = page.get("/reports")
        assert refused.status_code == 403
        assert "suspendue" in refused.text
