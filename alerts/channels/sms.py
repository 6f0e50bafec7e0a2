"""SMS channel over a gateway: a Twilio-style HTTP API, a generic JSON webhook, or the log.

Guarantees:
- every gateway answer or failure becomes an outcome with one rule for all transports: HTTP 2xx
  `sent`; 429 and 5xx `retryable`; other 4xx `permanent`; a connection that could not be
  opened `retryable` (nothing went out); a failure once the request was on its way — the
  connection dropped, a read timeout — `unknown`, because the gateway may have queued it;
- an `unknown` SMS is not blindly resent: `SmsChannel.check` asks the gateway whether it holds
  the message (by its id when one was returned, else by recipient and text since the first
  attempt) and only "no record" makes a resend safe. The webhook transport sends an
  `Idempotency-Key` (stable per delivery) so a gateway that honours it drops a duplicate;
- a number that is not a valid E.164 phone number is refused before any request (`permanent`);
- a message longer than two segments is refused as a programming error, never split in three;
- status callbacks are authenticated with the Twilio scheme (HMAC-SHA1 of the URL and the
  sorted parameters, compared in constant time); an unsigned or mis-signed callback must be
  rejected by the endpoint that receives it.

httpx is the client: it separates connect, write and read timeouts and their errors, which is
exactly the line between "certainly not sent" and "maybe sent".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

import httpx
import phonenumbers

from alerts.channels.base import (
    ChannelKind,
    Outcome,
    OutgoingMessage,
    SendResult,
    classify_http_status,
    is_loopback,
    short_detail,
)
from alerts.segments import count_segments

log = logging.getLogger("slthub.alerts.sms")

MAX_SEGMENTS = 2
DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)

# Twilio message statuses: still on its way, accepted by the carrier, or failed for good.
_TWILIO_ACCEPTED = frozenset(
    {"accepted", "scheduled", "queued", "sending", "sent", "delivered", "read", "receiving"}
)
_TWILIO_FAILED = frozenset({"failed", "undelivered", "canceled"})
# Twilio delivery error codes that describe a passing condition (queue overflow, handset
# unreachable or off, carrier's unknown error): worth another attempt later.
_TWILIO_TRANSIENT_ERRORS = frozenset({"30001", "30003", "30008", "30009", "30010"})


# Many African and European networks deliver from a short name instead of a number
# (1-11 letters, digits or spaces, at least one letter).
_ALPHANUMERIC_SENDER = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$")


class SmsGatewayUrlError(ValueError):
    pass


class SmsTransport(Protocol):
    """One way of handing an SMS to a gateway."""

    name: str

    def send(self, to: str, body: str, *, reference: str) -> SendResult: ...

    def check(
        self, to: str, body: str, *, reference: str, provider_id: str | None, since: datetime
    ) -> SendResult | None:
        """Whether the gateway holds this message: `sent` or `permanent` when it has a record,
        `unknown` when it cannot say right now, None when it has no record (resend is safe)."""
        ...

    def close(self) -> None: ...


def _http_failure(exc: httpx.HTTPError) -> SendResult:
    what = f"{type(exc).__name__}: {short_detail(str(exc))}"
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return SendResult(Outcome.RETRYABLE, detail=f"not sent: {what}")
    # Write/read errors and timeouts, the server closing mid-answer: the request may have
    # been received and acted on.
    return SendResult(Outcome.UNKNOWN, detail=f"no answer after sending: {what}")


def _error_detail(response: httpx.Response) -> str:
    try:
        payload = response.json()
    except ValueError:
        return f"HTTP {response.status_code}: {short_detail(response.text)}"
    if isinstance(payload, dict):
        code = payload.get("code", "")
        message = payload.get("message", "")
        return f"HTTP {response.status_code} {code}: {short_detail(str(message))}".strip()
    return f"HTTP {response.status_code}"


def _twilio_status(payload: Mapping[str, Any]) -> SendResult:
    sid = payload.get("sid")
    status = str(payload.get("status", ""))
    error = payload.get("error_code")
    if status in _TWILIO_FAILED:
        outcome = Outcome.RETRYABLE if str(error) in _TWILIO_TRANSIENT_ERRORS else Outcome.PERMANENT
        return SendResult(outcome, sid, f"gateway status {status} ({error})")
    return SendResult(Outcome.SENT, sid, f"gateway status {status or 'accepted'}")


def _gateway_time(value: object) -> datetime | None:
    """Twilio's RFC 2822 dates ("Mon, 23 Nov 2026 06:40:00 +0000"), always as aware UTC."""
    if not isinstance(value, str):
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class TwilioTransport:
    """Twilio's Programmable Messaging REST API shape (also spoken by several other gateways)."""

    name = "twilio"

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        sender: str,
        base_url: str = "https://api.twilio.com",
        status_callback: str | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    ) -> None:
        self.account_sid = account_sid
        self.sender = sender
        self.status_callback = status_callback
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            auth=(account_sid, auth_token),
            timeout=timeout,
            headers={"Accept": "application/json"},
        )

    @property
    def _messages(self) -> str:
        return f"/2010-04-01/Accounts/{self.account_sid}/Messages"

    def send(self, to: str, body: str, *, reference: str) -> SendResult:
        form = {"To": to, "From": self.sender, "Body": body}
        if self.status_callback:
            form["StatusCallback"] = self.status_callback
        try:
            response = self._client.post(f"{self._messages}.json", data=form)
        except httpx.HTTPError as exc:
            return _http_failure(exc)
        outcome = classify_http_status(response.status_code)
        if outcome is not Outcome.SENT:
            return SendResult(outcome, None, _error_detail(response), response.status_code)
        try:
            payload = response.json()
        except ValueError:
            return SendResult(Outcome.SENT, None, "accepted (no JSON)", response.status_code)
        result = _twilio_status(payload)
        return SendResult(result.outcome, result.provider_id, result.detail, response.status_code)

    def check(
        self, to: str, body: str, *, reference: str, provider_id: str | None, since: datetime
    ) -> SendResult | None:
        try:
            if provider_id:
                response = self._client.get(f"{self._messages}/{provider_id}.json")
                if response.status_code == 404:
                    return None
                if response.status_code != 200:
                    return SendResult(Outcome.UNKNOWN, provider_id, _error_detail(response))
                return _twilio_status(response.json())
            # No id came back (the answer was lost): look for it among the recent messages
            # to that number from our number, created since the first attempt.
            response = self._client.get(
                f"{self._messages}.json", params={"To": to, "From": self.sender, "PageSize": 50}
            )
        except (httpx.HTTPError, ValueError) as exc:
            return SendResult(Outcome.UNKNOWN, provider_id, f"check failed: {exc}")
        if response.status_code != 200:
            return SendResult(Outcome.UNKNOWN, None, f"check failed: {_error_detail(response)}")
        try:
            messages = response.json().get("messages", [])
        except (ValueError, AttributeError):
            return SendResult(Outcome.UNKNOWN, None, "check failed: unreadable list")
        for item in messages:
            if item.get("body") != body:
                continue
            created = _gateway_time(item.get("date_created"))
            if created is None:
                return SendResult(Outcome.UNKNOWN, item.get("sid"), "check: unreadable date")
            if created < since.replace(microsecond=0):
                continue  # an earlier alert with the same text, not this one
            return _twilio_status(item)
        return None

    def close(self) -> None:
        self._client.close()


class WebhookTransport:
    """POSTs `{"to", "body", "reference", "status_callback"}` as JSON to an operator's gateway.

    2xx means accepted; a JSON answer with an `id` gives the provider id. The delivery's
    reference also travels as `Idempotency-Key`, so a gateway that keeps those drops a resend.
    """

    name = "webhook"

    def __init__(
        self,
        url: str,
        *,
        token: str | None = None,
        status_callback: str | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    ) -> None:
        self.url = url
        self.status_callback = status_callback
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._client = httpx.Client(timeout=timeout, headers=headers)

    def send(self, to: str, body: str, *, reference: str) -> SendResult:
        payload = {
            "to": to,
            "body": body,
            "reference": reference,
            "status_callback": self.status_callback,
        }
        try:
            response = self._client.post(
                self.url, json=payload, headers={"Idempotency-Key": reference}
            )
        except httpx.HTTPError as exc:
            return _http_failure(exc)
        outcome = classify_http_status(response.status_code)
        if outcome is not Outcome.SENT:
            return SendResult(outcome, None, _error_detail(response), response.status_code)
        provider_id = None
        try:
            answer = response.json()
            if isinstance(answer, dict) and answer.get("id") is not None:
                provider_id = str(answer["id"])
        except ValueError:
            pass
        return SendResult(Outcome.SENT, provider_id, "accepted", response.status_code)

    def check(
        self, to: str, body: str, *, reference: str, provider_id: str | None, since: datetime
    ) -> SendResult | None:
        # A generic webhook has no lookup; the Idempotency-Key makes the resend the check.
        return None

    def close(self) -> None:
        self._client.close()


class LogTransport:
    """`log:` — writes the SMS to the log (development, demo)."""

    name = "log"

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    def send(self, to: str, body: str, *, reference: str) -> SendResult:
        self.sent.append((to, body, reference))
        log.info("SMS %s to %s:\n%s", reference, to, body)
        return SendResult(Outcome.SENT, f"log:{reference}", "logged")

    def check(
        self, to: str, body: str, *, reference: str, provider_id: str | None, since: datetime
    ) -> SendResult | None:
        if any(ref == reference for _, _, ref in self.sent):
            return SendResult(Outcome.SENT, f"log:{reference}", "logged")
        return None

    def close(self) -> None:
        return None


def valid_e164(number: str) -> bool:
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(parsed) and number == phonenumbers.format_number(
        parsed, phonenumbers.PhoneNumberFormat.E164
    )


class SmsChannel:
    kind = ChannelKind.SMS

    def __init__(self, transport: SmsTransport) -> None:
        self.transport = transport

    def _checked_body(self, message: OutgoingMessage) -> str:
        segments = count_segments(message.text).segments
        if segments > MAX_SEGMENTS:
            raise ValueError(f"SMS of {segments} segments; render it with alerts.render.render_sms")
        return message.text

    def send(self, message: OutgoingMessage) -> SendResult:
        body = self._checked_body(message)
        if not valid_e164(message.to):
            return SendResult(Outcome.PERMANENT, detail="not a valid E.164 phone number")
        return self.transport.send(message.to, body, reference=message.key.digest)

    def check(
        self, message: OutgoingMessage, *, provider_id: str | None, since: datetime
    ) -> SendResult | None:
        """Before resending after `unknown`: see channels/base.py and SmsTransport.check."""
        return self.transport.check(
            message.to,
            self._checked_body(message),
            reference=message.key.digest,
            provider_id=provider_id,
            since=since,
        )

    def close(self) -> None:
        self.transport.close()


# -- configuration --------------------------------------------------------------------------


def parse_sms_gateway(url: str, *, status_callback: str | None = None) -> SmsTransport:
    """Build the transport `SLTHUB_SMS_GATEWAY` names.

    - `log:`
    - `twilio+https://ACCOUNT_SID:AUTH_TOKEN@api.twilio.com/?from=+243810000000`
      (`from` may also be written `%2B243…`; `callback=` overrides the status-callback URL)
    - `webhook+https://[TOKEN@]gateway.example/path?callback=…` (TOKEN becomes a bearer token)

    Plain `http` is accepted for loopback only when credentials or a token would travel.
    """
    if url.strip() in ("log:", "log", "console:"):
        return LogTransport()
    parts = urlsplit(url)
    kind, _, transport_scheme = parts.scheme.partition("+")
    if kind not in ("twilio", "webhook") or transport_scheme not in ("http", "https"):
        raise SmsGatewayUrlError(
            "SMS gateway URL must be twilio+https://, webhook+https:// or log:"
        )
    if not parts.hostname:
        raise SmsGatewayUrlError("SMS gateway URL has no host")
    query = dict(parse_qsl(parts.query.replace("+", "%2B"), keep_blank_values=True))
    callback = query.pop("callback", None) or status_callback
    netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
    has_secret = parts.username is not None
    if transport_scheme == "http" and has_secret and not is_loopback(parts.hostname):
        raise SmsGatewayUrlError("refusing to send gateway credentials over plain http")
    if kind == "twilio":
        if not parts.username or not parts.password:
            raise SmsGatewayUrlError("twilio gateway URL needs ACCOUNT_SID:AUTH_TOKEN@")
        sender = query.get("from")
        if not sender or not (valid_e164(sender) or _ALPHANUMERIC_SENDER.match(sender)):
            raise SmsGatewayUrlError(
                "twilio gateway URL needs ?from=<E.164 number or alphanumeric sender ID>"
            )
        base = urlunsplit((transport_scheme, netloc, parts.path.rstrip("/"), "", ""))
        return TwilioTransport(
            account_sid=unquote(parts.username),
            auth_token=unquote(parts.password),
            sender=sender,
            base_url=base,
            status_callback=callback,
        )
    rest = urlencode(query)
    target = urlunsplit((transport_scheme, netloc, parts.path or "/", rest, ""))
    token = unquote(parts.username) if parts.username else None
    return WebhookTransport(target, token=token, status_callback=callback)


# -- status callbacks -----------------------------------------------------------------------


def _pairs(params: Mapping[str, str] | Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    items = params.items() if isinstance(params, Mapping) else params
    return sorted((str(k), str(v)) for k, v in items)


def twilio_signature(
    auth_token: str, url: str, params: Mapping[str, str] | Iterable[tuple[str, str]]
) -> str:
    """X-Twilio-Signature: base64(HMAC-SHA1(token, url + k1v1k2v2… sorted by name))."""
    data = url + "".join(k + v for k, v in _pairs(params))
    mac = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


def verify_twilio_signature(
    auth_token: str,
    url: str,
    params: Mapping[str, str] | Iterable[tuple[str, str]],
    signature: str | None,
) -> bool:
    if not signature:
        return False
    expected = twilio_signature(auth_token, url, params)
    return hmac.compare_digest(expected.encode(), signature.encode())


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    provider_id: str
    outcome: Outcome | None  # None while the message is still on its way
    detail: str


def parse_status_callback(params: Mapping[str, str]) -> StatusUpdate:
    """Read a (verified) status callback's form fields into an outcome for the delivery log.

    Callbacks repeat and arrive out of order; recording them must be idempotent and must not
    let a late `sent` overwrite an earlier `delivered` or `failed` — the caller keeps the most
    final state.
    """
    sid = params.get("MessageSid") or params.get("SmsSid") or ""
    status = params.get("MessageStatus") or params.get("SmsStatus") or ""
    if not sid:
        raise ValueError("status callback without MessageSid")
    if status in ("delivered", "read"):
        return StatusUpdate(sid, Outcome.SENT, f"gateway status {status}")
    if status in _TWILIO_FAILED:
        error = params.get("ErrorCode")
        result = _twilio_status({"sid": sid, "status": status, "error_code": error})
        return StatusUpdate(sid, result.outcome, result.detail)
    return StatusUpdate(sid, None, f"gateway status {status or 'unknown'}")


def webhook_payload(body: bytes) -> dict[str, Any]:
    """Parse the JSON a webhook gateway receives (used by tests and by gateway shims)."""
    payload = json.loads(body)
    if not isinstance(payload, dict):
        raise ValueError("webhook payload must be a JSON object")
    return payload
