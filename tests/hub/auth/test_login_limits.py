"""Logins under pressure (issue 10): parallel wrong guesses stop at the lockout limit, the
Argon2id derivations are bounded process-wide (503 + Retry-After beyond), and an
unauthenticated API body is capped before it is parsed."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.audit.models import AuditAction, AuditEntry
from hub.auth import service as auth
from hub.auth.models import LoginFailure
from hub.cli import initialise
from hub.config import Settings
from hub.db import make_engine, make_session_factory
from hub.errors import HubError
from hub.keystore import load_hub_keys
from hub.limits import UNAUTHENTICATED_BODY_BYTES
from tests.hub.factories import PASSPHRASE, make_member, make_organisation


@pytest.fixture
def real(fresh_database: Any, tmp_path: Path) -> Iterator[tuple[Settings, Any]]:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=fresh_database.url,
        data_dir=tmp_path / "var",
        secret_key=SecretStr("x" * 40),
        login_max_failures_per_account=5,
        login_max_failures_per_address=100,
    )
    initialise(settings)
    engine = make_engine(settings.database_url, pool_size=16)
    try:
        yield settings, make_session_factory(engine, signer=load_hub_keys(settings.hub_keys_path))
    finally:
        engine.dispose()


def _attempt(settings: Settings, factory: Any, email: str, passphrase: str) -> str:
    with factory() as session:
        try:
            auth.login(
                session,
                settings=settings,
                email=email,
                passphrase=passphrase,
                totp=None,
                address="127.0.0.1",
            )
        except HubError as exc:
            return f"{exc.status}"
    return "200"


def test_parallel_wrong_logins_stop_at_the_limit(real: tuple[Settings, Any]) -> None:
    settings, factory = real
    with factory() as session:
        email = make_member(session, make_organisation(session)).member.email
    outcomes: list[str] = []
    start = threading.Barrier(15)

    def guess() -> None:
        start.wait()
        outcomes.append(_attempt(settings, factory, email, "a wrong guess entirely"))

    threads = [threading.Thread(target=guess) for _ in range(15)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    counted = Counter(outcomes)
    # Exactly the limit were checked (401); every other one was refused before deriving.
    assert counted == {"401": 5, "429": 10}, counted
    with factory() as session:
        checked = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == AuditAction.LOGIN_FAILED)
        )
    assert checked == 5
    # The right passphrase is locked out too, until the window passes.
    assert _attempt(settings, factory, email, PASSPHRASE) == "429"


def test_logins_beyond_the_derivation_slots_answer_busy(
    real: tuple[Settings, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, factory = real
    with factory() as session:
        email = make_member(session, make_organisation(session)).member.email
    monkeypatch.setattr(auth, "DERIVATION_QUEUE_S", 0.2)
    taken = 0
    try:
        while auth._derivations.acquire(blocking=False):  # every slot, as busy logins would
            taken += 1
        assert taken == auth.DERIVATION_SLOTS
        assert _attempt(settings, factory, email, PASSPHRASE) == "503"
    finally:
        for _ in range(taken):
            auth._derivations.release()
    with factory() as session:
        # The busy attempt was not counted as a failed guess.
        assert session.scalar(select(func.count()).select_from(LoginFailure)) == 0
    assert _attempt(settings, factory, email, PASSPHRASE) == "200"


def test_busy_login_is_a_503_with_retry_after(
    client: TestClient, db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    email = make_member(db_session, make_organisation(db_session)).member.email
    monkeypatch.setattr(auth, "DERIVATION_QUEUE_S", 0.1)
    taken = 0
    try:
        while auth._derivations.acquire(blocking=False):
            taken += 1
        response = client.post("/api/v1/auth/login", json={"email": email, "password": PASSPHRASE})
    finally:
        for _ in range(taken):
            auth._derivations.release()
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "1"


def test_an_unauthenticated_body_is_capped_before_parsing(
    client: TestClient, db_session: Session
) -> None:
    email = make_member(db_session, make_organisation(db_session)).member.email
    huge = {"email": email, "password": "x" * (UNAUTHENTICATED_BODY_BYTES + 10)}
    response = client.post("/api/v1/auth/login", json=huge)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert "x-request-id" in response.headers
    # Any unauthenticated API write, whatever its route.
    assert client.post("/api/v1/reports", content=b"[" * 100_000).status_code == 413
    # Small bodies pass through whole.
    ok = client.post("/api/v1/auth/login", json={"email": email, "password": PASSPHRASE})
    assert ok.status_code == 200, ok.text
    # With a bearer token the route's own limits apply, not this one.
    big = client.post(
        "/api/v1/reports",
        content=b"{" + b" " * 100_000 + b"}",
        headers={**{"content-type": "application/json"}, "authorization": "Bearer x.y"},
    )
    assert big.status_code in (401, 422)
