"""Joining: an organisation applies (page and API), the committee approves, refuses,
suspends and reinstates (page and API); the contact is invited through the outbox, and the
invitation link works once, until it expires."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.models import AlertEvent
from hub.audit.models import AuditEntry
from hub.members.models import Invitation, Member, Role
from hub.organisations.models import Organisation, OrganisationStatus
from tests.hub.factories import PASSPHRASE, current_code, login, make_member, make_organisation
from tests.hub.pages import Browser, csrf
from tests.hub.reports.factories import API, World

APPLICATION = {
    "name": "Médecins de la Route",
    "kind": "ngo",
    "contact_name": "Awa Diallo",
    "contact_email": "awa@route.example.org",
    "areas": ["Nord-Kivu", "CD62"],
    "reason": "We run mobile clinics on the roads of North and South Kivu.",
}


def committee(session: Session, client: TestClient | None) -> tuple[str, dict[str, str], str]:
    """A committee member (with the second factor its role needs), logged in by API when a
    client is given: a TOTP code works once, so a page test logs in through its browser."""
    org = make_organisation(session, name="Comité SLT")
    created = make_member(session, org, roles=(Role.COMMITTEE,))
    assert created.totp_secret is not None
    headers = (
        login(client, created.member.email, totp=current_code(created.totp_secret))
        if client
        else {}
    )
    return created.member.email, headers, created.totp_secret


def invitation_token(session: Session, email: str) -> str:
    """The token as the outbox holds it until the dispatcher sends the email."""
    session.expire_all()
    events = session.scalars(select(AlertEvent).where(AlertEvent.kind == "invitation")).all()
    tokens = [e.facts["token"] for e in events if e.facts["email"] == email and e.facts["token"]]
    assert tokens, events
    return str(tokens[-1])


def apply_api(client: TestClient, **changes: Any) -> Any:
    return client.post(f"{API}/organisations/applications", json={**APPLICATION, **changes})


def test_an_organisation_applies_and_the_committee_approves_by_api(
    db_session: Session, client: TestClient, w: World
) -> None:
    applied = apply_api(client)
    assert applied.status_code == 201, applied.text
    org_id = applied.json()["id"]
    assert applied.json()["status"] == "pending"
    # Nothing is sent before a committee member approves.
    assert db_session.scalars(select(AlertEvent).where(AlertEvent.kind == "invitation")).all() == []

    _, headers, _ = committee(db_session, client)
    listed = client.get(f"{API}/organisations/applications", headers=headers)
    assert listed.status_code == 200
    [mine] = [a for a in listed.json() if a["organisation_id"] == org_id]
    assert mine["areas"] == ["CD61", "CD62"]
    assert mine["contact_email"] == "awa@route.example.org"

    # A focal point may not decide.
    refused = client.post(f"{API}/organisations/{org_id}/approve", headers=w.a.headers)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")

    approved = client.post(f"{API}/organisations/{org_id}/approve", headers=headers)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    token = invitation_token(db_session, "awa@route.example.org")
    stored = db_session.scalars(select(Invitation)).one()
    assert token not in stored.token_hash  # only a hash is kept
    assert stored.roles == ["focal_point"]

    preview = client.get(f"{API}/invitations/{token}")
    assert preview.status_code == 200
    assert preview.json()["organisation"] == "Médecins de la Route"
    assert preview.json()["needs_totp"] is False

    body = {"token": token, "display_name": "Awa", "password": PASSPHRASE, "confirm": PASSPHRASE}
    accepted = client.post(f"{API}/invitations/accept", json=body)
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["recovery_code"]  # the first member makes the keys
    me = client.get(f"{API}/me", headers=login(client, "awa@route.example.org"))
    assert me.json()["keys"] == "granted"
    assert me.json()["roles"] == ["focal_point"]

    # Used once: the same link is gone.
    again = client.post(f"{API}/invitations/accept", json=body)
    assert again.status_code == 404
    assert again.headers["content-type"].startswith("application/problem+json")
    actions = set(db_session.scalars(select(AuditEntry.action)))
    assert {
        "organisation:apply",
        "organisation:approve",
        "member:invite",
        "member:accept-invitation",
    } <= actions


def test_application_errors_are_field_errors_in_both_languages(
    db_session: Session, client: TestClient, w: World
) -> None:
    for lang, word in (("fr", "zone"), ("en", "area")):
        bad = client.post(
            f"{API}/organisations/applications",
            json={**APPLICATION, "areas": ["Atlantis"]},
            headers={"Accept-Language": lang},
        )
        assert bad.status_code == 422, bad.text
        assert bad.headers["content-type"].startswith("application/problem+json")
        [error] = bad.json()["errors"]
        assert error["field"] == "areas"
        assert word in error["message"].lower()
    short = apply_api(client, reason="x", contact_email="not-an-email")
    assert short.status_code == 422
    assert {e["field"] for e in short.json()["errors"]} >= {"reason", "contact_email"}
    # A look-alike of a partner's name is refused.
    taken = apply_api(client, name=w.a.org.name.upper())
    assert taken.status_code == 409
    lookalike = apply_api(client, name=w.b.org.name.replace("A", "А"))  # Cyrillic А
    assert lookalike.status_code == 409


def test_applications_are_limited_per_network_address(
    db_session: Session, client: TestClient, w: World
) -> None:
    for n in range(3):
        ok = apply_api(client, name=f"Organisation numéro {n}", contact_email=f"c{n}@x.example")
        assert ok.status_code == 201, ok.text
    limited = apply_api(client, name="Organisation numéro 9", contact_email="c9@x.example")
    assert limited.status_code == 429
    assert "Retry-After" in limited.headers


def test_refuse_suspend_and_reinstate_by_api(
    db_session: Session, client: TestClient, w: World
) -> None:
    org_id = apply_api(client).json()["id"]
    _, headers, _ = committee(db_session, client)
    no_reason = client.post(f"{API}/organisations/{org_id}/refuse", json={}, headers=headers)
    assert no_reason.status_code == 422
    refused = client.post(
        f"{API}/organisations/{org_id}/refuse", json={"reason": "Not a partner"}, headers=headers
    )
    assert refused.status_code == 200, refused.text
    assert refused.json()["status"] == "suspended"
    reinstated = client.post(f"{API}/organisations/{org_id}/reinstate", headers=headers)
    assert reinstated.status_code == 200
    assert reinstated.json()["status"] == "approved"
    # A refused applicant reinstated is invited after all.
    assert invitation_token(db_session, "awa@route.example.org")
    suspended = client.post(f"{API}/organisations/{org_id}/suspend", headers=headers)
    assert suspended.json()["status"] == "suspended"
    twice = client.post(f"{API}/organisations/{org_id}/suspend", headers=headers)
    assert twice.status_code == 409
    # The older name still reinstates.
    assert client.post(f"{API}/organisations/{org_id}/approve", headers=headers).status_code == 200


def test_apply_page_and_committee_page_in_both_languages(
    db_session: Session, app: Any, browser: Browser, w: World
) -> None:
    email, _, secret = committee(db_session, None)
    with TestClient(app, headers={"Accept-Language": "fr"}) as anonymous:
        page = anonymous.get("/apply")
        assert page.status_code == 200
        assert "Demander à rejoindre" in page.text
        bad = anonymous.post(
            "/apply",
            data={**APPLICATION, "areas": "Atlantis", "csrf_token": csrf(page.text)},
        )
        assert bad.status_code == 422
        assert "Atlantis" in bad.text
        assert 'aria-invalid="true"' in bad.text
        no_csrf = anonymous.post("/apply", data={**APPLICATION, "areas": "Nord-Kivu"})
        assert no_csrf.status_code == 403
        sent = anonymous.post(
            "/apply",
            data={**APPLICATION, "areas": "Nord-Kivu\nSud-Kivu", "csrf_token": csrf(page.text)},
            follow_redirects=False,
        )
        assert sent.status_code == 303, sent.text
    org = db_session.scalars(
        select(Organisation).where(Organisation.name == APPLICATION["name"])
    ).one()
    assert org.status == OrganisationStatus.PENDING

    # The focal point of a partner is refused the committee page.
    assert browser(w.a.email).get("/committee/organisations").status_code == 403
    client = browser(email, lang="en", totp=current_code(secret))
    page = client.get("/committee/organisations")
    assert page.status_code == 200
    assert "Médecins de la Route" in page.text
    assert "Approve and invite the contact" in page.text
    # The committee finds its page in the menu; a focal point does not see it there.
    assert 'href="/committee/organisations"' in page.text
    assert 'href="/committee/organisations"' not in browser(w.a.email).get("/reports").text
    token = csrf(page.text)
    empty = client.post(
        f"/committee/organisations/{org.id}/refuse", data={"csrf_token": token, "reason": ""}
    )
    assert empty.status_code == 422
    forged = client.post(f"/committee/organisations/{org.id}/approve", data={})
    assert forged.status_code == 403
    done = client.post(
        f"/committee/organisations/{org.id}/approve",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert invitation_token(db_session, "awa@route.example.org")


def test_invitation_page_expired_used_and_unknown_links(
    db_session: Session, client: TestClient, app: Any, w: World
) -> None:
    org_id = apply_api(client).json()["id"]
    _, headers, _ = committee(db_session, client)
    client.post(f"{API}/organisations/{org_id}/approve", headers=headers)
    token = invitation_token(db_session, "awa@route.example.org")
    with TestClient(app, headers={"Accept-Language": "fr"}) as invitee:
        unknown = invitee.get("/join/not-a-token")
        assert unknown.status_code == 404
        assert "Ce lien ne fonctionne pas" in unknown.text
        page = invitee.get(f"/join/{token}")
        assert page.status_code == 200
        weak = invitee.post(
            f"/join/{token}",
            data={"csrf_token": csrf(page.text), "password": "short", "confirm": "short"},
        )
        assert weak.status_code == 422
        assert 'aria-invalid="true"' in weak.text
        joined = invitee.post(
            f"/join/{token}",
            data={"csrf_token": csrf(page.text), "password": PASSPHRASE, "confirm": PASSPHRASE},
        )
        assert joined.status_code == 200, joined.text
        assert "code de récupération" in joined.text
        used = invitee.get(f"/join/{token}")
        assert used.status_code == 404
    # An expired link opens nothing either.
    invitation = db_session.scalars(select(Invitation)).one()
    expired_org = make_organisation(db_session, name="Expired Org")
    member_of_expired = make_member(db_session, expired_org)
    headers_b = login(client, member_of_expired.member.email)
    sent = client.post(
        f"{API}/invitations",
        json={"email": "late@expired.example", "roles": ["focal_point"]},
        headers=headers_b,
    )
    assert sent.status_code == 201, sent.text
    late = invitation_token(db_session, "late@expired.example")
    row = db_session.get(Invitation, sent.json()["id"])
    assert row is not None
    row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    db_session.commit()
    with TestClient(app, headers={"Accept-Language": "en"}) as invitee:
        page = invitee.get(f"/join/{late}")
        assert page.status_code == 404
        assert "expired" in page.text
    assert invitation.used_at is not None


def test_members_invite_grant_roles_and_remove_by_api(
    db_session: Session, client: TestClient, w: World
) -> None:
    duplicate = client.post(
        f"{API}/invitations", json={"email": w.b.email, "roles": ["liaison"]}, headers=w.a.headers
    )
    assert duplicate.status_code == 422
    assert duplicate.json()["errors"][0]["field"] == "email"
    too_much = client.post(
        f"{API}/invitations",
        json={"email": "x@a.example", "roles": ["committee"]},
        headers=w.a.headers,
    )
    assert too_much.status_code == 422
    invited = client.post(
        f"{API}/invitations",
        json={"email": "colleague@a.example", "roles": ["liaison"], "language": "en"},
        headers=w.a.headers,
    )
    assert invited.status_code == 201, invited.text
    token = invitation_token(db_session, "colleague@a.example")
    body = {"token": token, "password": PASSPHRASE, "confirm": PASSPHRASE}
    accepted = client.post(f"{API}/invitations/accept", json=body)
    assert accepted.status_code == 201
    assert accepted.json()["recovery_code"] is None  # not the first member
    colleague_id = accepted.json()["id"]
    colleague = login(client, "colleague@a.example")
    assert client.get(f"{API}/me", headers=colleague).json()["keys"] == "not_granted"
    # A liaison may not change roles; the focal point may.
    assert (
        client.put(
            f"{API}/members/{colleague_id}/roles",
            json={"roles": ["focal_point"]},
            headers=colleague,
        ).status_code
        == 403
    )
    changed = client.put(
        f"{API}/members/{colleague_id}/roles",
        json={"roles": ["liaison", "focal_point"]},
        headers=w.a.headers,
    )
    assert changed.status_code == 200, changed.text
    assert set(changed.json()["roles"]) == {"liaison", "focal_point"}
    granted = client.post(f"{API}/members/{colleague_id}/grant", headers=w.a.headers)
    assert granted.status_code == 200
    assert client.get(f"{API}/me", headers=colleague).json()["keys"] == "granted"
    removed = client.delete(f"{API}/members/{colleague_id}", headers=w.a.headers)
    assert removed.status_code == 204
    member = db_session.get(Member, colleague_id)
    db_session.refresh(member)
    assert member is not None
    assert member.locked_key is None


def test_the_public_form_does_not_tell_which_addresses_have_accounts(
    db_session: Session, client: TestClient, w: World
) -> None:
    applied = apply_api(client, contact_email=w.b.email)
    assert applied.status_code == 201, applied.text
    _, headers, _ = committee(db_session, client)
    approved = client.post(f"{API}/organisations/{applied.json()['id']}/approve", headers=headers)
    assert approved.status_code == 200
    # The address has an account already: approval invites nobody.
    assert db_session.scalars(select(Invitation)).all() == []


def test_a_role_that_needs_a_second_factor_sets_it_up_on_the_join_page(
    db_session: Session, client: TestClient, app: Any
) -> None:
    import re

    import pyotp

    org = make_organisation(db_session, name="OCHA Goma")
    lead = make_member(db_session, org, roles=(Role.FOCAL_POINT, Role.COORDINATOR))
    assert lead.totp_secret is not None
    headers = login(client, lead.member.email, totp=current_code(lead.totp_secret))
    sent = client.post(
        f"{API}/invitations",
        json={"email": "deputy@ocha.example", "roles": ["coordinator"], "language": "en"},
        headers=headers,
    )
    assert sent.status_code == 201, sent.text
    token = invitation_token(db_session, "deputy@ocha.example")
    with TestClient(app, headers={"Accept-Language": "en"}) as invitee:
        page = invitee.get(f"/join/{token}")
        assert "Second factor" in page.text
        uri = re.search(r'href="(otpauth://totp/[^"]+)"', page.text)
        assert uri is not None
        secret = re.search(r'name="totp_secret" value="([A-Z2-7]+)"', page.text)
        assert secret is not None
        form = {
            "csrf_token": csrf(page.text),
            "password": PASSPHRASE,
            "confirm": PASSPHRASE,
            "totp_secret": secret.group(1),
        }
        wrong = invitee.post(f"/join/{token}", data={**form, "totp": "000000"})
        assert wrong.status_code == 422
        assert "This code is not right" in wrong.text
        # The same secret comes back with the error, so the app the invitee set up still works.
        assert secret.group(1) in wrong.text
        code = pyotp.TOTP(secret.group(1)).now()
        joined = invitee.post(f"/join/{token}", data={**form, "totp": code})
        assert joined.status_code == 200, joined.text
    member = db_session.scalars(select(Member).where(Member.email == "deputy@ocha.example")).one()
    assert member.totp_secret == secret.group(1)
    # The second factor is asked for at login from now on.
    refused = client.post(
        f"{API}/auth/login", json={"email": "deputy@ocha.example", "password": PASSPHRASE}
    )
    assert refused.status_code == 401


def test_a_committee_member_without_a_second_factor_decides_nothing(
    db_session: Session, client: TestClient, w: World
) -> None:
    from hub.actors import Actor
    from hub.errors import Forbidden
    from hub.organisations import joining

    org_id = apply_api(client).json()["id"]
    committee_org = make_organisation(db_session, name="Comité sans TOTP")
    member = make_member(db_session, committee_org, roles=(Role.COMMITTEE,)).member
    member.totp_secret = None
    db_session.commit()
    with pytest.raises(Forbidden, match="second factor"):
        joining.approve(
            db_session, actor=Actor(label=member.email, member=member), organisation_id=org_id
        )
