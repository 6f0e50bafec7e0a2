"""SMS transports against a Twilio-shaped HTTP gateway on 127.0.0.1, and callback signatures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from alerts.channels.base import ChannelKind, DeliveryKey, Outcome, OutgoingMessage
from alerts.channels.sms import (
    LogTransport,
    SmsChannel,
    SmsGatewayUrlError,
    TwilioTransport,
    WebhookTransport,
    parse_sms_gateway,
    parse_status_callback,
    twilio_signature,
    verify_twilio_signature,
)
from alerts.render import render_alert, sms_message
from tests.alerts import factories as f
from tests.alerts.servers import ACCOUNT, TOKEN, free_port, sms_gateway

FROM = "+243810000000"
TO = "+243991234567"
CALLBACK = "https://hub.example.org/api/v1/alerts/sms-status"


def key(step: int = 0) -> DeliveryKey:
    return DeliveryKey("evt-0001", "liaison-1", ChannelKind.SMS, step)


def sms(lang: str = "fr", to: str = TO) -> OutgoingMessage:
    rendered = render_alert(f.published(ack=f.ack()), f.recipient(lang))  # type: ignore[arg-type]
    return sms_message(rendered, key=key(), to=to)


def twilio(base: str) -> SmsChannel:
    host = base.removeprefix("http://")
    transport = parse_sms_gateway(
        f"twilio+http://{ACCOUNT}:{TOKEN}@{host}/?from={FROM}&callback={CALLBACK}"
    )
    assert isinstance(transport, TwilioTransport)
    return SmsChannel(transport)


def test_twilio_send_posts_the_form_and_returns_the_message_sid() -> None:
    with sms_gateway() as (base, state):
        channel = twilio(base)
        message = sms("fr")
        result = channel.send(message)
        channel.close()
    assert result.outcome is Outcome.SENT
    assert result.status_code == 201
    [held] = state.messages
    assert result.provider_id == held["sid"]
    assert held["to"] == TO
    assert held["from"] == FROM  # the "+" survived the URL and the form encoding
    assert held["body"] == message.text
    assert "Vol à main armée" in held["body"]  # accents intact through form encoding
    assert held["status_callback"] == CALLBACK
    assert state.requests == [("POST", f"/2010-04-01/Accounts/{ACCOUNT}/Messages.json")]


@pytest.mark.parametrize(
    ("answer", "outcome"),
    [
        (500, Outcome.RETRYABLE),
        (503, Outcome.RETRYABLE),
        (429, Outcome.RETRYABLE),
        (400, Outcome.PERMANENT),
        (404, Outcome.PERMANENT),
    ],
)
def test_http_answers_are_classified(answer: int, outcome: Outcome) -> None:
    with sms_gateway() as (base, state):
        state.script.append(answer)
        channel = twilio(base)
        result = channel.send(sms())
        channel.close()
    assert result.outcome is outcome
    assert result.status_code == answer
    assert state.messages == []
    if answer == 400:
        assert "21211" in result.detail


def test_wrong_credentials_are_permanent() -> None:
    with sms_gateway() as (base, state):
        transport = TwilioTransport(
            account_sid=ACCOUNT, auth_token="wrong", sender=FROM, base_url=base
        )
        result = SmsChannel(transport).send(sms())
        transport.close()
    assert result.outcome is Outcome.PERMANENT
    assert result.status_code == 401
    assert state.messages == []


def test_no_gateway_listening_is_retryable() -> None:
    channel = twilio(f"http://127.0.0.1:{free_port()}")
    result = channel.send(sms())
    channel.close()
    assert result.outcome is Outcome.RETRYABLE
    assert result.detail.startswith("not sent")


def test_answer_lost_after_the_gateway_acted_is_unknown_and_the_check_finds_it() -> None:
    with sms_gateway() as (base, state):
        state.script.append("drop_after")
        channel = twilio(base)
        message = sms()
        since = datetime.now(UTC)
        result = channel.send(message)
        checked = channel.check(message, provider_id=None, since=since)
        channel.close()
    assert result.outcome is Outcome.UNKNOWN
    assert result.provider_id is None
    assert checked is not None
    assert checked.outcome is Outcome.SENT  # do not send it again
    assert checked.provider_id == state.messages[0]["sid"]
    assert len(state.messages) == 1


def test_answer_lost_before_the_gateway_acted_is_unknown_and_the_check_allows_a_resend() -> None:
    with sms_gateway() as (base, state):
        state.script.append("drop_before")
        channel = twilio(base)
        message = sms()
        since = datetime.now(UTC)
        result = channel.send(message)
        checked = channel.check(message, provider_id=None, since=since)
        resent = channel.send(message)
        channel.close()
    assert result.outcome is Outcome.UNKNOWN
    assert checked is None
    assert resent.outcome is Outcome.SENT
    assert len(state.messages) == 1  # exactly once


def test_a_read_timeout_is_unknown_not_retryable() -> None:
    with sms_gateway() as (base, state):
        state.script.append("slow")
        transport = TwilioTransport(
            account_sid=ACCOUNT,
            auth_token=TOKEN,
            sender=FROM,
            base_url=base,
            timeout=httpx.Timeout(0.3),
        )
        channel = SmsChannel(transport)
        message = sms()
        result = channel.send(message)
        checked = channel.check(
            message, provider_id=None, since=datetime.now(UTC) - timedelta(minutes=1)
        )
        state.slow_released.set()
        transport.close()
    assert result.outcome is Outcome.UNKNOWN
    assert "ReadTimeout" in result.detail
    assert checked is not None
    assert checked.outcome is Outcome.SENT


def test_an_older_identical_message_does_not_count_as_this_one() -> None:
    with sms_gateway() as (base, _state):
        channel = twilio(base)
        message = sms()
        channel.send(message)  # yesterday's identical alert, say
        later = datetime.now(UTC) + timedelta(seconds=5)
        assert channel.check(message, provider_id=None, since=later) is None
        channel.close()


def test_status_check_by_sid() -> None:
    with sms_gateway() as (base, state):
        channel = twilio(base)
        message = sms()
        sent = channel.send(message)
        since = datetime.now(UTC)
        found = channel.check(message, provider_id=sent.provider_id, since=since)
        missing = channel.check(message, provider_id="SM" + "f" * 32, since=since)
        state.messages[0].update(status="undelivered", error_code=30003)  # handset off
        transient = channel.check(message, provider_id=sent.provider_id, since=since)
        state.messages[0].update(status="failed", error_code=30006)  # landline
        failed = channel.check(message, provider_id=sent.provider_id, since=since)
        channel.close()
    assert found is not None
    assert found.outcome is Outcome.SENT
    assert missing is None
    assert transient is not None
    assert transient.outcome is Outcome.RETRYABLE
    assert failed is not None
    assert failed.outcome is Outcome.PERMANENT
    assert (
        "GET",
        f"/2010-04-01/Accounts/{ACCOUNT}/Messages/{sent.provider_id}.json",
    ) in state.requests


def test_an_invalid_number_is_refused_before_any_request() -> None:
    with sms_gateway() as (base, state):
        channel = twilio(base)
        for number in ("0991234567", "+2439912", "+243 99 123 4567"):
            assert channel.send(sms(to=number)).outcome is Outcome.PERMANENT
        channel.close()
    assert state.requests == []


def test_a_message_longer_than_two_segments_is_a_programming_error() -> None:
    channel = SmsChannel(LogTransport())
    with pytest.raises(ValueError, match="segments"):
        channel.send(OutgoingMessage(key(), TO, "s", "ê" * 135))


def test_webhook_transport_posts_json_with_an_idempotency_key() -> None:
    with sms_gateway() as (base, state):
        host = base.removeprefix("http://")
        transport = parse_sms_gateway(
            f"webhook+http://s3cret@{host}/webhook?queue=alertes%20slt&x=%26",
            status_callback=CALLBACK,
        )
        assert isinstance(transport, WebhookTransport)
        # The gateway's own query survives, re-encoded; the token left the URL for a header.
        assert transport.url == f"http://{host}/webhook?queue=alertes+slt&x=%26"
        channel = SmsChannel(transport)
        message = sms("en")
        result = channel.send(message)
        state.script.extend([500, "drop_after"])
        failed = channel.send(message)
        unknown = channel.send(message)
        checked = channel.check(message, provider_id=None, since=datetime.now(UTC))
        channel.close()
    assert result.outcome is Outcome.SENT
    assert result.provider_id == "wh-1"
    payload, headers = state.webhook_posts[0]
    assert payload == {
        "to": TO,
        "body": message.text,
        "reference": key().digest,
        "status_callback": CALLBACK,
    }
    assert headers["Authorization"] == "Bearer s3cret"
    assert headers["Idempotency-Key"] == key().digest
    assert failed.outcome is Outcome.RETRYABLE
    assert unknown.outcome is Outcome.UNKNOWN
    # No lookup on a generic webhook: the resend, with the same key, is the check.
    assert checked is None
    assert {h["Idempotency-Key"] for _, h in state.webhook_posts} == {key().digest}


def test_log_transport() -> None:
    transport = parse_sms_gateway("log:")
    assert isinstance(transport, LogTransport)
    channel = SmsChannel(transport)
    message = sms()
    assert channel.check(message, provider_id=None, since=datetime.now(UTC)) is None
    result = channel.send(message)
    assert result.outcome is Outcome.SENT
    assert transport.sent == [(TO, message.text, key().digest)]
    again = channel.check(message, provider_id=result.provider_id, since=datetime.now(UTC))
    assert again is not None
    assert again.outcome is Outcome.SENT


@pytest.mark.parametrize(
    ("sender", "expected"),
    [
        ("+243810000000", "+243810000000"),
        ("%2B243810000000", "+243810000000"),
        ("SLT%20Hub", "SLT Hub"),
    ],
)
def test_twilio_gateway_url(sender: str, expected: str) -> None:
    transport = parse_sms_gateway(f"twilio+https://{ACCOUNT}:{TOKEN}@api.twilio.com/?from={sender}")
    assert isinstance(transport, TwilioTransport)
    assert transport.sender == expected
    assert transport.account_sid == ACCOUNT
    assert str(transport._client.base_url) == "https://api.twilio.com"
    transport.close()


@pytest.mark.parametrize(
    "url",
    [
        # credentials over plain http
        f"twilio+http://{ACCOUNT}:{TOKEN}@gateway.example.org/?from=+243810000000",
        "twilio+https://api.twilio.com/?from=+243810000000",  # no credentials
        f"twilio+https://{ACCOUNT}:{TOKEN}@api.twilio.com/",  # no sender
        f"twilio+https://{ACCOUNT}:{TOKEN}@api.twilio.com/?from=0810000000",  # not E.164
        f"twilio+https://{ACCOUNT}:{TOKEN}@api.twilio.com/?from=SLT-Hub-Alertes",  # too long
        "webhook+http://token@gateway.example.org/sms",  # token in clear
        "smpp://gateway.example.org",
        "https://gateway.example.org",
    ],
)
def test_bad_gateway_urls_are_refused(url: str) -> None:
    with pytest.raises(SmsGatewayUrlError):
        parse_sms_gateway(url)


# -- status callbacks -----------------------------------------------------------------------

TWILIO_DOC_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
TWILIO_DOC_PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+12349013030",
    "Digits": "1234",
    "From": "+12349013030",
    "To": "+18005551212",
}


def test_signature_matches_twilios_published_example() -> None:
    # The worked example in Twilio's webhook-security documentation (auth token "12345").
    assert (
        twilio_signature("12345", TWILIO_DOC_URL, TWILIO_DOC_PARAMS)
        == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    )
    assert verify_twilio_signature(
        "12345", TWILIO_DOC_URL, TWILIO_DOC_PARAMS, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    )
    # Parameter order on the wire does not matter: they are sorted.
    reordered = list(reversed(list(TWILIO_DOC_PARAMS.items())))
    assert verify_twilio_signature(
        "12345", TWILIO_DOC_URL, reordered, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    )


@pytest.mark.parametrize(
    ("token", "url", "params", "signature"),
    [
        (
            "12345",
            TWILIO_DOC_URL,
            {**TWILIO_DOC_PARAMS, "Digits": "9999"},
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ=",
        ),
        (
            "12345",
            "https://mycompany.com/myapp.php?foo=1&bar=3",
            TWILIO_DOC_PARAMS,
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ=",
        ),
        ("other", TWILIO_DOC_URL, TWILIO_DOC_PARAMS, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="),
        ("12345", TWILIO_DOC_URL, TWILIO_DOC_PARAMS, "0/KCTR6DLpKmkAf8muzZqo1nDgQ"),
        ("12345", TWILIO_DOC_URL, TWILIO_DOC_PARAMS, None),
        ("12345", TWILIO_DOC_URL, TWILIO_DOC_PARAMS, ""),
    ],
)
def test_tampered_or_missing_signatures_are_rejected(
    token: str, url: str, params: dict[str, str], signature: str | None
) -> None:
    assert not verify_twilio_signature(token, url, params, signature)


def test_status_callbacks_become_outcomes() -> None:
    delivered = parse_status_callback({"MessageSid": "SM1", "MessageStatus": "delivered"})
    assert (delivered.provider_id, delivered.outcome) == ("SM1", Outcome.SENT)
    assert parse_status_callback({"MessageSid": "SM1", "MessageStatus": "sent"}).outcome is None
    off = parse_status_callback(
        {"MessageSid": "SM1", "MessageStatus": "undelivered", "ErrorCode": "30003"}
    )
    assert off.outcome is Outcome.RETRYABLE
    landline = parse_status_callback(
        {"MessageSid": "SM1", "MessageStatus": "failed", "ErrorCode": "30006"}
    )
    assert landline.outcome is Outcome.PERMANENT
    with pytest.raises(ValueError, match="MessageSid"):
        parse_status_callback({"MessageStatus": "delivered"})


def test_a_check_with_the_gateway_down_cannot_tell() -> None:
    channel = twilio(f"http://127.0.0.1:{free_port()}")
    message = sms()
    since = datetime.now(UTC)
    by_list = channel.check(message, provider_id=None, since=since)
    by_sid = channel.check(message, provider_id="SM" + "0" * 32, since=since)
    channel.close()
    assert by_list is not None
    assert by_list.outcome is Outcome.UNKNOWN  # neither "sent" nor "safe to resend"
    assert by_sid is not None
    assert by_sid.outcome is Outcome.UNKNOWN
