"""Publishing and opening reports over HTTP, against the raw crypto for the same work.

    python -m bench.reports [--quick] [--db URL]

Runs `slthub init` into a temporary data directory (SQLite there unless --db is given),
imports a 5,130-area P-code tree, creates 200 approved organisations with one focal point
each, starts uvicorn on a free loopback port in this process, and measures with one
keep-alive client:

- publish: POST /api/v1/reports (a flash incident naming its recipients) to 1 (the
  originator alone), 50 and 200 recipient organisations — validation, policy, sealing,
  header columns, one wrap row per recipient, audit entry and outbox event, one commit;
- open: GET /api/v1/reports/{id} by a recipient — session key → member key → organisation
  keys → wrap → verify → decrypt, and the audit entry.

"raw crypto" is the same cryptographic work without HTTP, JSON, policy or database: for
publish, opening the member key from the session blob, the organisation keys from the
member's wrap, and `seal_report` to the same recipients; for open, the same two unlocks and
`open_report`. The ratios are HTTP / raw at p50 and at p95. Each size starts with WARM_UP
publications that are not measured.

On SQLite the served app checkpoints the write-ahead log in a thread of its own, as `slthub
serve` does (hub.db.WalCheckpointer); before that, one publication in twenty paid ~5 ms for
the checkpoint its commit triggered.

Members are created with the test suite's weak Argon2id parameters: logins are not what
this measures (bench.hub does), and 200 production derivations would take a minute.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr

from bench._timing import percentiles
from bench.hub import _free_port
from crypto import (
    OrganisationPublicKeys,
    SealedReport,
    new_session,
    open_report,
    open_session,
    passphrase,
    seal_report,
    unlock_member_key,
    unwrap_for_member,
)
from hub.cli import initialise
from hub.config import Settings
from hub.db import make_engine, make_session_factory
from hub.keystore import load_hub_keys

PASSPHRASE = "bench passphrase for a focal point"  # noqa: S105 (throwaway bench members)


def _areas_csv() -> str:
    """A country-sized P-code tree, the shape of bench.policies': 5 countries × 25 admin1 ×
    8 admin2 × 4 admin3 = 5,130 areas. The hub reads the tree on every publication, so a
    two-area bench would hide what a real deployment pays for it."""
    lines = ["code,name,parent,kind"]
    for c in range(5):
        country = f"B{c}"
        lines.append(f"{country},Benchland {c},,country")
        for a1 in range(25):
            adm1 = f"{country}{a1:02d}"
            lines.append(f"{adm1},Province {adm1},{country},admin1")
            for a2 in range(8):
                adm2 = f"{adm1}{a2:02d}"
                lines.append(f"{adm2},Territoire {adm2},{adm1},admin2")
                lines.extend(
                    f"{adm2}{a3:02d},Localite {adm2}{a3:02d},{adm2},admin3" for a3 in range(4)
                )
    return "\n".join(lines) + "\n"


AREA = "B001"  # an admin1 of the tree above
SIZES = (1, 50, 200)
# Unmeasured publications before each size: the first statements of a new shape are compiled
# and cached by SQLAlchemy (the first publish of a run took 40 ms, the next ones 5).
WARM_UP = 5

FLASH: dict[str, Any] = {
    "type": "incident",
    "stage": "flash",
    "area": AREA,
    "category": "armed_robbery",
    "severity": "severe",
    "occurred_at": "2026-11-23T06:40:00+01:00",
    "tlp": "amber+strict",
    "summary": "Armed robbery on the main road, nobody hurt",
    "body": {
        "narrative": "Convoy of two vehicles stopped by four armed men at a fake checkpoint. " * 8,
        "location": "PK 42, main road",
        "coordinates": {"lat": -1.18, "lon": 29.45},
        "actions_taken": "Staff returned to base; movement suspended on the axis.",
        "help_needed": "None.",
        "affected": {"national": {"injured": 0, "kidnapped": 0}, "international": {}},
    },
}


def _setup(settings: Settings, count: int) -> list[tuple[str, str, bytes]]:
    """(organisation id, member email, member locked key) for `count` organisations."""
    from hub.actors import CONSOLE
    from hub.areas import service as areas
    from hub.areas.importing import parse_csv
    from hub.members import service as members
    from hub.members.models import Role
    from hub.organisations import service as organisations
    from hub.organisations.models import OrganisationKind

    passphrase.DEFAULT_PARAMS = passphrase.INSECURE_TEST_PARAMS
    initialise(settings)
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine, signer=load_hub_keys(settings.hub_keys_path))
    out = []
    with factory() as session:
        areas.import_areas(session, actor=CONSOLE, parsed=parse_csv(_areas_csv()), dataset="bench")
        stamp = time.time_ns()
        for i in range(count):
            org = organisations.create_organisation(
                session,
                actor=CONSOLE,
                name=f"Bench {stamp} {i}",
                kind=OrganisationKind.INGO,
                approve=True,
            )
            areas.set_presence(session, actor=CONSOLE, organisation_id=org.id, areas=[AREA])
            created = members.create_member(
                session,
                actor=CONSOLE,
                organisation=org,
                email=f"bench{stamp}-{i}@example.org",
                display_name=f"Bench {i}",
                roles=[Role.FOCAL_POINT],
                passphrase=PASSPHRASE,
            )
            assert created.member.locked_key is not None
            out.append((org.id, created.member.email, created.member.locked_key))
    engine.dispose()
    return out


def _org_material(settings: Settings, org_ids: list[str], email: str) -> dict[str, Any]:
    """What the raw-crypto baseline needs: the member's key wrap and everyone's public keys."""
    from sqlalchemy import select

    from hub.members.models import Member, MemberKeyWrap
    from hub.organisations.models import Organisation

    engine = make_engine(settings.database_url)
    with make_session_factory(engine, signer=load_hub_keys(settings.hub_keys_path))() as s:
        member = s.scalar(select(Member).where(Member.email == email))
        assert member is not None
        wrap = s.get(MemberKeyWrap, member.id)
        assert wrap is not None
        publics = {
            o.id: OrganisationPublicKeys.from_bytes(o.public_keys)
            for o in s.scalars(select(Organisation).where(Organisation.id.in_(org_ids)))
            if o.public_keys is not None
        }
        material = {"wrap": wrap.wrap, "publics": publics}
    engine.dispose()
    return material


def _app(settings: Settings) -> FastAPI:
    from hub.app import create_app

    return create_app(settings)


def _serve(app: FastAPI, port: int) -> uvicorn.Server:
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    return server


def _login(client: httpx.Client, email: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/login", json={"email": email, "password": PASSPHRASE})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _line(label: str, http: list[float], raw: list[float]) -> str:
    h50, h95 = percentiles(http)
    r50, r95 = percentiles(raw)
    return (
        f"{label:<28} http p50 {h50:7.2f} ms  p95 {h95:7.2f} ms   "
        f"raw crypto p50 {r50:6.2f} ms  p95 {r95:6.2f} ms   "
        f"ratio p50 {h50 / r50:5.1f}x  p95 {h95 / r95:5.1f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    parser.add_argument("--db", help="database URL (default: SQLite in a temp dir)")
    args = parser.parse_args()
    rounds = 10 if args.quick else 100

    with tempfile.TemporaryDirectory(prefix="slthub-bench-") as tmp:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=args.db or f"sqlite:///{Path(tmp) / 'hub.db'}",
            data_dir=Path(tmp) / "var",
            secret_key=SecretStr("bench-" + "x" * 40),
            login_max_failures_per_account=10**6,
        )
        started = time.perf_counter()
        parties = _setup(settings, max(SIZES))
        print(
            f"set-up: {len(parties)} organisations in {time.perf_counter() - started:.1f} s; "
            f"database: {settings.database_url.split(':', 1)[0]}   "
            f"python {sys.version.split()[0]}"
        )
        author_org, author_email, author_locked = parties[0]
        reader_org, reader_email, reader_locked = parties[1]
        org_ids = [p[0] for p in parties]
        author = _org_material(settings, org_ids, author_email)
        reader = _org_material(settings, org_ids, reader_email)

        port = _free_port()
        server = _serve(_app(settings), port)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
                author_headers = _login(client, author_email)
                reader_headers = _login(client, reader_email)
                member_keys = unlock_member_key(author_locked, PASSPHRASE)
                session_key, session_blob = new_session(member_keys)
                opened_ids: list[str] = []
                for size in SIZES:
                    named = org_ids[1:size] if size > 1 else [author_org]
                    report = {**FLASH, "audience": {"organisations": named}}
                    for _ in range(WARM_UP):
                        client.post("/api/v1/reports", json=report, headers=author_headers)
                    http: list[float] = []
                    for _ in range(rounds):
                        start = time.perf_counter()
                        response = client.post(
                            "/api/v1/reports", json=report, headers=author_headers
                        )
                        http.append(time.perf_counter() - start)
                        assert response.status_code == 201, response.text
                        assert len(response.json()["recipients"]) == size
                    opened_ids.append(response.json()["id"])
                    body = json.dumps({"schema": "incident/1", "content": report["body"]}).encode()
                    header = {"id": "x" * 36, "type": "incident", "summary": report["summary"]}
                    recipients = {oid: author["publics"][oid] for oid in [author_org, *named]}
                    raw: list[float] = []
                    for _ in range(rounds):
                        start = time.perf_counter()
                        keys = open_session(session_blob, session_key)
                        org_keys = unwrap_for_member(author["wrap"], keys)
                        seal_report(header, body, signer=org_keys, recipients=recipients)
                        raw.append(time.perf_counter() - start)
                    print(_line(f"publish to {size} recipient{'s' if size > 1 else ''}", http, raw))

                # Open: a report sealed to 50, read by a recipient.
                rid = opened_ids[1]
                http = []
                for _ in range(rounds * 2):
                    start = time.perf_counter()
                    response = client.get(f"/api/v1/reports/{rid}", headers=reader_headers)
                    http.append(time.perf_counter() - start)
                    assert response.status_code == 200, response.text
                r_keys = unlock_member_key(reader_locked, PASSPHRASE)
                r_session_key, r_blob = new_session(r_keys)
                named = org_ids[1:50]
                recipients = {oid: author["publics"][oid] for oid in [author_org, *named]}
                body = base64.b64encode(b"x" * 900)
                header = {"id": "y" * 36}
                a_keys = unwrap_for_member(author["wrap"], member_keys)
                sealed = seal_report(header, body, signer=a_keys, recipients=recipients)
                one = SealedReport.from_bytes(sealed.without_wraps().to_bytes()).with_wraps(
                    {reader_org: sealed.wraps[reader_org]}
                )
                raw = []
                for _ in range(rounds * 2):
                    start = time.perf_counter()
                    keys = open_session(r_blob, r_session_key)
                    org_keys = unwrap_for_member(reader["wrap"], keys)
                    open_report(
                        one,
                        header,
                        recipient_id=reader_org,
                        recipient=org_keys,
                        signer=author["publics"][author_org],
                    )
                    raw.append(time.perf_counter() - start)
                print(_line("open (sealed to 50)", http, raw))
                print(
                    "goals: publish to 50 p95 <= 40 ms and <= 4x raw crypto; open p95 <= 10 ms "
                    "(printed, never asserted)"
                )
        finally:
            server.should_exit = True


if __name__ == "__main__":
    main()
