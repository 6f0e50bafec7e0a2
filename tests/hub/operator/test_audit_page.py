"""The operator's audit page: filters, paging by cursor, the chain's verification (a tampered
entry shows as broken), and nobody but the operator."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from hub.audit import browse
from hub.audit import service as audit
from hub.audit.labels import action_labels
from hub.audit.models import AuditAction
from hub.members.models import Role
from tests.hub.areas.factories import make_tree
from tests.hub.factories import current_code, make_member, make_organisation
from tests.hub.pages import Browser, csrf

PAGES = ("/operator/audit", "/operator/health")


def _operator(db_session: Session, browser: Browser, lang: str = "en") -> TestClient:
    org = make_organisation(db_session)
    created = make_member(db_session, org, roles=(Role.OPERATOR,))
    assert created.totp_secret is not None
    return browser(created.member.email, lang=lang, totp=current_code(created.totp_secret))


def _seqs(html: str) -> list[int]:
    return [int(n) for n in re.findall(r"#(\d+) · ", html)]


def _rows(html: str) -> str:
    """The listed entries alone (the filter form names every action too)."""
    return html.partition('<ol class="reports">')[2].partition("</ol>")[0]


def _older(html: str) -> str | None:
    match = re.search(r'<a href="([^"]+)" rel="next">', html)
    return match.group(1).replace("&amp;", "&") if match else None


def test_operator_reads_the_log_in_words_without_details(
    db_session: Session, browser: Browser
) -> None:
    org = make_organisation(db_session, name="Aide Sans Frontières")
    focal = make_member(db_session, org, email="jb@asf.example.org")
    audit.record(
        db_session,
        action=AuditAction.LOGIN_FAILED,
        actor=focal.member.email,
        actor_id=focal.member.id,
        target=focal.member.id,
        details={"address": "203.0.113.77", "reason": "secret-ish words"},
    )
    db_session.commit()
    for lang, words in (("en", "Failed login"), ("fr", "Échec de connexion")):
        page = _operator(db_session, browser, lang).get("/operator/audit")
        assert page.status_code == 200, page.text
        assert words in _rows(page.text)
        assert "Aide Sans Frontières" in page.text  # the organisation, by name
        assert focal.member.display_name in page.text  # who, by name
        # Never an entry's details.
        assert "203.0.113.77" not in page.text
        assert "secret-ish" not in page.text
        seqs = _seqs(page.text)
        assert seqs == sorted(seqs, reverse=True)  # newest first
        assert 'href="/operator/audit"' in page.text  # in the operator's menu


def test_every_action_has_words() -> None:
    assert set(action_labels()) == {a.value for a in AuditAction}


def test_filters(db_session: Session, browser: Browser) -> None:
    make_tree(db_session)
    asf = make_organisation(db_session, name="Aide Sans Frontières")
    other = make_organisation(db_session, name="Other Relief")
    asf_member = make_member(db_session, asf, email="jb@asf.example.org")
    make_member(db_session, other)
    audit.record(
        db_session,
        action=AuditAction.AREA_SET_RISK,
        actor="coordinator@un.example.org",
        target="area:CD6102",
    )
    audit.record(
        db_session,
        action=AuditAction.LOGIN,
        actor=asf_member.member.email,
        actor_id=asf_member.member.id,
    )
    db_session.commit()
    op = _operator(db_session, browser)
    everything = _seqs(op.get("/operator/audit").text)

    by_action = op.get("/operator/audit", params={"action": "member:create"}).text
    assert _seqs(by_action)
    assert "Member created" in _rows(by_action)
    assert "Organisation approved" not in _rows(by_action)
    assert len(_seqs(by_action)) < len(everything)

    by_actor = op.get("/operator/audit", params={"who": "coordinator@un.example.org"}).text
    assert len(_seqs(by_actor)) == 1
    assert "Risk set" in _rows(by_actor)
    by_name = op.get("/operator/audit", params={"who": asf_member.member.display_name}).text
    assert len(_seqs(by_name)) == 2  # the keys it made as first member, its login
    assert "Logged in" in _rows(by_name)

    by_org = op.get("/operator/audit", params={"organisation": "aide sans frontières"}).text
    assert "Aide Sans Frontières" in by_org
    assert "Other Relief" not in by_org
    # Created, approved, its member and its keys (by the console), its member's login.
    assert len(_seqs(by_org)) == 5

    by_area = op.get("/operator/audit", params={"area": "CD61"}).text  # the area and below
    assert len(_seqs(by_area)) == 1
    assert "Risk set" in _rows(by_area)

    combined = op.get(
        "/operator/audit", params={"action": "member:create", "organisation": "Other Relief"}
    ).text
    assert len(_seqs(combined)) == 1

    assert _seqs(op.get("/operator/audit", params={"since": "2999-01-01"}).text) == []
    assert _seqs(op.get("/operator/audit", params={"until": "2000-01-01"}).text) == []
    today = op.get("/operator/audit", params={"since": "2000-01-01", "until": "2999-12-31"})
    assert _seqs(today.text) == everything

    for params, field in (
        ({"since": "31/02/2026"}, "since"),
        ({"since": "2026-12-05", "until": "2026-12-01"}, "until"),
        ({"organisation": "Nobody Like This"}, "organisation"),
        ({"area": "Atlantis"}, "area"),
        ({"action": "no:such"}, "action"),
        ({"cursor": "not-a-cursor"}, "cursor"),
    ):
        refused = op.get("/operator/audit", params=params)
        assert refused.status_code == 200
        assert f'id="{field}-error"' in refused.text or "start again" in refused.text, params


def test_pages_follow_the_cursor_to_the_first_entry(db_session: Session, browser: Browser) -> None:
    for i in range(2 * browse.PAGE_SIZE + 7):
        audit.record(
            db_session,
            action=AuditAction.AREA_REVIEW_DUE,
            actor="scheduler",
            target=f"area:CD61{i:02d}",
        )
    db_session.commit()
    op = _operator(db_session, browser)
    seen: list[int] = []
    url: str | None = "/operator/audit"
    pages = 0
    while url:
        html = op.get(url).text
        seen += _seqs(html)
        url = _older(html)
        pages += 1
        assert pages < 10
    total = db_session.execute(text("SELECT count(*) FROM audit_entries")).scalar()
    assert seen == list(range(total, 0, -1))  # every entry once, newest first
    assert pages == -(-total // browse.PAGE_SIZE)
    assert "cursor=a1." in _older(op.get("/operator/audit").text) or ""


def test_a_sparse_filter_pages_on_where_its_walk_stopped(
    db_session: Session, browser: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = make_organisation(db_session, name="Rare Partner")
    for _ in range(30):
        audit.record(db_session, action=AuditAction.AREA_REVIEW_DUE, actor="scheduler")
    db_session.commit()
    monkeypatch.setattr(browse, "SCAN_LIMIT", 10)
    op = _operator(db_session, browser)
    html = op.get("/operator/audit", params={"organisation": org.name}).text
    assert _seqs(html) == []
    assert "Older entries may match" in html
    found: list[int] = []
    url = _older(html)
    while url:
        html = op.get(url).text
        found += _seqs(html)
        url = _older(html)
    assert len(found) == 2  # created and approved, 30+ entries earlier


def test_verification_shows_a_tampered_entry_as_broken(
    db_session: Session, browser: Browser, hub_keys: Any
) -> None:
    make_member(db_session, make_organisation(db_session))
    op = _operator(db_session, browser)
    page = op.get("/operator/audit").text
    assert "has not been verified yet" in page
    done = op.post("/operator/audit/verify", data={"csrf_token": csrf(page)})
    assert done.status_code == 200, done.text
    assert "Intact:" in done.text

    db_session.execute(
        text("UPDATE audit_entries SET details = :d WHERE seq = 3"), {"d": '{"x": 1}'}
    )
    db_session.commit()
    page = op.get("/operator/audit").text
    # The row itself shows at once, before any full walk.
    assert page.count("Altered: this entry is not what was written.") == 1
    assert re.search(r'class="broken">\s*<span class="hint">#3 ', page)
    broken = op.post("/operator/audit/verify", data={"csrf_token": csrf(page)}).text
    assert "Broken at entry 3." in broken
    assert "Entry 3 was altered after it was written." in broken

    fr = _operator(db_session, browser, "fr").get("/operator/audit").text
    assert "Rompue à l’entrée 3." in fr

    # A result written into the database by hand is not the hub's.
    db_session.execute(
        text("UPDATE audit_verifications SET ok = :t, first_bad = NULL"), {"t": True}
    )
    db_session.commit()
    forged = op.get("/operator/audit").text
    assert "not signed by this hub's key" in forged
    assert "Intact:" not in forged


def test_the_command_line_and_the_page_share_one_verification(
    db_session: Session, hub_keys: Any
) -> None:
    make_organisation(db_session)
    result, kept = audit.verify_and_keep(
        db_session, hub_public=hub_keys.public_bytes(), by="console"
    )
    assert result.ok
    assert kept.entries == result.entries
    last = audit.last_verification(db_session, hub_public=hub_keys.public_bytes())
    assert last is not None
    assert last.genuine
    assert last.row.by == "console"


@pytest.mark.parametrize("role", [Role.FOCAL_POINT, Role.COMMITTEE, Role.COORDINATOR])
def test_only_the_operator(db_session: Session, browser: Browser, role: Role) -> None:
    org = make_organisation(db_session)
    created = make_member(db_session, org, roles=(role,))
    totp = current_code(created.totp_secret) if created.totp_secret else None
    member = browser(created.member.email, totp=totp)
    for path in PAGES:
        page = member.get(path)
        assert page.status_code == 403
        assert page.headers["content-type"].startswith("text/html")
        assert 'href="/operator/audit"' not in page.text  # not in their menu
    refused = member.post("/operator/audit/verify", data={"csrf_token": csrf(member.get("/").text)})
    assert refused.status_code == 403
    assert db_session.execute(text("SELECT count(*) FROM audit_verifications")).scalar() == 0


def test_logged_out_goes_to_login(client: TestClient) -> None:
    for path in PAGES:
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/login"
