"""A level-change alert links to the area's page, and that page opens for the liaison who
received it (it answered 404 before the area pages existed). The CAP feed's `web` link is
the same page, not the JSON API."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from hub.actors import Actor
from hub.areas import service as areas
from hub.members.models import Role
from policies import default_policy
from policies.vocabulary import Risk
from tests.hub.factories import make_member, make_organisation
from tests.hub.pages import Browser

from .conftest import Scene, _text


def test_the_level_change_link_opens_the_area_page_for_its_liaison(
    db_session: Session,
    client: TestClient,
    scene: Scene,
    dispatcher: Any,
    smtp: Any,
    browser: Browser,
) -> None:
    _, handler = smtp
    coordinator = make_member(
        db_session, make_organisation(db_session), roles=(Role.COORDINATOR,)
    ).member
    areas.set_risk(
        db_session,
        actor=Actor(label=coordinator.email, member=coordinator),
        code="CD61",
        risk=Risk.VERY_HIGH,
        reason="Attaques sur la RN2",
        now=dt.datetime.now(dt.UTC),
        policy=default_policy(),
    )
    dispatcher.run_once(dt.datetime.now(dt.UTC))
    mails = [m for m in handler.received if scene.liaison.email in m.rcpt_tos]
    assert mails, "the liaison of North Kivu is told"
    links = set(re.findall(r"https?://[^\s\"<>]+", _text(mails[-1].data)))
    area_links = [link for link in links if "/areas/" in link]
    assert area_links, links
    page = browser(scene.liaison.email).get(re.sub(r"^https?://[^/]+", "", area_links[0]))
    assert page.status_code == 200
    assert "Nord-Kivu" in page.text
    assert 'class="level level-enhanced"' in page.text
