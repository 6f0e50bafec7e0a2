"""The directory in pages, in both languages: a focal point is prompted, chooses what to show
on /account/directory; a partner picks the area by name on /directory and gets tel: and
mailto: links; a suspended organisation's member gets the friendly 403 page."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from hub.actors import CONSOLE
from hub.organisations import service as organisations
from tests.hub.pages import Browser, csrf
from tests.hub.reports.factories import World

PHONE = "+243810000001"
WORDS = {
    "fr": {
        "prompt": "ne peuvent pas encore vous trouver",
        "saved": "Enregistré",
        "who": "Qui appeler ici",
    },
    "en": {"prompt": "cannot find you", "saved": "Saved", "who": "Who to call here"},
}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_choose_then_a_partner_finds_me_by_the_areas_name(
    w: World, browser: Browser, lang: str
) -> None:
    words = WORDS[lang]
    a = browser(w.a.email, lang=lang)
    assert words["prompt"] in a.get("/").text
    assert 'href="/directory"' in a.get("/").text  # in the menu
    form = a.get("/account/directory")
    assert form.status_code == 200
    assert words["prompt"] not in form.text
    saved = a.post(
        "/account/directory",
        data={
            "csrf_token": csrf(form.text),
            "show": ["name", "phone", "email"],
            "phone": PHONE,
            "title": "Hidden title",
            "audience": "partners",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    assert words["saved"] in a.get(saved.headers["location"]).text
    assert words["prompt"] not in a.get("/").text

    b = browser(w.b.email, lang=lang)
    area = b.get("/areas/CD6102")
    assert words["who"] in area.text
    assert 'href="/directory?area=CD6102"' in area.text
    page = b.get("/directory", params={"area": "rutshuru"})
    assert page.status_code == 200
    assert f'href="tel:{PHONE}"' in page.text
    assert f'href="mailto:{w.a.email}"' in page.text
    assert "Hidden title" not in page.text
    assert w.a.org.name in page.text


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_form_errors_come_back_next_to_their_fields(w: World, browser: Browser, lang: str) -> None:
    a = browser(w.a.email, lang=lang)
    form = a.get("/account/directory")
    refused = a.post(
        "/account/directory",
        data={"csrf_token": csrf(form.text), "show": ["phone", "title"], "phone": "0810 00"},
    )
    assert refused.status_code == 422
    assert 'id="phone-error"' in refused.text
    assert 'id="title-error"' in refused.text
    assert 'value="0810 00"' in refused.text  # what was typed is kept
    unknown = a.get("/directory", params={"area": "Atlantis"})
    assert unknown.status_code == 422
    assert 'id="area-error"' in unknown.text


def test_a_suspended_organisations_member_gets_the_403_page(
    db_session: Session, w: World, browser: Browser
) -> None:
    a = browser(w.a.email, lang="fr")
    organisations.suspend_organisation(db_session, actor=CONSOLE, organisation_id=w.a.id)
    for path in ("/directory?area=CD61", "/account/directory"):
        page = a.get(path, headers={"Accept": "text/html"})
        assert page.status_code == 403
        assert page.headers["content-type"].startswith("text/html")
        assert "suspendue" in page.text
