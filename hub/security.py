"""Request-level protections: request ids, security headers, CSRF, session tokens.

A session token is `<lookup id>.<session key>`: the hub stores only a hash of the lookup id
and the member key encrypted under the session key, so the database alone neither
authenticates anyone nor opens any key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import secrets
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from hub.errors import PROBLEM_JSON, internal_error_body
from hub.i18n import current_locale, negotiate

log = logging.getLogger("hub")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SESSION_COOKIE = "slthub_session"
CSRF_COOKIE = "slthub_csrf"
LANG_COOKIE = "slthub_lang"
CSRF_FIELD = "csrf_token"

# No inline script or style anywhere: pages link /static files only.
PAGE_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
# The one page with a script (the flash form's draft keeper, hub/static/flash.js): that file
# from the hub only, still no inline code, and it may post back to the hub and nowhere else.
SCRIPT_PAGE_CSP = PAGE_CSP + "; script-src 'self'; connect-src 'self'"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_lookup_id(lookup_id: str) -> str:
    return hashlib.sha256(lookup_id.encode()).hexdigest()


def new_session_token(session_key: bytes) -> tuple[str, str]:
    """The token for the client and the hash the hub stores to find the session."""
    lookup_id = secrets.token_urlsafe(18)
    return f"{lookup_id}.{_b64(session_key)}", hash_lookup_id(lookup_id)


def parse_session_token(token: str) -> tuple[str, bytes] | None:
    """(stored hash, session key), or None for anything malformed."""
    lookup_id, sep, key_text = token.partition(".")
    if not sep or not lookup_id or len(token) > 200:
        return None
    try:
        key = _unb64(key_text)
    except (binascii.Error, ValueError):
        return None
    if len(key) != 32:
        return None
    return hash_lookup_id(lookup_id), key


def new_csrf_cookie() -> str:
    return secrets.token_urlsafe(24)


def csrf_token_for(cookie: str, secret: bytes, session: str = "") -> str:
    """Signed double-submit (OWASP): the form carries an HMAC of the browser's own cookie,
    which a cross-site page can neither read nor forge — and of the login session, so a
    token is good for one session only: a CSRF cookie planted by a sibling site (cookie
    tossing), or a token seen before the member logged in or in another account's session,
    opens no form of this one."""
    material = b"csrf:" + cookie.encode() + b"\x00" + session.encode()
    return hmac.new(secret, material, hashlib.sha256).hexdigest()


def csrf_ok(cookie: str | None, submitted: str | None, secret: bytes, session: str = "") -> bool:
    if not cookie or not submitted:
        return False
    return hmac.compare_digest(csrf_token_for(cookie, secret, session), submitted)


class HubMiddleware:
    """Outermost hub middleware: request id, language, security headers, opaque 500.

    Written as plain ASGI (not BaseHTTPMiddleware) so the locale context variable set here
    is visible to the endpoint and streaming is untouched.
    """

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        query = _query_lang(scope.get("query_string", b""))
        cookie_lang = _cookie(headers.get("cookie", ""), LANG_COOKIE)
        locale = negotiate(query, cookie_lang, headers.get("accept-language"))
        scope["state"]["locale"] = locale
        token = current_locale.set(locale)
        path: str = scope.get("path", "")
        https = self.https or scope.get("scheme") == "https"
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                extra = [
                    (b"x-request-id", request_id.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                    (b"content-language", locale.encode()),
                ]
                extra.append((b"content-security-policy", PAGE_CSP.encode()))
                if not path.startswith("/static/"):
                    extra.append((b"cache-control", b"no-store"))
                if https:
                    extra.append(
                        (b"strict-transport-security", b"max-age=63072000; includeSubDomains")
                    )
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in extra if k not in names
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            log.exception("unexpected error, request %s", request_id)
            if started:
                raise
            body = json.dumps(internal_error_body(request_id)).encode()
            await send_with_headers(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [
                        (b"content-type", PROBLEM_JSON.encode()),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
        finally:
            current_locale.reset(token)


def _query_lang(query_string: bytes) -> str | None:
    from urllib.parse import parse_qs

    values = parse_qs(query_string.decode("latin-1")).get("lang")
    return values[0] if values else None


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None
