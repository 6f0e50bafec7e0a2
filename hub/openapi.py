"""The OpenAPI document tells what the API really answers, so that clients generated from it
(and fuzzers such as schemathesis) meet no surprise:

- every error answer is `application/problem+json` (RFC 9457), described once as `Problem`;
- every operation lists the errors it can give: 422 (invalid input) everywhere, 401 and 403
  where a bearer token is needed, 404 and 410 where a report is named in the path, 429 on
  login, 503 when the database is busy;
- the CSV exports are `text/csv`.

The routers keep their own descriptions of each status; this only makes the shapes true.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

PROBLEM = "application/problem+json"
_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; `errors` lists field errors (422), "
    "`retry_after` the seconds to wait (429, 503).",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "examples": ["urn:slthub:problem:invalid-input"]},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "request_id": {"type": "string"},
        "retry_after": {"type": "integer"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "location": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
}

_DEFAULT_DESCRIPTIONS = {
    "400": "The body cannot be read (not UTF-8, or not the declared media type)",
    "401": "Not logged in, or the session has ended",
    "403": "Not allowed for your role or organisation",
    "404": "Nothing there, or nothing you may see",
    "409": "Not possible in the current state (e.g. already answered, withdrawn)",
    "410": "Withdrawn by its originator",
    "422": "Invalid input: the field errors say what to change",
    "413": "The body is too large (without a bearer token: more than 16 KiB)",
    "429": "Too many attempts: wait `retry_after` seconds",
    "503": "The hub is busy: try again after `Retry-After` seconds",
}
_METHODS = ("get", "put", "post", "delete", "patch")


def _errors_for(path: str, operation: dict[str, Any]) -> set[str]:
    codes = {"422", "503"}
    if "requestBody" in operation:
        codes |= {"400", "413"}
    if operation.get("security"):
        codes |= {"401", "403"}
    if "{" in path:
        codes.add("404")
    if "{report_id}" in path:
        codes |= {"409", "410"}
    if path.endswith("/auth/login"):
        codes |= {"401", "429"}
    return codes


def complete(document: dict[str, Any]) -> dict[str, Any]:
    """`document` with the error answers and media types made true (in place)."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    # FastAPI's own 422 shapes are never sent (hub.errors answers problem+json instead).
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    for path, item in document.get("paths", {}).items():
        for method in _METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            for code in _errors_for(path, operation):
                responses.setdefault(code, {"description": _DEFAULT_DESCRIPTIONS[code]})
            for code, response in responses.items():
                if code == "default" or int(code[0]) >= 4:
                    response["content"] = {PROBLEM: {"schema": _PROBLEM_REF}}
            if path.endswith(".csv"):
                ok = responses.setdefault("200", {"description": "CSV with HXL hashtags"})
                ok["content"] = {"text/csv": {"schema": {"type": "string"}}}
    return document


def server_checks(**fields: str) -> dict[str, Any]:
    """For a route's `openapi_extra`: the fields whose rules no JSON Schema can state (an
    area code of the right shape that no area has…), each with the rule in words. A
    schema-valid request may be refused with 422 only on these fields."""
    return {"x-server-checks": fields}


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    summary=app.summary,
                    routes=app.routes,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
