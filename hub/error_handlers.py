"""How every error is answered: the exception handlers the app installs (problem+json for
the API, the pages' own 404 for a person at a browser, 503 for a busy database).

Apart from hub/errors.py, which defines the exceptions and the problem body, so that the
modules that raise sit below the web layer these handlers use (docs/hub.md, "Layers").
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.routing import iter_route_contexts
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match

from hub.db import is_busy
from hub.errors import HubError, busy_problem, problem, validation_message
from hub.i18n import gettext as _
from hub.web import error_page

log = logging.getLogger("hub")


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for err in exc.errors():
        loc = [str(part) for part in err.get("loc", ())]
        message = validation_message(err)
        field = ".".join(loc[1:]) if loc and loc[0] in {"body", "query", "path"} else ".".join(loc)
        errors.append({"field": field, "location": loc[0] if loc else "", "message": message})
    return errors


def _wants_a_page(request: Request) -> bool:
    path = request.url.path
    return not path.startswith(
        ("/api/", "/static/", "/openapi.json")
    ) and "text/html" in request.headers.get("accept", "")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path. Starlette's 405 names the methods of the
    first route that matched the path only, while GET and PUT of one path are two routes
    here (RFC 9110: Allow lists all the target resource supports)."""
    methods: set[str] = set()
    for route in request.app.routes:
        match, _child = route.matches({**request.scope, "method": "GET"})
        if match is Match.NONE:
            continue
        methods |= set(getattr(route, "methods", None) or ())
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


def page_allowed_methods(request: Request) -> list[str]:
    """The methods of the page routes at this path (a page's 405). FastAPI keeps included
    routers whole in `app.routes`, where allowed_methods() sees no methods:
    iter_route_contexts walks into them. Pages have no two templates for one path."""
    methods: set[str] = set()
    path = request.scope.get("path", "")
    for context in iter_route_contexts(request.app.routes):
        regex = getattr(context, "path_regex", None)
        if regex is None or not regex.match(path):
            continue
        methods |= set(context.methods or ())
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


def install(app: FastAPI) -> None:
    async def hub_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HubError)  # noqa: S101 (registered for HubError only)
        return problem(
            request,
            status=exc.status,
            code=exc.code,
            title=exc.title,
            detail=exc.message,
            **exc.extra,
        )

    async def validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)  # noqa: S101 (registered for it only)
        return problem(
            request,
            status=422,
            code="invalid-input",
            title="Invalid input",
            detail=_("Some fields are missing or invalid."),
            errors=_field_errors(exc),
        )

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)  # noqa: S101 (registered for it only)
        if exc.status_code in (404, 405) and _wants_a_page(request):
            # A mistyped or stale address under the pages (/reports/…/…), or a form's
            # address typed into the address bar, is a person at a browser: a page in their
            # language, not JSON.
            if exc.status_code == 404:
                return error_page(request, _("There is nothing here."), status=404)
            page = error_page(
                request,
                _("This address answers a form, not a page to open."),
                status=405,
            )
            page.headers["Allow"] = ", ".join(page_allowed_methods(request))
            return page
        codes = {404: "not-found", 405: "method-not-allowed", 401: "unauthorized"}
        response = problem(
            request,
            status=exc.status_code,
            code=codes.get(exc.status_code, "http-error"),
            title=str(exc.detail) if exc.status_code != 404 else "Not found",
            detail=str(exc.detail) if exc.status_code != 404 else _("There is nothing here."),
        )
        if exc.headers:
            response.headers.update(exc.headers)
        if exc.status_code == 405:
            response.headers["Allow"] = ", ".join(allowed_methods(request))
        return response

    async def data_error(request: Request, exc: Exception) -> Response:
        # The database refused a value the schemas let through — on PostgreSQL a NUL
        # character in text, an out-of-range number. That is bad input, not our failure:
        # the session dependency has already rolled back, so nothing was half-written.
        log.info("database refused a value: %s", exc.__class__.__name__)
        return problem(
            request,
            status=422,
            code="invalid-input",
            title="Invalid input",
            detail=_("A value cannot be stored: it contains a NUL character or is out of range."),
        )

    async def operational_error(request: Request, exc: Exception) -> Response:
        if not is_busy(exc):
            raise exc  # HubMiddleware answers the opaque 500 and logs it
        log.warning("database busy: %s %s", request.method, request.url.path)
        return busy_problem(request)

    app.add_exception_handler(HubError, hub_error)
    app.add_exception_handler(OperationalError, operational_error)
    app.add_exception_handler(DataError, data_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
