"""/docs: the API reference, rendered on the server from the app's OpenAPI schema.

No JavaScript and nothing loaded from elsewhere: Swagger UI would pull scripts from a CDN at
run time, which a hub on a poor or watched connection must not do. openapi.json stays the
machine-readable source; this page is for people.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import HTMLResponse

from hub.web import render

_METHODS = ("get", "post", "put", "patch", "delete")


def _ref_name(schema: dict[str, Any] | None) -> str | None:
    if not schema:
        return None
    ref = schema.get("$ref")
    if ref:
        return str(ref).rsplit("/", 1)[-1]
    items = schema.get("items")
    if isinstance(items, dict) and "$ref" in items:
        return f"[{str(items['$ref']).rsplit('/', 1)[-1]}]"
    return str(schema.get("type", "object"))


def _kind(schema: dict[str, Any]) -> str:
    if "$ref" in schema or "items" in schema:
        return _ref_name(schema) or "object"
    if "anyOf" in schema:
        return " | ".join(_kind(s) for s in schema["anyOf"])
    if "enum" in schema:
        return " | ".join(map(str, schema["enum"]))
    return str(schema.get("type", "object"))


def reference(openapi: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for path, item in openapi.get("paths", {}).items():
        for method in _METHODS:
            op = item.get(method)
            if op is None:
                continue
            body: dict[str, Any] = op.get("requestBody", {}).get("content", {})
            first: dict[str, Any] = next(iter(body.values()), {})
            body_schema = first.get("schema")
            groups.setdefault((op.get("tags") or ["other"])[0], []).append(
                {
                    "id": op.get("operationId", f"{method}-{path}"),
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary"),
                    "description": op.get("description"),
                    "parameters": op.get("parameters", []),
                    "body": _ref_name(body_schema),
                    "responses": [
                        (code, r.get("description", ""))
                        for code, r in op.get("responses", {}).items()
                    ],
                }
            )
    schemas = []
    for name, schema in sorted(openapi.get("components", {}).get("schemas", {}).items()):
        required = set(schema.get("required", []))
        fields = [
            (field, _kind(spec), field in required)
            for field, spec in schema.get("properties", {}).items()
        ]
        schemas.append((name, fields))
    return sorted(groups.items()), schemas


def install(app: FastAPI) -> None:
    @app.get("/docs", include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        groups, schemas = reference(app.openapi())
        return render(request, "apidocs.html", groups=groups, schemas=schemas)
