"""The one scheduler: APScheduler 3 with an in-memory job store, in exactly one process.

Guarantees:
- only the leader runs jobs. On PostgreSQL the leader is the process holding a session-level
  advisory lock on a connection it keeps open; when that process dies the server releases the
  lock and another process's next attempt takes over. On SQLite there is one `slthub serve`
  process, which is the leader. Several processes can never share a job store (the APScheduler
  FAQ), which is why the store is in memory and the leadership is in the database;
- every job is a module-level function in alerts.jobs, registered with an explicit id and
  `replace_existing=True`, coalesced, one instance at a time: a slow sweep is not stacked;
- a commit that wrote outbox rows wakes the dispatch thread at once (`wake_on_commit`), so an
  alert does not wait for the next interval; the interval job (every 5 s) is the safety net
  for commits made in other processes.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from typing import Any

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from alerts import jobs
from alerts.outbox import WROTE_OUTBOX

log = logging.getLogger("slthub.alerts.scheduler")

# pg_advisory_lock key: "SLTHUBSC" as a 64-bit integer, so no other application collides.
LEADER_LOCK_KEY = int.from_bytes(b"SLTHUBSC", "big") & 0x7FFF_FFFF_FFFF_FFFF
DISPATCH_JOB = "alerts.dispatch"

# (id, function, trigger): the whole schedule, in one place.
SCHEDULE: list[tuple[str, Callable[[], None], Any]] = [
    (DISPATCH_JOB, jobs.dispatch, IntervalTrigger(seconds=5)),
    ("alerts.reclaim_leases", jobs.reclaim_leases, IntervalTrigger(seconds=30)),
    # Every hour on the hour: each liaison's digest leaves at 06:00 in their own time zone
    # (06:30 where the offset has a half hour).
    ("alerts.digests", jobs.digests, CronTrigger(minute=0, timezone=dt.UTC)),
    # Each hour too: the weekly periodic reports leave on Monday at 06:00 local time.
    ("hub.weekly_reports", jobs.weekly_reports, CronTrigger(minute=0, timezone=dt.UTC)),
    ("hub.risk_expiry", jobs.risk_expiry, IntervalTrigger(minutes=1)),
    ("hub.review_reminders", jobs.review_reminders, IntervalTrigger(minutes=15)),
    ("hub.briefing_sweep", jobs.briefing_sweep, IntervalTrigger(minutes=15)),
    ("hub.retention_purge", jobs.retention_purge, CronTrigger(hour=2, minute=30, timezone=dt.UTC)),
    ("hub.audit_head", jobs.audit_head, IntervalTrigger(hours=1)),
]


def build_scheduler() -> BackgroundScheduler:
    scheduler = BackgroundScheduler(
        jobstores={"default": MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(max_workers=2)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60},
        timezone=dt.UTC,
    )
    for job_id, func, trigger in SCHEDULE:
        scheduler.add_job(func, trigger, id=job_id, name=job_id, replace_existing=True)
    return scheduler


def wake_on_commit(
    sessions: sessionmaker[Session], wake_up: Callable[[], None]
) -> Callable[[], None]:
    """Call `wake_up` after each commit of a session that wrote the outbox. Returns a function
    removing the hook."""

    def after_commit(session: Session) -> None:
        if session.info.pop(WROTE_OUTBOX, False):
            wake_up()

    def after_rollback(session: Session) -> None:
        session.info.pop(WROTE_OUTBOX, None)

    event.listen(sessions, "after_commit", after_commit)
    event.listen(sessions, "after_soft_rollback", lambda s, _t: after_rollback(s))

    def remove() -> None:
        event.remove(sessions, "after_commit", after_commit)

    return remove


class Leadership:
    """Holds the leader lock for as long as this object's connection lives."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._connection: Connection | None = None

    @property
    def postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def try_acquire(self) -> bool:
        if not self.postgres:
            return True  # SQLite: the single `slthub serve` is the leader
        if self._connection is not None:
            return True
        connection = self.engine.connect()
        try:
            got = bool(
                connection.execute(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": LEADER_LOCK_KEY}
                ).scalar()
            )
            connection.commit()
        except Exception:
            connection.close()
            raise
        if not got:
            connection.close()
            return False
        self._connection = connection
        return True

    def release(self) -> None:
        if self._connection is not None:
            try:
                self._connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": LEADER_LOCK_KEY}
                )
                self._connection.commit()
            finally:
                self._connection.close()
                self._connection = None


class SchedulerService:
    """Starts the scheduler once this process is leader; keeps trying until it is.

    Dispatch runs on its own thread, woken by the interval job and by outbox commits: a wake
    that arrives during a sweep makes the thread sweep again at once, where an APScheduler
    run requested while the previous one is still finishing would be skipped (max_instances)
    and the alert would wait for the next interval.
    """

    def __init__(
        self,
        context: jobs.JobContext,
        engine: Engine,
        *,
        retry_seconds: float = 10.0,
    ) -> None:
        self.context = context
        self.context.wakeup = context.wakeup or threading.Event()
        self.leadership = Leadership(engine)
        self.retry_seconds = retry_seconds
        self.scheduler: BackgroundScheduler | None = None
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        # job id -> (when it last ran, whether it ended without an exception): what the
        # operator's health page shows of this process's schedule.
        self.last_runs: dict[str, tuple[dt.datetime, bool]] = {}

    @property
    def leading(self) -> bool:
        return self.scheduler is not None

    def start(self) -> None:
        for target, name in ((self._lead, "slthub-scheduler"), (self._dispatch, "slthub-dispatch")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def _lead(self) -> None:
        while not self._stop.is_set():
            try:
                if self.leadership.try_acquire():
                    jobs.install(self.context)
                    scheduler = build_scheduler()
                    scheduler.add_listener(self._ran, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
                    scheduler.start()
                    self.scheduler = scheduler
                    log.info("this process is the scheduler leader")
                    self.wake()
                    return
            except Exception:
                log.exception("could not take the scheduler leadership; trying again")
            self._stop.wait(self.retry_seconds)

    def _ran(self, event: JobExecutionEvent) -> None:
        self.last_runs[event.job_id] = (dt.datetime.now(dt.UTC), event.exception is None)

    def next_runs(self) -> dict[str, dt.datetime | None]:
        """job id -> its next run, while this process leads (empty otherwise)."""
        scheduler = self.scheduler
        if scheduler is None:
            return {}
        return {job.id: job.next_run_time for job in scheduler.get_jobs()}

    def _dispatch(self) -> None:
        wakeup = self.context.wakeup
        assert wakeup is not None  # noqa: S101 (set in __init__)
        while not self._stop.is_set():
            wakeup.wait()
            wakeup.clear()
            # Followers sweep too when their own commits wake them (claims are safe across
            # processes); only the leader runs the scheduled jobs.
            if self._stop.is_set():
                continue
            try:
                self.context.dispatcher.run_once(self.context.clock())
            except Exception:
                # The rows are still in the database; the next wake-up sweeps them again.
                log.exception("dispatch sweep failed")

    def wake(self) -> None:
        if self.context.wakeup is not None:
            self.context.wakeup.set()

    def stop(self) -> None:
        self._stop.set()
        self.wake()
        for thread in self._threads:
            thread.join(timeout=30)
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=True)
            self.scheduler = None
            jobs.install(None)
        self.leadership.release()
