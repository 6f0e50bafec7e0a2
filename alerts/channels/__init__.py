"""Alert channels behind one interface; see channels/base.py for the outcome rules."""

from alerts.channels.base import (
    Channel,
    ChannelKind,
    DeliveryKey,
    Outcome,
    OutgoingMessage,
    SendResult,
)
from alerts.channels.console import ConsoleChannel
from alerts.channels.email import EmailChannel, SmtpSettings
from alerts.channels.sms import SmsChannel, SmsTransport, parse_sms_gateway

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
    "parse_sms_gateway",
]
