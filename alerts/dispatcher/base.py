"""What every part of the dispatcher shares: what it asks the hub (`Directory`), the
channels and settings it is given, the counts a sweep returns, and the state each part reads
(`DispatcherBase`). Imports nothing of the other parts.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

import crypto
import policies
from alerts.backoff import BackoffPolicy, RandomSource
from alerts.channels.base import Channel, ChannelKind
from alerts.channels.sms import SmsChannel
from policies.vocabulary import Level

log = logging.getLogger("slthub.alerts.dispatcher")


UTC = dt.UTC


class Directory(Protocol):
    """What the dispatcher asks the hub. Every method reads through the session it is given."""

    def area_map(self, session: Session) -> policies.AreaMap: ...

    def level(self, session: Session, area_code: str, at: dt.datetime) -> Level: ...

    def focal_points(self, session: Session, organisation_id: str) -> list[str]: ...

    def organisation_name(self, session: Session, organisation_id: str) -> str: ...


@dataclass
class Channels:
    """The channel instances one dispatcher uses (one thread at a time)."""

    email: Channel | None = None
    sms: SmsChannel | None = None
    # The hub's S/MIME identity: with it every email is signed (and nothing goes unsigned).
    identity: crypto.EmailIdentity | None = None

    def get(self, kind: str) -> Channel | None:
        return self.email if kind == ChannelKind.EMAIL else self.sms

    def close(self) -> None:
        for channel in (self.email, self.sms):
            if channel is not None:
                channel.close()


@dataclass(frozen=True)
class DispatchConfig:
    base_url: str
    ack_secret: bytes
    lease: dt.timedelta = dt.timedelta(seconds=60)
    batch: int = 50
    backoff: BackoffPolicy = field(default_factory=BackoffPolicy)


@dataclass
class Stats:
    planned_events: int = 0
    planned_deliveries: int = 0
    sent: int = 0
    retried: int = 0
    parked: int = 0
    cancelled: int = 0
    reclaimed: int = 0

    def add(self, other: Stats) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _now() -> dt.datetime:
    return dt.datetime.now(UTC)


class DispatcherBase:
    """The state every part of the dispatcher reads; `Dispatcher.__init__` sets it."""

    sessions: sessionmaker[Session]
    directory: Directory
    policy: policies.Policy
    channels: Channels
    config: DispatchConfig
    worker: str
    rng: RandomSource | None
    _lock: threading.Lock
    _unplannable: set[str]

    def _link(self, path: str) -> str:
        return self.config.base_url.rstrip("/") + path
