from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from hub.app import create_app
from hub.config import Settings
from tests.hub.reports.factories import with_report_routes


@pytest.fixture
def app(settings: Settings, session_factory: Any, hub_keys: Any) -> FastAPI:
    return with_report_routes(
        create_app(settings, session_factory=session_factory, hub_keys=hub_keys)
    )
