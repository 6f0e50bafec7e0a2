"""Every page route, walked as every kind of person, answers a page a person can act on.

The routes come from the app itself (`app.routes`): a page added later is walked too, with
no list to keep. For each person (a focal point, a member without keys, a coordinator, a
liaison, a committee member, the operator, someone logged out, a member of a suspended
organisation) and each language, every GET and every POST of every page path (POSTs with a
valid CSRF token and an empty form, ids that exist nowhere) must answer:
- never a 5xx, never JSON or bare text: HTML, or a redirect (logged out: to /login);
- a refusal (403) and an unknown id (404) as a page in the reader's language that says what
  to do or whom to ask (`id="what-to-do"`);
- the operator's pages refused to everyone but the operator; everything but the landing page
  and one's own account refused to a suspended organisation's member.
API routes keep problem+json (checked at the end on a few of them)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from hub.actors import CONSOLE
from hub.members.models import Role
from hub.organisations import service as organisations
from tests.hub.areas.factories import make_tree
from tests.hub.factories import current_code, make_member, make_organisation
from tests.hub.pages import Browser, csrf

PEOPLE = (
    "focal point",
    "member without keys",
    "coordinator",
    "liaison",
    "committee",
    "operator",
    "logged out",
    "suspended organisation's member",
)
ROLES = {
    "coordinator": Role.COORDINATOR,
    "liaison": Role.LIAISON,
    "committee": Role.COMMITTEE,
    "operator": Role.OPERATOR,
}
# What a person may still open once their organisation is suspended.
SUSPENDED_MAY = {"/", "/account/passphrase", "/account/totp", "/login", "/apply", "/docs"}
ENGLISH_HEADINGS = {"Not allowed", "Not found", "This cannot be done", "Not available"}
# Posting these ends the session: walked last.
LAST = ("/logout/everywhere", "/logout")


def page_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every page: the app's routes that are not the JSON API. FastAPI
    keeps included routers as such in `app.routes`; iter_route_contexts walks into them."""
    found = set()
    for context in iter_route_contexts(app.routes):
        path = context.path or ""
        if not isinstance(context.original_route, APIRoute) or path.startswith("/api/"):
            continue
        if path == "/openapi.json":
            continue
        for method in context.methods or ():
            if method in ("GET", "POST"):
                found.add((method, path))
    return sorted(found, key=lambda mp: (mp[1] in LAST, mp[1].startswith("/logout"), mp))


def _fill(path: str, junk: bool = False) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if junk:
            return "x%20y'!"
        if name == "token":
            return "not-a-token"
        if name == "code":
            return "ZZ9999"
        if name in ("decision", "action"):
            return "approve"
        return str(uuid.uuid4())

    return re.sub(r"\{([a-z_]+)(?::[a-z]+)?\}", value, path)


def _person(db_session: Session, browser: Browser, app: FastAPI, who: str, lang: str) -> TestClient:
    if who == "logged out":
        return TestClient(app, headers={"Accept-Language": lang})
    org = make_organisation(db_session)
    first = make_member(db_session, org, roles=(ROLES.get(who, Role.FOCAL_POINT),))
    created = first
    if who == "member without keys":
        created = make_member(db_session, org, roles=(Role.LIAISON,))
    totp = current_code(created.totp_secret) if created.totp_secret else None
    client = browser(created.member.email, lang=lang, totp=totp)
    if who == "suspended organisation's member":
        organisations.suspend_organisation(db_session, actor=CONSOLE, organisation_id=org.id)
    return client


def _h1(html: str) -> str:
    match = re.search(r"<h1>(.*?)</h1>", html, re.S)
    return match.group(1).strip() if match else ""


def _walk(client: TestClient, app: FastAPI, who: str, lang: str) -> Iterator[str]:
    """Every problem found, as a sentence."""
    token = None
    if who != "logged out":
        token = csrf(client.get("/account/passphrase").text)
    for method, template in page_routes(app):
        for junk in (False, True):
            if junk and "{" not in template:
                continue
            path = _fill(template, junk)
            if method == "GET":
                response = client.get(path, headers={"Accept": "text/html"}, follow_redirects=False)
            else:
                data = {"csrf_token": token} if token else {}
                response = client.post(
                    path, data=data, headers={"Accept": "text/html"}, follow_redirects=False
                )
            where = f"{method} {path} as {who} ({lang}): {response.status_code}"
            status = response.status_code
            kind = response.headers.get("content-type", "")
            if status >= 500:
                yield f"{where} — a server error"
                continue
            if status == 401 and (method, template) != ("POST", "/login"):
                yield f"{where} — 401 instead of the login page"
            if status in (301, 302, 303, 307, 308):
                target = response.headers.get("location", "")
                if who == "logged out" and method == "GET" and target != "/login":
                    yield f"{where} — redirects to {target!r}, not /login"
                continue
            if not kind.startswith("text/html"):
                yield f"{where} — answered {kind!r}, not a page"
                continue
            html = response.text
            if f'<html lang="{lang}">' not in html:
                yield f"{where} — not in the reader's language"
            if status in (403, 404, 405):
                if 'id="what-to-do"' not in html:
                    yield f"{where} — says nothing of what to do"
                if lang == "fr" and _h1(html) in ENGLISH_HEADINGS:
                    yield f"{where} — an English heading on a French page"
            if method == "GET" and template.startswith("/operator/") and not junk:
                expected = 200 if who == "operator" else (303 if who == "logged out" else 403)
                if status != expected:
                    yield f"{where} — the operator's page answered {status}, not {expected}"
            if (
                who.startswith("suspended")
                and method == "GET"
                and status == 200
                and template not in SUSPENDED_MAY
                and "{token}" not in template
            ):
                yield f"{where} — open to a suspended organisation's member"


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("who", PEOPLE)
def test_every_page_route_answers_a_friendly_page(
    db_session: Session, app: FastAPI, browser: Browser, who: str, lang: str
) -> None:
    make_tree(db_session)
    routes = page_routes(app)
    assert ("GET", "/operator/audit") in routes  # the walk finds the pages by itself
    assert len(routes) > 40
    client = _person(db_session, browser, app, who, lang)
    problems = list(_walk(client, app, who, lang))
    assert not problems, "\n".join(problems)


def test_a_page_path_asked_with_the_wrong_method_is_a_page(client: TestClient) -> None:
    response = client.get("/logout", headers={"Accept": "text/html", "Accept-Language": "fr"})
    assert response.status_code == 405
    assert response.headers["content-type"].startswith("text/html")
    assert 'id="what-to-do"' in response.text
    assert "POST" in response.headers["allow"]


def test_api_routes_keep_problem_json(client: TestClient) -> None:
    for path in (
        "/api/v1/me",
        "/api/v1/audit",
        f"/api/v1/reports/{uuid.uuid4()}",
        "/api/v1/nothing",
    ):
        response = client.get(path, headers={"Accept": "text/html"})
        assert response.status_code in (401, 404), path
        assert response.headers["content-type"] == "application/problem+json", path


def test_a_refusal_says_which_role_and_whom_to_ask(db_session: Session, browser: Browser) -> None:
    org = make_organisation(db_session)
    created = make_member(db_session, org, roles=(Role.LIAISON,))
    for lang, operator_only, roles, ask in (
        (
            "en",
            "operator only",
            "oversight committee member",
            "ask a security focal point of your organisation",
        ),
        (
            "fr",
            "réservé à l’opérateur du hub",
            "membre du comité de supervision",
            "demandez à un point focal sécurité de votre organisation",
        ),
    ):
        member = browser(created.member.email, lang=lang)
        audit_page = member.get("/operator/audit")
        assert audit_page.status_code == 403
        assert operator_only in audit_page.text
        committee = member.get("/committee/organisations")
        assert committee.status_code == 403
        assert roles in committee.text
        assert ask in committee.text
