"""Alert fan-out benchmark: `python -m bench.alerts [--count N]`.

Sends N emails (10,000 by default) to a local aiosmtpd server running in its own process, twice
in the same run: once with raw smtplib (one connection, the same prebuilt message bytes every
time — the floor of what Python can push through SMTP here) and once through SLT Hub's own path
(render each liaison's alert from its facts in its language with its phrase, build the MIME
message, send through EmailChannel on a reused connection). It prints messages per second for
both and the ratio (goal: ours ≥ 0.5 × raw), after checking the server received every message.

Figures only; nothing here is a test. Publish → first email p95 needs the hub's outbox and
dispatcher and is reported as not measured yet.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import smtplib
import time
from datetime import UTC, date, datetime
from multiprocessing.connection import Connection
from typing import Any

SENDER = "alertes@hub.example.org"


class _CountingHandler:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.count += 1
        return "250 OK"


def _serve(pipe: Connection) -> None:
    """Child process: an aiosmtpd server that counts what it receives."""
    from aiosmtpd.controller import Controller

    handler = _CountingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=pipe.recv())
    controller.start()
    pipe.send("ready")
    while pipe.recv() == "count?":
        pipe.send(handler.count)
    controller.stop()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _liaisons(count: int) -> list[Any]:
    from alerts.facts import Recipient

    phrases = ["girafe bleue", "blue heron", "mangue mûre", "quiet river", "pirogue lente"]
    return [
        Recipient(
            name=f"Liaison {i}",
            language="fr" if i % 3 else "en",
            anti_phishing_phrase=phrases[i % len(phrases)],
            timezone="Africa/Lubumbashi" if i % 2 else "Africa/Kinshasa",
        )
        for i in range(count)
    ]


def _facts() -> Any:
    from alerts.facts import AlertFacts, AlertKind, ReportFacts

    report = ReportFacts(
        report_id="rep-bench",
        report_type="incident",
        stage="flash",
        area_code="CD6102",
        area_name="Nyiragongo",
        category="armed_robbery",
        severity="severe",
        tlp="amber",
        occurred_on=date(2026, 11, 23),
        reported_at=datetime(2026, 11, 23, 5, 40, tzinfo=UTC),
        summary="Vol à main armée sur la route Goma–Rutshuru, pas de blessé",
    )
    return AlertFacts(
        kind=AlertKind.REPORT_PUBLISHED,
        event_id="evt-bench",
        link="https://hub.example.org/a/Xb4k9Qm2",
        report=report,
    )


def _run(port: int, count: int, data: bytes, chunk: int = 500) -> tuple[float, float, float]:
    """Seconds for raw smtplib, for render+MIME+send, and for send of prerendered messages.

    The three are interleaved chunk by chunk on long-lived connections, so that load from
    other processes on a shared machine falls on all three alike rather than on whichever
    happened to run during a busy minute.
    """
    from alerts.channels.base import ChannelKind, DeliveryKey, Outcome
    from alerts.channels.email import EmailChannel, SmtpSettings
    from alerts.render import email_message, render_alert

    raw_smtp = smtplib.SMTP("127.0.0.1", port)
    raw_smtp.ehlo()
    channel = EmailChannel(SmtpSettings.from_url(f"smtp://127.0.0.1:{port}?from={SENDER}"))
    facts = _facts()
    liaisons = _liaisons(count)
    prerendered = [
        email_message(
            render_alert(facts, liaison, with_sms=False),
            key=DeliveryKey(facts.event_id, f"liaison-{i}", ChannelKind.EMAIL, 1),
            to=f"liaison{i}@ong.example.org",
        )
        for i, liaison in enumerate(liaisons)
    ]
    raw = full = send_only = 0.0
    for lo in range(0, count, chunk):
        hi = min(lo + chunk, count)

        start = time.perf_counter()
        for i in range(lo, hi):
            raw_smtp.sendmail(SENDER, [f"liaison{i}@ong.example.org"], data)
        raw += time.perf_counter() - start

        start = time.perf_counter()
        for i in range(lo, hi):
            rendered = render_alert(facts, liaisons[i], with_sms=False)
            key = DeliveryKey(facts.event_id, f"liaison-{i}", ChannelKind.EMAIL)
            result = channel.send(
                email_message(rendered, key=key, to=f"liaison{i}@ong.example.org")
            )
            assert result.outcome is Outcome.SENT, result
        full += time.perf_counter() - start

        start = time.perf_counter()
        for i in range(lo, hi):
            assert channel.send(prerendered[i]).outcome is Outcome.SENT
        send_only += time.perf_counter() - start
    raw_smtp.quit()
    channel.close()
    return raw, full, send_only


def _warm_up(port: int, count: int, data: bytes) -> None:
    smtp = smtplib.SMTP("127.0.0.1", port)
    for i in range(count):
        smtp.sendmail(SENDER, [f"warm{i}@ong.example.org"], data)
    smtp.quit()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="emails per run (10000)")
    parser.add_argument("--quick", action="store_true", help="1000 emails instead")
    args = parser.parse_args(argv)
    count = 1_000 if args.quick else args.count

    from alerts.channels.base import ChannelKind, DeliveryKey
    from alerts.channels.email import EmailChannel, SmtpSettings
    from alerts.render import email_message, render_alert

    ours_end, theirs_end = mp.get_context("spawn").Pipe()
    server = mp.get_context("spawn").Process(target=_serve, args=(theirs_end,), daemon=True)
    server.start()
    port = _free_port()
    ours_end.send(port)
    assert ours_end.recv() == "ready"

    # The raw run sends one real alert's bytes, so both runs move the same size of message.
    sample = email_message(
        render_alert(_facts(), _liaisons(2)[1], with_sms=False),
        key=DeliveryKey("evt-bench", "raw", ChannelKind.EMAIL),
        to="liaison@ong.example.org",
    )
    data = EmailChannel(SmtpSettings.from_url(f"smtp://127.0.0.1:{port}?from={SENDER}")).serialize(
        sample
    )
    _warm_up(port, min(200, count), data)  # imports, the server's first connection
    raw, full, send_only = _run(port, count, data)

    ours_end.send("count?")
    received = ours_end.recv()
    ours_end.send("stop")
    server.join(10)
    expected = min(200, count) + 3 * count
    assert received == expected, f"server received {received}, expected {expected}"

    raw_rate, full_rate, send_rate = count / raw, count / full, count / send_only
    print(f"alerts fan-out: {count} emails to a local aiosmtpd (own process), same run,")
    print("  the three ways interleaved in chunks of 500 on long-lived connections")
    print(f"  message size                                  {len(data)} bytes (fr/en, text+HTML)")
    print(f"  raw smtplib, one connection, prebuilt bytes   {raw_rate:8.0f} msgs/s")
    print(f"  EmailChannel: render + MIME + send            {full_rate:8.0f} msgs/s")
    print(f"  EmailChannel: send of prerendered messages    {send_rate:8.0f} msgs/s")
    ratio = full_rate / raw_rate
    print(f"  ratio ours/raw (render+send)                  {ratio:8.2f}  (goal >= 0.5)")
    print(f"  ratio ours/raw (send only)                    {send_rate / raw_rate:8.2f}")
    print(f"  server received {received} of {expected} messages sent")
    print("  publish -> first email p95: measured end to end by `python -m bench.alerts_latency`")


if __name__ == "__main__":
    main()
