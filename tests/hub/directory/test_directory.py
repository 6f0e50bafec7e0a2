"""The partners' directory by API: what a member shows is all that anyone sees; only approved
partners look, and only approved partners' active members appear; presence counts in the area,
in an area containing it and in an area within it (the policy engine's "concerned" areas)."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.actors import CONSOLE
from hub.areas import service as areas
from hub.audit.models import AuditEntry
from hub.directory.models import DirectoryEntry
from hub.members.models import Member, Role
from hub.organisations import service as organisations
from tests.hub.factories import login, make_member, make_organisation
from tests.hub.reports.factories import API, World, party

PHONE = "+243810000001"
HIDDEN_TITLE = "Conseillère sécurité (caché)"


def _show(client: TestClient, headers: dict[str, str], **entry: Any) -> Any:
    response = client.put(f"{API}/me/directory", json=entry, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _lookup(client: TestClient, headers: dict[str, str], area: str) -> dict[str, Any]:
    response = client.get(f"{API}/directory", params={"area": area}, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _org(directory: dict[str, Any], org_id: str) -> dict[str, Any] | None:
    return next((o for o in directory["organisations"] if o["id"] == org_id), None)


def test_nothing_is_shown_until_the_member_chooses(client: TestClient, w: World) -> None:
    mine = client.get(f"{API}/me/directory", headers=w.a.headers)
    assert mine.status_code == 200
    assert mine.json()["show"] == []
    assert mine.json()["updated_at"] is None
    seen = _org(_lookup(client, w.b.headers, "CD6102"), w.a.id)
    assert seen is not None  # A is present in North Kivu, so listed …
    assert seen["contacts"] == []  # … with nobody to call until someone chooses


def test_a_partner_sees_what_was_shown_and_nothing_hidden(client: TestClient, w: World) -> None:
    saved = _show(
        client,
        w.a.headers,
        show=["phone", "email"],
        phone=PHONE,
        title=HIDDEN_TITLE,
        email="securite@aid-a.example",
    )
    assert saved["show"] == ["phone", "email"]
    response = client.get(f"{API}/directory", params={"area": "CD6102"}, headers=w.b.headers)
    assert response.status_code == 200
    assert HIDDEN_TITLE not in response.text  # stored, never shown
    a = _org(response.json(), w.a.id)
    assert a is not None
    assert a["present_in"] == ["CD61"]
    assert a["contacts"] == [
        {"name": None, "title": None, "phone": PHONE, "email": "securite@aid-a.example"}
    ]
    # An outsider working in South Kivu sees it too when it looks North Kivu up (audience:
    # every approved partner, the default).
    d = _org(_lookup(client, w.outsider.headers, "CD61"), w.a.id)
    assert d is not None
    assert d["contacts"][0]["phone"] == PHONE
    # South Kivu's own directory does not list A at all.
    assert _org(_lookup(client, w.b.headers, "CD62"), w.a.id) is None


def test_area_partners_only_are_those_working_where_my_organisation_works(
    client: TestClient, w: World
) -> None:
    _show(client, w.a.headers, show=["name", "phone"], phone=PHONE, audience="area_partners")
    assert _org(_lookup(client, w.b.headers, "CD61"), w.a.id)["contacts"]  # type: ignore[index]
    # The outsider (South Kivu) sees A listed but not who to call — whichever area it asks.
    for area in ("CD61", "CD6102", "CD"):
        seen = _org(_lookup(client, w.outsider.headers, area), w.a.id)
        assert seen is not None
        assert seen["contacts"] == [], area
    # A's own colleagues see it.
    own = _org(_lookup(client, w.a.headers, "CD61"), w.a.id)
    assert own is not None
    assert own["yours"] is True
    assert own["contacts"][0]["phone"] == PHONE


def test_presence_in_a_containing_area_or_an_area_within_counts(
    db_session: Session, client: TestClient, w: World
) -> None:
    country = party(db_session, client, name="Country-wide", presence=("CD",))
    district = party(db_session, client, name="Rutshuru only", presence=("CD6102",))
    north = _lookup(client, w.b.headers, "CD61")
    assert _org(north, country.id)["present_in"] == ["CD"]  # type: ignore[index]
    assert _org(north, district.id)["present_in"] == ["CD6102"]  # type: ignore[index]
    masisi = _lookup(client, w.b.headers, "CD6103")
    assert _org(masisi, country.id) is not None
    assert _org(masisi, district.id) is None  # Rutshuru is not in Masisi
    # My own organisation comes first.
    assert north["organisations"][0]["id"] == w.b.id


def test_suspended_and_applicant_organisations_see_nothing_and_never_appear(
    db_session: Session, client: TestClient, w: World
) -> None:
    _show(client, w.a.headers, show=["name", "phone"], phone=PHONE)
    applicant = party(db_session, client, name="Applicant", approve=False)
    _show_refused = client.put(
        f"{API}/me/directory", json={"show": ["name"]}, headers=applicant.headers
    )
    assert _show_refused.status_code == 403
    refused = client.get(f"{API}/directory", params={"area": "CD61"}, headers=applicant.headers)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert PHONE not in refused.text
    assert _org(_lookup(client, w.b.headers, "CD61"), applicant.id) is None

    organisations.suspend_organisation(db_session, actor=CONSOLE, organisation_id=w.a.id)
    assert (
        client.get(f"{API}/directory", params={"area": "CD61"}, headers=w.a.headers).status_code
        == 403
    )
    listing = client.get(f"{API}/directory", params={"area": "CD61"}, headers=w.b.headers)
    assert _org(listing.json(), w.a.id) is None
    assert PHONE not in listing.text


def test_a_removed_member_never_appears_and_their_details_are_deleted(
    db_session: Session, client: TestClient, w: World
) -> None:
    colleague = make_member(db_session, w.a.org, roles=(Role.LIAISON,))
    headers = login(client, colleague.member.email)
    _show(client, headers, show=["name", "phone"], phone=PHONE)
    assert _org(_lookup(client, w.b.headers, "CD61"), w.a.id)["contacts"]  # type: ignore[index]
    removed = client.delete(f"{API}/members/{colleague.member.id}", headers=w.a.headers)
    assert removed.status_code in (200, 204), removed.text
    assert _org(_lookup(client, w.b.headers, "CD61"), w.a.id)["contacts"] == []  # type: ignore[index]
    assert db_session.get(DirectoryEntry, colleague.member.id) is None


def test_leaving_the_directory_forgets_the_details(
    db_session: Session, client: TestClient, w: World
) -> None:
    _show(client, w.a.headers, show=["phone"], phone=PHONE)
    assert client.delete(f"{API}/me/directory", headers=w.a.headers).status_code == 204
    member = db_session.scalars(select(Member).where(Member.email == w.a.email)).one()
    assert db_session.get(DirectoryEntry, member.id) is None
    assert client.get(f"{API}/me/directory", headers=w.a.headers).json()["show"] == []


def test_changes_are_audited_without_the_details(
    db_session: Session, client: TestClient, w: World
) -> None:
    _show(client, w.a.headers, show=["phone"], phone=PHONE, audience="area_partners")
    client.delete(f"{API}/me/directory", headers=w.a.headers)
    entries = db_session.scalars(
        select(AuditEntry)
        .where(AuditEntry.action.in_(["directory:set", "directory:remove"]))
        .order_by(AuditEntry.seq)
    ).all()
    assert [e.action for e in entries] == ["directory:set", "directory:remove"]
    assert json.loads(entries[0].details) == {"show": ["phone"], "audience": "area_partners"}
    assert PHONE not in "".join(e.details for e in entries)


def test_bad_entries_are_field_errors_in_the_readers_language(client: TestClient, w: World) -> None:
    cases = [
        ({"show": ["phone"]}, "phone", "international"),
        ({"show": [], "phone": "0810000001"}, "phone", "+243810000000"),
        ({"show": ["phone"], "phone": "+243 81 000 0001"}, "phone", "+243810000000"),
        ({"show": ["title"]}, "title", "role"),
        ({"email": "not an address"}, "email", "email"),
        ({"show": ["birthday"]}, "show.0", ""),
        ({"audience": "everyone"}, "audience", ""),
        ({"title": "line\nbreak"}, "title", ""),
    ]
    for body, field, words in cases:
        response = client.put(f"{API}/me/directory", json=body, headers=w.a.headers)
        assert response.status_code == 422, (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        errors = {e["field"]: e["message"] for e in response.json()["errors"]}
        assert field in errors, (body, errors)
        assert words in errors[field], (body, errors)
    french = client.put(
        f"{API}/me/directory",
        json={"show": ["phone"], "phone": "12"},
        headers={**w.a.headers, "Accept-Language": "fr"},
    )
    assert "format international" in french.json()["errors"][0]["message"]


def test_an_unknown_area_is_a_field_error(client: TestClient, w: World) -> None:
    for area in ("ZZ99", "not a code", ""):
        response = client.get(f"{API}/directory", params={"area": area}, headers=w.b.headers)
        assert response.status_code == 422, (area, response.text)
        assert response.json()["errors"][0]["field"] == "area"
    assert client.get(f"{API}/directory", params={"area": "CD61"}).status_code == 401


def test_the_console_and_the_areas_service_agree_on_presence(
    db_session: Session, client: TestClient, w: World
) -> None:
    """A partner that stops saying it works in North Kivu leaves its directory at once."""
    areas.set_presence(db_session, actor=CONSOLE, organisation_id=w.c.id, areas=["CD62"])
    assert _org(_lookup(client, w.b.headers, "CD61"), w.c.id) is None
    assert _org(_lookup(client, w.b.headers, "CD62"), w.c.id) is not None
    org = make_organisation(db_session)
    assert _org(_lookup(client, w.b.headers, "CD"), org.id) is None  # present nowhere
