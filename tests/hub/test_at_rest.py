"""A copy of the database, taken while members are logged in, holds no key in a form that
opens without a passphrase, a recovery code or a client's session key.

The test generates real key material through the hub, then searches the raw bytes the
database keeps on disk (the SQLite file and its WAL; on PostgreSQL the cluster's files
after a checkpoint, and a pg_dump) for every secret, in every encoding the hub might use.
"""

from __future__ import annotations

import base64
import re
import subprocess
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text

from crypto import unlock_member_key, unwrap_for_member
from hub.app import create_app
from hub.cli import initialise
from hub.config import Settings
from hub.db import make_engine, make_session_factory
from hub.keystore import load_hub_keys
from hub.members import service as members
from tests.hub.conftest import TEST_SECRET
from tests.hub.factories import PASSPHRASE, make_member, make_organisation


def _encodings(secret: bytes) -> list[bytes]:
    return [
        secret,
        secret.hex().encode(),
        secret.hex().upper().encode(),
        base64.b64encode(secret).rstrip(b"="),
        base64.urlsafe_b64encode(secret).rstrip(b"="),
    ]


def _raw_bytes(db: Any) -> bytes:
    if db.kind == "sqlite":
        return b"".join(p.read_bytes() for p in sorted(db.path.parent.glob(db.path.name + "*")))
    cluster = db.cluster
    engine = make_engine(cluster.url())
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("CHECKPOINT"))
    engine.dispose()
    files = b"".join(
        p.read_bytes() for p in sorted(Path(cluster.data_dir).rglob("*")) if p.is_file()
    )
    dump = subprocess.run(
        [
            str(cluster.bindir / "pg_dump"),
            "-h",
            "127.0.0.1",
            "-p",
            str(cluster.port),
            "-U",
            "postgres",
            "-d",
            db.url.rsplit("/", 1)[1],
        ],
        check=True,
        capture_output=True,
    ).stdout
    return files + dump


def test_database_bytes_hold_no_openable_key(fresh_database: Any, tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=fresh_database.url,
        data_dir=tmp_path / "var",
        secret_key=TEST_SECRET,
    )
    initialise(settings)
    hub_keys = load_hub_keys(settings.hub_keys_path)
    engine = make_engine(settings.database_url)
    with make_session_factory(engine, signer=hub_keys)() as session:
        org = make_organisation(session)
        first = make_member(session, org)
        second = make_member(session, org)
        members.grant_with_passphrase(
            session,
            target_email=second.member.email,
            granter_email=first.member.email,
            passphrase=PASSPHRASE,
        )
        locked = {m.member.email: m.member.locked_key for m in (first, second)}
        wraps = {m.member.email: members.wrap_of(session, m.member) for m in (first, second)}
        public = first.member.public_key

    tokens = []
    with TestClient(create_app(settings)) as client:
        for created in (first, second):
            response = client.post(
                "/api/v1/auth/login",
                json={"email": created.member.email, "password": PASSPHRASE},
            )
            token = response.json()["access_token"]
            tokens.append(token)
            keys = client.get("/api/v1/me/keys", headers={"Authorization": f"Bearer {token}"})
            assert keys.status_code == 200
    engine.dispose()

    secrets: dict[str, bytes] = {"hub signing key": hub_keys.to_bytes()[2:]}
    for email, blob in locked.items():
        assert blob is not None
        member_keys = unlock_member_key(blob, PASSPHRASE)
        secrets[f"member key of {email}"] = member_keys._secret_bytes()
        wrap = wraps[email]
        assert wrap is not None
        org_secret = unwrap_for_member(wrap.wrap, member_keys)._secret_bytes()
        secrets["organisation encryption key"] = org_secret[:32]
        secrets["organisation signing seed"] = org_secret[32:]
    for i, token in enumerate(tokens):
        lookup, _, key = token.partition(".")
        secrets[f"session key {i}"] = base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))
        secrets[f"session lookup id {i}"] = lookup.encode()

    raw = _raw_bytes(fresh_database)
    # The search does see what is stored: the member's public key is there.
    assert public in raw
    for name, secret in secrets.items():
        for form in _encodings(secret):
            assert re.search(re.escape(form), raw) is None, f"{name} found in the database"
