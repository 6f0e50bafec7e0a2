"""A size cap on the bodies of unauthenticated API requests, enforced before anything parses
them (issue 10).

FastAPI reads and parses a route's JSON body before its dependencies run, so before the
bearer check: without a cap, anyone could make the hub buffer and parse megabytes of JSON
without logging in. An API request with a body but no Authorization header (a login, or a
request that will be refused) may send at most UNAUTHENTICATED_BODY_BYTES; a longer one
answers 413 problem+json without its body being read further. Requests that carry a bearer
token keep the limits of their routes.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.errors import PROBLEM_JSON
from hub.i18n import gettext as _

UNAUTHENTICATED_BODY_BYTES = 16 * 1024
_WITH_BODY = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class UnauthenticatedBodyLimit:
    def __init__(self, app: ASGIApp, *, limit: int = UNAUTHENTICATED_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope.get("method") not in _WITH_BODY
            or not str(scope.get("path", "")).startswith("/api/")
            or any(name.lower() == b"authorization" for name, _v in scope["headers"])
        ):
            await self.app(scope, receive, send)
            return
        declared = next(
            (v for name, v in scope["headers"] if name.lower() == b"content-length"), None
        )
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._too_large(scope, send)
            return
        # Read it all here, at most limit + 1 bytes, then hand it on as it came.
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._too_large(scope, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, send: Send) -> None:
        body = json.dumps(
            {
                "type": "urn:slthub:problem:too-large",
                "title": "Request body too large",
                "status": 413,
                "detail": _(
                    "This request is too large for one that is not logged in: log in first."
                ),
                "instance": scope.get("path", ""),
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", PROBLEM_JSON.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
