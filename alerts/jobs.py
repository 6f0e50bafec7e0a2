"""The scheduled jobs: module-level functions, each one database sweep.

Guarantees: a job only reads and writes the database through services (the dispatcher here,
the hub's hooks for areas, reports and audit), so the scheduler keeps no state worth losing —
a restart, or the leadership moving to another process, loses nothing: every due delivery,
lapse or reminder is still in the database and the next sweep finds it. Jobs are plain
module-level functions with no arguments (APScheduler stores them by reference); they read
the one `JobContext` installed by the scheduler process.

Escalation steps and deferrals out of quiet hours are deliveries with a due time, so the
dispatch sweep is also the "escalations due" and "quiet-hours release" sweep: one claim
query serves all three, and none of them can be forgotten by a missing job.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from alerts.dispatcher import Dispatcher

log = logging.getLogger("slthub.alerts.jobs")

Hook = Callable[[dt.datetime], object]


@dataclass
class JobContext:
    dispatcher: Dispatcher
    # The hub's sweeps: "risk_expiry", "review_reminders", "retention_purge", "audit_head",
    # "weekly_reports".
    hooks: Mapping[str, Hook] = field(default_factory=dict)
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
    # Set by the scheduler service: the dispatch job then only wakes its dispatch thread,
    # which loops while wake-ups keep coming (a wake during a sweep is never lost).
    wakeup: threading.Event | None = None


_context: JobContext | None = None


def install(context: JobContext | None) -> None:
    global _context
    _context = context


def _ctx() -> JobContext:
    if _context is None:
        raise RuntimeError("alerts.jobs has no context: the scheduler installs it")
    return _context


def dispatch() -> None:
    """Plan new outbox events, send what is due (first sends, retries, escalation steps,
    alerts released from quiet hours), send address confirmations."""
    context = _ctx()
    if context.wakeup is not None:
        context.wakeup.set()
    else:
        context.dispatcher.run_once(context.clock())


def reclaim_leases() -> None:
    context = _ctx()
    count = context.dispatcher.reclaim(context.clock())
    if count:
        log.warning("put back %d deliveries whose dispatcher stopped mid-send", count)


# The hour of the day, in each liaison's own time zone, at which their digest goes out.
DIGEST_LOCAL_HOUR = 6


def digests() -> None:
    """Hourly: the digests of the liaisons for whom it is now DIGEST_LOCAL_HOUR."""
    context = _ctx()
    context.dispatcher.digests(context.clock(), local_hour=DIGEST_LOCAL_HOUR)
    dispatch()


def weekly_reports() -> None:
    """Hourly: the hub enqueues the weekly periodic reports of the liaisons for whom it is
    Monday 06:00 now (hub/periodic/weekly.py); the dispatch that follows sends them."""
    _hook("weekly_reports")
    dispatch()


def _hook(name: str) -> None:
    context = _ctx()
    hook = context.hooks.get(name)
    if hook is not None:
        hook(context.clock())


def risk_expiry() -> None:
    _hook("risk_expiry")


def review_reminders() -> None:
    _hook("review_reminders")


def briefing_sweep() -> None:
    """The next briefing of each confirmed series, once the last one has started."""
    _hook("briefing_sweep")


def retention_purge() -> None:
    _hook("retention_purge")


def audit_head() -> None:
    _hook("audit_head")
