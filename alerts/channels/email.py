"""SMTP email channel: multipart text + HTML alerts with a deterministic Message-ID.

Guarantees:
- the Message-ID is derived from (event, liaison, channel, step) only, so a resend after an
  unknown outcome or a crash carries the same Message-ID and a reader (or their client) can
  tell it is the same alert; an update or cancel threads onto the alert it supersedes;
- every SMTP failure becomes an outcome (see channels/base.py); the transaction is driven
  step by step (MAIL, RCPT, DATA, content) so that the one ambiguous moment — the connection
  lost after the content went out and before the server's reply — is reported as `unknown`,
  and a failure anywhere before it as certainly not sent;
- TLS is never downgraded: `smtps` wraps the connection from the first byte, `smtp+starttls`
  refuses to continue if the server does not offer STARTTLS, and credentials are refused on
  plain `smtp` unless the server is on loopback (a local relay);
- with a `signer`, exactly the bytes the signer returns go on the wire, and nothing goes out
  if signing fails (an unsigned alert could not be told from a forgery).

Uses the standard library's smtplib: it does everything needed here, synchronously, which
suits a dispatcher that sends from worker threads; aiosmtplib would only add an event loop to
manage. The MIME text is written by `_mime` (see there why), checked in tests by the stdlib's
parser.
"""

from __future__ import annotations

import base64
import dataclasses
import email.utils
import logging
import re
import secrets
import smtplib
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email.headerregistry import Address
from typing import Literal
from urllib.parse import parse_qsl, unquote, urlsplit

from alerts.channels.base import (
    ChannelKind,
    DeliveryKey,
    Outcome,
    OutgoingMessage,
    SendResult,
    classify_smtp_code,
    is_loopback,
    short_detail,
)

log = logging.getLogger("slthub.alerts.email")

Signer = Callable[[bytes], bytes]
Security = Literal["plain", "starttls", "tls"]

_SCHEMES: dict[str, tuple[Security, int]] = {
    "smtp": ("plain", 25),
    "smtp+starttls": ("starttls", 587),
    "smtps": ("tls", 465),
}
_CRLF = b"\r\n"
_HEADER_WORD_BYTES = 45  # 45 bytes -> 60 base64 characters: an encoded-word within 75
_EOLS = re.compile(rb"\r\n|\n|\r(?!\n)")
_LEADING_DOT = re.compile(rb"(?m)^\.")


class SmtpUrlError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int
    security: Security
    sender: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0

    @classmethod
    def from_url(cls, url: str, *, sender: str | None = None) -> SmtpSettings:
        """Parse `SLTHUB_SMTP_URL`.

        `smtp://host:port`, `smtp+starttls://user:pass@host:587`, `smtps://user:pass@host:465`;
        query parameters `from=` (the From and envelope sender; or pass `sender`) and
        `timeout=` (seconds). User and password are percent-decoded.
        """
        parts = urlsplit(url)
        if parts.scheme not in _SCHEMES:
            raise SmtpUrlError(f"SMTP URL scheme must be one of {', '.join(_SCHEMES)}")
        if not parts.hostname:
            raise SmtpUrlError("SMTP URL has no host")
        security, default_port = _SCHEMES[parts.scheme]
        query = dict(parse_qsl(parts.query.replace("+", "%2B")))
        sender = sender or query.get("from")
        if not sender or _smtp_address(sender) != sender:
            raise SmtpUrlError("SMTP URL needs a sender address (?from=alerts@example.org)")
        username = unquote(parts.username) if parts.username else None
        password = unquote(parts.password) if parts.password else None
        if username and security == "plain" and not is_loopback(parts.hostname):
            raise SmtpUrlError(
                "refusing to send SMTP credentials unencrypted; use smtps:// or smtp+starttls://"
            )
        try:
            port = parts.port or default_port
            timeout = float(query.get("timeout", "30"))
        except ValueError as exc:
            raise SmtpUrlError(f"bad SMTP URL: {exc}") from None
        return cls(
            host=parts.hostname,
            port=port,
            security=security,
            sender=sender,
            username=username,
            password=password,
            timeout=timeout,
        )


def message_id(key: DeliveryKey, domain: str) -> str:
    """The Message-ID of a delivery; equal for every attempt of the same delivery."""
    return f"<{key.digest}@{domain}>"


def _smtp_address(address: str) -> str | None:
    """The address as it can go on the wire, or None if it cannot be a mailbox.

    A non-ASCII domain is sent in its IDNA form; a non-ASCII local part would need SMTPUTF8,
    which alerts do not rely on, so it is refused (a permanent outcome, not an exception).
    """
    if any(ch in address for ch in '\r\n<>,;" ') or address.count("@") != 1:
        return None
    local, domain = address.split("@")
    if not local or not domain or not local.isascii():
        return None
    try:
        domain = domain.encode("idna").decode("ascii")
        Address(addr_spec=f"{local}@{domain}")
    except (ValueError, IndexError, UnicodeError):
        return None
    return f"{local}@{domain}"


class _Phase:
    """Where in the SMTP conversation a failure happened."""

    CONNECT = "connect"
    ENVELOPE = "envelope"
    CONTENT = "content"  # from here on the server may have the message


class EmailChannel:
    kind = ChannelKind.EMAIL

    def __init__(
        self,
        settings: SmtpSettings,
        *,
        signer: Signer | None = None,
        ssl_context: ssl.SSLContext | None = None,
        message_id_domain: str | None = None,
        local_hostname: str | None = None,
    ) -> None:
        self.settings = settings
        self.signer = signer
        self.ssl_context = ssl_context or ssl.create_default_context()
        self.domain = message_id_domain or settings.sender.rpartition("@")[2]
        self.local_hostname = local_hostname
        self._smtp: smtplib.SMTP | None = None
        self._lock = threading.Lock()

    # -- building -------------------------------------------------------------------------

    def serialize(self, message: OutgoingMessage) -> bytes:
        """The bytes that go on the wire (after the signer, when there is one)."""
        headers = [
            ("From", self.settings.sender),
            ("To", message.to),
            ("Subject", _encode_header(message.subject)),
            ("Date", email.utils.formatdate(usegmt=True)),
            ("Message-ID", message_id(message.key, self.domain)),
        ]
        if message.supersedes is not None:
            earlier = message_id(message.supersedes, self.domain)
            headers += [("In-Reply-To", earlier), ("References", earlier)]
        # RFC 3834: an automatic message; auto-responders must not answer it.
        headers += [
            ("Auto-Submitted", "auto-generated"),
            ("Content-Language", message.language),
            ("MIME-Version", "1.0"),
        ]
        raw = _mime(headers, message.text, message.html, message.calendar)
        return self.signer(raw) if self.signer is not None else raw

    # -- sending --------------------------------------------------------------------------

    def send(self, message: OutgoingMessage) -> SendResult:
        to = _smtp_address(message.to)
        if to is None:
            return SendResult(Outcome.PERMANENT, detail="invalid email address")
        if to != message.to:
            message = dataclasses.replace(message, to=to)
        mid = message_id(message.key, self.domain)
        try:
            data = self.serialize(message)
        except Exception as exc:
            # Never fall back to sending unsigned: a liaison is told to trust signed alerts.
            log.exception("signing alert %s failed", mid)
            return SendResult(Outcome.RETRYABLE, mid, f"signing failed: {type(exc).__name__}")
        with self._lock:
            reused = self._smtp is not None
            try:
                return self._send_locked(message.to, data, mid)
            except _StaleConnection as stale:
                if not reused:
                    return stale.result
            # An idle connection the server had closed: nothing was sent; open a fresh one.
            try:
                return self._send_locked(message.to, data, mid)
            except _StaleConnection as stale:
                return stale.result

    def close(self) -> None:
        with self._lock:
            self._drop(polite=True)

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        smtp: smtplib.SMTP
        if s.security == "tls":
            smtp = smtplib.SMTP_SSL(
                s.host,
                s.port,
                local_hostname=self.local_hostname,
                timeout=s.timeout,
                context=self.ssl_context,
            )
        else:
            smtp = smtplib.SMTP(
                s.host, s.port, local_hostname=self.local_hostname, timeout=s.timeout
            )
        try:
            smtp.ehlo()
            if s.security == "starttls":
                # Raises SMTPNotSupportedError if not offered: never continue in clear.
                smtp.starttls(context=self.ssl_context)
                smtp.ehlo()
            if s.username is not None:
                _login(smtp, s.username, s.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _drop(self, *, polite: bool = False) -> None:
        # After a failure the server may be hung: a QUIT would wait out another timeout.
        if self._smtp is not None:
            try:
                if polite:
                    self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            finally:
                self._smtp.close()
                self._smtp = None

    def _reset_or_drop(self) -> None:
        assert self._smtp is not None  # noqa: S101 -- only called with a live connection
        try:
            code, _ = self._smtp.rset()
            if code != 250:
                self._drop()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def _send_locked(self, to: str, data: bytes, mid: str) -> SendResult:
        phase = _Phase.CONNECT
        try:
            if self._smtp is None:
                self._smtp = self._connect()
            smtp = self._smtp
            phase = _Phase.ENVELOPE
            code, reply = smtp.mail(self.settings.sender)
            if code != 250:
                return self._refused(code, reply, mid, "MAIL")
            code, reply = smtp.rcpt(to)
            if code not in (250, 251):
                return self._refused(code, reply, mid, "RCPT")
            code, reply = smtp.docmd("DATA")
            if code != 354:
                return self._refused(code, reply, mid, "DATA")
            phase = _Phase.CONTENT
            payload = _LEADING_DOT.sub(b"..", _EOLS.sub(_CRLF, data))
            if not payload.endswith(_CRLF):
                payload += _CRLF
            smtp.send(payload + b"." + _CRLF)
            code, reply = smtp.getreply()
            if code == 250:
                return SendResult(Outcome.SENT, mid, short_detail(reply), code)
            return self._refused(code, reply, mid, "end of DATA")
        except smtplib.SMTPAuthenticationError as exc:
            self._drop()
            return SendResult(
                classify_smtp_code(exc.smtp_code),
                mid,
                f"authentication failed: {exc.smtp_code} {short_detail(exc.smtp_error)}",
                exc.smtp_code,
            )
        except smtplib.SMTPResponseException as exc:
            # A reply during connection set-up (e.g. 421 or 554 greeting, STARTTLS refused).
            self._drop()
            return SendResult(
                classify_smtp_code(exc.smtp_code),
                mid,
                f"{phase}: {exc.smtp_code} {short_detail(exc.smtp_error)}",
                exc.smtp_code,
            )
        except (smtplib.SMTPException, OSError) as exc:
            # SMTPServerDisconnected, SMTPNotSupportedError, timeouts, refused connections,
            # TLS failures (ssl.SSLError is an OSError).
            self._drop()
            what = f"{type(exc).__name__}: {short_detail(str(exc))}"
            if phase == _Phase.CONTENT:
                return SendResult(Outcome.UNKNOWN, mid, f"connection lost after content: {what}")
            result = SendResult(Outcome.RETRYABLE, mid, f"{phase}: {what}")
            if phase == _Phase.ENVELOPE and _is_disconnect(exc):
                raise _StaleConnection(result) from exc
            return result

    def _refused(self, code: int, reply: bytes, mid: str, stage: str) -> SendResult:
        if code == 421:
            # The server is closing the channel: the connection cannot be reused.
            self._drop()
        else:
            self._reset_or_drop()
        return SendResult(
            classify_smtp_code(code), mid, f"{stage}: {code} {short_detail(reply)}", code
        )


class _StaleConnection(Exception):
    """Raised inside send(): a reused connection turned out closed before anything was sent."""

    def __init__(self, result: SendResult) -> None:
        self.result = result


# The message is written here rather than with the stdlib's email package: every alert has
# the same fixed shape (a few ASCII headers we write ourselves, an encoded subject, text and
# HTML in base64), and the email package's header machinery made building one cost 1.5 ms,
# three times the SMTP exchange itself (bench/alerts.py). The tests parse what is sent with
# the stdlib's parser to hold this to the standards (RFC 5322, 2045-2047).


def _encode_header(value: str) -> str:
    """RFC 2047 B-encoding for a non-ASCII header, folded; never splits a character."""
    value = " ".join(value.split())  # one line: no header injection through a subject
    if value.isascii() and len(value) <= 900:
        return value
    words: list[bytes] = []
    chunk = b""
    for ch in value:
        encoded = ch.encode()
        if len(chunk) + len(encoded) > _HEADER_WORD_BYTES:
            words.append(chunk)
            chunk = b""
        chunk += encoded
    words.append(chunk)
    return "\r\n ".join(f"=?utf-8?b?{base64.b64encode(w).decode()}?=" for w in words)


def _text_part(body: str, subtype: str) -> bytes:
    # Text is put in canonical form (CRLF line breaks) before base64, as RFC 2045 requires.
    canonical = _EOLS.sub(_CRLF, body.encode())
    encoded = base64.encodebytes(canonical).replace(b"\n", _CRLF)
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
    ).encode() + encoded


def _calendar_part(calendar: bytes) -> bytes:
    """The iTIP invitation (RFC 6047): text/calendar with its METHOD, also offered as a file
    for mail programs that only show attachments."""
    method = b"CANCEL" if b"\r\nMETHOD:CANCEL\r\n" in calendar else b"REQUEST"
    encoded = base64.encodebytes(_EOLS.sub(_CRLF, calendar)).replace(b"\n", _CRLF)
    return (
        b'Content-Type: text/calendar; charset="utf-8"; method='
        + method
        + b"\r\n"
        + b'Content-Disposition: attachment; filename="invitation.ics"\r\n'
        + b"Content-Transfer-Encoding: base64\r\n\r\n"
        + encoded
    )


def _mime(
    headers: list[tuple[str, str]], text: str, html: str | None, calendar: bytes | None = None
) -> bytes:
    """The message's bytes before signing: text, or text + HTML (multipart/alternative), and
    with a calendar both inside multipart/mixed, so the S/MIME signature covers it too."""
    head = "".join(f"{name}: {value}\r\n" for name, value in headers).encode()
    if html is None and calendar is None:
        return head + _text_part(text, "plain")
    # "=_" never occurs in base64, so the boundary cannot collide with a part's content.
    boundary = f"=_slthub_{secrets.token_hex(12)}"
    body = (
        _text_part(text, "plain")
        if html is None
        else (
            f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'.encode()
            + f"--{boundary}\r\n".encode()
            + _text_part(text, "plain")
            + f"--{boundary}\r\n".encode()
            + _text_part(html, "html")
            + f"--{boundary}--\r\n".encode()
        )
    )
    if calendar is None:
        return head + body
    mixed = f"=_slthub_{secrets.token_hex(12)}"
    return (
        head
        + f'Content-Type: multipart/mixed; boundary="{mixed}"\r\n\r\n'.encode()
        + f"--{mixed}\r\n".encode()
        + body
        + f"--{mixed}\r\n".encode()
        + _calendar_part(calendar)
        + f"--{mixed}--\r\n".encode()
    )


def _login(smtp: smtplib.SMTP, username: str, password: str) -> None:
    if (username + password).isascii():
        smtp.login(username, password)
        return
    # smtplib encodes credentials as ASCII and fails on anything else; RFC 4616 PLAIN is UTF-8,
    # so a passphrase with an accent is sent by hand rather than refused.
    if "plain" not in smtp.esmtp_features.get("auth", "").lower().split():
        raise smtplib.SMTPException("server offers no AUTH PLAIN for a non-ASCII password")
    token = base64.b64encode(b"\0" + username.encode() + b"\0" + password.encode()).decode()
    code, reply = smtp.docmd("AUTH", "PLAIN " + token)
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, reply)


def _is_disconnect(exc: BaseException) -> bool:
    return isinstance(exc, smtplib.SMTPServerDisconnected | ConnectionError)
