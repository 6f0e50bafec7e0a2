"""The email channel against a real aiosmtpd server on 127.0.0.1."""

from __future__ import annotations

import email
import email.policy
import hashlib
from email.message import EmailMessage
from pathlib import Path

import pytest

from alerts.channels.base import ChannelKind, DeliveryKey, Outcome, OutgoingMessage
from alerts.channels.email import EmailChannel, SmtpSettings, SmtpUrlError, message_id
from alerts.facts import MsgType
from alerts.render import email_message, render_alert
from tests.alerts import factories as f
from tests.alerts.servers import free_port, make_certificate, smtp_server

SENDER = "alertes@hub.example.org"


def key(step: int = 0, liaison: str = "liaison-1") -> DeliveryKey:
    return DeliveryKey("evt-0001", liaison, ChannelKind.EMAIL, step)


def channel_for(port: int, **kwargs: object) -> EmailChannel:
    return EmailChannel(SmtpSettings.from_url(f"smtp://127.0.0.1:{port}?from={SENDER}"), **kwargs)  # type: ignore[arg-type]


def alert(lang: str = "fr", **facts: object) -> OutgoingMessage:
    rendered = render_alert(f.published(**facts), f.recipient(lang))  # type: ignore[arg-type]
    return email_message(rendered, key=key(), to="awa.mukendi@ong.example.org")


def parse(data: bytes) -> EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)  # type: ignore[return-value]


def test_a_french_alert_arrives_whole_with_its_accents_and_headers() -> None:
    with smtp_server() as (controller, handler):
        channel = channel_for(controller.port)
        result = channel.send(alert("fr", msg_type=MsgType.UPDATE))
        channel.close()
    assert result.outcome is Outcome.SENT
    assert result.status_code == 250
    assert result.provider_id == message_id(key(), "hub.example.org")
    [received] = handler.received
    assert received.mail_from == SENDER
    assert received.rcpt_tos == ["awa.mukendi@ong.example.org"]
    msg = parse(received.data)
    assert msg["Subject"] == "[SLT] MISE À JOUR : Grave — Vol à main armée — Nyiragongo (CD6102)"
    assert msg["From"] == SENDER
    assert msg["To"] == "awa.mukendi@ong.example.org"
    assert msg["Message-ID"] == result.provider_id
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["Content-Language"] == "fr"
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert text is not None
    assert html is not None
    plain = text.get_content()
    assert (
        "Résumé de l’auteur : Vol à main armée sur la route Goma–Rutshuru, pas de blessé" in plain
    )
    assert "Votre phrase de sécurité : girafe bleue" in plain
    assert "<strong>girafe bleue</strong>" in html.get_content()
    # Every line is within SMTP's limit even with long UTF-8 lines in the source.
    assert all(len(line) <= 998 for line in received.data.split(b"\r\n"))


def test_english_alert_subject_and_body() -> None:
    with smtp_server() as (controller, handler):
        channel = channel_for(controller.port)
        assert channel.send(alert("en")).outcome is Outcome.SENT
        channel.close()
    msg = parse(handler.received[0].data)
    assert msg["Subject"] == "[SLT] Severe — Armed robbery — Nyiragongo (CD6102)"
    body = msg.get_body(("plain",))
    assert body is not None
    assert "Your security phrase: girafe bleue" in body.get_content()


def test_nothing_from_a_report_body_reaches_the_mailbox() -> None:
    # A report as the API receives it (API.md): the hub keeps the header, seals the body.
    submitted = {
        "type": "incident",
        "stage": "flash",
        "area": "CD6102",
        "category": "armed_robbery",
        "severity": "severe",
        "tlp": "amber+strict",
        "summary": "Vol à main armée sur la route Goma–Rutshuru, pas de blessé",
        "body": {
            "narrative": "Trois hommes armés ont arrêté le véhicule de l'équipe santé",
            "location": "PK 42, route RN2",
            "coordinates": {"lat": -1.18, "lon": 29.45},
            "actions_taken": "Équipe rentrée à la base",
            "help_needed": "Escorte demain",
        },
    }
    header = f.report(
        report_type=submitted["type"],
        stage=submitted["stage"],
        area_code=submitted["area"],
        category=submitted["category"],
        severity=submitted["severity"],
        tlp=submitted["tlp"],
        summary=submitted["summary"],
    )
    with smtp_server() as (controller, handler):
        channel = channel_for(controller.port)
        rendered = render_alert(f.published(report=header), f.recipient("fr"))
        channel.send(email_message(rendered, key=key(), to="awa@ong.example.org"))
        channel.close()
    msg = parse(handler.received[0].data)
    shown = "\n".join(
        part.get_content() for part in msg.walk() if part.get_content_maintype() == "text"
    )
    shown += str(msg["Subject"])
    for secret in (
        "Trois hommes armés",
        "PK 42",
        "RN2",
        "-1.18",
        "29.45",
        "Escorte demain",
        "Équipe rentrée",
    ):
        assert secret not in shown
    assert submitted["summary"] in shown  # the one free text that is meant to travel


def test_a_resend_carries_the_same_message_id_and_another_step_does_not() -> None:
    message = alert()
    with smtp_server() as (controller, handler):
        first = channel_for(controller.port)
        first.send(message)
        first.close()
        second = channel_for(controller.port)  # another process, after a crash
        second.send(message)
        second.send(
            OutgoingMessage(key(step=1), message.to, message.subject, message.text, message.html)
        )
        second.send(
            OutgoingMessage(key(liaison="liaison-2"), message.to, message.subject, message.text)
        )
        second.close()
    ids = [parse(r.data)["Message-ID"] for r in handler.received]
    assert ids[0] == ids[1] == "<" + key().digest + "@hub.example.org>"
    assert len({ids[0], ids[2], ids[3]}) == 3


def test_an_update_threads_onto_the_alert_it_supersedes() -> None:
    original = alert()
    update = OutgoingMessage(
        DeliveryKey("evt-0002", "liaison-1", ChannelKind.EMAIL),
        original.to,
        "maj",
        "maj",
        supersedes=original.key,
    )
    with smtp_server() as (controller, handler):
        channel = channel_for(controller.port)
        channel.send(update)
        channel.close()
    msg = parse(handler.received[0].data)
    assert msg["In-Reply-To"] == message_id(original.key, "hub.example.org")
    assert msg["References"] == message_id(original.key, "hub.example.org")


def test_one_connection_serves_many_messages_and_survives_a_server_restart() -> None:
    port = free_port()
    with smtp_server() as (controller, handler):
        port = controller.port
        channel = channel_for(port)
        for _ in range(3):
            assert channel.send(alert()).outcome is Outcome.SENT
        first_server = handler
    # Same port, new server: the channel's pooled connection is dead and it must notice.
    from aiosmtpd.controller import Controller

    from tests.alerts.servers import RecordingHandler

    second_server = RecordingHandler()
    controller = Controller(second_server, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert channel.send(alert()).outcome is Outcome.SENT
    finally:
        channel.close()
        controller.stop()
    assert len(first_server.received) == 3
    assert len(second_server.received) == 1


@pytest.mark.parametrize(
    ("where", "reply", "outcome"),
    [
        ("rcpt", "451 4.3.0 Mailbox temporarily unavailable", Outcome.RETRYABLE),
        ("rcpt", "550 5.1.1 No such user", Outcome.PERMANENT),
        ("data", "451 4.7.1 Greylisted, try again later", Outcome.RETRYABLE),
        ("data", "554 5.7.1 Message rejected", Outcome.PERMANENT),
    ],
)
def test_smtp_refusals_are_classified(where: str, reply: str, outcome: Outcome) -> None:
    with smtp_server() as (controller, handler):
        setattr(handler, f"{where}_reply", reply)
        channel = channel_for(controller.port)
        result = channel.send(alert())
        # The connection was reset, not lost: the next message goes through on it.
        setattr(handler, f"{where}_reply", None)
        after = channel.send(alert())
        channel.close()
    assert result.outcome is outcome
    assert result.status_code == int(reply[:3])
    assert reply[4:] in result.detail
    assert after.outcome is Outcome.SENT
    assert len(handler.received) == 1


def test_connection_lost_after_the_content_is_unknown() -> None:
    with smtp_server() as (controller, handler):
        handler.drop_after_data = True
        channel = channel_for(controller.port)
        result = channel.send(alert())
        handler.drop_after_data = False
        # A resend goes out on a fresh connection with the same Message-ID.
        again = channel.send(alert())
        channel.close()
    assert result.outcome is Outcome.UNKNOWN
    assert "after content" in result.detail
    assert again.outcome is Outcome.SENT
    assert len(handler.received) == 2  # the server did have the first one
    assert (
        parse(handler.received[0].data)["Message-ID"]
        == parse(handler.received[1].data)["Message-ID"]
    )


def test_no_server_listening_is_retryable() -> None:
    channel = channel_for(free_port())
    result = channel.send(alert())
    assert result.outcome is Outcome.RETRYABLE
    assert result.detail.startswith("connect:")


def test_an_impossible_address_is_permanent_without_a_connection() -> None:
    channel = channel_for(free_port())  # nothing listens: proves no connection was tried
    for address in ("pas-une-adresse", "a@b@c", "x@example.org\r\nBcc: y@example.org"):
        message = OutgoingMessage(key(), address, "s", "t")
        assert channel.send(message).outcome is Outcome.PERMANENT


def test_the_signer_hook_puts_exactly_its_output_on_the_wire() -> None:
    seen: list[bytes] = []

    def sign(raw: bytes) -> bytes:  # stands in for crypto.sign_email in this test only
        seen.append(raw)
        digest = hashlib.sha256(raw).hexdigest().encode()
        return b"X-Test-Signature: " + digest + b"\r\n" + raw

    with smtp_server() as (controller, handler):
        channel = channel_for(controller.port, signer=sign)
        channel.send(alert())
        channel.close()
    [raw] = seen
    assert b"Message-ID: <" + key().digest.encode() + b"@hub.example.org>" in raw
    received = handler.received[0].data
    assert (
        received == b"X-Test-Signature: " + hashlib.sha256(raw).hexdigest().encode() + b"\r\n" + raw
    )


def test_a_failing_signer_sends_nothing() -> None:
    def broken(raw: bytes) -> bytes:
        raise RuntimeError("certificate expired")

    with smtp_server() as (controller, handler):
        channel = channel_for(controller.port, signer=broken)
        result = channel.send(alert())
        channel.close()
    assert result.outcome is Outcome.RETRYABLE
    assert result.detail == "signing failed: RuntimeError"
    assert handler.received == []


def test_starttls_with_authentication(tmp_path: Path) -> None:
    cert = make_certificate(tmp_path)
    with smtp_server(tls_context=cert.server_context(), require_starttls=True, with_auth=True) as (
        controller,
        handler,
    ):
        url = f"smtp+starttls://alerts:s3cr%C3%A9t@127.0.0.1:{controller.port}?from={SENDER}"
        channel = EmailChannel(SmtpSettings.from_url(url), ssl_context=cert.client_context())
        result = channel.send(alert())
        channel.close()
        bad = EmailChannel(
            SmtpSettings.from_url(url.replace("s3cr%C3%A9t", "wrong")),
            ssl_context=cert.client_context(),
        )
        refused = bad.send(alert())
        bad.close()
    assert result.outcome is Outcome.SENT
    assert handler.logins[0] == (b"alerts", "s3crét".encode())
    assert len(handler.received) == 1
    assert refused.outcome is Outcome.PERMANENT
    assert refused.status_code == 535
    assert refused.detail.startswith("authentication failed")


def test_smtps_from_the_first_byte(tmp_path: Path) -> None:
    cert = make_certificate(tmp_path)
    with smtp_server(ssl_context=cert.server_context()) as (controller, handler):
        url = f"smtps://127.0.0.1:{controller.port}?from={SENDER}"
        channel = EmailChannel(SmtpSettings.from_url(url), ssl_context=cert.client_context())
        result = channel.send(alert())
        channel.close()
    assert result.outcome is Outcome.SENT
    assert len(handler.received) == 1


def test_starttls_is_never_silently_skipped(tmp_path: Path) -> None:
    cert = make_certificate(tmp_path)
    with smtp_server() as (controller, handler):  # offers no STARTTLS
        url = f"smtp+starttls://127.0.0.1:{controller.port}?from={SENDER}"
        channel = EmailChannel(SmtpSettings.from_url(url), ssl_context=cert.client_context())
        result = channel.send(alert())
        channel.close()
    assert result.outcome is Outcome.RETRYABLE
    assert "STARTTLS" in result.detail
    assert handler.received == []


def test_an_untrusted_certificate_is_refused(tmp_path: Path) -> None:
    cert = make_certificate(tmp_path)
    with smtp_server(ssl_context=cert.server_context()) as (controller, handler):
        url = f"smtps://127.0.0.1:{controller.port}?from={SENDER}"
        channel = EmailChannel(SmtpSettings.from_url(url))  # system trust store only
        result = channel.send(alert())
        channel.close()
    assert result.outcome is Outcome.RETRYABLE
    assert "CERTIFICATE_VERIFY_FAILED" in result.detail
    assert handler.received == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://127.0.0.1:8025?from=a@hub.example.org", ("127.0.0.1", 8025, "plain", None, None)),
        (
            "smtp://mail.example.org?from=a@hub.example.org",
            ("mail.example.org", 25, "plain", None, None),
        ),
        (
            "smtps://user:pass@mail.example.org:465?from=a@hub.example.org",
            ("mail.example.org", 465, "tls", "user", "pass"),
        ),
        (
            "smtps://mail.example.org?from=a@hub.example.org",
            ("mail.example.org", 465, "tls", None, None),
        ),
        (
            "smtp+starttls://u%40org:p%3Ax@mail.example.org?from=a@hub.example.org",
            ("mail.example.org", 587, "starttls", "u@org", "p:x"),
        ),
        (
            "smtp://u:p@localhost:1025?from=a@hub.example.org",
            ("localhost", 1025, "plain", "u", "p"),
        ),
    ],
)
def test_smtp_urls(url: str, expected: tuple[object, ...]) -> None:
    s = SmtpSettings.from_url(url)
    assert (s.host, s.port, s.security, s.username, s.password) == expected
    assert s.sender == "a@hub.example.org"


@pytest.mark.parametrize(
    "url",
    [
        "smtp://u:p@mail.example.org?from=a@hub.example.org",  # credentials in clear
        "smtp://127.0.0.1:8025",  # no sender
        "http://mail.example.org?from=a@hub.example.org",
        "smtp://?from=a@hub.example.org",
    ],
)
def test_bad_smtp_urls_are_refused(url: str) -> None:
    with pytest.raises(SmtpUrlError):
        SmtpSettings.from_url(url)


def test_the_password_stays_out_of_repr() -> None:
    s = SmtpSettings.from_url(
        "smtps://alerts:hunter2-secret@mail.example.org?from=a@hub.example.org"
    )
    assert "hunter2-secret" not in repr(s)


def test_long_accented_subjects_and_text_only_messages_survive_encoding() -> None:
    subject = "Évènement très grave — " * 12 + "fin"
    message = OutgoingMessage(
        key(), "awa@ong.example.org", subject, "Ligne un\nLigne deux : àéèùç €"
    )
    with smtp_server() as (controller, handler):
        channel = channel_for(controller.port)
        assert channel.send(message).outcome is Outcome.SENT
        channel.close()
    msg = parse(handler.received[0].data)
    assert msg["Subject"] == subject.strip()
    assert msg.get_content_type() == "text/plain"
    # Text travels in canonical form (CRLF line breaks), as RFC 2045 requires under base64.
    assert msg.get_content() == "Ligne un\r\nLigne deux : àéèùç €"
    assert all(len(line) <= 998 for line in handler.received[0].data.split(b"\r\n"))


def test_international_domains_go_out_in_idna_and_non_ascii_mailboxes_are_refused() -> None:
    with smtp_server() as (controller, handler):
        channel = channel_for(controller.port)
        sent = channel.send(OutgoingMessage(key(), "awa@ong-sécurité.example", "s", "t"))
        refused = channel.send(OutgoingMessage(key(), "émilie@ong.example.org", "s", "t"))
        channel.close()
    assert sent.outcome is Outcome.SENT
    assert handler.received[0].rcpt_tos == ["awa@xn--ong-scurit-f7af.example"]
    assert refused.outcome is Outcome.PERMANENT
    assert len(handler.received) == 1


def test_a_server_that_stops_answering_after_the_content_is_unknown() -> None:
    with smtp_server() as (controller, handler):
        handler.stall_after_data = 3.0
        url = f"smtp://127.0.0.1:{controller.port}?from={SENDER}&timeout=0.5"
        channel = EmailChannel(SmtpSettings.from_url(url))
        result = channel.send(alert())
        channel.close()
    assert result.outcome is Outcome.UNKNOWN
    assert "timed out" in result.detail
    assert len(handler.received) == 1
