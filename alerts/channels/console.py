"""A development channel that writes alerts to the log instead of sending them.

Guarantees: it implements `Channel` exactly like the real ones (same message in, a `sent`
result with a stable provider id out), so the dispatcher runs unchanged on a laptop without an
SMTP server or SMS gateway. It must never be configured in production: it delivers nothing.
"""

from __future__ import annotations

import logging

from alerts.channels.base import ChannelKind, Outcome, OutgoingMessage, SendResult

log = logging.getLogger("slthub.alerts.console")


class ConsoleChannel:
    def __init__(self, kind: ChannelKind = ChannelKind.EMAIL) -> None:
        self.kind = kind
        self.sent: list[OutgoingMessage] = []  # kept so a developer can inspect a run

    def send(self, message: OutgoingMessage) -> SendResult:
        self.sent.append(message)
        log.info(
            "alert %s to %s [%s]\nSubject: %s\n\n%s",
            message.key.digest,
            message.to,
            self.kind,
            message.subject,
            message.text,
        )
        return SendResult(Outcome.SENT, provider_id=f"console:{message.key.digest}")

    def close(self) -> None:
        return None
