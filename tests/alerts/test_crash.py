"""Crash: a dispatcher process killed with SIGKILL in the middle of a fan-out, then a new one
started — every delivery is sent at least once, none is lost; the test prints how many were
sent twice (only those in flight when the process died can be).

The dispatchers are real processes (`python -m tests.alerts.test_crash worker …`) sending to a
real SMTP server (aiosmtpd) on loopback; the database is a fresh one of the run's kind
(`--db`), migrated with Alembic, areas imported through the hub's service.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from alerts import outbox
from alerts.channels.base import ChannelKind, DeliveryKey
from alerts.channels.email import message_id
from alerts.facts import AlertKind, LevelChangeFacts
from alerts.models import AlertDelivery, LiaisonContact, LiaisonDesignation
from tests.alerts.servers import smtp_server

ROOT = Path(__file__).resolve().parents[2]
SENDER = "alertes@hub.example.org"
MESSAGE_ID = re.compile(rb"^Message-ID: (<[^>]+>)", re.MULTILINE)


def prepare(url: str, hub_keys: Any, *, events: int, liaisons: int) -> int:
    """Migrate, import the areas, designate `liaisons` liaisons for North Kivu (email only,
    account address) and enqueue `events` level changes; returns the deliveries expected."""
    from hub.db import make_engine, make_session_factory
    from hub.migrations import upgrade
    from tests.hub.areas.factories import make_tree

    upgrade(url)
    engine = make_engine(url)
    try:
        with make_session_factory(engine, signer=hub_keys)() as session:
            make_tree(session)
            now = dt.datetime.now(dt.UTC)
            for n in range(liaisons):
                designation = LiaisonDesignation(
                    member_id=str(uuid.uuid4()),
                    organisation_id=f"org-{n % 7}",
                    display_name=f"Liaison {n}",
                    areas=["CD61"],
                    channels=["email"],
                    language="fr" if n % 3 else "en",
                    anti_phishing_phrase="girafe bleue",
                )
                session.add(designation)
                session.flush()
                session.add(
                    LiaisonContact(
                        designation_id=designation.id,
                        channel="email",
                        address=f"liaison{n}@ngo.example.org",
                        confirmed_at=now,
                    )
                )
            for n in range(events):
                outbox.enqueue(
                    session,
                    kind=AlertKind.LEVEL_CHANGED,
                    source=f"test:{n}",
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
    finally:
        engine.dispose()
    return events * liaisons


def start_worker(
    url: str, smtp_port: int, *, lease: float, batch: int = 50
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.alerts.test_crash",
            "worker",
            url,
            str(smtp_port),
            "--lease",
            str(lease),
            "--batch",
            str(batch),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def outcome(url: str, received: list[bytes]) -> tuple[int, int, int]:
    """(expected deliveries, how many of them never arrived, how many arrived more than once)."""
    from hub.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            keys = connection.execute(
                select(
                    AlertDelivery.event_id,
                    AlertDelivery.liaison_id,
                    AlertDelivery.channel,
                    AlertDelivery.step,
                )
            ).all()
            unsent = connection.scalar(select(func.count()).where(AlertDelivery.status != "sent"))
    finally:
        engine.dispose()
    expected = {
        message_id(DeliveryKey(e, li, ChannelKind(c), s), "hub.example.org") for e, li, c, s in keys
    }
    counts = Counter(
        m.group(1).decode() for data in received if (m := MESSAGE_ID.search(data)) is not None
    )
    lost = len(expected - set(counts))
    twice = sum(n - 1 for n in counts.values() if n > 1)
    assert unsent == 0, f"{unsent} deliveries not marked sent"
    return len(expected), lost, twice


def test_kill_9_mid_fan_out_then_restart_loses_nothing(fresh_database: Any, hub_keys: Any) -> None:
    url = fresh_database.url
    total = prepare(url, hub_keys, events=2, liaisons=300)
    with smtp_server() as (controller, handler):
        first = start_worker(url, controller.port, lease=3.0, batch=20)
        deadline = time.monotonic() + 120
        while len(handler.received) < total // 3:
            assert first.poll() is None, first.communicate()
            assert time.monotonic() < deadline, "the first dispatcher sent too little"
            time.sleep(0.005)
        os.kill(first.pid, signal.SIGKILL)  # mid fan-out, mid batch
        first.wait()
        at_kill = len(handler.received)

        second = start_worker(url, controller.port, lease=3.0, batch=20)
        _, err = second.communicate(timeout=300)
        assert second.returncode == 0, err.decode()[-3000:]
        expected, lost, twice = outcome(url, [r.data for r in handler.received])
    print(
        f"\ncrash test: {expected} deliveries, {at_kill} sent before kill -9, "
        f"{lost} lost, {twice} sent twice (in flight when the process died)"
    )
    assert expected == total
    assert lost == 0


# -- the dispatcher process -------------------------------------------------------------------


def worker(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("smtp_port", type=int)
    parser.add_argument("--lease", type=float, default=60.0)
    parser.add_argument("--batch", type=int, default=50)
    args = parser.parse_args(argv)

    from alerts.channels.email import EmailChannel, SmtpSettings
    from alerts.dispatcher import Channels, DispatchConfig, Dispatcher
    from crypto import HubKeys
    from hub.alerting.directory import HubDirectory
    from hub.db import make_engine, make_session_factory
    from policies import default_policy

    engine = make_engine(args.url)
    sessions = make_session_factory(engine, signer=HubKeys.generate())
    policy = default_policy()
    dispatcher = Dispatcher(
        sessions,
        directory=HubDirectory(policy),
        policy=policy,
        channels=Channels(
            email=EmailChannel(
                SmtpSettings.from_url(f"smtp://127.0.0.1:{args.smtp_port}?from={SENDER}")
            )
        ),
        config=DispatchConfig(
            base_url="https://hub.example.org",
            ack_secret=b"test-secret" * 3,
            lease=dt.timedelta(seconds=args.lease),
            batch=args.batch,
        ),
    )
    open_statuses = ("pending", "claimed")
    while True:
        dispatcher.run_once()
        with sessions() as session:
            unplanned = session.scalar(
                select(func.count())
                .select_from(outbox.AlertEvent)
                .where(outbox.AlertEvent.planned_at.is_(None))
            )
            remaining = session.scalar(
                select(func.count()).where(AlertDelivery.status.in_(open_statuses))
            )
        if not unplanned and not remaining:
            break
        time.sleep(0.2)  # what is left is claimed by another process, or waits for its lease
    dispatcher.channels.close()
    engine.dispose()
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["worker"]:
        sys.exit(worker(sys.argv[2:]))
