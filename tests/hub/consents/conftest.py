from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from hub.app import create_app
from hub.config import Settings


@pytest.fixture
def app(settings: Settings, session_factory: Any, hub_keys: Any) -> FastAPI:
    return create_app(settings, session_factory=session_factory, hub_keys=hub_keys)
