"""The inbox (GET /api/v1/reports): one index range per page, an opaque cursor that never
tells whether a report the caller does not hold exists, header columns only (issue 10)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from hub.reports.models import Report, ReportWrap
from tests.hub.reports.factories import API, World, flash, party, publish


def _page(client: TestClient, who: Any, **params: Any) -> tuple[list[str], str | None]:
    response = client.get(f"{API}/reports", params=params, headers=who.headers)
    assert response.status_code == 200, response.text
    link = response.headers.get("link")
    following = None
    if link is not None:
        found = re.fullmatch(r'<([^>]+)>; rel="next"', link)
        assert found is not None, link
        following = found.group(1)
    return [r["id"] for r in response.json()], following


def test_pages_follow_the_link_header_to_the_end(
    db_session: Session, client: TestClient, w: World
) -> None:
    ids = [publish(client, w.a, flash())["id"] for _ in range(5)]
    seen: list[str] = []
    first, following = _page(client, w.b, limit=2)
    seen += first
    while following is not None:
        response = client.get(following, headers=w.b.headers)
        assert response.status_code == 200
        seen += [r["id"] for r in response.json()]
        link = response.headers.get("link")
        following = None if link is None else re.findall(r"<([^>]+)>", link)[0]
    assert seen == list(reversed(ids))
    # The cursor is opaque: it does not carry the report id in clear.
    _, cursor_link = _page(client, w.b, limit=2)
    assert cursor_link is not None
    assert first[-1] not in cursor_link


def test_the_cursor_keeps_the_filters(db_session: Session, client: TestClient, w: World) -> None:
    severe = [publish(client, w.a, flash(severity="severe"))["id"] for _ in range(3)]
    publish(client, w.a, flash(severity="minor"))
    first, following = _page(client, w.b, severity="severe", limit=2)
    assert following is not None
    assert "severity=severe" in following
    rest = [r["id"] for r in client.get(following, headers=w.b.headers).json()]
    assert first + rest == list(reversed(severe))


def test_a_report_the_caller_does_not_hold_pages_like_a_random_id(
    db_session: Session, client: TestClient, w: World
) -> None:
    mine = [publish(client, w.a, flash())["id"] for _ in range(3)]
    # Sent only to the outsider's area: B does not hold it.
    theirs = publish(client, w.outsider, flash(area="CD62"))["id"]
    assert db_session.get(ReportWrap, (theirs, w.b.id)) is None
    as_unheld = client.get(f"{API}/reports", params={"before": theirs}, headers=w.b.headers)
    as_random = client.get(
        f"{API}/reports", params={"before": str(uuid.uuid4())}, headers=w.b.headers
    )
    assert as_unheld.status_code == as_random.status_code == 200
    assert as_unheld.json() == as_random.json()
    assert as_unheld.headers.get("link") == as_random.headers.get("link")
    assert [r["id"] for r in as_unheld.json()] == list(reversed(mine))


def test_older_clients_page_by_the_last_id(
    db_session: Session, client: TestClient, w: World
) -> None:
    ids = [publish(client, w.a, flash())["id"] for _ in range(3)]
    first, _ = _page(client, w.b, limit=2)
    rest, following = _page(client, w.b, limit=2, before=first[-1])
    assert first + rest == list(reversed(ids))
    assert following is None


def test_a_cursor_that_is_neither_form_is_a_field_error(
    db_session: Session, client: TestClient, w: World
) -> None:
    for junk in ("i1.%%%", "not a cursor!", "i1." + "A" * 40):
        response = client.get(f"{API}/reports", params={"before": junk}, headers=w.b.headers)
        if response.status_code == 200:
            # A well-formed cursor that points nowhere only bounds the caller's own list.
            continue
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["field"] == "before"


def test_the_list_reads_header_columns_only(
    db_session: Session, client: TestClient, w: World
) -> None:
    publish(client, w.a, flash(audience={"organisations": [w.b.id]}))
    statements: list[str] = []

    def remember(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    engine = db_session.get_bind()
    event.listen(engine, "before_cursor_execute", remember)
    try:
        listed, _ = _page(client, w.b)
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    assert len(listed) == 1
    lists = [s for s in statements if "report_wraps" in s and "ORDER BY" in s]
    assert lists, statements
    for statement in lists:
        for sealed in ("envelope", "attestation", "audience", "wrap,", ".wrap "):
            assert sealed not in statement, statement
    # One statement for the page, originators joined: none per originator.
    assert not [s for s in statements if s.lstrip().startswith("SELECT organisations.")]


def test_wraps_carry_the_reports_listing_time(
    db_session: Session, client: TestClient, w: World
) -> None:
    created = publish(client, w.a, flash())["id"]
    report = db_session.get(Report, created)
    assert report is not None
    wraps = db_session.scalars(select(ReportWrap).where(ReportWrap.report_id == created)).all()
    assert wraps
    assert {x.listed_at for x in wraps} == {report.created_at}


def test_a_report_shared_later_is_listed_at_its_own_time(
    db_session: Session, client: TestClient, w: World
) -> None:
    late = party(db_session, client, name="Late E", presence=("CD62",))
    older = publish(client, w.a, flash())["id"]
    publish(client, w.a, flash())
    # The consent flow's wrap row is made like this one (hub.consents.service).
    assert db_session.get(ReportWrap, (older, late.id)) is None
    listed, _ = _page(client, late)
    assert older not in listed


def test_a_rare_filter_walks_a_bounded_range_and_pages_on(
    db_session: Session, client: TestClient, w: World, monkeypatch: Any
) -> None:
    """A filter that matches one report in many never walks everything the organisation
    holds in one request: each page examines at most SCAN_LIMIT wraps, and the next link
    continues from where the walk stopped, so following it finds the match."""
    from hub.reports import service

    monkeypatch.setattr(service, "SCAN_LIMIT", 3)
    extreme = publish(client, w.a, flash(severity="extreme"))["id"]
    for _ in range(7):
        publish(client, w.a, flash(severity="minor"))
    first, following = _page(client, w.b, severity="extreme", limit=5)
    pages = [first]
    while following is not None:
        response = client.get(following, headers=w.b.headers)
        assert response.status_code == 200
        pages.append([r["id"] for r in response.json()])
        link = response.headers.get("link")
        following = None if link is None else re.findall(r"<([^>]+)>", link)[0]
    assert [i for page in pages for i in page] == [extreme]
    # Eight wraps, three examined a page: the first pages come back empty with a next link.
    assert pages[0] == []
    assert len(pages) == 3
