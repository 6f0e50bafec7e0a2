"""Hands alerts what it needs from the hub: channels from the settings, the hub's e-mail
identity and alert secret from the data directory, the Directory, the scheduler's hooks.

Files in the data directory, each mode 0600 and created by `slthub init`:
- `smime-cert.pem` / `smime-key.pem`: the identity that signs every alert email (a
  self-signed one for demo and first installs; operators put their CA-issued pair here);
- `alerts-secret`: the key acknowledgement links and reply codes are derived from. Losing it
  only invalidates links of alerts already sent.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session, sessionmaker

import crypto
from alerts.channels.base import Channel, ChannelKind
from alerts.channels.console import ConsoleChannel
from alerts.channels.email import EmailChannel, SmtpSettings
from alerts.channels.sms import LogTransport, SmsChannel, parse_sms_gateway
from alerts.dispatcher import Channels, DispatchConfig, Dispatcher
from alerts.jobs import JobContext
from alerts.scheduler import SchedulerService, wake_on_commit
from hub.alerting.directory import HubDirectory
from hub.config import Settings
from hub.policy import policy_from_settings

log = logging.getLogger("slthub.alerting")

SMIME_CERT_FILE = "smime-cert.pem"
SMIME_KEY_FILE = "smime-key.pem"
ALERT_SECRET_FILE = "alerts-secret"  # noqa: S105 (a file name, not a secret)


def _write_private(path: Path, data: bytes) -> bool:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: two `slthub init` racing must not overwrite each other's files.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as fp:
        fp.write(data)
    return True


def _sender(settings: Settings) -> str:
    host = urlsplit(settings.base_url).hostname or "localhost"
    return f"alerts@{host}" if "." in host else "alerts@slthub.localhost"


def ensure_alert_files(settings: Settings, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """Create the alert secret and a self-signed e-mail identity if they are missing."""
    now = now or dt.datetime.now(dt.UTC)
    data_dir = settings.data_dir
    secret_created = _write_private(data_dir / ALERT_SECRET_FILE, secrets.token_bytes(32))
    cert_path, key_path = data_dir / SMIME_CERT_FILE, data_dir / SMIME_KEY_FILE
    identity_created = False
    if not cert_path.exists() and not key_path.exists():
        identity = crypto.new_self_signed_identity(
            common_name="SLT Hub alerts", email=_sender(settings), now=now
        )
        identity_created = _write_private(key_path, identity.private_key_pem())
        if identity_created:
            cert_path.write_bytes(identity.certificate_pem)
    return {
        "alert_secret_created": secret_created,
        "smime_certificate": str(cert_path),
        "smime_identity_created": identity_created,
    }


def alert_secret(settings: Settings) -> bytes:
    path = settings.data_dir / ALERT_SECRET_FILE
    if not path.exists():
        ensure_alert_files(settings)
    return path.read_bytes()


def load_identity(settings: Settings) -> crypto.EmailIdentity | None:
    cert, key = settings.data_dir / SMIME_CERT_FILE, settings.data_dir / SMIME_KEY_FILE
    if not (cert.exists() and key.exists()):
        return None
    if key.stat().st_mode & 0o077:
        raise PermissionError(f"{key} is readable by other users; run `chmod 600 {key}`")
    return crypto.EmailIdentity(cert.read_bytes(), key.read_bytes())


def build_channels(settings: Settings) -> Channels:
    """Channels from SLTHUB_SMTP_URL and SLTHUB_SMS_GATEWAY. Without them, demo mode writes
    alerts to the log; outside demo mode the channel is left out, so its deliveries are
    retried, then parked and shown in the delivery log — never marked sent by a channel that
    delivers nothing."""
    email: Channel | None = None
    if settings.smtp_url:
        sender = None if "from=" in settings.smtp_url else _sender(settings)
        email = EmailChannel(SmtpSettings.from_url(settings.smtp_url, sender=sender))
    elif settings.demo:
        email = ConsoleChannel(ChannelKind.EMAIL)
    else:
        log.warning("SLTHUB_SMTP_URL is not set: alert emails cannot be sent")
    callback = settings.base_url.rstrip("/") + "/api/v1/alerts/sms/status"
    sms: SmsChannel | None = None
    if settings.sms_gateway:
        sms = SmsChannel(parse_sms_gateway(settings.sms_gateway, status_callback=callback))
    elif settings.demo:
        sms = SmsChannel(LogTransport())
    else:
        log.warning("SLTHUB_SMS_GATEWAY is not set: alert SMS cannot be sent")
    return Channels(email=email, sms=sms, identity=load_identity(settings))


def build_dispatcher(
    settings: Settings, sessions: sessionmaker[Session], *, channels: Channels | None = None
) -> Dispatcher:
    policy = policy_from_settings(settings)
    return Dispatcher(
        sessions,
        directory=HubDirectory(policy),
        policy=policy,
        channels=channels or build_channels(settings),
        config=DispatchConfig(base_url=settings.base_url, ack_secret=alert_secret(settings)),
    )


def hub_hooks(settings: Settings, sessions: sessionmaker[Session]) -> dict[str, Any]:
    """The hub's own sweeps, as the scheduler's jobs call them."""
    from hub.areas import service as areas
    from hub.reports import service as reports

    policy = policy_from_settings(settings)

    def risk_expiry(now: dt.datetime) -> object:
        with sessions() as session:
            return areas.expire_risks(session, now=now, policy=policy)

    def review_reminders(now: dt.datetime) -> object:
        with sessions() as session:
            return areas.review_reminders(session, now=now)

    def briefing_sweep(now: dt.datetime) -> object:
        from hub.briefings import service as briefings

        with sessions() as session:
            return briefings.sweep(session, now=now, secret=alert_secret(settings))

    def retention_purge(now: dt.datetime) -> object:
        with sessions() as session:
            return reports.purge_expired(
                session, now=now, policy=policy, data_dir=settings.data_dir
            )

    def audit_head(now: dt.datetime) -> object:
        # The head is signed at every write; this hourly walk notices an edit, deletion or
        # reordering made behind the hub's back (a database administrator, a restore) and
        # says so loudly in the log, before anyone runs `slthub audit verify` by hand. The
        # result is kept for the operator's audit page.
        from hub.audit import service as audit
        from hub.keystore import load_hub_keys

        public = load_hub_keys(settings.hub_keys_path).public_bytes()
        with sessions() as session:
            result, _kept = audit.verify_and_keep(session, hub_public=public, by="scheduler")
        if not result.ok:
            log.error(
                "audit chain broken at entry %s: %s (run `slthub audit verify`)",
                result.first_bad,
                result.problem,
            )
        return result

    def weekly_reports(now: dt.datetime) -> object:
        from hub.periodic.weekly import weekly_reports as enqueue

        with sessions() as session:
            return enqueue(session, now=now, policy=policy)

    return {
        "weekly_reports": weekly_reports,
        "risk_expiry": risk_expiry,
        "review_reminders": review_reminders,
        "briefing_sweep": briefing_sweep,
        "retention_purge": retention_purge,
        "audit_head": audit_head,
    }


def start_scheduler(settings: Settings, sessions: sessionmaker[Session]) -> SchedulerService:
    dispatcher = build_dispatcher(settings, sessions)
    bind = sessions.kw["bind"]
    engine = bind.engine if hasattr(bind, "engine") else bind
    service = SchedulerService(JobContext(dispatcher, hub_hooks(settings, sessions)), engine)
    wake_on_commit(sessions, service.wake)
    service.start()
    return service


def attach_scheduler(app: Any) -> None:
    """Run the scheduler inside `slthub serve` (started with the app, stopped with it)."""

    def startup() -> None:
        app.state.scheduler = start_scheduler(app.state.settings, app.state.session_factory)

    def shutdown() -> None:
        service = app.state.scheduler
        if service is not None:
            service.stop()
            service.context.dispatcher.channels.close()
            app.state.scheduler = None

    previous = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(application: Any) -> AsyncIterator[Any]:
        startup()
        try:
            async with previous(application) as state:
                yield state
        finally:
            shutdown()

    app.router.lifespan_context = lifespan


def run_scheduler_only(settings: Settings) -> None:
    """`slthub serve --scheduler-only`: the scheduler without the web server, until stopped."""
    import signal
    import threading

    from hub.db import make_engine, make_session_factory
    from hub.keystore import load_hub_keys

    engine = make_engine(settings.database_url, background_checkpoint=True)
    sessions = make_session_factory(engine, signer=load_hub_keys(settings.hub_keys_path))
    service = start_scheduler(settings, sessions)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        service.stop()
        service.context.dispatcher.channels.close()
        engine.dispose()
