"""Helpers for tests that browse the hub's pages: a logged-in TestClient per person (its own
cookie jar), and the CSRF token of a rendered form."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.hub.factories import PASSPHRASE

Browser = Callable[..., TestClient]


def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


@contextmanager
def browsers(app: FastAPI) -> Iterator[Browser]:
    """`open_for(email, lang="en", totp=None)`: a client logged in through the login form."""
    with ExitStack() as stack:

        def open_for(email: str, lang: str = "en", totp: str | None = None) -> TestClient:
            client = stack.enter_context(TestClient(app, headers={"Accept-Language": lang}))
            page = client.get("/login")
            data = {"email": email, "password": PASSPHRASE, "csrf_token": csrf(page.text)}
            if totp is not None:
                data["totp"] = totp
            response = client.post("/login", data=data, follow_redirects=False)
            assert response.status_code == 303, response.text
            return client

        yield open_for
