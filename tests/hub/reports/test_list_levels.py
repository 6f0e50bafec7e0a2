"""Where a page lists reports (/reports, the overview's latest reports), each report's area
carries the badge of the cooperation level in force there now, in the reader's language: it
turns enhanced when a coordinator raises the area, whatever level the report was published
under."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from hub.actors import Actor
from hub.areas import service as areas
from hub.members.models import Role
from policies import default_policy
from policies.vocabulary import Risk
from tests.hub.factories import make_member, make_organisation
from tests.hub.pages import Browser
from tests.hub.reports.factories import World, flash, publish

LEVELS = {
    "en": ("normal cooperation", "enhanced cooperation"),
    "fr": ("coopération normale", "coopération renforcée"),
}


def _badges(html: str) -> list[str]:
    return re.findall(
        r'Nord-Kivu <small class="code">CD61</small> <span class="level [^"]+">([^<]+)<', html
    )


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_area_of_a_listed_report_shows_its_level_now(
    db_session: Session, client: TestClient, w: World, browser: Browser, lang: str
) -> None:
    normal, enhanced = LEVELS[lang]
    publish(client, w.a, flash(area="CD6102"))  # normal cooperation: the header says CD61
    b = browser(w.b.email, lang=lang)
    assert _badges(b.get("/reports").text) == [normal]
    assert _badges(b.get("/").text) == [normal]
    member = make_member(
        db_session, make_organisation(db_session), roles=(Role.COORDINATOR,)
    ).member
    areas.set_risk(
        db_session,
        actor=Actor(label=member.email, member=member),
        code="CD61",
        risk=Risk.HIGH,
        reason="Affrontements près de Kibumba",
        now=dt.datetime.now(dt.UTC),
        policy=default_policy(),
    )
    assert _badges(b.get("/reports").text) == [enhanced]
    assert _badges(b.get("/").text) == [enhanced]
