"""The dispatcher: outbox events → planned deliveries → messages on the wire, at least once.

Guarantees:
- planning an event (through `policies.alert_plan` / `level_change_plan`) writes its
  deliveries and marks it planned in one transaction; deliveries are unique per (event,
  liaison, channel, step), so no event is ever planned into two copies of a delivery;
- a delivery is claimed in its own committed transaction before any network call
  (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so dispatchers on several processes or nodes never
  claim the same row; on SQLite one write statement under the database's single writer lock
  and this process's dispatcher lock). The claim carries a lease; a crashed dispatcher's
  claims are put back by `reclaim` once their lease has run out;
- the outcome of each send is recorded in a new transaction, and only by the claimant: no
  transaction is held open across a network call;
- so a delivery is sent at least once: a crash between the send and the record re-sends it
  after the lease — an email with the same Message-ID; an SMS only after the gateway has been
  asked whether it already has it (`check_first`);
- failures follow `alerts.backoff`: retry with capped jittered back-off, park after the last
  attempt or a permanent failure, then tell the organisation's focal points (a
  `delivery_failed` alert) and try the liaison's other confirmed channel. A parked notice to
  a focal point is not itself notified again, so failures cannot cascade;
- an escalation step is sent only while its organisation has not acknowledged; an update or
  cancel stops the pending escalation steps of the alerts it supersedes;
- alerts carry header facts only (alerts.facts) and each person's anti-phishing phrase; an
  email is S/MIME-signed with the hub's identity when one is configured (never sent unsigned
  then), and encrypted to the liaison's registered certificate.

`alerts` never imports `hub`: what it needs of the hub (the area tree, an area's level, an
organisation's focal points and name) comes through the `Directory` the hub hands in.

The parts, one module each: planning (events to deliveries), leases (claiming and putting
back), messages (rendering what a delivery carries), sending (the network call, recording its
outcome, back-off, parking), digests, confirmations (of new contact addresses) and deliveries
(the delivery log, SMS status callbacks); base holds what they share. `Dispatcher` is the
front that joins them; every name is re-exported here, so `alerts.dispatcher.X` keeps working.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid

from sqlalchemy.orm import Session, sessionmaker

import policies
from alerts.backoff import RandomSource
from alerts.dispatcher.base import UTC as UTC
from alerts.dispatcher.base import Channels as Channels
from alerts.dispatcher.base import Directory as Directory
from alerts.dispatcher.base import DispatchConfig as DispatchConfig
from alerts.dispatcher.base import DispatcherBase as DispatcherBase
from alerts.dispatcher.base import Stats as Stats
from alerts.dispatcher.base import _now as _now
from alerts.dispatcher.confirmations import Confirmations as Confirmations
from alerts.dispatcher.confirmations import confirmation_message as confirmation_message
from alerts.dispatcher.deliveries import LogEntry as LogEntry
from alerts.dispatcher.deliveries import apply_sms_status as apply_sms_status
from alerts.dispatcher.deliveries import delivery_log as delivery_log
from alerts.dispatcher.digests import Digests as Digests
from alerts.dispatcher.digests import _local_hour as _local_hour
from alerts.dispatcher.leases import Leases as Leases
from alerts.dispatcher.messages import Messages as Messages
from alerts.dispatcher.messages import _Prepared as _Prepared
from alerts.dispatcher.planning import Planning as Planning
from alerts.dispatcher.planning import _notice_deliveries as _notice_deliveries
from alerts.dispatcher.sending import Sending as Sending
from alerts.dispatcher.sending import _mask as _mask
from alerts.dispatcher.sending import smime_signer as smime_signer


class Dispatcher(Planning, Leases, Sending, Digests, Confirmations):
    """Outbox events to messages on the wire, at least once (see the module's guarantees)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        directory: Directory,
        policy: policies.Policy,
        channels: Channels,
        config: DispatchConfig,
        worker: str | None = None,
        rng: RandomSource | None = None,
    ) -> None:
        self.sessions = sessions
        self.directory = directory
        self.policy = policy
        self.channels = channels
        self.config = config
        self.worker = (worker or f"w-{uuid.uuid4().hex[:8]}")[:24]
        self.rng = rng
        # SQLite has one writer: claims from this process go one at a time.
        self._lock = threading.Lock()
        self._unplannable: set[str] = set()

    def run_once(self, now: dt.datetime | None = None, *, max_rounds: int = 1000) -> Stats:
        """Plan new events, then claim and send what is due until nothing is left."""
        stats = Stats()
        stats.reclaimed += self.reclaim(now or _now())
        stats.add(self.plan(now or _now()))
        for _ in range(max_rounds):
            batch = self.claim(now or _now())
            if not batch:
                break
            stats.add(self.deliver(batch, now=now))
        self.send_confirmations(now or _now())
        return stats


__all__ = [
    "Channels",
    "Directory",
    "DispatchConfig",
    "Dispatcher",
    "LogEntry",
    "Stats",
    "apply_sms_status",
    "confirmation_message",
    "delivery_log",
    "smime_signer",
]
