"""Real servers on loopback for the alert tests: SMTP (aiosmtpd) and a Twilio-shaped HTTP API.

Nothing here imitates a client library: the channels under test speak SMTP and HTTP over real
sockets to these servers, which behave as the real ones do on the wire — including the ways
they fail (4xx/5xx replies, connections closed before or after a request was acted on).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- SMTP ------------------------------------------------------------------------------------


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes


class RecordingHandler:
    """Accepts everything, or answers what `rcpt_reply` / `data_reply` say; `drop_after_data`
    closes the connection once the content is received, before answering (a crash or a
    network cut at the worst moment)."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.rcpt_reply: str | None = None
        self.data_reply: str | None = None
        self.drop_after_data = False
        self.stall_after_data = 0.0  # seconds to wait before answering the content
        self.logins: list[tuple[bytes, bytes]] = []

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.rcpt_reply is not None:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.drop_after_data:
            self.received.append(
                Received(
                    str(envelope.mail_from), list(envelope.rcpt_tos), bytes(envelope.content or b"")
                )
            )
            assert server.transport is not None
            server.transport.abort()
            return "250 OK"
        if self.data_reply is not None:
            return self.data_reply
        if self.stall_after_data:
            self.received.append(
                Received(
                    str(envelope.mail_from),
                    list(envelope.rcpt_tos),
                    bytes(envelope.original_content or b""),
                )
            )
            await asyncio.sleep(self.stall_after_data)
            return "250 2.0.0 queued"
        self.received.append(
            Received(
                str(envelope.mail_from),
                list(envelope.rcpt_tos),
                bytes(envelope.original_content or b""),
            )
        )
        return "250 2.0.0 queued"

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            self.logins.append((auth_data.login, auth_data.password))
            if auth_data.login == b"alerts" and auth_data.password == b"s3cr\xc3\xa9t":
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)


@contextlib.contextmanager
def smtp_server(**smtp_kwargs: Any) -> Iterator[tuple[Controller, RecordingHandler]]:
    handler = RecordingHandler()
    if smtp_kwargs.pop("with_auth", False):
        smtp_kwargs["authenticator"] = handler.authenticate
        smtp_kwargs["auth_required"] = True
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **smtp_kwargs)
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        return context

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))


def make_certificate(directory: Path) -> Certificate:
    """A self-signed certificate for 127.0.0.1, made by the openssl command line."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return Certificate(cert, key)


# -- Twilio-shaped HTTP gateway --------------------------------------------------------------

ACCOUNT = "AC0123456789abcdef0123456789abcdef"
TOKEN = "test-auth-token"


@dataclass
class GatewayState:
    """What the gateway holds, and how it will answer the next POSTs (a queue of modes):
    "ok", an HTTP status (400, 429, 500…), "drop_before" (close without acting),
    "drop_after" (act, then close without answering), "slow" (answer only once
    `slow_released` is set)."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    webhook_posts: list[tuple[dict[str, Any], dict[str, str]]] = field(default_factory=list)
    script: list[str | int] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    slow_released: threading.Event = field(default_factory=threading.Event)

    def next_mode(self) -> str | int:
        with self.lock:
            return self.script.pop(0) if self.script else "ok"


class _GatewayHandler(BaseHTTPRequestHandler):
    server: _GatewayServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def _json(self, status: int, payload: Any) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _authorised(self) -> bool:
        expected = "Basic " + base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()
        if self.headers.get("Authorization") != expected:
            self._json(401, {"code": 20003, "message": "Authenticate", "status": 401})
            return False
        return True

    def _drop(self) -> None:
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length", "0")))

    def do_POST(self) -> None:
        state = self.server.state
        path = urlsplit(self.path).path
        state.requests.append(("POST", path))
        body = self._body()
        mode = state.next_mode()
        if mode == "drop_before":
            return self._drop()
        slow = mode == "slow"  # act now, answer later than the client is willing to wait
        if slow:
            mode = "ok"
        if isinstance(mode, int):
            if mode == 400:
                return self._json(
                    400, {"code": 21211, "message": "The 'To' number is not valid.", "status": 400}
                )
            return self._json(mode, {"code": 20500, "message": "Internal error", "status": mode})
        if path == "/webhook":
            with state.lock:
                state.webhook_posts.append((json.loads(body), dict(self.headers)))
                number = len(state.webhook_posts)
            if mode == "drop_after":
                return self._drop()
            return self._json(202, {"id": f"wh-{number}"})
        if path != f"/2010-04-01/Accounts/{ACCOUNT}/Messages.json":
            return self._json(404, {"code": 20404, "message": "Not found", "status": 404})
        if not self._authorised():
            return None
        form = dict(parse_qsl(body.decode()))
        with state.lock:
            sid = f"SM{len(state.messages):032x}"
            message = {
                "sid": sid,
                "to": form.get("To"),
                "from": form.get("From"),
                "body": form.get("Body"),
                "status": "queued",
                "status_callback": form.get("StatusCallback"),
                "error_code": None,
                "date_created": format_datetime(datetime.now(UTC).replace(microsecond=0)),
            }
            state.messages.append(message)
        if mode == "drop_after":
            return self._drop()
        if slow:
            state.slow_released.wait(10)
        public = {k: v for k, v in message.items() if k != "status_callback"}
        return self._json(201, public)

    def do_GET(self) -> None:
        state = self.server.state
        parts = urlsplit(self.path)
        state.requests.append(("GET", parts.path))
        if not self._authorised():
            return None
        prefix = f"/2010-04-01/Accounts/{ACCOUNT}/Messages"
        public = [{k: v for k, v in m.items() if k != "status_callback"} for m in state.messages]
        if parts.path == f"{prefix}.json":
            query = dict(parse_qsl(parts.query))
            found = [
                m
                for m in reversed(public)
                if m["to"] == query.get("To", m["to"]) and m["from"] == query.get("From", m["from"])
            ]
            return self._json(200, {"messages": found, "page": 0})
        if parts.path.startswith(prefix + "/") and parts.path.endswith(".json"):
            sid = parts.path[len(prefix) + 1 : -len(".json")]
            for message in public:
                if message["sid"] == sid:
                    return self._json(200, message)
        return self._json(404, {"code": 20404, "message": "Not found", "status": 404})


class _GatewayServer(ThreadingHTTPServer):
    daemon_threads = True
    state: GatewayState


@contextlib.contextmanager
def sms_gateway() -> Iterator[tuple[str, GatewayState]]:
    server = _GatewayServer(("127.0.0.1", 0), _GatewayHandler)
    server.state = GatewayState()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host!s}:{port}", server.state
    finally:
        server.state.slow_released.set()
        server.shutdown()
        server.server_close()
