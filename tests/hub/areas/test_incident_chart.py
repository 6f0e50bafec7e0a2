"""The incidents-by-month chart on an area's page, in both languages: counted from report
headers for the area and the areas within it, with the periodic report's rules (one incident
once, withdrawn reports and other report types left out, TLP:RED only for an organisation it
was given); the numbers are in the chart's description and in a table, month names in the
reader's language."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from hub.actors import Actor
from hub.areas import service as areas
from hub.areas.incidents import incidents_by_month, month_counts_query, month_starts
from hub.members.models import Member, Role
from policies import default_policy
from policies.vocabulary import Risk
from tests.hub.areas.factories import make_tree
from tests.hub.factories import current_code, make_member, make_organisation
from tests.hub.pages import Browser
from tests.hub.reports.factories import API, World, flash, publish

WORDS = {
    "en": {
        "heading": "Incidents by month",
        "counted": "a TLP:RED report only if your organisation received it",
        "month": "Month",
    },
    "fr": {
        "heading": "Incidents par mois",
        "counted": "un rapport TLP:RED seulement si votre organisation l’a reçu",
        "month": "Mois",
    },
}


def test_month_starts_are_the_last_twelve_months_oldest_first() -> None:
    starts = month_starts(dt.date(2026, 2, 17))
    assert starts[0] == dt.date(2025, 3, 1)
    assert starts[-1] == dt.date(2026, 2, 1)
    assert len(starts) == 12
    assert len(set(starts)) == 12


def _when(day: dt.date) -> str:
    return f"{day.isoformat()}T06:40:00+01:00"


def _incidents(
    db_session: Session, client: TestClient, w: World, today: dt.date
) -> tuple[dt.date, dt.date]:
    """Two incidents in North Kivu's territories (one of them a flash and its update, in the
    month before this one), and what must not count: a situation report, an incident in
    South Kivu, a withdrawn incident, an incident older than twelve months — and a TLP:RED
    incident given to B alone, which counts for B only. North Kivu is raised to high first:
    in enhanced cooperation a header may name a territory."""
    coordinator = make_member(
        db_session, make_organisation(db_session), roles=(Role.COORDINATOR,)
    ).member
    areas.set_risk(
        db_session,
        actor=Actor(label=coordinator.email, member=coordinator),
        code="CD61",
        risk=Risk.HIGH,
        reason="Affrontements près de Kibumba",
        now=dt.datetime.now(dt.UTC),
        policy=default_policy(),
    )
    this_month = today.replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    first = publish(client, w.a, flash(area="CD6102", occurred_at=_when(last_month)))
    publish(
        client,
        w.a,
        flash(
            area="CD6102",
            stage="update",
            incident_id=first["id"],
            supersedes=first["id"],
            occurred_at=_when(last_month),
        ),
    )
    publish(client, w.a, flash(area="CD6103", occurred_at=_when(this_month)))
    publish(client, w.a, flash(area="CD6201", occurred_at=_when(this_month)))
    situation = flash(type="situation", stage=None, area="CD61", occurred_at=_when(this_month))
    situation["body"] = {"narrative": "Calme relatif à Goma.", "outlook": "Tensions attendues."}
    publish(client, w.a, situation)
    gone = publish(client, w.a, flash(area="CD61", occurred_at=_when(this_month)))
    assert client.delete(f"{API}/reports/{gone['id']}", headers=w.a.headers).status_code == 204
    publish(client, w.a, flash(area="CD61", occurred_at=_when(this_month - dt.timedelta(400))))
    publish(
        client,
        w.a,
        flash(
            area="CD6103",
            tlp="red",
            audience={"organisations": [w.b.id]},
            occurred_at=_when(this_month),
        ),
    )
    return last_month, this_month


def test_counts_come_from_headers_of_the_area_and_its_sub_areas(
    db_session: Session, client: TestClient, w: World
) -> None:
    today = dt.datetime.now(dt.UTC).date()
    last_month, this_month = _incidents(db_session, client, w, today)
    org = make_organisation(db_session)
    coordinator = make_member(db_session, org, roles=(Role.COORDINATOR,)).member
    seen = incidents_by_month(
        db_session, actor=Actor(label="c", member=coordinator), code="CD61", today=today
    )
    assert seen is not None
    by_month = {m.start: m.incidents for m in seen.months}
    assert by_month[this_month] == 1
    assert by_month[last_month] == 1
    assert seen.total == 2
    # The territory alone; South Kivu's incident is in its own tree.
    one = incidents_by_month(
        db_session, actor=Actor(label="c", member=coordinator), code="CD6103", today=today
    )
    assert one is not None
    assert one.total == 1
    south = incidents_by_month(
        db_session, actor=Actor(label="c", member=coordinator), code="CD62", today=today
    )
    assert south is not None
    assert south.total == 1
    # TLP:RED counts only for an organisation it was given: B, not the outsider.
    for who, red in ((w.b, 1), (w.outsider, 0)):
        member = db_session.scalars(select(Member).where(Member.email == who.email)).one()
        theirs = incidents_by_month(
            db_session, actor=Actor(label="o", member=member), code="CD61", today=today
        )
        assert theirs is not None
        assert theirs.total == 2 + red


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_area_page_draws_the_chart_with_its_numbers_in_words(
    db_session: Session, client: TestClient, w: World, browser: Browser, lang: str
) -> None:
    today = dt.datetime.now(dt.UTC).date()
    _incidents(db_session, client, w, today)
    words = WORDS[lang]
    created = make_member(db_session, make_organisation(db_session), roles=(Role.COORDINATOR,))
    assert created.totp_secret is not None
    coordinator = browser(created.member.email, lang=lang, totp=current_code(created.totp_secret))
    page = coordinator.get("/areas/CD61").text
    assert words["heading"] in page
    assert words["counted"] in page
    svg = re.search(r'<svg class="chart".*?</svg>', page, re.S)
    assert svg is not None
    assert re.search(r'<title id="incidents-t">[^<]*Nord-Kivu', svg.group(0))
    assert "2 incidents" in re.search(r"<desc[^>]*>([^<]*)</desc>", svg.group(0)).group(1)  # type: ignore[union-attr]
    # Twelve months under the bars, in the reader's language.
    months = re.findall(r'<text class="lab"[^>]*>([^<]+)</text>', svg.group(0))
    assert len(months) == 12
    december = {"en": "Dec", "fr": "déc."}[lang]
    assert december in months
    table = re.search(r'<table class="figures months">.*?</table>', page, re.S)
    assert table is not None
    assert words["month"] in table.group(0)
    assert len(re.findall(r"<tr><th scope=\"row\">", table.group(0))) == 12
    # B was given the TLP:RED incident too.
    seen_by_b = browser(w.b.email, lang=lang).get("/areas/CD61").text
    assert "3 incidents" in seen_by_b


def test_the_chart_query_is_answered_from_its_index(db_session: Session) -> None:
    """The chart must not read every header: its query is one range of an index per area
    (ix_reports_counts, covering on SQLite), with no look-up of an incident's other stages
    per header (bench/chart.py prints the plans at 10k and 100k
    headers and the time). PostgreSQL plans an empty table with a sequential scan, so it is
    asked whether the index serves the query at all."""
    make_tree(db_session)
    today = dt.date(2026, 12, 5)
    bind = db_session.get_bind()
    query = month_counts_query(
        ["CD61", "CD6102", "CD6103"],
        since=month_starts(today)[0],
        until=today,
        organisation_id="00000000-0000-4000-8000-000000000000",
    )
    sql = str(query.compile(dialect=bind.dialect, compile_kwargs={"literal_binds": True}))
    if bind.dialect.name == "postgresql":
        db_session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = " ".join(str(r[0]) for r in db_session.execute(text("EXPLAIN " + sql)))
        # An empty table: PostgreSQL is asked whether indexes serve every part (as
        # tests/hub/periodic/test_figures.py does for the report's own query).
        assert "Seq Scan" not in plan, plan
        assert re.search(r"Index Cond: \(+(\(area_code\)::text|area_code) = ANY", plan), plan
        assert plan.count(" on reports") == 1, plan
        assert "ix_reports_counts on reports" in plan, plan
    else:
        rows = db_session.execute(text("EXPLAIN QUERY PLAN " + sql))
        plan = " ".join(str(r[-1]) for r in rows)
        assert "COVERING INDEX ix_reports_counts" in plan, plan
        assert plan.count(" reports ") == 1, plan
