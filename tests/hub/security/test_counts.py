"""Adversarial review of the counts (periodic report, the incidents chart on an area's page,
the overview): a TLP:RED report must leave no trace in what an organisation not holding it
sees, and no page names the originator of a report to someone it was not shown to."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from hub.actors import CONSOLE
from hub.members.models import Role
from hub.organisations import service as organisations
from tests.hub.factories import make_member
from tests.hub.pages import Browser
from tests.hub.reports.factories import World, flash, publish

DAY = dt.date.today() - dt.timedelta(days=3)
PERIOD = f"from={DAY - dt.timedelta(days=6)}&to={DAY}"


def _on(**changes: object) -> dict[str, object]:
    return flash(occurred_at=f"{DAY}T09:00:00+01:00", tlp="amber", **changes)


def _main(html: str) -> str:
    """What a page says, without what changes on every request (the forms' CSRF tokens)."""
    main = html.partition("<main>")[2].partition("</main>")[0]
    return re.sub(r'name="csrf_token" value="[^"]*"', "", main)


def _chart(html: str) -> str:
    return html.partition('<figure class="chart">')[2].partition("</table>")[0]


def _views(browser: Browser, w: World) -> dict[str, str]:
    c = browser(w.c.email)
    return {
        "periodic": _main(c.get(f"/areas/CD61/report?{PERIOD}").text),
        "print": _main(c.get(f"/areas/CD61/report/print?{PERIOD}").text).split("<p class=")[0],
        "chart": _chart(c.get("/areas/CD61").text),
        "chart of the country": _chart(c.get("/areas/CD").text),
        "overview": _main(c.get("/").text),
        "reports": _main(c.get("/reports?area=CD61").text),
    }


def _red_to_b(w: World, **changes: object) -> dict[str, object]:
    return {**_on(**changes), "tlp": "red", "audience": {"organisations": [w.b.id]}}


def test_a_red_report_leaves_no_trace_for_an_organisation_not_holding_it(
    client: TestClient, browser: Browser, w: World
) -> None:
    publish(client, w.a, _on(category="shooting"))
    before = _views(browser, w)
    assert "1" in before["chart"]
    publish(client, w.a, _red_to_b(w, category="sexual_violence", area="CD6102"))
    publish(client, w.a, {**_red_to_b(w), "type": "situation", "stage": None, "body": {}})
    after = _views(browser, w)
    for name, page in before.items():
        assert after[name] == page, name
    # The holder's own view does count it (so the comparison above is not vacuous).
    b = browser(w.b.email)
    held = b.get(f"/areas/CD61/report?{PERIOD}").text
    assert _main(held) != before["periodic"]


def test_a_red_update_of_a_shared_flash_does_not_change_the_count_of_a_non_holder(
    client: TestClient, browser: Browser, w: World
) -> None:
    first = publish(client, w.a, _on(category="shooting"))["id"]
    before = _views(browser, w)
    publish(
        client,
        w.a,
        _red_to_b(w, category="shooting", stage="update", incident_id=first, supersedes=first),
    )
    after = _views(browser, w)
    assert after["periodic"] == before["periodic"]
    assert after["chart"] == before["chart"]


def test_an_anonymous_report_names_no_originator_in_the_periodic_report(
    client: TestClient, browser: Browser, w: World
) -> None:
    publish(client, w.a, {**_on(category="shooting"), "anonymous": True})
    for party in (w.b, w.c):
        page = browser(party.email).get(f"/areas/CD61/report?{PERIOD}")
        assert page.status_code == 200
        assert w.a.org.name not in page.text
        assert "shooting" in page.text.lower() or "fusillade" in page.text.lower()


def test_the_report_and_chart_are_for_members_of_approved_partners(
    db_session: Session, client: TestClient, browser: Browser, w: World
) -> None:
    publish(client, w.a, _on(category="shooting"))
    c = browser(w.c.email)
    assert c.get(f"/areas/CD61/report?{PERIOD}").status_code == 200
    organisations.suspend_organisation(db_session, actor=CONSOLE, organisation_id=w.c.id)
    for path in (f"/areas/CD61/report?{PERIOD}", f"/areas/CD61/report/print?{PERIOD}"):
        refused = c.get(path)
        assert refused.status_code == 403, path
        assert "figure" not in refused.text
    anonymous = client.get(f"/areas/CD61/report?{PERIOD}", follow_redirects=False)
    assert anonymous.status_code in (303, 401)
    assert client.get("/areas/CD61", follow_redirects=False).status_code in (303, 401)


def test_a_member_without_keys_sees_counts_but_no_summary(
    client: TestClient, browser: Browser, w: World, db_session: Session
) -> None:
    publish(client, w.a, _on(category="shooting", summary="Tirs pres du marche central"))
    created = make_member(db_session, w.b.org, roles=(Role.LIAISON,))
    fresh = browser(created.member.email)
    page = fresh.get(f"/areas/CD61/report?{PERIOD}")
    assert page.status_code == 200
    assert "Tirs pres du marche central" not in page.text
    assert "1 incident" in page.text  # the counts are header figures: shown all the same
    granted = browser(w.b.email).get(f"/areas/CD61/report?{PERIOD}")
    assert "Tirs pres du marche central" in granted.text


@pytest.mark.parametrize(
    "query",
    [
        "from=9999-12-31",
        "to=0001-01-01",
        "from=2026-01-01&to=2030-01-01",
        "from=" + "2" * 5000,
        "from=2026-13-45",
        "from=%00",
    ],
)
def test_odd_periods_are_form_errors_never_500(browser: Browser, w: World, query: str) -> None:
    page = browser(w.c.email).get(f"/areas/CD61/report?{query}")
    assert 400 <= page.status_code < 500, page.status_code
    assert "text/html" in page.headers["content-type"]
