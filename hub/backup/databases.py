"""Consistent database snapshots taken while the hub runs, and putting them back.

SQLite: the online backup API (`sqlite3.Connection.backup`) copies every page inside one
read transaction, so the copy is consistent while the hub keeps writing (in WAL mode a
reader never blocks a writer). Copying the file could catch a page half-written, or miss
what still sits in the WAL.

PostgreSQL: `pg_dump --format=custom` run under a snapshot that a REPEATABLE READ
transaction of ours exported, so the Alembic revision and the counts written in the
manifest describe exactly the rows in the dump. Restoring pipes `pg_restore --clean
--if-exists` into `psql --single-transaction`, after dropping the hub's tables in the target
in that same transaction: tables a newer hub created there (`slthub init` before the
restore) would otherwise block the drops and the migrations that follow, and a failure
leaves the target as it was.

Passwords travel in PGPASSWORD, never on a command line that `ps` shows.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from hub.db import make_engine
from hub.errors import HubError

# What the manifest counts, so that an operator can see at a glance what a backup holds.
COUNTED = ("organisations", "members", "reports", "audit_entries")


class DatabaseError(HubError):
    """A database that cannot be snapshotted or restored; the message says what to do."""


@dataclass
class Facts:
    kind: str
    revision: str | None
    counts: dict[str, int]
    details: dict[str, Any] = field(default_factory=dict)


def kind_of(url: str) -> str:
    return make_url(url).get_backend_name()


def display_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _facts(kind: str, scalar: Any, exists: Any) -> Facts:
    """The migration revision and the counts; an older schema may lack some tables."""
    revision = (
        scalar("SELECT version_num FROM alembic_version") if exists("alembic_version") else None
    )
    counts = {
        table: int(scalar(f"SELECT count(*) FROM {table}"))  # noqa: S608 (fixed table names)
        for table in COUNTED
        if exists(table)
    }
    return Facts(kind=kind, revision=revision, counts=counts)


# --- SQLite ------------------------------------------------------------------------------


def sqlite_file(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise DatabaseError(f"{display_url(url)} is not a database file")
    return Path(database)


def snapshot_sqlite(source: Path, dest: Path) -> Facts:
    if not source.is_file():
        raise DatabaseError(f"no database at {source}: check --db / SLTHUB_DATABASE_URL")
    try:
        with (
            _closing(sqlite3.connect(source)) as live,
            _closing(sqlite3.connect(dest, isolation_level=None)) as copy,
        ):
            # pages=-1 (the default): every page in one step, one read transaction.
            live.backup(copy)
            # One self-contained file: no -wal beside it to forget.
            copy.execute("PRAGMA journal_mode=DELETE")
            check = copy.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise DatabaseError(f"the database at {source} fails SQLite's quick_check: {check}")
            return _facts(
                "sqlite",
                lambda sql: copy.execute(sql).fetchone()[0],
                lambda table: (
                    copy.execute(
                        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
                    ).fetchone()
                    is not None
                ),
            )
    except sqlite3.Error as exc:
        raise DatabaseError(f"cannot copy the database at {source}: {exc}") from exc


class _closing:
    """sqlite3's own context manager commits; this one closes."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        return self.conn

    def __exit__(self, *_exc: object) -> None:
        self.conn.close()


def sqlite_organisations(path: Path) -> int | None:
    """How many organisations an existing file holds (None: no file or no hub in it),
    read without writing a byte."""
    if not path.exists():
        return None
    try:
        with _closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            exists = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'organisations'"
            ).fetchone()
            if not exists:
                return None
            return int(conn.execute("SELECT count(*) FROM organisations").fetchone()[0])
    except sqlite3.Error as exc:
        raise DatabaseError(
            f"cannot read the database already at {path} ({exc}); give --force to replace it anyway"
        ) from exc


def put_sqlite_in_place(staged: Path, target: Path) -> None:
    """Swap the staged copy in. A -wal left from the old file would be replayed onto the new
    one and corrupt it, so it goes first (the hub must be stopped: docs/operator-guide.md)."""
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(staged, target)


# --- PostgreSQL --------------------------------------------------------------------------


def libpq_connection(url: str) -> tuple[str, dict[str, str]]:
    """The URL's host, port, user, database and query options as a libpq connection string
    for -d, and an environment carrying the password."""
    from psycopg.conninfo import make_conninfo

    parsed = make_url(url)
    params: dict[str, Any] = {
        "host": parsed.host,
        "port": parsed.port,
        "user": parsed.username,
        "dbname": parsed.database,
    }
    for key, value in parsed.query.items():
        params[key] = value if isinstance(value, str) else value[-1]
    conninfo = make_conninfo(**{k: str(v) for k, v in params.items() if v is not None})
    env = dict(os.environ)
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    return conninfo, env


@dataclass(frozen=True)
class Tool:
    path: Path
    major: int
    version: str


_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?")


def tool_major(version_text: str) -> int | None:
    """`pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)` → 15 (9.6 → 9)."""
    match = _VERSION.search(version_text)
    return int(match.group(1)) if match else None


def _candidates(name: str, pg_bindir: Path | None) -> list[Path]:
    if pg_bindir is not None:
        # The operator chose: look nowhere else, so a mistake shows instead of being hidden.
        return [pg_bindir / name]
    found: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            bindir = subprocess.run(  # noqa: S603 (pg_config from PATH, fixed argument)
                [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=30
            ).stdout.strip()
            found.append(Path(bindir) / name)
        except (OSError, subprocess.SubprocessError):
            pass
    on_path = shutil.which(name)
    if on_path:
        found.append(Path(on_path))
    return found


def find_tool(name: str, *, at_least: int, pg_bindir: Path | None) -> Tool:
    """The first `name` whose major version is at least `at_least`: pg_dump refuses a newer
    server, pg_restore a newer dump. Looks in SLTHUB_PG_BINDIR if set, else
    `pg_config --bindir`, then PATH."""
    seen: list[str] = []
    for path in _candidates(name, pg_bindir):
        if not (path.is_file() and os.access(path, os.X_OK)):
            continue
        try:
            version = subprocess.run(  # noqa: S603 (a PostgreSQL tool, fixed argument)
                [str(path), "--version"], capture_output=True, text=True, check=True, timeout=30
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            continue
        major = tool_major(version)
        if major is None:
            continue
        if major >= at_least:
            return Tool(path=path, major=major, version=version)
        seen.append(f"{path} is version {major}")
    where = f"in {pg_bindir}" if pg_bindir else "with `pg_config --bindir` or on PATH"
    if seen:
        raise DatabaseError(
            f"{name} must be version {at_least} or newer (the server's or the dump's), but "
            + "; ".join(seen)
            + f". Install postgresql-client-{at_least} (or newer) and, if several versions "
            "are installed, set SLTHUB_PG_BINDIR to its bin directory."
        )
    raise DatabaseError(
        f"{name} not found {where}: install the PostgreSQL client tools (Debian/Ubuntu: "
        f"apt install postgresql-client-{at_least}) or set SLTHUB_PG_BINDIR."
    )


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603 (tools found by find_tool, no shell)
    if result.returncode != 0:
        raise DatabaseError(f"{what} failed (exit {result.returncode}): {result.stderr.strip()}")


def dump_postgres(url: str, dest: Path, *, pg_bindir: Path | None) -> Facts:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
            with conn.begin():
                # The first statement fixes the transaction's snapshot; pg_dump joins it.
                snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                server_num = int(conn.execute(text("SHOW server_version_num")).scalar_one())
                server = conn.execute(text("SHOW server_version")).scalar_one()
                facts = _facts(
                    "postgresql",
                    lambda sql: conn.execute(text(sql)).scalar_one(),
                    lambda table: conn.execute(
                        text("SELECT to_regclass(:name) IS NOT NULL"), {"name": table}
                    ).scalar_one(),
                )
                pg_dump = find_tool("pg_dump", at_least=server_num // 10000, pg_bindir=pg_bindir)
                conninfo, env = libpq_connection(url)
                _run(
                    [
                        str(pg_dump.path),
                        "--format=custom",
                        # The archive is gzip'd as a whole; compressing inside too would
                        # only cost time (and hide the dump's bytes from the seizure drill).
                        "--compress=0",
                        f"--snapshot={snapshot}",
                        f"--file={dest}",
                        f"--dbname={conninfo}",
                    ],
                    env,
                    "pg_dump",
                )
    except SQLAlchemyError as exc:
        raise DatabaseError(f"cannot read {display_url(url)}: {exc}") from exc
    finally:
        engine.dispose()
    facts.details = {
        "server_version": str(server),
        "pg_dump_version": pg_dump.version,
        "pg_dump_major": pg_dump.major,
    }
    return facts


def postgres_organisations(url: str) -> int | None:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("organisations"):
                return None
            return int(conn.execute(text("SELECT count(*) FROM organisations")).scalar_one())
    except SQLAlchemyError as exc:
        raise DatabaseError(
            f"cannot connect to {display_url(url)}: {exc.__class__.__name__}: "
            f"{str(exc).splitlines()[0]}. The database must exist (deploy/postgresql/setup.sh)."
        ) from exc
    finally:
        engine.dispose()


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _tables_to_drop(url: str) -> list[str]:
    """The hub's tables present in the target: what this hub's migrations create (a newer
    schema than the dump's) and Alembic's own. Anything else in the schema is not ours to
    drop; tables only the dump knows are dropped by pg_restore --clean."""
    from hub.models import all_metadata

    ours = {"alembic_version"} | {t for m in all_metadata() for t in m.tables}
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            schema = conn.execute(text("SELECT current_schema()")).scalar_one()
            names = set(inspect(conn).get_table_names(schema=schema)) & ours
    finally:
        engine.dispose()
    return [f"{_quoted(schema)}.{_quoted(name)}" for name in sorted(names)]


def restore_postgres(url: str, dump: Path, *, dump_major: int, pg_bindir: Path | None) -> None:
    """Replace the hub's tables in the target with the dump's, in one transaction."""
    pg_restore = find_tool("pg_restore", at_least=dump_major, pg_bindir=pg_bindir)
    psql = find_tool("psql", at_least=dump_major, pg_bindir=pg_bindir)
    tables = _tables_to_drop(url)
    conninfo, env = libpq_connection(url)
    prelude = f"DROP TABLE IF EXISTS {', '.join(tables)} CASCADE;\n" if tables else ""
    with tempfile.TemporaryFile() as restore_err, tempfile.TemporaryFile() as psql_err:
        # --no-owner/--no-privileges: the target's role owns what it restores, whatever the
        # source's role was called.
        producer = subprocess.Popen(  # noqa: S603 (tools found by find_tool, no shell)
            [
                str(pg_restore.path),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--file=-",
                str(dump),
            ],
            stdout=subprocess.PIPE,
            stderr=restore_err,
            env=env,
        )
        consumer = subprocess.Popen(  # noqa: S603 (tools found by find_tool, no shell)
            [
                str(psql.path),
                "--no-psqlrc",
                "--quiet",
                "--set=ON_ERROR_STOP=1",
                "--single-transaction",
                f"--dbname={conninfo}",
                "--file=-",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=psql_err,
            env=env,
        )
        assert producer.stdout is not None  # noqa: S101 (PIPE was asked for)
        assert consumer.stdin is not None  # noqa: S101 (PIPE was asked for)
        try:
            consumer.stdin.write(prelude.encode())
            shutil.copyfileobj(producer.stdout, consumer.stdin, 1 << 20)
        except BrokenPipeError:
            pass  # psql stopped at an error; its exit status and stderr say which
        finally:
            _close_quietly(consumer.stdin)
            producer.stdout.close()
        restored, applied = producer.wait(), consumer.wait()
        if restored != 0 or applied != 0:
            detail = _tail(psql_err) or _tail(restore_err)
            raise DatabaseError(
                "the PostgreSQL restore failed and was rolled back; the database is as it "
                f"was: {detail}"
            )


def _close_quietly(stream: IO[bytes]) -> None:
    with suppress(BrokenPipeError):
        stream.close()


def _tail(stream: IO[bytes]) -> str:
    stream.seek(0)
    lines = stream.read().decode(errors="replace").strip().splitlines()
    return "\n".join(lines[-5:])
