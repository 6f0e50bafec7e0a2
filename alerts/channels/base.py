"""The one interface every alert channel implements, and how failures are classified.

Guarantees: sending never raises for a delivery problem — every attempt ends in a `SendResult`
whose outcome is one of four, and the classification is the same for every channel:

- `sent`: the provider accepted the message (an SMTP 250 after DATA, an HTTP 2xx);
- `retryable`: it certainly was not accepted and a later attempt may succeed (SMTP 4xx, HTTP
  5xx or 429, a refused or timed-out connection before the request went out);
- `permanent`: it was not accepted and repeating it will not help (SMTP 5xx, HTTP 4xx other
  than 429, an address that cannot be valid);
- `unknown`: the request went out and the answer was lost (connection dropped while waiting
  for the reply): the provider may or may not have it. An email is then resent (its
  deterministic Message-ID lets the reader's client collapse a duplicate); an SMS is checked
  with the gateway first (`SmsChannel.check`).

Against: a delivery that failed silently (an exception swallowed somewhere up the stack), a
hard failure retried forever, and an SMS sent twice because a timeout was read as a failure.
Programming errors (a bad argument, a template bug) still raise: they are not outcomes.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable


class Outcome(StrEnum):
    SENT = "sent"
    RETRYABLE = "retryable"
    PERMANENT = "permanent"
    UNKNOWN = "unknown"


class ChannelKind(StrEnum):
    EMAIL = "email"
    SMS = "sms"


@dataclass(frozen=True, slots=True)
class DeliveryKey:
    """What makes a delivery unique: the outbox row's natural key."""

    event_id: str
    liaison_id: str
    channel: ChannelKind
    step: int = 0

    @property
    def digest(self) -> str:
        """Stable short name for this delivery (Message-ID, gateway references, logs)."""
        raw = f"slthub-delivery-v1|{self.event_id}|{self.liaison_id}|{self.channel}|{self.step}"
        return hashlib.sha256(raw.encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """A rendered alert addressed to one liaison on one channel."""

    key: DeliveryKey
    to: str  # email address or E.164 phone number
    subject: str
    text: str  # the plain-text body for email, the whole message for SMS
    html: str | None = None
    language: str = "fr"
    # Message-ID of the alert this one supersedes (update/cancel), so mail clients thread them.
    supersedes: DeliveryKey | None = None
    # An iTIP calendar (text/calendar, RFC 5545/5546) the email carries: a briefing invitation.
    calendar: bytes | None = None


@dataclass(frozen=True, slots=True)
class SendResult:
    outcome: Outcome
    provider_id: str | None = None  # Message-ID, gateway message id
    detail: str = ""  # what the provider said, for the delivery log; never message content
    status_code: int | None = None  # SMTP reply code or HTTP status, when there was one

    @property
    def sent(self) -> bool:
        return self.outcome is Outcome.SENT


@runtime_checkable
class Channel(Protocol):
    """Sends one rendered message. Implementations are safe to call from one thread at a time
    per instance; a dispatcher with several workers gives each its own instance."""

    kind: ChannelKind

    def send(self, message: OutgoingMessage) -> SendResult: ...

    def close(self) -> None: ...


def classify_smtp_code(code: int) -> Outcome:
    """RFC 5321 §4.2.1: 2yz done, 4yz transient, 5yz permanent."""
    if 200 <= code < 300:
        return Outcome.SENT
    if 400 <= code < 500:
        return Outcome.RETRYABLE
    if 500 <= code < 600:
        return Outcome.PERMANENT
    # Anything else is a server speaking something other than SMTP: try again later.
    return Outcome.RETRYABLE


def classify_http_status(status: int) -> Outcome:
    """2xx accepted; 429 and 5xx transient; other 4xx will not get better by repeating."""
    if 200 <= status < 300:
        return Outcome.SENT
    if status == 429 or status >= 500:
        return Outcome.RETRYABLE
    if 400 <= status < 500:
        return Outcome.PERMANENT
    # 1xx/3xx as a final answer: the gateway URL is wrong or redirects; nothing was accepted.
    return Outcome.RETRYABLE


def short_detail(text: str | bytes, limit: int = 300) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def is_loopback(host: str) -> bool:
    """Whether `host` is this machine: the one place a channel may send credentials in the
    clear (a local relay or a test server), never across a network."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
