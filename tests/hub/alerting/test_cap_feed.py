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
