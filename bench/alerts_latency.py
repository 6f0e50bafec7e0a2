"""Publish → first email latency: `python -m bench.alerts_latency [--count N] [--db URL]`.

The path a real alert takes, end to end: a focal point's API client POSTs a flash report to
`slthub serve` (uvicorn, the scheduler attached as `serve` attaches it), the publication
commits the report and its outbox event, the commit wakes the dispatch job, which plans the
event, claims the liaison's delivery, renders, signs (S/MIME, the hub's self-signed identity)
and sends it to an aiosmtpd server on loopback. The figure is the time from the POST leaving
the client to the email's arrival at the server: p50 and p95 over N reports (goal p95 ≤ 2 s).

It also times the dispatcher's own fan-out through the database — N level-change deliveries
planned, claimed (committed), rendered, sent and recorded one transaction each — to show what
the at-least-once bookkeeping costs next to bench/alerts.py's channel-only rate.

Figures only; nothing here is a test.
"""

from __future__ import annotations

import argparse
import socket
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from bench._timing import percentiles

PASSPHRASE = "a quiet road near goma"  # noqa: S105 (the bench's throwaway members)
SENDER = "alertes@hub.example.org"
TREE = """code,name,parent,kind
CD,RD Congo,,country
CD61,Nord-Kivu,CD,admin1
CD6102,Rutshuru,CD61,admin2
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Arrivals:
    """aiosmtpd handler noting when each message arrives."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.event = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.times.append(time.perf_counter())
        self.event.set()
        return "250 OK"


def _setup(settings: Any) -> tuple[str, str]:
    """Areas with North Kivu at high risk, a publishing NGO and a receiving agency whose
    liaison is designated for North Kivu (account email). Returns (publisher email, B's id)."""
    import datetime as dt

    from alerts import designations
    from hub.actors import CONSOLE, Actor
    from hub.areas import service as areas
    from hub.areas.importing import parse_csv
    from hub.cli import initialise
    from hub.db import make_engine, make_session_factory
    from hub.keystore import load_hub_keys
    from hub.members import service as members
    from hub.members.models import Role
    from hub.organisations import service as organisations
    from hub.organisations.models import OrganisationKind
    from policies import default_policy
    from policies.vocabulary import Risk

    initialise(settings)
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine, signer=load_hub_keys(settings.hub_keys_path))
    now = dt.datetime.now(dt.UTC)
    with sessions() as session:
        areas.import_areas(session, actor=CONSOLE, parsed=parse_csv(TREE), dataset="bench")
        tag = uuid.uuid4().hex[:6]
        orgs = {}
        for name in ("A", "B", "OCHA"):
            orgs[name] = organisations.create_organisation(
                session,
                actor=CONSOLE,
                name=f"{name} {tag}",
                kind=OrganisationKind.INGO,
                approve=True,
            )
            areas.set_presence(
                session, actor=CONSOLE, organisation_id=orgs[name].id, areas=["CD61"]
            )
        people = {}
        # (key, organisation, email prefix, display name, role)
        for key, org, prefix, name, role in (
            ("publisher", "A", "fp", "Focal A", Role.FOCAL_POINT),
            ("coordinator", "OCHA", "co", "Coordinator", Role.COORDINATOR),
            ("focal_b", "B", "fp", "Focal B", Role.FOCAL_POINT),
            ("liaison", "B", "li", "Liaison B", Role.LIAISON),
        ):
            domain = "un" if org == "OCHA" else org.lower()
            people[key] = members.create_member(
                session,
                actor=CONSOLE,
                organisation=orgs[org],
                email=f"{prefix}-{tag}@{domain}.example.org",
                display_name=name,
                roles=[role],
                passphrase=PASSPHRASE,
            ).member
        publisher, coordinator, liaison = (
            people["publisher"],
            people["coordinator"],
            people["liaison"],
        )
        areas.set_risk(
            session,
            actor=Actor(label=coordinator.email, member=coordinator),
            code="CD61",
            risk=Risk.HIGH,
            reason="bench",
            now=now,
            policy=default_policy(),
        )
        designations.save(
            session,
            member_id=liaison.id,
            organisation_id=orgs["B"].id,
            display_name=liaison.display_name,
            account_email=liaison.email,
            data=designations.DesignationInput(areas=["CD61"], anti_phishing_phrase="girafe bleue"),
            now=now,
        )
        session.commit()
        result = (publisher.email, orgs["B"].id)
    engine.dispose()
    return result


def fanout(count: int, db: str | None) -> None:
    """Deliveries per second through one Dispatcher.run_once (plan + claim + send + record)."""
    import datetime as dt

    from aiosmtpd.controller import Controller

    from alerts import outbox
    from alerts.channels.email import EmailChannel, SmtpSettings
    from alerts.dispatcher import Channels, DispatchConfig, Dispatcher
    from alerts.facts import AlertKind, LevelChangeFacts
    from alerts.models import LiaisonContact, LiaisonDesignation
    from crypto import HubKeys
    from hub.actors import CONSOLE
    from hub.alerting.directory import HubDirectory
    from hub.areas import service as areas
    from hub.areas.importing import parse_csv
    from hub.db import make_engine, make_session_factory
    from hub.migrations import upgrade
    from policies import default_policy

    arrivals = _Arrivals()
    smtp = Controller(arrivals, hostname="127.0.0.1", port=_free_port())
    smtp.start()
    with tempfile.TemporaryDirectory(prefix="slthub-bench-") as tmp:
        url = db or f"sqlite:///{Path(tmp) / 'fanout.db'}"
        upgrade(url)
        engine = make_engine(url)
        sessions = make_session_factory(engine, signer=HubKeys.generate())
        now = dt.datetime.now(dt.UTC)
        with sessions() as session:
            areas.import_areas(session, actor=CONSOLE, parsed=parse_csv(TREE), dataset="bench")
            for n in range(count):
                d = LiaisonDesignation(
                    member_id=str(uuid.uuid4()),
                    organisation_id="org",
                    display_name=f"L{n}",
                    areas=["CD61"],
                    channels=["email"],
                    language="fr" if n % 3 else "en",
                    anti_phishing_phrase="girafe bleue",
                )
                session.add(d)
                session.flush()
                session.add(
                    LiaisonContact(
                        designation_id=d.id,
                        channel="email",
                        address=f"l{n}@ngo.example.org",
                        confirmed_at=now,
                    )
                )
            outbox.enqueue(
                session,
                kind=AlertKind.LEVEL_CHANGED,
                source="bench:1",
                version=1,
                facts=LevelChangeFacts(
                    area_code="CD61",
                    area_name="Nord-Kivu",
                    old_risk="medium",
                    new_risk="high",
                    old_level="normal",
                    new_level="enhanced",
                    effective_at=now,
                ),
                areas=["CD61", "CD"],
            )
            session.commit()
        policy = default_policy()
        dispatcher = Dispatcher(
            sessions,
            directory=HubDirectory(policy),
            policy=policy,
            channels=Channels(
                email=EmailChannel(
                    SmtpSettings.from_url(f"smtp://127.0.0.1:{smtp.port}?from={SENDER}")
                )
            ),
            config=DispatchConfig(base_url="https://hub.example.org", ack_secret=b"b" * 32),
        )
        start = time.perf_counter()
        stats = dispatcher.run_once()
        elapsed = time.perf_counter() - start
        dispatcher.channels.close()
        engine.dispose()
    smtp.stop()
    assert stats.sent == count == len(arrivals.times), (stats, len(arrivals.times))
    where = "SQLite" if db is None else "the given database"
    print(
        f"dispatcher fan-out: {count} deliveries (plan + claim + render + send + record), {where}"
    )
    print(
        f"  {count / elapsed:8.0f} deliveries/s   ({elapsed:.1f} s, one dispatcher, "
        "one commit per outcome)"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=60, help="reports published (60)")
    parser.add_argument("--quick", action="store_true", help="20 reports")
    parser.add_argument("--fanout", type=int, default=2000, help="deliveries for the fan-out")
    parser.add_argument("--db", help="database URL (default: SQLite in a temp dir)")
    args = parser.parse_args(argv)
    count = 20 if args.quick else args.count
    fanout(500 if args.quick else args.fanout, args.db)

    from aiosmtpd.controller import Controller
    from pydantic import SecretStr

    from hub.alerting.wiring import attach_scheduler
    from hub.app import create_app
    from hub.config import Settings

    arrivals = _Arrivals()
    smtp = Controller(arrivals, hostname="127.0.0.1", port=_free_port())
    smtp.start()
    with tempfile.TemporaryDirectory(prefix="slthub-bench-") as tmp:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=args.db or f"sqlite:///{Path(tmp) / 'hub.db'}",
            data_dir=Path(tmp) / "var",
            secret_key=SecretStr("bench-secret-key-that-is-long-enough-0123456789"),
            smtp_url=f"smtp://127.0.0.1:{smtp.port}?from={SENDER}",
            sms_gateway="log:",
        )
        publisher, recipient = _setup(settings)
        app = create_app(settings)
        attach_scheduler(app)
        port = _free_port()
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
        )
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}/api/v1"
        with httpx.Client(base_url=base, timeout=30) as client:
            token = client.post(
                "/auth/login", json={"email": publisher, "password": PASSPHRASE}
            ).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            time.sleep(1.0)  # the level-change alert of the setup goes out first
            latencies = []
            for i in range(count):
                arrivals.event.clear()
                seen = len(arrivals.times)
                report = {
                    "type": "incident",
                    "stage": "flash",
                    "area": "CD6102",
                    "category": "armed_robbery",
                    "severity": "severe",
                    "occurred_at": "2026-11-23T06:40:00+01:00",
                    "tlp": "amber+strict",
                    "summary": f"Vol à main armée n°{i} sur la route Goma–Rutshuru",
                    "audience": {"organisations": [recipient]},
                    "body": {"narrative": "…", "location": "PK 42"},
                }
                start = time.perf_counter()
                response = client.post("/reports", json=report, headers=headers)
                if response.status_code != 201:
                    raise RuntimeError(response.text)
                while len(arrivals.times) <= seen:
                    if not arrivals.event.wait(30):
                        raise RuntimeError("no email within 30 s")
                    arrivals.event.clear()
                latencies.append(arrivals.times[seen] - start)
        server.should_exit = True
        time.sleep(0.5)
    smtp.stop()
    p50, p95 = percentiles(latencies)
    print(
        f"alerts latency: publish (POST /reports) → first email at a local aiosmtpd, "
        f"{count} reports"
    )
    print(
        "  slthub serve in-process (uvicorn + scheduler, wake on commit), SQLite"
        if not args.db
        else "  slthub serve in-process (uvicorn + scheduler, wake on commit)"
    )
    print(f"  p50 {p50:7.0f} ms    p95 {p95:7.0f} ms    (goal p95 ≤ 2000 ms)")


if __name__ == "__main__":
    main()
