"""The Channel interface: every channel implements it, and the console channel for development."""

from __future__ import annotations

import logging

import pytest

from alerts.channels import (
    Channel,
    ChannelKind,
    ConsoleChannel,
    DeliveryKey,
    EmailChannel,
    Outcome,
    OutgoingMessage,
    SmsChannel,
    email_channel,
    sms_channel,
)
from alerts.channels.sms import LogTransport
from policies.vocabulary import Channel as PolicyChannel
from tests.alerts.servers import smtp_server

KEY = DeliveryKey("evt-1", "liaison-1", ChannelKind.EMAIL)


def test_every_channel_implements_the_protocol() -> None:
    email = email_channel("smtp://127.0.0.1:2525", sender="alertes@hub.example.org")
    sms = sms_channel("log:")
    for channel in (email, sms, ConsoleChannel()):
        assert isinstance(channel, Channel)
    assert isinstance(email, EmailChannel)
    assert isinstance(sms, SmsChannel)
    assert isinstance(sms.transport, LogTransport)


def test_channel_kinds_are_the_policy_engines_channels() -> None:
    # alert_plan routes name channels with policies' vocabulary; the dispatcher maps them 1:1.
    assert {ChannelKind(c) for c in PolicyChannel} == set(ChannelKind)


def test_the_console_channel_logs_and_reports_sent(caplog: pytest.LogCaptureFixture) -> None:
    channel = ConsoleChannel()
    message = OutgoingMessage(
        KEY, "awa@ong.example.org", "[SLT] Grave — Nyiragongo", "corps de l'alerte"
    )
    with caplog.at_level(logging.INFO, logger="slthub.alerts.console"):
        result = channel.send(message)
    assert result.outcome is Outcome.SENT
    assert result.provider_id == f"console:{KEY.digest}"
    assert "[SLT] Grave — Nyiragongo" in caplog.text
    assert channel.sent == [message]


def test_email_channel_built_from_the_configuration_url_sends() -> None:
    with smtp_server() as (controller, handler):
        channel = email_channel(
            f"smtp://127.0.0.1:{controller.port}", sender="alertes@hub.example.org"
        )
        result = channel.send(OutgoingMessage(KEY, "awa@ong.example.org", "sujet", "texte"))
        channel.close()
    assert result.outcome is Outcome.SENT
    assert len(handler.received) == 1


def test_delivery_keys_are_stable_and_distinct() -> None:
    assert KEY.digest == DeliveryKey("evt-1", "liaison-1", ChannelKind.EMAIL, 0).digest
    others = {
        DeliveryKey("evt-1", "liaison-1", ChannelKind.SMS).digest,
        DeliveryKey("evt-1", "liaison-1", ChannelKind.EMAIL, 1).digest,
        DeliveryKey("evt-1", "liaison-2", ChannelKind.EMAIL).digest,
        DeliveryKey("evt-2", "liaison-1", ChannelKind.EMAIL).digest,
    }
    assert KEY.digest not in others
    assert len(others) == 4
