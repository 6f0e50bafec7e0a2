"""Rendering pages: Jinja2 with Babel's gettext, CSRF cookie handling, the logged-in member
of a page, and error pages.

Pages answer HTML whatever happens on purpose: a service's refusal (HubError), a malformed
address or form, a value the database refuses — each becomes a page in the reader's
language, never problem+json and never a 500. Only the unexpected reaches the opaque 500 of
HubMiddleware.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import quote

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from fastapi import Depends
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from hub.actors import Actor, Permission
from hub.areas.service import area_names, current_levels
from hub.auth import service as auth
from hub.db import utcnow
from hub.deps import SessionDep
from hub.errors import BUSY_RETRY_AFTER_S, Forbidden, HubError, Unauthorized, busy_message
from hub.i18n import LOCALES, current_locale, gettext, ngettext
from hub.i18n import gettext as _
from hub.members.models import Member
from hub.security import (
    CSRF_COOKIE,
    LANG_COOKIE,
    SESSION_COOKIE,
    csrf_ok,
    csrf_token_for,
    new_csrf_cookie,
)
from policies import Policy
from policies.vocabulary import LABELS, Lang, Level, OrganisationStatus

env = Environment(
    loader=PackageLoader("hub", "templates"),
    autoescape=select_autoescape(["html"]),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)
# The gettext callables read the locale of the current request from a context variable.
env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]


def _lang() -> Lang:
    return "fr" if current_locale.get() == "fr" else "en"


def label(value: object) -> str:
    """A code as a person reads it (policies.vocabulary has every label in both languages);
    anything without a label is shown as it is."""
    if isinstance(value, StrEnum) and type(value) in LABELS:
        return LABELS[type(value)][value][_lang()]
    return "" if value is None else str(value)


def _date(value: dt.date | None) -> str:
    # One pattern in both languages (23 Nov 2026 / 23 nov. 2026): no month/day confusion.
    return "" if value is None else format_date(value, "d MMM y", locale=current_locale.get())


def _datetime(value: dt.datetime | None, local: bool = False) -> str:
    """`local`: in the author's own offset, said explicitly (a flash report's time is the
    time where it happened); otherwise in UTC."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)  # the database keeps UTC without an offset
    tz = value.tzinfo if local else dt.UTC
    text = format_datetime(value, "d MMM y HH:mm", tzinfo=tz, locale=current_locale.get())
    offset = value.astimezone(tz).strftime("%z") if local else ""
    return f"{text} (UTC{offset[:3]}:{offset[3:]})" if offset else f"{text} (UTC)"


def _pair(value: object, labeller: Callable[[Any], str | None] | None = None) -> tuple[str, str]:
    """(code, label) for an <option>."""
    text = labeller(value) if labeller else label(value)
    return str(value), text or str(value)


def _kilobytes(size: int) -> str:
    amount = format_decimal(size / 1000, "#,##0.#", locale=current_locale.get())
    return _("%(size)s kB") % {"size": amount}


def _first_upper(text: str) -> str:
    # Not Jinja's `capitalize`, which lowercases the rest (TLP:RED, P-codes).
    return text[:1].upper() + text[1:]


def _mailto(address: str) -> str:
    """A mailto: link to exactly this address: RFC 6068 gives `?`, `&`, `%` and `#` a meaning
    in the link, and a local part may contain them ("a?cc=x@…" would add a recipient)."""
    return "mailto:" + quote(address, safe="@")


env.filters["label"] = label
env.filters["mailto"] = _mailto
env.filters["first_upper"] = _first_upper
env.filters["pair"] = _pair
env.filters["date"] = _date
env.filters["datetime"] = _datetime
env.filters["kilobytes"] = _kilobytes

_INPUT_VALUE = {
    "date": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "datetime-local": re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$"),
}


def input_type(wanted: str, value: str | None) -> str:
    """The type of a date input that shows `value` again: a date or datetime-local input may
    only hold a value in its own format (HTML5), so a value typed another way (31/02/2099 in
    a browser without a date picker) comes back in a text input, as typed, next to its
    error."""
    pattern = _INPUT_VALUE.get(wanted)
    if pattern is None or not value or pattern.match(value):
        return wanted
    return "text"


env.globals["input_type"] = input_type


def _secret(request: Request) -> bytes:
    secret: bytes = request.app.state.csrf_secret
    return secret


def secure_cookies(request: Request) -> bool:
    return bool(request.app.state.settings.https or request.url.scheme == "https")


class AreaLabels:
    """`area_label(code)` in templates: the area's name in the reader's language with its
    code small beside it. A page that shows areas passes `area_labels(session)` (the names
    come from a cache rebuilt when the areas table changes); elsewhere only the code shows."""

    def __init__(self, names: dict[str, str] | None = None) -> None:
        self._names = names or {}

    def name(self, code: str | None) -> str:
        """The plain name (for a <title> or an attribute, where no markup goes), else the code."""
        return self._names.get(code or "") or (code or "")

    def __call__(self, code: str | None) -> Markup:
        if not code:
            return Markup("")
        name = self._names.get(code)
        if name is None or name == code:
            return Markup('<span class="code">{}</span>').format(code)
        return Markup('{} <small class="code">{}</small>').format(name, code)


def area_labels(session: Session) -> AreaLabels:
    return AreaLabels(area_names(session, _lang()))


class AreaLevels:
    """`area_level(code)` in templates: the badge of the cooperation level in force now in
    the area (pages listing reports pass `area_levels(session, codes, policy)`); nothing for
    an area it was not given."""

    def __init__(self, levels: dict[str, Level] | None = None) -> None:
        self._levels = levels or {}

    def __call__(self, code: str | None) -> Markup:
        level = self._levels.get(code or "")
        if level is None:
            return Markup("")
        return Markup('<span class="level level-{}">{}</span>').format(level, label(level))


def area_levels(session: Session, codes: Iterable[str], policy: Policy) -> AreaLevels:
    return AreaLevels(current_levels(session, codes, at=utcnow(), policy=policy))


def render(request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    locale: str = request.state.locale
    cookie = request.cookies.get(CSRF_COOKIE)
    new_cookie = None
    if not cookie:
        cookie = new_cookie = new_csrf_cookie()
    context.setdefault("viewer", getattr(request.state, "viewer", None))
    context.setdefault("area_label", AreaLabels())
    context.setdefault("area_level", AreaLevels())
    html = env.get_template(template).render(
        request=request,
        status=status,
        locale=locale,
        locales=LOCALES,
        path=request.url.path,
        csrf_token=csrf_token_for(cookie, _secret(request), session_cookie(request) or ""),
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
    return csrf_ok(
        request.cookies.get(CSRF_COOKIE), submitted, _secret(request), session_cookie(request) or ""
    )


def session_cookie(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE)


# Ids in the hub are UUIDs. Anything else in an address is answered like an unknown id,
# without a lookup (a NUL or a megabyte of junk never reaches the database).
_ID = re.compile(r"^[0-9A-Za-z-]{1,64}$")


def plausible_id(text: str) -> bool:
    return bool(_ID.match(text))


# --- the member behind a page ---------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """What the navigation needs, as plain values: it is rendered after the service may have
    rolled the session back, when ORM objects would reload."""

    name: str
    organisation: str
    may_publish: bool
    # False for a pending or suspended organisation: the menu offers nothing it may not do.
    approved: bool = True
    # The oversight committee's page of organisations and applications.
    may_decide: bool = False
    # The hub operator's pages (audit log, health).
    operates: bool = False


def actor_from_cookie(
    request: Request, session: Session, *, any_status: bool = False
) -> Actor | None:
    token = session_cookie(request)
    if not token:
        return None
    try:
        actor = auth.authenticate(session, token=token, any_status=any_status)
    except HubError:
        return None
    if actor.member is not None:
        request.state.viewer = Viewer(
            name=actor.member.display_name,
            organisation=actor.member.organisation.name,
            may_publish=actor.may(Permission.REPORT_PUBLISH),
            approved=actor.member.organisation.status == OrganisationStatus.APPROVED,
            may_decide=actor.may(Permission.ORGANISATION_DECIDE),
            operates=actor.may(Permission.OPERATE),
        )
    return actor


def signed_in(request: Request, session: Session) -> tuple[Actor, Member]:
    """The member behind a page's session cookie, whatever their organisation's standing (the
    pages of one's own account); PageRoute sends anyone else to the login page. The one login
    check of the pages: page_actor builds on it."""
    actor = actor_from_cookie(request, session, any_status=True)
    if actor is None or actor.member is None:
        raise Unauthorized(_("Log in first."))
    return actor, actor.member


def page_actor(request: Request, session: SessionDep) -> Actor:
    """The logged-in member of a page; PageRoute sends anyone else to the login page."""
    actor, member = signed_in(request, session)
    # Logged in, but a pending or suspended organisation: the page says why, not "log in".
    auth.require_approved_organisation(member)
    return actor


PageActorDep = Annotated[Actor, Depends(page_actor)]


def to_login() -> RedirectResponse:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def require_csrf(request: Request, token: str | None) -> None:
    if not form_csrf_ok(request, token):
        raise Forbidden(
            _(
                "This form has expired or did not come from this site. "
                "Reload the page and try again."
            )
        )


def error_page(
    request: Request, message: str, *, status: int, integrity: bool = False
) -> HTMLResponse:
    return render(request, "error.html", status=status, message=message, integrity=integrity)


class PageRoute(APIRoute):
    """A route whose failures are pages (see the module docstring)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except Unauthorized:
                return to_login()
            except HubError as exc:
                page = error_page(
                    request,
                    exc.message,
                    status=exc.status,
                    integrity=exc.code == "report-integrity",
                )
                if "retry_after" in exc.extra:
                    page.headers["Retry-After"] = str(exc.extra["retry_after"])
                return page
            except OperationalError as exc:
                from hub.db import is_busy

                if not is_busy(exc):
                    raise
                page = error_page(request, busy_message(), status=503)
                page.headers["Retry-After"] = str(BUSY_RETRY_AFTER_S)
                return page
            except RequestValidationError:
                return error_page(
                    request,
                    _("Something in this address or form is not valid."),
                    status=422,
                )
            except DataError:
                # The database refused a value (a NUL character on PostgreSQL): bad input.
                # The session is closed by its dependency, which rolls it back.
                return error_page(
                    request,
                    _("A value cannot be stored: it contains a NUL character or is out of range."),
                    status=422,
                )

        return page_handler
