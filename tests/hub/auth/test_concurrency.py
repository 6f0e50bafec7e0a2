"""Concurrent logins on a real, committing database: none may fail with "database is
locked" (SQLite) or a serialisation error (PostgreSQL), and the audit chain stays whole."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from hub.audit import service as audit
from hub.auth import service as auth
from hub.cli import initialise
from hub.config import Settings
from hub.db import make_engine, make_session_factory
from hub.keystore import load_hub_keys
from tests.hub.factories import PASSPHRASE, make_member, make_organisation


def test_parallel_logins_all_succeed(fresh_database: Any, tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=fresh_database.url,
        data_dir=tmp_path / "var",
        secret_key=SecretStr("x" * 40),
    )
    initialise(settings)
    hub_keys = load_hub_keys(settings.hub_keys_path)
    engine = make_engine(settings.database_url, pool_size=8)
    factory = make_session_factory(engine, signer=hub_keys)
    with factory() as session:
        org = make_organisation(session)
        emails = [make_member(session, org).member.email for _ in range(6)]

    errors: list[BaseException] = []
    start = threading.Barrier(len(emails))

    def log_in(email: str) -> None:
        start.wait()
        try:
            for _ in range(3):
                with factory() as session:
                    auth.login(
                        session,
                        settings=settings,
                        email=email,
                        passphrase=PASSPHRASE,
                        totp=None,
                        address="127.0.0.1",
                    )
        except BaseException as exc:  # collected and reported below
            errors.append(exc)

    threads = [threading.Thread(target=log_in, args=(e,)) for e in emails]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with factory() as session:
        result = audit.verify(session, hub_public=hub_keys.public_bytes())
    engine.dispose()
    assert result.ok, result.problem
    # init, organisation create + approve, 6 members, keys, 18 logins
    assert result.entries == 1 + 2 + 6 + 1 + 18
