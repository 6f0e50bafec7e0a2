"""The service functions the report pages added: who holds a report (for its originator),
the partners one may name, the areas one may suggest, a header without its body, and the
share requests with names."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from hub.actors import Actor
from hub.auth import service as auth
from hub.consents import service as consents
from hub.consents.schemas import ShareRequestCreate
from hub.errors import Forbidden, NotFound
from hub.members.models import Role
from hub.organisations.models import OrganisationStatus
from hub.reports import service
from hub.reports.errors import ReportWithdrawn
from hub.reports.models import Report
from policies import default_policy
from tests.hub.factories import make_member, make_organisation
from tests.hub.reports.factories import API, Party, flash, member_of, publish, world


def actor_of(session: Session, who: Party | dict[str, str]) -> Actor:
    headers = who.headers if isinstance(who, Party) else who
    return auth.authenticate(session, token=headers["Authorization"].removeprefix("Bearer "))


def test_recipients_for_the_originator_only(db_session: Session, client: TestClient) -> None:
    w = world(db_session, client)
    keyless = make_organisation(db_session, name="Sans Clés")
    pending = make_organisation(db_session, name="En Attente", approve=False)
    named = [w.b.id, w.c.id, keyless.id, pending.id, "00000000-0000-0000-0000-00000000dead"]
    rid = publish(client, w.a, flash(audience={"organisations": named}))["id"]
    client.delete(f"{API}/reports/{rid}/recipients/{w.c.id}", headers=w.a.headers)

    found = service.recipients_of(db_session, actor=actor_of(db_session, w.a), report_id=rid)
    assert [(r.name, r.originator) for r in found.current] == sorted(
        [(w.a.org.name, True), (w.b.org.name, False)]
    )
    assert {r.granted_by for r in found.current} == {"publication"}
    assert [r.name for r in found.revoked] == [w.c.org.name]
    # Revoked is not "not reached": it was sealed to, then taken back.
    assert found.not_reached == sorted(
        ["En Attente", "Sans Clés", "00000000-0000-0000-0000-00000000dead"]
    )

    with pytest.raises(Forbidden):
        service.recipients_of(db_session, actor=actor_of(db_session, w.b), report_id=rid)
    with pytest.raises(NotFound):
        service.recipients_of(db_session, actor=actor_of(db_session, w.outsider), report_id=rid)


def test_partner_choices_are_the_other_approved_organisations(
    db_session: Session, client: TestClient
) -> None:
    w = world(db_session, client)
    keyless = make_organisation(db_session, name="Zz Sans Clés")
    make_organisation(db_session, name="Zz En Attente", approve=False)
    partners = service.partner_choices(db_session, actor=actor_of(db_session, w.a))
    ids = [p.id for p in partners]
    assert w.a.id not in ids
    assert {w.b.id, w.c.id, w.outsider.id, keyless.id} <= set(ids)
    assert "Zz En Attente" not in [p.name for p in partners]
    assert [p.name for p in partners] == sorted(p.name for p in partners)
    assert next(p for p in partners if p.id == keyless.id).has_keys is False
    assert next(p for p in partners if p.id == w.b.id).has_keys is True


def test_area_choices_are_where_my_organisation_works(
    db_session: Session, client: TestClient
) -> None:
    w = world(db_session, client)
    # A is present in CD61 (Nord-Kivu): it and the territories inside it.
    codes = [a.code for a in service.area_choices(db_session, actor=actor_of(db_session, w.a))]
    assert codes == ["CD61", "CD6102", "CD6103"]
    assert [
        a.code for a in service.area_choices(db_session, actor=actor_of(db_session, w.outsider))
    ] == [
        "CD62",
        "CD6201",
    ]


def test_area_choices_use_the_readers_language(db_session: Session, client: TestClient) -> None:
    from hub.actors import CONSOLE
    from hub.areas import service as areas
    from hub.i18n import current_locale

    w = world(db_session, client)
    areas.set_presence(db_session, actor=CONSOLE, organisation_id=w.a.id, areas=["CD"])
    token = current_locale.set("fr")
    try:
        names = {
            a.code: a.name
            for a in service.area_choices(db_session, actor=actor_of(db_session, w.a))
        }
    finally:
        current_locale.reset(token)
    assert names["CD"] == "République démocratique du Congo"
    assert names["CD6102"] == "Rutshuru"


def test_report_header_without_the_body(db_session: Session, client: TestClient) -> None:
    w = world(db_session, client)
    rid = publish(client, w.a, flash(audience={"organisations": [w.b.id]}, anonymous=True))["id"]
    mine = service.report_header(db_session, actor=actor_of(db_session, w.a), report_id=rid)
    assert mine.header.originator.id == w.a.id
    theirs = service.report_header(db_session, actor=actor_of(db_session, w.b), report_id=rid)
    assert theirs.header.originator.id is None
    assert theirs.header.originator.name == "a partner organisation"
    with pytest.raises(NotFound):
        service.report_header(db_session, actor=actor_of(db_session, w.c), report_id=rid)
    client.delete(f"{API}/reports/{rid}", headers=w.a.headers)
    with pytest.raises(ReportWithdrawn):
        service.report_header(db_session, actor=actor_of(db_session, w.b), report_id=rid)


def test_share_request_views_name_both_sides_and_who_may_answer(
    db_session: Session, client: TestClient
) -> None:
    w = world(db_session, client)
    rid = publish(client, w.a, flash(audience={"organisations": [w.b.id]}, anonymous=True))["id"]
    other = publish(client, w.a, flash(audience={"organisations": [w.b.id]}))["id"]
    for report_id in (rid, other):
        consents.request_share(
            db_session,
            actor=actor_of(db_session, w.b),
            report_id=report_id,
            request_in=ShareRequestCreate(to_organisation=w.c.id, reason="same road"),
            policy=default_policy(),
        )

    incoming = consents.share_request_views(
        db_session, actor=actor_of(db_session, w.a), report_id=rid
    )
    assert len(incoming) == 1
    view = incoming[0]
    assert (view.from_name, view.to_name) == (w.b.org.name, w.c.org.name)
    assert view.request.direction == "incoming"
    assert view.can_answer is True
    assert view.report is not None
    assert view.report.originator.id == w.a.id

    outgoing = consents.share_request_views(db_session, actor=actor_of(db_session, w.b))
    assert {v.request.report_id for v in outgoing} == {rid, other}
    assert all(v.request.direction == "outgoing" and not v.can_answer for v in outgoing)
    anonymous = next(v for v in outgoing if v.request.report_id == rid)
    # The requester holds an anonymous report: the view does not name its originator.
    assert anonymous.report is not None
    assert anonymous.report.originator.id is None
    assert anonymous.report.originator.name == "a partner organisation"

    # A liaison of the originator sees the request but does not speak for the organisation.
    liaison = member_of(db_session, client, w.a, roles=(Role.LIAISON,))
    seen = consents.share_request_views(db_session, actor=actor_of(db_session, liaison))
    assert seen
    assert not any(v.can_answer for v in seen)


def test_share_request_views_survive_an_edited_header(
    db_session: Session, client: TestClient
) -> None:
    w = world(db_session, client)
    rid = publish(client, w.a, flash(audience={"organisations": [w.b.id]}))["id"]
    consents.request_share(
        db_session,
        actor=actor_of(db_session, w.b),
        report_id=rid,
        request_in=ShareRequestCreate(to_organisation=w.c.id, reason="same road"),
        policy=default_policy(),
    )
    db_session.get(Report, rid).severity = "severf"  # type: ignore[union-attr]
    db_session.commit()
    views = consents.share_request_views(db_session, actor=actor_of(db_session, w.a))
    assert [v.report for v in views] == [None]


def test_a_member_of_a_suspended_organisation_gets_no_choices(
    db_session: Session, client: TestClient
) -> None:
    w = world(db_session, client)
    member = make_member(db_session, w.c.org)
    w.c.org.status = OrganisationStatus.SUSPENDED
    db_session.commit()
    token = client.post(
        f"{API}/auth/login",
        json={"email": member.member.email, "password": "a quiet road near goma"},
    )
    assert token.status_code == 200, token.text
    # Refused where every request is authenticated, before any service is reached.
    with pytest.raises(Forbidden):
        actor_of(db_session, {"Authorization": f"Bearer {token.json()['access_token']}"})
