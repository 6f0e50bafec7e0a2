"""The operator's audit page (/operator/audit) at 10k, 100k and 1M audit entries.

    python -m bench.audit [--quick] [--sizes 10000,100000,1000000] [--db sqlite,postgresql]

For each database: `slthub init` into a temporary directory (PostgreSQL: a throwaway cluster,
as the test suite starts one), 20 organisations with a focal point each and an operator, who
logs in through the login form (with TOTP). The chain is then grown to each size with bulk
inserts of real links — each entry's hash computed by hub.audit.service.entry_hash over the
previous one, the head signed by the hub key, so that the full verification walks a valid
chain: a mix of report openings (50 %), logins (20 %), publications (10 %), share requests,
risk changes in an area subtree (2 %) and member changes, by the 20 members in turn, one
entry a second.

At each size, with uvicorn serving the app in this process and one keep-alive client, it
prints p50/p95 of the page's answer: the newest page, the next page (its cursor), a page in
the middle of the chain, each filter (an action, a rare action, a person, an organisation,
an area, one day, a person and an action together), and the time of one full verification
(the page's button, which `slthub audit verify` shares). Printed, never asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import pyotp
from pydantic import SecretStr
from sqlalchemy import Engine, insert, select, text, update

from bench._timing import percentiles
from bench.hub import _free_port
from bench.inbox import _database
from bench.reports import PASSPHRASE, _app, _serve, _setup
from hub.config import Settings
from hub.db import make_engine, make_session_factory

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
BATCH = 10_000

# (action, share of entries, target kind)
MIX: list[tuple[str, int, str]] = [
    ("report:open", 50, "report"),
    ("auth:login", 20, "none"),
    ("report:publish", 10, "report"),
    ("report:share-request", 8, "request"),
    ("auth:login-failed", 5, "member"),
    ("area:set-risk", 2, "area"),
    ("member:grant", 3, "member"),
    ("organisation:set-presence", 2, "organisation"),
]
AREAS = ["B00100", "B00101", "B00203", "B1", "B2", "B00300"]


def _operator(settings: Settings) -> tuple[str, str]:
    from hub.actors import CONSOLE
    from hub.db import make_session_factory
    from hub.keystore import load_hub_keys
    from hub.members import service as members
    from hub.members.models import Role
    from hub.organisations import service as organisations
    from hub.organisations.models import OrganisationKind

    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine, signer=load_hub_keys(settings.hub_keys_path))
    with factory() as session:
        org = organisations.create_organisation(
            session, actor=CONSOLE, name="Hub operations", kind=OrganisationKind.OTHER, approve=True
        )
        created = members.create_member(
            session,
            actor=CONSOLE,
            organisation=org,
            email="operator@bench.example",
            display_name="Opérateur",
            roles=[Role.OPERATOR],
            passphrase=PASSPHRASE,
        )
    engine.dispose()
    assert created.totp_secret is not None
    return created.member.email, created.totp_secret


def _people(engine: Engine) -> list[tuple[str, str, str, str]]:
    """(member id, email, organisation id, organisation name) of the bench's focal points."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT m.id, m.email, o.id, o.name FROM members m "
                "JOIN organisations o ON o.id = m.organisation_id "
                "WHERE o.name LIKE 'Bench %' ORDER BY o.name"
            )
        ).all()
    return [(str(a), str(b), str(c), str(d)) for a, b, c, d in rows]


def _grow(engine: Engine, keys: Any, *, stop: int, people: list[tuple[str, str, str, str]]) -> None:
    """Append real links until the chain holds `stop` entries, then re-sign the head."""
    from hub.audit.models import AuditEntry, AuditHead
    from hub.audit.service import HEAD_ID, canonical, entry_hash, head_statement

    with engine.begin() as conn:
        seq, prev = conn.execute(select(AuditHead.seq, AuditHead.hash)).one()
        last_at = conn.execute(select(AuditEntry.at).where(AuditEntry.seq == seq)).scalar_one()
    if last_at.tzinfo is None:
        last_at = last_at.replace(tzinfo=dt.UTC)
    wheel = [(a, k) for a, share, k in MIX for _ in range(share)]
    while seq < stop:
        rows = []
        for _ in range(min(BATCH, stop - seq)):
            seq += 1
            action, kind = wheel[seq % len(wheel)]
            member_id, email, org_id, _name = people[seq % len(people)]
            target = {
                "report": f"{seq:08d}-0000-4000-8000-000000000000",
                "request": f"{seq:08d}-0000-4000-9000-000000000000",
                "member": people[(seq // 7) % len(people)][0],
                "area": f"area:{AREAS[seq % len(AREAS)]}",
                "organisation": org_id,
                "none": None,
            }[kind]
            at = last_at + dt.timedelta(seconds=seq)
            details = canonical({"organisation": org_id} if kind == "report" else {})
            digest = entry_hash(
                seq=seq,
                at=at,
                actor_id=member_id,
                actor=email,
                action=action,
                target=target,
                details=details,
                prev_hash=prev,
            )
            rows.append(
                {
                    "seq": seq,
                    "at": at,
                    "actor_id": member_id,
                    "actor": email,
                    "action": action,
                    "target": target,
                    "details": details,
                    "prev_hash": prev,
                    "hash": digest,
                }
            )
            prev = digest
        with engine.begin() as conn:
            conn.execute(insert(AuditEntry), rows)
            conn.execute(
                update(AuditHead)
                .where(AuditHead.id == HEAD_ID)
                .values(seq=seq, hash=prev, signature=keys.attest(head_statement(seq, prev)))
            )
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("ANALYZE audit_entries"))
            conn.commit()


def _login(client: httpx.Client, email: str, secret: str) -> None:
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    answer = client.post(
        "/login",
        data={
            "email": email,
            "password": PASSPHRASE,
            "totp": pyotp.TOTP(secret).now(),
            "csrf_token": token.group(1),
        },
    )
    assert answer.status_code == 200, answer.status_code


def _service(sessions: Any, url: str, rounds: int) -> tuple[float, float]:
    """The page's query alone (hub.audit.browse.browse, in this process, no HTTP and no
    rendering): p50 and the best of `rounds`, in ms."""
    from urllib.parse import parse_qs, urlsplit

    from hub.actors import CONSOLE
    from hub.audit import browse

    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    filters = browse.AuditFilters(
        action=query.get("action", ""),
        actor=query.get("who", ""),
        organisation=query.get("organisation", ""),
        area=query.get("area", ""),
        since=dt.date.fromisoformat(query["since"]) if "since" in query else None,
        until=dt.date.fromisoformat(query["until"]) if "until" in query else None,
    )
    samples = []
    for _ in range(rounds):
        with sessions() as session:
            start = time.perf_counter()
            browse.browse(session, actor=CONSOLE, filters=filters, cursor=query.get("cursor", ""))
            samples.append(time.perf_counter() - start)
    p50, _p95 = percentiles(samples)
    return p50, min(samples) * 1e3


def _measure(client: httpx.Client, url: str, rounds: int) -> tuple[float, float, int]:
    for _ in range(3):
        client.get(url)
    samples = []
    rows = 0
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - start)
        assert response.status_code == 200, response.text
        rows = len(re.findall(r"#\d+ · ", response.text))
    p50, p95 = percentiles(samples)
    return p50, p95, rows


def run(kind: str, sizes: list[int], rounds: int) -> None:
    from hub.keystore import load_hub_keys

    with (
        tempfile.TemporaryDirectory(prefix="slthub-bench-") as tmp,
        _database(kind, Path(tmp)) as url,
    ):
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=url,
            data_dir=Path(tmp) / "var",
            secret_key=SecretStr("bench-" + "x" * 40),
        )
        _setup(settings, 20)
        email, secret = _operator(settings)
        keys = load_hub_keys(settings.hub_keys_path)
        engine = make_engine(url)
        sessions = make_session_factory(engine, signer=keys)
        people = _people(engine)
        port = _free_port()
        server = _serve(_app(settings), port)
        try:
            with httpx.Client(
                base_url=f"http://127.0.0.1:{port}", timeout=600, follow_redirects=True
            ) as client:
                _login(client, email, secret)
                for size in sizes:
                    grow = time.perf_counter()
                    _grow(engine, keys, stop=size, people=people)
                    print(
                        f"[{kind}] {size:>9,} entries: grown in {time.perf_counter() - grow:.1f} s"
                    )
                    first = client.get("/operator/audit").text
                    older = re.search(r'<a href="([^"]+)" rel="next">', first)
                    assert older is not None
                    from hub.audit.browse import cursor_for
                    from hub.audit.models import AuditEntry

                    with engine.connect() as conn:
                        middle = conn.execute(
                            select(AuditEntry.at).where(AuditEntry.seq == size // 2)
                        ).scalar_one()
                    day = middle.date().isoformat()
                    queries = [
                        ("newest page", "/operator/audit"),
                        ("next page (cursor)", older.group(1).replace("&amp;", "&")),
                        ("page in the middle", f"/operator/audit?cursor={cursor_for(size // 2)}"),
                        ("action=report:publish", "/operator/audit?action=report:publish"),
                        ("action (none match)", "/operator/audit?action=organisation:suspend"),
                        ("who=one of 20", f"/operator/audit?who={people[3][1]}"),
                        ("organisation", f"/operator/audit?organisation={people[5][3]}"),
                        ("area=B0 (subtree)", "/operator/audit?area=B0"),
                        ("one day", f"/operator/audit?since={day}&until={day}"),
                        (
                            "who + action",
                            f"/operator/audit?who={people[3][1]}&action=auth:login",
                        ),
                    ]
                    for label, query in queries:
                        p50, p95, shown = _measure(client, query, rounds)
                        q50, qmin = _service(sessions, query, rounds)
                        print(
                            f"[{kind}] {size:>9,}  {label:<22} page p50 {p50:7.2f} ms  "
                            f"p95 {p95:7.2f} ms  ({shown:>2} rows) | query p50 {q50:6.2f} ms "
                            f"best {qmin:6.2f} ms"
                        )
                    page = client.get("/operator/audit").text
                    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
                    assert token is not None
                    start = time.perf_counter()
                    done = client.post(
                        "/operator/audit/verify", data={"csrf_token": token.group(1)}
                    )
                    took = time.perf_counter() - start
                    assert "Intact:" in done.text, done.text[-2000:]
                    print(f"[{kind}] {size:>9,}  full verification (button)  {took:7.2f} s")
        finally:
            server.should_exit = True
            time.sleep(0.5)
            engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10k and 100k only, fewer rounds")
    parser.add_argument("--sizes", help="comma-separated entry counts (default 10k,100k,1M)")
    parser.add_argument("--db", default="sqlite", help="sqlite, postgresql or both")
    args = parser.parse_args()
    if args.sizes:
        sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(","))
    else:
        sizes = list(DEFAULT_SIZES[:2] if args.quick else DEFAULT_SIZES)
    rounds = 10 if args.quick else 30
    print(f"python {sys.version.split()[0]}; sizes {sizes}; {rounds} requests a figure")
    for kind in args.db.split(","):
        run(kind.strip(), sizes, rounds)
    print("printed, never asserted")


if __name__ == "__main__":
    main()
