"""Errors the hub raises on purpose, and the RFC 9457 problem+json body that answers them.

Services raise `HubError` subclasses with a message a person can act on; crypto and policy
errors are mapped here, once. Anything unexpected answers an opaque 500 carrying the
request id that is also in the log, so an operator can find it without leaking internals.
The handlers that turn exceptions into answers are in hub/error_handlers.py: this module
sits below everything that raises, and imports nothing of the hub but its translations.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from hub.i18n import gettext as _

PROBLEM_JSON = "application/problem+json"


class HubError(Exception):
    status = 400
    code = "bad-request"

    def __init__(self, message: str, *, status: int | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        self.extra = extra

    @property
    def title(self) -> str:
        return self.code.replace("-", " ").capitalize()


class BadRequest(HubError):
    pass


class Unauthorized(HubError):
    status = 401
    code = "unauthorized"


class Forbidden(HubError):
    status = 403
    code = "forbidden"


class NotFound(HubError):
    status = 404
    code = "not-found"


class Conflict(HubError):
    status = 409
    code = "conflict"


class InvalidInput(HubError):
    """A value that parsed but that the hub refuses (a weak passphrase, a wrong state)."""

    status = 422
    code = "invalid-input"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        errors = [{"field": field, "message": message}] if field else []
        super().__init__(message, errors=errors)


def field_errors(exc: HubError) -> dict[str, str]:
    """A refusal's messages by form field, for a page that shows each next to its field."""
    return {
        e["field"]: e["message"]
        for e in exc.extra.get("errors", ())
        if isinstance(e, dict) and e.get("field")
    }


class TooManyAttempts(HubError):
    status = 429
    code = "too-many-attempts"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, retry_after=retry_after)
        self.retry_after = retry_after


def problem(
    request: Request, *, status: int, code: str, title: str, detail: str, **extra: Any
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"urn:slthub:problem:{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    request_id = getattr(request.state, "request_id", None)
    if request_id:
        body["request_id"] = request_id
    body.update(extra)
    headers = {}
    if "retry_after" in extra:
        headers["Retry-After"] = str(extra["retry_after"])
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _number(value: Any) -> Any:
    # A latitude's bound is 90.0 in the schema; a person reads 90.
    return int(value) if isinstance(value, float) and value.is_integer() else value


# Pydantic's messages are English; the common ones get a translated text so that a form
# or client in French can show field errors as they are.
_VALIDATION_MESSAGES: dict[str, Callable[[Mapping[str, Any]], str] | None] = {
    "missing": lambda ctx: _("This field is required."),
    "string_too_short": lambda ctx: _("This value is too short."),
    "string_too_long": lambda ctx: _("This value is too long."),
    "value_error": None,
    "enum": lambda ctx: _("This value is not one of the allowed choices."),
    "literal_error": lambda ctx: _("This value is not one of the allowed choices."),
    "extra_forbidden": lambda ctx: _("This field is not allowed."),
    "datetime_range": lambda ctx: (
        _("The date must lie between %(first)s and %(last)s.")
        % {"first": ctx.get("first"), "last": ctx.get("last")}
    ),
    "datetime_format": lambda ctx: _("Give a date and time such as 2026-11-23T06:40:00+01:00."),
    "control_characters": lambda ctx: _(
        "Line breaks and other control characters are not allowed here."
    ),
    "string_type": lambda ctx: _("A text value is expected."),
    "json_invalid": lambda ctx: _("The request body is not valid JSON."),
    # The web forms send numbers, dates and counts as text.
    "int_parsing": lambda ctx: _("Give a whole number."),
    "int_from_float": lambda ctx: _("Give a whole number."),
    "float_parsing": lambda ctx: _("Give a number."),
    "greater_than_equal": lambda ctx: (
        _("The value must be at least %(limit)s.") % {"limit": _number(ctx.get("ge"))}
    ),
    "less_than_equal": lambda ctx: (
        _("The value must be at most %(limit)s.") % {"limit": _number(ctx.get("le"))}
    ),
    "date_parsing": lambda ctx: _("Give a date as YYYY-MM-DD."),
    "date_from_datetime_parsing": lambda ctx: _("Give a date as YYYY-MM-DD."),
    "datetime_parsing": lambda ctx: _("Give a date and a time."),
    "datetime_from_date_parsing": lambda ctx: _("Give a date and a time."),
    "timezone_aware": lambda ctx: _("Give the time zone (UTC offset)."),
    "too_long": lambda ctx: _("Too many items."),
}


def validation_message(err: Mapping[str, Any]) -> str:
    """One pydantic error as a person reads it, in the request's language where known."""
    translate = _VALIDATION_MESSAGES.get(str(err.get("type")))
    if translate is None:
        return str(err.get("msg", ""))
    return translate(err.get("ctx") or {})


BUSY_RETRY_AFTER_S = 1


def busy_message() -> str:
    return _("The hub is busy. Try again in a moment.")


def busy_problem(request: Request) -> JSONResponse:
    """503 for a database that stayed busy (hub.db.is_busy): try again shortly, never a 500."""
    return problem(
        request,
        status=503,
        code="busy",
        title="Busy",
        detail=busy_message(),
        retry_after=BUSY_RETRY_AFTER_S,
    )


def internal_error_body(request_id: str) -> dict[str, Any]:
    """The opaque 500: nothing about the failure, only what lets an operator find the log."""
    return {
        "type": "urn:slthub:problem:internal-error",
        "title": "Internal error",
        "status": 500,
        "detail": _("Something went wrong on our side. Quote request %(id)s to the operator.")
        % {"id": request_id},
        "request_id": request_id,
    }
