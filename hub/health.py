"""`GET /api/v1/health`: whether the database answers and the scheduler runs (503 otherwise)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from hub.deps import SessionDep

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    database: Literal["ok", "unreachable"]
    scheduler: Literal["ok", "off"]


@router.get("/health", response_model=Health, responses={503: {"model": Health}})
def health(request: Request, session: SessionDep) -> Health | JSONResponse:
    try:
        session.execute(text("SELECT 1"))
        database: Literal["ok", "unreachable"] = "ok"
    except SQLAlchemyError:
        database = "unreachable"
    # The scheduler arrives with alerts/; until it runs, health says so instead of guessing.
    scheduler: Literal["ok", "off"] = (
        "ok" if getattr(request.app.state, "scheduler", None) else "off"
    )
    result = Health(
        status="ok" if database == "ok" else "degraded", database=database, scheduler=scheduler
    )
    if database != "ok":
        return JSONResponse(result.model_dump(), status_code=503)
    return result
