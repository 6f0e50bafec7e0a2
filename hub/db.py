"""Engines and sessions (the declarative base itself is `sqlbase`, re-exported here).

SQLite is the embedded default (WAL, foreign keys on); PostgreSQL goes through psycopg 3.
Services own the transaction: the request's session is handed to one service entry point,
which commits once; this module only rolls back on error and always closes.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import threading
import weakref
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

import anyio
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

# Re-exported: the hub's models take their base from here.
from sqlbase import NAMING_CONVENTION as NAMING_CONVENTION
from sqlbase import Base as Base
from sqlbase import UTCDateTime as UTCDateTime
from sqlbase import str_enum as str_enum

log = logging.getLogger("hub.db")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT; SQLAlchemy's documented recipe
    # turns it off and emits BEGIN itself (see the "begin" listener).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# How the next SQLite transaction begins in this context (thread or task): IMMEDIATE by
# default, DEFERRED inside `reading()`.
_deferred: ContextVar[bool] = ContextVar("sqlite_deferred", default=False)

T = TypeVar("T")


@contextmanager
def reading() -> Iterator[None]:
    """Transactions begun inside are DEFERRED on SQLite: a reader takes no lock, so it never
    waits for a writer nor makes one wait (WAL), however long it reads. A deferred
    transaction that then writes must upgrade, which SQLite refuses at once (no busy wait)
    when another writer holds or has just committed: `read_mostly` retries such a unit as a
    writer. No effect on PostgreSQL."""
    token = _deferred.set(True)
    try:
        yield
    finally:
        _deferred.reset(token)


@contextmanager
def writing() -> Iterator[None]:
    """Transactions begun inside take SQLite's write lock at BEGIN (the default)."""
    token = _deferred.set(False)
    try:
        yield
    finally:
        _deferred.reset(token)


async def read_request() -> None:
    """A route dependency (`dependencies=[Depends(read_request)]`) for a page that only
    reads: its transactions begin DEFERRED on SQLite. Async, so that it runs in the
    request's own task, whose context the threadpool calls after it copy; the request's
    task ends with the request, so nothing leaks to the next one."""
    _deferred.set(True)


def read_mostly(work: Callable[[], T]) -> T:
    """Run `work` (one unit that begins and ends its own transactions) as a reader; if it
    turns out to write and SQLite refuses the upgrade ("database is locked" at once, no
    busy wait), run it once more as a writer, which waits its turn for the lock instead.
    `work` must not have committed anything before it failed (read paths whose only write
    is their last statement)."""
    try:
        with reading():
            return work()
    except OperationalError as exc:
        if not is_busy(exc):
            raise
    with writing():
        return work()


# How long a writer waits for its turn in this process before it tries SQLite's own lock
# anyway (whose busy_timeout then still applies): the busy_timeout, in seconds.
_GATE_WAIT_S = 5.0


def _sqlite_begin(conn: Any) -> None:
    # IMMEDIATE takes the write lock at BEGIN (waiting up to busy_timeout) instead of at the
    # first write, where a transaction that has already read cannot wait and fails with
    # "database is locked" as soon as another writer committed. Read paths begin DEFERRED
    # (`reading()`), so that a long read never holds the lock writers wait for.
    if _deferred.get():
        conn.exec_driver_sql("BEGIN")
        return
    # Writers of this process queue on a lock of their own before asking SQLite: SQLite's
    # busy handler polls with growing sleeps, so under 16 concurrent clients a writer could
    # lose every race for 5 s and answer 503 while others went through (bench.load); a
    # queue makes waiting grow with the number of writers ahead, as queueing should.
    gate: threading.Lock = conn.engine.info_gate
    if gate.acquire(timeout=_GATE_WAIT_S):
        conn.info["gated"] = True
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        _sqlite_end(conn)
        raise


def _sqlite_end(conn: Any) -> None:
    # A commit or rollback ends the writer's turn (fired just before SQLite's COMMIT; the
    # next writer's busy_timeout covers that instant).
    if conn.info.pop("gated", False):
        conn.engine.info_gate.release()


_BUSY_MESSAGES = ("database is locked", "database is busy", "database table is locked")
# PostgreSQL: lock not available (lock_timeout), query cancelled (statement_timeout),
# deadlock detected, serialisation failure.
_BUSY_SQLSTATES = frozenset({"55P03", "57014", "40P01", "40001"})


def is_busy(exc: BaseException) -> bool:
    """Whether a database error means "busy, try again shortly": SQLite's write lock held
    past busy_timeout (or refused to a deferred transaction), a PostgreSQL lock or statement
    timeout, deadlock or serialisation failure. The web layer answers these 503 with
    Retry-After (hub.errors), never 500; the exception itself stays SQLAlchemy's, so code
    that handles SQLAlchemyError keeps doing so."""
    original = getattr(exc, "orig", None)
    if isinstance(original, sqlite3.OperationalError):
        return any(m in str(original) for m in _BUSY_MESSAGES)
    return getattr(original, "sqlstate", None) in _BUSY_SQLSTATES


# SQLite checkpoints its write-ahead log inside whichever commit crosses wal_autocheckpoint
# pages (1,000 by default): that commit pays for copying pages back and an fsync, and bench
# .reports saw one publication in twenty take 5 ms longer for it. A long-running process
# (`slthub serve`) moves that work to a thread running PASSIVE checkpoints, which never
# block writers or readers; autocheckpoint stays on, higher, as a backstop should the
# thread ever stop. One-shot commands keep SQLite's default: the last connection to close
# checkpoints and removes the log anyway.
CHECKPOINT_INTERVAL_S = 1.0
BACKSTOP_AUTOCHECKPOINT_PAGES = 10_000


class WalCheckpointer:
    """A daemon thread that checkpoints one SQLite file's log every `interval` seconds."""

    def __init__(self, path: str, interval: float = CHECKPOINT_INTERVAL_S) -> None:
        self.path = path
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)
        self._lock = threading.Lock()
        self._started = False
        self.checkpoints = 0

    def ensure_started(self) -> None:
        with self._lock:
            if not self._started and not self._stop.is_set():
                self._thread.start()
                self._started = True

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        # Its own connection, outside the engine's pool: a pooled one would BEGIN IMMEDIATE
        # (see _sqlite_begin) and take the write lock a checkpoint does not need.
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            while not self._stop.wait(self.interval):
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                    self.checkpoints += 1
                except sqlite3.Error as exc:
                    # Left to the backstop until the next round; said, not swallowed.
                    log.warning("WAL checkpoint of %s failed: %s", self.path, exc)
        finally:
            conn.close()


_checkpointers: weakref.WeakKeyDictionary[Engine, WalCheckpointer] = weakref.WeakKeyDictionary()


def checkpointer_of(engine: Engine) -> WalCheckpointer | None:
    return _checkpointers.get(engine)


def _start_checkpointer(engine: Engine, path: str) -> None:
    checkpointer = _checkpointers[engine] = WalCheckpointer(path)

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # After _sqlite_pragmas: the file exists and is in WAL mode by now.
        dbapi_connection.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_AUTOCHECKPOINT_PAGES}")
        checkpointer.ensure_started()

    event.listen(engine, "connect", on_connect)
    # The thread holds no reference to the engine: it ends when the engine is collected.
    weakref.finalize(engine, checkpointer.stop)


def make_engine(url: str, *, background_checkpoint: bool = False, **kwargs: Any) -> Engine:
    """`background_checkpoint`: for long-running processes on SQLite (see WalCheckpointer);
    ignored elsewhere."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        on_disk = bool(parsed.database) and parsed.database != ":memory:"
        if on_disk:
            from pathlib import Path

            Path(str(parsed.database)).parent.mkdir(parents=True, exist_ok=True)
        # One connection may serve a request across the threadpool; SQLite serialises writes.
        kwargs.setdefault("connect_args", {"check_same_thread": False})
        engine = create_engine(parsed, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        engine.info_gate = threading.Lock()  # type: ignore[attr-defined]  # see _sqlite_begin
        event.listen(engine, "begin", _sqlite_begin)
        event.listen(engine, "commit", _sqlite_end)
        event.listen(engine, "rollback", _sqlite_end)

        @event.listens_for(engine, "checkin")
        def _never_keep_the_turn(_dbapi: Any, record: Any) -> None:
            # A connection returned without commit or rollback (invalidated) ends its turn too.
            if record.info.pop("gated", False):
                engine.info_gate.release()  # type: ignore[attr-defined]

        if background_checkpoint and on_disk:
            _start_checkpointer(engine, str(parsed.database))
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        # A bare postgresql:// would pick psycopg2, which we do not install.
        parsed = parsed.set(drivername="postgresql+psycopg")
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(parsed, **kwargs)


def make_session_factory(bind: Any, *, signer: Any, **kwargs: Any) -> sessionmaker[Session]:
    """Sessions carry the hub's signer in `info`: every write may append to the audit chain,
    whose head the hub signs in the same transaction."""
    return sessionmaker(bind=bind, expire_on_commit=False, info={"signer": signer}, **kwargs)


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's session. `async` so that FastAPI calls it in the event loop instead of
    hopping through the threadpool twice (in and out): a Session touches no database until
    its first statement, and closing one whose service committed only drops Python objects
    (the commit already gave the connection back). A session still in a transaction — a
    read that never committed, an error — is rolled back and closed in the threadpool, where
    blocking I/O belongs, shielded so that a cancelled request still gives its connection
    back. bench.reports: each hop cost 0.2-0.3 ms on the 2-core test machine."""
    session: Session = request.app.state.session_factory()
    try:
        yield session
    finally:
        if session.in_transaction():
            with anyio.CancelScope(shield=True):
                await run_in_threadpool(_rollback_and_close, session)
        else:
            session.close()


def _rollback_and_close(session: Session) -> None:
    try:
        session.rollback()
    finally:
        session.close()
