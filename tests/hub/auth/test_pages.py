from __future__ import annotations

import re
from typing import Any

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from hub.app import create_app
from hub.config import Settings
from hub.security import CSRF_COOKIE
from tests.hub.factories import PASSPHRASE, make_member, make_organisation


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def _login_form(client: TestClient, email: str, **extra: str) -> Any:
    page = client.get("/login")
    data = {"email": email, "password": PASSPHRASE, "csrf_token": _csrf(page.text), **extra}
    return client.post("/login", data=data, follow_redirects=False)


def test_login_page_in_english_and_french(client: TestClient) -> None:
    english = client.get("/login")
    assert english.status_code == 200
    assert "<h1>Log in</h1>" in english.text
    assert "<script" not in english.text

    french = client.get("/login", headers={"Accept-Language": "fr-CD,fr;q=0.9"})
    assert "<h1>Connexion</h1>" in french.text
    assert 'lang="fr"' in french.text
    # An explicit choice wins over the browser and is remembered.
    chosen = client.get("/login?lang=en", headers={"Accept-Language": "fr"})
    assert "<h1>Log in</h1>" in chosen.text
    assert "slthub_lang=en" in chosen.headers["set-cookie"]


def test_form_post_without_csrf_token_is_refused(client: TestClient, db_session: Session) -> None:
    org = make_organisation(db_session)
    created = make_member(db_session, org)
    client.get("/login")  # the browser holds a CSRF cookie, but the attacker's form lacks the token
    response = client.post(
        "/login",
        data={"email": created.member.email, "password": PASSPHRASE},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert "slthub_session" not in response.headers.get("set-cookie", "")

    forged = client.post(
        "/login",
        data={"email": created.member.email, "password": PASSPHRASE, "csrf_token": "0" * 64},
        follow_redirects=False,
    )
    assert forged.status_code == 403


def test_login_sets_a_strict_http_only_cookie_and_lands(
    client: TestClient, db_session: Session
) -> None:
    org = make_organisation(db_session, name="Aide Sans Frontières")
    first = make_member(db_session, org, email="jb@asf.example.org")
    newcomer = make_member(db_session, org, email="claire@asf.example.org")

    response = _login_form(client, first.member.email)
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "slthub_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
    assert "Secure" not in cookie  # plain http in tests; see the https test

    landing = client.get("/")
    assert "You are jb of Aide Sans Frontières." in landing.text
    assert "keys are unlocked" in landing.text
    assert first.fingerprint is not None
    assert first.fingerprint in landing.text

    # Log out (with the CSRF token of the landing page) and log in as the newcomer.
    out = client.post("/logout", data={"csrf_token": _csrf(landing.text)}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"

    assert _login_form(client, newcomer.member.email).status_code == 303
    landing = client.get("/", headers={"Accept-Language": "fr"})
    assert "Vous êtes claire, de Aide Sans Frontières." in landing.text
    assert "pas encore été accordées" in landing.text


def test_login_page_shows_wrong_passphrase_and_lockout(
    client: TestClient, db_session: Session
) -> None:
    org = make_organisation(db_session)
    created = make_member(db_session, org)
    wrong = _login_form(client, created.member.email, password="definitely not it")
    assert wrong.status_code == 401
    assert "Wrong email or passphrase." in wrong.text
    for _ in range(5):
        _login_form(client, created.member.email, password="definitely not it")
    locked = _login_form(client, created.member.email)
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.text


def test_security_headers(client: TestClient) -> None:
    response = client.get("/login")
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "script-src" not in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "strict-transport-security" not in response.headers
    assert client.get("/api/v1/health").headers["x-request-id"]
    docs = client.get("/docs")
    assert "unsafe-inline" not in docs.headers["content-security-policy"]
    assert "<script>" not in docs.text


def test_https_adds_hsts_and_secure_cookies(
    settings: Settings, session_factory: Any, hub_keys: Any, db_session: Session
) -> None:
    org = make_organisation(db_session)
    created = make_member(db_session, org)
    https_settings = settings.model_copy(update={"base_url": "https://hub.example.org"})
    app = create_app(https_settings, session_factory=session_factory, hub_keys=hub_keys)
    with TestClient(app, base_url="https://hub.example.org") as client:
        page = client.get("/login")
        assert page.headers["strict-transport-security"].startswith("max-age=")
        assert "Secure" in page.headers["set-cookie"]
        response = _login_form(client, created.member.email)
        assert response.status_code == 303
        assert "Secure" in response.headers["set-cookie"]


def test_totp_enrolment_page_shows_an_inline_svg_qr(
    client: TestClient, db_session: Session
) -> None:

    org = make_organisation(db_session)
    created = make_member(db_session, org)
    _login_form(client, created.member.email)
    page = client.get("/account/totp")
    assert page.status_code == 200
    assert "<svg" in page.text
    assert "<script" not in page.text
    secret = re.search(r'name="secret" value="([A-Z2-7]+)"', page.text)
    assert secret
    done = client.post(
        "/account/totp",
        data={
            "csrf_token": _csrf(page.text),
            "secret": secret.group(1),
            "totp": pyotp.TOTP(secret.group(1)).now(),
            "passphrase": PASSPHRASE,
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    # From now on a code is required.
    again = client.post(
        "/api/v1/auth/login", json={"email": created.member.email, "password": PASSPHRASE}
    )
    assert again.status_code == 401
    assert again.json()["type"] == "urn:slthub:problem:totp-required"


def test_a_member_changes_their_passphrase_on_a_page(
    client: TestClient, db_session: Session
) -> None:
    org = make_organisation(db_session)
    created = make_member(db_session, org)
    email = created.member.email
    assert client.get("/account/passphrase", follow_redirects=False).status_code == 303
    _login_form(client, email)
    landing = client.get("/")
    assert 'href="/account/passphrase"' in landing.text
    page = client.get("/account/passphrase", headers={"Accept-Language": "fr"})
    assert page.status_code == 200
    assert "Phrase secrète actuelle" in page.text
    assert "<script" not in page.text
    token = _csrf(page.text)
    new = "three new words for the road 42"

    def change(**fields: str) -> Any:
        data = {"csrf_token": token, "current_password": PASSPHRASE, "new_password": new}
        return client.post(
            "/account/passphrase",
            data={**data, "confirm_password": new, **fields},
            headers={"Accept-Language": "fr"},
        )

    missing_csrf = change(csrf_token="")
    assert missing_csrf.status_code == 403
    mismatch = change(confirm_password=new + "!")
    assert mismatch.status_code == 422
    assert "ne sont pas identiques" in mismatch.text
    wrong = change(current_password="not the passphrase at all")
    assert wrong.status_code == 422
    assert 'id="current_password-error"' in wrong.text
    assert "not the passphrase at all" not in wrong.text  # never echoed back
    weak = change(new_password="short", confirm_password="short")
    assert weak.status_code == 422
    assert 'id="new_password-error"' in weak.text

    done = change()
    assert done.status_code == 200
    assert "Votre phrase secrète est changée" in done.text
    assert client.get("/", follow_redirects=False).status_code == 200  # this session stays
    old = client.post("/api/v1/auth/login", json={"email": email, "password": PASSPHRASE})
    assert old.status_code == 401
    fresh = client.post("/api/v1/auth/login", json={"email": email, "password": new})
    assert fresh.status_code == 200, fresh.text


def _totp_form(client: TestClient, **fields: str) -> Any:
    page = client.get("/account/totp")
    secret = re.search(r'name="secret" value="([A-Z2-7]+)"', page.text)
    assert secret
    data = {
        "csrf_token": _csrf(page.text),
        "secret": secret.group(1),
        "totp": pyotp.TOTP(secret.group(1)).now(),
        "passphrase": PASSPHRASE,
    }
    data.update(fields)
    return client.post("/account/totp", data=data, follow_redirects=False)


def test_a_second_factor_needs_the_passphrase_again(
    client: TestClient, db_session: Session
) -> None:
    """An open session alone (a borrowed phone) must not bind the account to someone
    else's authenticator and lock its owner out."""
    created = make_member(db_session, make_organisation(db_session))
    _login_form(client, created.member.email)
    for passphrase in ("", "not the passphrase at all"):
        refused = _totp_form(client, passphrase=passphrase)
        assert refused.status_code == 422
        assert 'id="passphrase-error"' in refused.text
    db_session.refresh(created.member)
    assert created.member.totp_secret is None
    assert _totp_form(client).status_code == 303


@pytest.mark.parametrize(
    "secret", ["!!!!not-base32!!!!", "A" * 1000, "A" * 5000, "abcdefghijklmnop", "AAAA"]
)
def test_a_forged_totp_secret_is_a_field_error_not_a_500(
    client: TestClient, db_session: Session, secret: str
) -> None:
    created = make_member(db_session, make_organisation(db_session))
    _login_form(client, created.member.email)
    refused = _totp_form(client, secret=secret)
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("text/html")
    assert secret not in refused.text
    if len(secret) <= 1024:  # longer is refused before the form is read: an error page
        # A fresh secret is offered instead.
        assert re.search(r'name="secret" value="[A-Z2-7]{16,}"', refused.text)


def test_a_csrf_token_is_good_for_one_login_session_only(
    client: TestClient, db_session: Session, app: Any
) -> None:
    """The token is bound to the session: a token (and CSRF cookie) obtained outside the
    victim's session — by an attacker in their own session, or planted before login —
    is refused in the victim's session."""
    victim = make_member(db_session, make_organisation(db_session))
    attacker = make_member(db_session, make_organisation(db_session))
    with TestClient(app) as theirs:
        _login_form(theirs, attacker.member.email)
        page = theirs.get("/account/passphrase")
        planted_cookie = theirs.cookies.get(CSRF_COOKIE)
        planted_token = _csrf(page.text)
    _login_form(client, victim.member.email)
    client.cookies.set(CSRF_COOKIE, planted_cookie)
    forged = client.post(
        "/logout/everywhere", data={"csrf_token": planted_token}, follow_redirects=False
    )
    assert forged.status_code == 403
    # The victim's own form, from this session, works.
    own = client.get("/")
    assert (
        client.post(
            "/logout/everywhere", data={"csrf_token": _csrf(own.text)}, follow_redirects=False
        ).status_code
        == 303
    )
