"""The periodic security report pages (issue 15), on the demo: the enhanced area's report
with its charts, in French and English, its printable variant, and what is refused."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from hub import demo
from hub.config import Settings
from tests.hub.pages import csrf

PAGE_BUDGET = 30_000  # bytes of HTML and stylesheet, as the other pages (docs/reports.md)


def demo_login(app: FastAPI, logins: list[dict[str, Any]], email: str, lang: str) -> TestClient:
    entry = next(e for e in logins if e["email"] == email)
    client = TestClient(app, headers={"Accept-Language": lang})
    form = client.get("/login")
    answer = client.post(
        "/login",
        data={"email": email, "password": entry["passphrase"], "csrf_token": csrf(form.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return client


@pytest.fixture
def logins(db_session: Session, settings: Settings) -> list[dict[str, Any]]:
    return demo.populate(db_session, data_dir=settings.data_dir)


@pytest.fixture
def jb(app: FastAPI, logins: list[dict[str, Any]]) -> Iterator[TestClient]:
    with demo_login(app, logins, demo.JB, "en") as client:
        yield client


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_enhanced_areas_report_with_its_charts_stays_under_budget(
    app: FastAPI, logins: list[dict[str, Any]], lang: str
) -> None:
    with demo_login(app, logins, demo.JB, lang) as jb:
        page = jb.get("/areas/CD61/report", params={"from": _month_ago(), "to": _today()})
        assert page.status_code == 200, page.text
        # Every stylesheet the page links (hub.css and the charts' figures.css).
        linked = re.findall(r'<link rel="stylesheet" href="(/static/[^"]+)"', page.text)
        assert "/static/figures.css" in linked
        css = sum(len(jb.get(href).content) for href in linked)
        assert len(page.content) + css < PAGE_BUDGET
        html = page.text
        assert html.count('<svg class="chart"') == 2
        assert html.count('role="img"') == 2
        assert html.count("<title id=") == 2
        assert html.count("<desc id=") == 2
        assert "<script" not in html
        title = "Periodic security report" if lang == "en" else "Rapport de sécurité périodique"
        assert title in html
        # The demo's readable reports are summarised, opened with JB's keys.
        assert "[DEMO]" in html
        # The numbers of the charts are in a table too.
        assert '<table class="figures">' in html


def _today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()


def _month_ago() -> str:
    return (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=27)).isoformat()


def test_printable_variant_has_no_menu_and_no_form(jb: TestClient) -> None:
    page = jb.get("/areas/CD61/report/print")
    assert page.status_code == 200
    assert '<nav class="main"' not in page.text
    assert 'class="period"' not in page.text
    assert re.search(r"<svg class=\"chart\"", page.text)


def test_wrong_dates_answer_the_form_with_field_errors(jb: TestClient) -> None:
    page = jb.get("/areas/CD61/report", params={"from": "31/02/2026", "to": "2026-11-01"})
    assert page.status_code == 422
    assert 'id="from-error"' in page.text
    backwards = jb.get("/areas/CD61/report", params={"from": "2026-11-10", "to": "2026-11-01"})
    assert backwards.status_code == 422
    assert 'id="to-error"' in backwards.text
    long = jb.get("/areas/CD61/report", params={"from": "2024-01-01", "to": "2026-11-01"})
    assert long.status_code == 422
    unknown = jb.get("/areas/NOWHERE/report")
    assert unknown.status_code == 404


def test_logged_out_goes_to_login(client: TestClient, logins: list[dict[str, Any]]) -> None:
    page = client.get("/areas/CD61/report", follow_redirects=False)
    assert page.status_code in (303, 307)
    assert page.headers["location"].endswith("/login")
