"""Concurrent clients against one hub: 80 % list/open, 20 % publish, for a fixed time.

    python -m bench.load [--quick] [--clients 1,4,16] [--seconds 30] [--db sqlite,postgresql]

For each database: the set-up of bench.inbox (200 organisations, 5,130 areas, real template
publications, grown to 10,000 reports with bulk SQL), then the hub served by uvicorn in a
process of its own (as `slthub serve` runs it; the clients are threads of this process).
Each client is a focal point of its own organisation with a keep-alive connection; in a
loop until the time is up it lists its inbox (40 %), opens a real report it holds (40 %)
or publishes a flash report to every client's organisation (20 %). Printed per number of
clients: requests per second, p50/p95/p99 and errors (any answer but 200/201, by status).
Goal (issue 10): 0 errors at 16 clients on SQLite; p95 growing no faster than queueing.

Then a login storm: 24 wrong-passphrase logins at once against a member whose key is locked
with the production Argon2id parameters (128 MiB, 3 passes), while one client keeps listing.
Printed: how the logins were answered (401, or 503 when every derivation slot stayed busy),
the storm's duration, the list's p95 meanwhile, and the server's resident memory before and
at its peak (issue 10 measured 150 MB -> 1.3 GB before derivations were bounded).
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import random
import statistics
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
from pydantic import SecretStr

from bench.hub import _free_port
from bench.inbox import _database, _grow, _prepare, _publish_templates
from bench.reports import FLASH, PASSPHRASE, _app, _login, _serve, _setup
from hub.config import Settings
from hub.db import make_engine, make_session_factory

SIZE = 10_000


def _serve_forever(settings: Settings, port: int) -> None:
    server = _serve(_app(settings), port)
    while not server.should_exit:
        time.sleep(0.5)


def _client(
    base: str,
    headers: dict[str, str],
    audience: list[str],
    readable: list[str],
    until: float,
    out: list[tuple[str, float, int]],
    seed: int,
) -> None:
    rng = random.Random(seed)
    report = {**FLASH, "audience": {"organisations": audience}}
    with httpx.Client(base_url=base, timeout=60) as client:
        while time.monotonic() < until:
            roll = rng.random()
            start = time.perf_counter()
            try:
                if roll < 0.4:
                    kind = "list"
                    response = client.get("/api/v1/reports", headers=headers)
                elif roll < 0.8:
                    kind = "open"
                    rid = rng.choice(readable)
                    response = client.get(f"/api/v1/reports/{rid}", headers=headers)
                else:
                    kind = "publish"
                    response = client.post("/api/v1/reports", json=report, headers=headers)
                status = response.status_code
                if status == 201:
                    readable.append(response.json()["id"])
            except httpx.HTTPError:
                status = 0
            out.append((kind, time.perf_counter() - start, status))


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _storm_member(settings: Settings, org_id: str) -> str:
    """A member whose key is locked with the production Argon2id parameters."""
    from crypto import passphrase
    from hub.actors import CONSOLE
    from hub.keystore import load_hub_keys
    from hub.members import service as members
    from hub.members.models import Role
    from hub.organisations.models import Organisation

    weak, passphrase.DEFAULT_PARAMS = passphrase.DEFAULT_PARAMS, passphrase.PRODUCTION_PARAMS
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine, signer=load_hub_keys(settings.hub_keys_path))() as s:
            org = s.get(Organisation, org_id)
            assert org is not None
            email = f"storm-{time.time_ns()}@example.org"
            members.create_member(
                s,
                actor=CONSOLE,
                organisation=org,
                email=email,
                display_name="Storm",
                roles=[Role.FOCAL_POINT],
                passphrase=PASSPHRASE,
            )
    finally:
        passphrase.DEFAULT_PARAMS = weak
        engine.dispose()
    return email


def _login_storm(kind: str, base: str, pid: int, email: str, headers: dict[str, str]) -> None:
    statuses: list[int] = []
    listing: list[float] = []
    peak = [_rss_mb(pid)]
    before = peak[0]
    done = threading.Event()

    def guess() -> None:
        with httpx.Client(base_url=base, timeout=120) as client:
            body = {"email": email, "password": "not the passphrase at all"}
            statuses.append(client.post("/api/v1/auth/login", json=body).status_code)

    def watch() -> None:
        with httpx.Client(base_url=base, timeout=120) as client:
            while not done.is_set():
                peak.append(_rss_mb(pid))
                start = time.perf_counter()
                client.get("/api/v1/reports", headers=headers)
                listing.append(time.perf_counter() - start)

    watcher = threading.Thread(target=watch)
    watcher.start()
    guesses = [threading.Thread(target=guess) for _ in range(24)]
    started = time.perf_counter()
    for thread in guesses:
        thread.start()
    for thread in guesses:
        thread.join()
    elapsed = time.perf_counter() - started
    done.set()
    watcher.join()
    print(
        f"[{kind}] login storm: 24 wrong logins at once in {elapsed:.1f} s, answered "
        f"{dict(sorted(Counter(statuses).items()))}; list meanwhile p95 "
        f"{_quantile(listing, 95):.1f} ms ({len(listing)} lists); server RSS "
        f"{before:.0f} MB before, {max(peak):.0f} MB at peak"
    )


def _quantile(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100)[q - 1] * 1000 if len(samples) > 1 else 0.0


def run(kind: str, counts: list[int], seconds: float) -> None:
    with (
        tempfile.TemporaryDirectory(prefix="slthub-bench-") as tmp,
        _database(kind, Path(tmp)) as url,
    ):
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=url,
            data_dir=Path(tmp) / "var",
            secret_key=SecretStr("bench-" + "x" * 40),
            login_max_failures_per_account=10**6,
            login_max_failures_per_address=10**6,
        )
        parties = _setup(settings, 200)
        org_ids = [p[0] for p in parties]
        clients_orgs = org_ids[1 : 1 + max(counts)]
        port = _free_port()
        server = multiprocessing.get_context("fork").Process(
            target=_serve_forever, args=(settings, port), daemon=True
        )
        server.start()
        base = f"http://127.0.0.1:{port}"
        engine = make_engine(url)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    httpx.get(f"{base}/api/v1/health", timeout=2)
                    break
                except httpx.HTTPError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
            with httpx.Client(base_url=base, timeout=60) as client:
                author = _login(client, parties[0][1])
                _publish_templates(client, author, clients_orgs)
                _prepare(engine, org_ids)
                _grow(engine, start=0, stop=SIZE, base=dt.datetime(2026, 1, 1), orgs=org_ids)
                readable = [r["id"] for r in client.get("/api/v1/reports", headers=author).json()]
                logins = [_login(client, parties[1 + i][1]) for i in range(max(counts))]
            storm_email = _storm_member(settings, org_ids[-1])
            real = [rid for rid in readable if not rid.startswith("0000")]
            print(
                f"[{kind}] {SIZE:,} reports, {len(real)} real ones to open; {seconds:.0f} s a run"
            )
            for n in counts:
                out: list[tuple[str, float, int]] = []
                until = time.monotonic() + seconds
                threads = [
                    threading.Thread(
                        target=_client,
                        args=(base, logins[i], clients_orgs, list(real), until, out, i),
                    )
                    for i in range(n)
                ]
                started = time.perf_counter()
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                elapsed = time.perf_counter() - started
                times = [t for _k, t, _s in out]
                errors = Counter(s for _k, _t, s in out if s not in (200, 201))
                by_kind = Counter(k for k, _t, _s in out)
                print(
                    f"[{kind}] N={n:>2}  {len(out) / elapsed:6.1f} req/s  "
                    f"p50 {_quantile(times, 50):7.1f} ms  p95 {_quantile(times, 95):7.1f} ms  "
                    f"p99 {_quantile(times, 99):7.1f} ms  requests {len(out)} "
                    f"({', '.join(f'{k} {v}' for k, v in sorted(by_kind.items()))})  "
                    f"errors {sum(errors.values())}" + (f" {dict(errors)}" if errors else "")
                )
            assert server.pid is not None
            _login_storm(kind, base, server.pid, storm_email, logins[0])
        finally:
            server.terminate()
            server.join(10)
            engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 s a run")
    parser.add_argument("--clients", default="1,4,16", help="numbers of concurrent clients")
    parser.add_argument("--seconds", type=float, default=30.0, help="duration of each run")
    parser.add_argument("--db", default="sqlite,postgresql", help="sqlite, postgresql or both")
    args = parser.parse_args()
    counts = [int(c) for c in args.clients.split(",")]
    seconds = 5.0 if args.quick else args.seconds
    for kind in args.db.split(","):
        run(kind.strip(), counts, seconds)
    print("goal: 0 errors at N=16 on SQLite (printed, never asserted)")


if __name__ == "__main__":
    main()
