"""The CAP feed: level changes (public by SLT's rules) as schema-valid CAP 1.2, members only."""

import datetime as dt

from lxml import etree

from alerts.cap import CAP_NS, schema
from hub.actors import Actor
from hub.areas import service as areas
from hub.members.models import Role
from policies import default_policy
from policies.vocabulary import Risk
from tests.hub.areas.factories import make_tree
from tests.hub.factories import current_code, login, make_member, make_organisation

ATOM = "{http://www.w3.org/2005/Atom}"


def test_level_change_appears_as_valid_cap(db_session, client) -> None:
    make_tree(db_session)
    un = make_organisation(db_session, name="UNDSS")
    created = make_member(db_session, un, roles=(Role.COORDINATOR,))
    coordinator = Actor(label=created.member.email, member=created.member)
    areas.set_risk(
        db_session,
        actor=coordinator,
        code="CD61",
        risk=Risk.HIGH,
        reason="Affrontements",
        now=dt.datetime.now(dt.UTC),
        policy=default_policy(),
    )
    assert client.get("/api/v1/alerts/cap").status_code == 401

    headers = login(client, created.member.email, totp=current_code(created.totp_secret))
    response = client.get("/api/v1/alerts/cap", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = etree.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 1
    cap = entries[0].find(f"{ATOM}content/{{{CAP_NS}}}alert")
    schema().assertValid(cap)
    geocodes = cap.findall(f".//{{{CAP_NS}}}geocode/{{{CAP_NS}}}value")
    assert {g.text for g in geocodes} == {"CD61"}
    languages = {i.text for i in cap.findall(f"{{{CAP_NS}}}info/{{{CAP_NS}}}language")}
    assert len(languages) == 2
    # Nothing from the coordinator's reason (free text that may be sensitive) is published.
    assert b"Affrontements" not in response.content


def _cap_entries(client, headers) -> list:
    response = client.get("/api/v1/alerts/cap", headers=headers)
    assert response.status_code == 200, response.text
    feed = etree.fromstring(response.content)
    alerts = [e.find(f"{ATOM}content/{{{CAP_NS}}}alert") for e in feed.findall(f"{ATOM}entry")]
    for cap in alerts:
        schema().assertValid(cap)
    return alerts


def _field(cap, name: str) -> str | None:
    found = cap.find(f"{{{CAP_NS}}}{name}")
    return None if found is None else found.text


def test_updates_and_withdrawals_of_clear_reports_reference_what_they_supersede(
    db_session, client
) -> None:
    """The feed answered 500 to everyone, for good, once a TLP:CLEAR report was updated or
    withdrawn: the Update and Cancel were built without `references`."""
    from tests.hub.reports.factories import API, flash, publish, world

    w = world(db_session, client)
    first = publish(client, w.a, flash(tlp="clear", summary="Route RN2 coupée à Kibumba"))
    update = publish(
        client,
        w.a,
        flash(
            tlp="clear",
            stage="update",
            supersedes=first["id"],
            incident_id=first["id"],
            summary="Route RN2 rouverte",
        ),
    )
    assert client.delete(f"{API}/reports/{update['id']}", headers=w.a.headers).status_code == 204
    caps = _cap_entries(client, w.b.headers)
    by_type: dict[str, list] = {}
    for cap in caps:
        by_type.setdefault(_field(cap, "msgType"), []).append(cap)
    assert set(by_type) == {"Alert", "Update", "Cancel"}
    [alert] = by_type["Alert"]
    [upd] = by_type["Update"]
    [cancel] = by_type["Cancel"]
    sender = _field(alert, "sender")
    assert _field(upd, "references") == (
        f"{sender},{_field(alert, 'identifier')},{_field(alert, 'sent')}"
    )
    assert _field(upd, "identifier") in _field(cancel, "references")


def test_a_control_character_in_a_summary_is_refused_and_never_breaks_the_feed(
    db_session, client
) -> None:
    from alerts.models import AlertEvent
    from tests.hub.reports.factories import API, flash, publish, world

    w = world(db_session, client)
    refused = client.post(
        f"{API}/reports", json=flash(tlp="clear", summary="Pont\x01coupé"), headers=w.a.headers
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "summary"
    good = publish(client, w.a, flash(tlp="clear", summary="Pont coupé\tà Goma"))
    # An event stored before the hub refused such summaries (or edited in the database).
    event = db_session.query(AlertEvent).filter_by(source=f"report:{good['id']}").one()
    bad = publish(client, w.a, flash(tlp="clear", summary="Autre"))
    broken = db_session.query(AlertEvent).filter_by(source=f"report:{bad['id']}").one()
    broken.facts = {**broken.facts, "summary": "Pont\x00\x0b coupé", "severity": "catastrophic"}
    db_session.commit()
    caps = _cap_entries(client, w.b.headers)
    identifiers = {_field(c, "identifier") for c in caps}
    assert event.id in identifiers
    assert broken.id not in identifiers  # left out and logged; the rest of the feed stands
