"""Login time and GET /api/v1/me throughput of a real hub over loopback.

    python -m bench.hub [--quick] [--db URL]

Runs `slthub init` into a temporary data directory (SQLite there unless --db is given),
creates one organisation and one focal point with the *production* Argon2id parameters,
starts uvicorn on a free loopback port in this process, and measures:

- login: POST /api/v1/auth/login end to end. Almost all of it is one Argon2id derivation
  (crypto.passphrase.PRODUCTION_PARAMS: memory-hard at 128 MiB, 3 passes). That cost is
  paid once per login, never per request: later requests open the member key with the
  session key (one XChaCha20-Poly1305 decryption).
- /me: sequential requests on one keep-alive connection, then 4 client threads.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn
from pydantic import SecretStr

from crypto import locked_key_params
from hub.app import create_app
from hub.cli import initialise
from hub.config import Settings
from hub.db import make_engine, make_session_factory
from hub.keystore import load_hub_keys

PASSPHRASE = "bench passphrase for a focal point"  # noqa: S105 (throwaway bench member)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _setup(settings: Settings) -> str:
    from hub.actors import CONSOLE
    from hub.members import service as members
    from hub.members.models import Role
    from hub.organisations import service as organisations
    from hub.organisations.models import OrganisationKind

    initialise(settings)
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine, signer=load_hub_keys(settings.hub_keys_path))
    with factory() as session:
        org = organisations.create_organisation(
            session,
            actor=CONSOLE,
            name=f"Bench {time.time_ns()}",
            kind=OrganisationKind.INGO,
            approve=True,
        )
        created = members.create_member(
            session,
            actor=CONSOLE,
            organisation=org,
            email=f"bench{time.time_ns()}@example.org",
            display_name="Bench",
            roles=[Role.FOCAL_POINT],
            passphrase=PASSPHRASE,
        )
        assert created.member.locked_key is not None
        params = locked_key_params(created.member.locked_key)
        email = created.member.email
    engine.dispose()
    print(f"argon2id: opslimit={params.opslimit} memlimit={params.memlimit // (1024 * 1024)} MiB")
    print(
        "  why: 128 MiB per guess makes GPU/ASIC guessing of a stolen locked key costly, and"
        " one derivation per login stays well under a second; later requests use the session"
        " key (one AEAD decryption), never Argon2id"
    )
    return email


def _serve(settings: Settings, port: int) -> uvicorn.Server:
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning", access_log=False
    )
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    parser.add_argument("--db", help="database URL (default: SQLite in a temp dir)")
    args = parser.parse_args()
    logins, seconds = (3, 2.0) if args.quick else (7, 5.0)

    with tempfile.TemporaryDirectory(prefix="slthub-bench-") as tmp:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=args.db or f"sqlite:///{Path(tmp) / 'hub.db'}",
            data_dir=Path(tmp) / "var",
            secret_key=SecretStr("bench-" + "x" * 40),
            login_max_failures_per_account=10**6,
        )
        email = _setup(settings)
        port = _free_port()
        server = _serve(settings, port)
        base = f"http://127.0.0.1:{port}"
        print(
            f"database: {settings.database_url.split(':', 1)[0]}   python {sys.version.split()[0]}"
        )
        try:
            with httpx.Client(base_url=base, timeout=30) as client:
                times = []
                token = ""
                for _ in range(logins):
                    start = time.perf_counter()
                    response = client.post(
                        "/api/v1/auth/login", json={"email": email, "password": PASSPHRASE}
                    )
                    times.append(time.perf_counter() - start)
                    assert response.status_code == 200, response.text
                    token = response.json()["access_token"]
                print(
                    f"login: median {statistics.median(times) * 1000:.0f} ms, "
                    f"min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms "
                    f"({logins} logins)"
                )
                headers = {"Authorization": f"Bearer {token}"}
                count, end = 0, time.perf_counter() + seconds
                start = time.perf_counter()
                while time.perf_counter() < end:
                    assert client.get("/api/v1/me", headers=headers).status_code == 200
                    count += 1
                elapsed = time.perf_counter() - start
                print(
                    f"GET /api/v1/me, 1 connection: {count / elapsed:.0f} requests/s "
                    f"({count} in {elapsed:.1f} s)"
                )

            counts = [0] * 4

            def worker(i: int, stop: float) -> None:
                with httpx.Client(base_url=base, timeout=30) as c:
                    while time.perf_counter() < stop:
                        assert c.get("/api/v1/me", headers=headers).status_code == 200
                        counts[i] += 1

            stop = time.perf_counter() + seconds
            threads = [threading.Thread(target=worker, args=(i, stop)) for i in range(4)]
            start = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.perf_counter() - start
            print(
                f"GET /api/v1/me, 4 client threads: {sum(counts) / elapsed:.0f} requests/s "
                f"(server: one uvicorn process; clients share the same 2 cores)"
            )
        finally:
            server.should_exit = True


if __name__ == "__main__":
    main()
