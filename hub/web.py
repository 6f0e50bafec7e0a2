"""Rendering pages: Jinja2 with Babel's gettext, CSRF cookie handling."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from hub.i18n import LOCALES, gettext, ngettext
from hub.security import (
    CSRF_COOKIE,
    LANG_COOKIE,
    SESSION_COOKIE,
    csrf_ok,
    csrf_token_for,
    new_csrf_cookie,
)

env = Environment(
    loader=PackageLoader("hub", "templates"),
    autoescape=select_autoescape(["html"]),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)
# The gettext callables read the locale of the current request from a context variable.
env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]


def _secret(request: Request) -> bytes:
    secret: bytes = request.app.state.csrf_secret
    return secret


def secure_cookies(request: Request) -> bool:
    return bool(request.app.state.settings.https or request.url.scheme == "https")


def render(request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    locale: str = request.state.locale
    cookie = request.cookies.get(CSRF_COOKIE)
    new_cookie = None
    if not cookie:
        cookie = new_cookie = new_csrf_cookie()
    html = env.get_template(template).render(
        request=request,
        locale=locale,
        locales=LOCALES,
        path=request.url.path,
        csrf_token=csrf_token_for(cookie, _secret(request)),
        **context,
    )
    response = HTMLResponse(html, status_code=status)
    secure = secure_cookies(request)
    if new_cookie:
        response.set_cookie(
            CSRF_COOKIE, new_cookie, httponly=True, samesite="strict", secure=secure, path="/"
        )
    if request.query_params.get("lang") in LOCALES:
        response.set_cookie(
            LANG_COOKIE,
            locale,
            max_age=365 * 86400,
            samesite="strict",
            secure=secure,
            httponly=True,
            path="/",
        )
    return response


def form_csrf_ok(request: Request, submitted: str | None) -> bool:
    return csrf_ok(request.cookies.get(CSRF_COOKIE), submitted, _secret(request))


def session_cookie(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE)
