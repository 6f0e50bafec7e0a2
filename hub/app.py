"""The FastAPI application factory."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import Session, sessionmaker

from hub import apidocs, error_handlers, openapi
from hub.alerting.api import router as alerting_router
from hub.alerting.cap import router as cap_router
from hub.alerting.pages import liaison_router as liaison_pages
from hub.alerting.pages import router as alerting_pages
from hub.areas.api import router as areas_router
from hub.areas.pages import router as areas_pages
from hub.audit.api import router as audit_router
from hub.auth.api import router as auth_router
from hub.auth.pages import router as auth_pages
from hub.briefings.api import router as briefings_router
from hub.briefings.pages import router as briefings_pages
from hub.config import Settings
from hub.consents.api import router as consents_router
from hub.consents.pages import router as consents_pages
from hub.db import make_engine, make_session_factory
from hub.directory.api import router as directory_router
from hub.directory.pages import router as directory_pages
from hub.exports.api import router as exports_router
from hub.health import router as health_router
from hub.keystore import load_hub_keys
from hub.limits import UnauthenticatedBodyLimit
from hub.members.api import invitation_router
from hub.members.api import router as members_router
from hub.members.pages import router as members_pages
from hub.operator.pages import router as operator_pages
from hub.organisations.api import router as organisations_router
from hub.organisations.pages import router as organisations_pages
from hub.periodic.pages import router as periodic_pages
from hub.reports.api import router as reports_router
from hub.reports.pages import router as reports_pages
from hub.security import HubMiddleware

API_PREFIX = "/api/v1"


class SecretsMissing(RuntimeError):
    def __init__(self, missing: list[str]) -> None:
        super().__init__("the hub will not start without: " + "; ".join(missing))
        self.missing = missing


def create_app(
    settings: Settings | None = None,
    *,
    session_factory: sessionmaker[Session] | None = None,
    hub_keys: Any = None,
) -> FastAPI:
    """Build the app. Tests pass their own session factory (bound to a rolled-back
    connection) and hub keys; `slthub serve` passes neither."""
    settings = settings or Settings()
    missing = settings.missing_secrets()
    if missing:
        raise SecretsMissing(missing)
    if session_factory is None:
        hub_keys = hub_keys or load_hub_keys(settings.hub_keys_path)
        engine = make_engine(settings.database_url, background_checkpoint=True)
        session_factory = make_session_factory(engine, signer=hub_keys)

    app = FastAPI(
        title="SLT Hub",
        version="0.1.0",
        summary="Encrypted security-information sharing under Saving Lives Together.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.session_factory = session_factory
    # Demo mode has no configured secret: a per-process one only means CSRF tokens of an
    # earlier run no longer match, which is harmless.
    secret = settings.secret_key.get_secret_value() if settings.secret_key else None
    app.state.csrf_secret = (secret or secrets.token_urlsafe(32)).encode()
    app.state.scheduler = None

    error_handlers.install(app)
    api = APIRouter(prefix=API_PREFIX)
    for router in (
        health_router,
        auth_router,
        organisations_router,
        members_router,
        invitation_router,
        audit_router,
        areas_router,
        cap_router,
        alerting_router,
        reports_router,
        consents_router,
        exports_router,
        briefings_router,
        directory_router,
    ):
        api.include_router(router)
    app.include_router(api)
    app.include_router(auth_pages)
    app.include_router(alerting_pages)
    app.include_router(liaison_pages)
    app.include_router(reports_pages)
    app.include_router(consents_pages)
    app.include_router(areas_pages)
    app.include_router(periodic_pages)
    app.include_router(briefings_pages)
    app.include_router(organisations_pages)
    app.include_router(members_pages)
    app.include_router(directory_pages)
    app.include_router(operator_pages)
    app.mount("/static", StaticFiles(packages=[("hub", "static")]), name="static")

    openapi.install(app)
    apidocs.install(app)

    # Inside HubMiddleware (added after it), so a 413 carries the request id and headers.
    app.add_middleware(UnauthenticatedBodyLimit)
    app.add_middleware(HubMiddleware, https=settings.https)
    return app
