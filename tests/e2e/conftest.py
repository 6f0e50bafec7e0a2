"""A real hub (uvicorn on a free loopback port, its own committed database) and a real
headless Chromium from the system (/usr/bin/chromium; never a downloaded browser)."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from pydantic import SecretStr

from hub.app import create_app
from hub.cli import initialise
from hub.config import Settings
from hub.db import make_engine, make_session_factory
from hub.keystore import load_hub_keys

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class LiveHub:
    url: str
    settings: Settings
    session_factory: Any


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def live_hub(fresh_database: Any, tmp_path: Path) -> Iterator[LiveHub]:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=fresh_database.url,
        data_dir=tmp_path / "var",
        secret_key=SecretStr("e2e-secret-key-" + "x" * 32),
    )
    initialise(settings)
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine, signer=load_hub_keys(settings.hub_keys_path))
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield LiveHub(url=f"http://127.0.0.1:{port}", settings=settings, session_factory=factory)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = "no /usr/bin/chromium (apt-get install chromium; .ci/run does)"
        # In CI .ci/run installs it: a missing browser there is a broken set-up, not a skip.
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
