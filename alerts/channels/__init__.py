"""Alert channels behind one interface; see channels/base.py for the outcome rules.

`email_channel` and `sms_channel` build the channels the configuration names
(`SLTHUB_SMTP_URL`, `SLTHUB_SMS_GATEWAY`); docs/alerts.md lists the URL forms.
"""

from __future__ import annotations

from alerts.channels.base import (
    Channel,
    ChannelKind,
    DeliveryKey,
    Outcome,
    OutgoingMessage,
    SendResult,
)
from alerts.channels.console import ConsoleChannel
from alerts.channels.email import EmailChannel, Signer, SmtpSettings
from alerts.channels.sms import SmsChannel, SmsTransport, parse_sms_gateway


def email_channel(url: str, *, sender: str | None = None, signer: Signer | None = None) -> Channel:
    """`sender` is needed when the URL has no `?from=`; `signer` will be `crypto.sign_email`."""
    return EmailChannel(SmtpSettings.from_url(url, sender=sender), signer=signer)


def sms_channel(url: str, *, status_callback: str | None = None) -> SmsChannel:
    """`status_callback` is the hub's public URL for delivery reports, if it has one."""
    return SmsChannel(parse_sms_gateway(url, status_callback=status_callback))


__all__ = [
    "Channel",
    "ChannelKind",
    "ConsoleChannel",
    "DeliveryKey",
    "EmailChannel",
    "Outcome",
    "OutgoingMessage",
    "SendResult",
    "SmsChannel",
    "SmsTransport",
    "SmtpSettings",
    "email_channel",
    "parse_sms_gateway",
    "sms_channel",
]
