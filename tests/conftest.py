"""Suite-wide fixtures.

`--db` chooses the database the hub tests run on (sqlite or postgresql); the crypto and
policy tests do not touch a database and ignore it.
"""

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        action="store",
        default="sqlite",
        choices=("sqlite", "postgresql"),
        help="database the hub tests run on",
    )


@pytest.fixture(autouse=True, scope="session")
def _insecure_argon2() -> Iterator[None]:
    """Weaken Argon2id for the test run only (SecureDrop's `insecure_scrypt` habit).

    Production parameters cost ~0.3 s and 128 MiB per derivation; hundreds of logins in the
    suite would take minutes. The parameters travel inside every locked blob, so blobs made
    here still open with exactly the code that runs in production.
    """
    from crypto import passphrase

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(passphrase, "DEFAULT_PARAMS", passphrase.INSECURE_TEST_PARAMS)
        yield


# --- databases ---------------------------------------------------------------------------
#
# Tests that touch the database ask for `db_session` (or `session_factory`, `fresh_database`):
# they are marked `db` automatically, and `--db=postgresql -m db` runs exactly them on a
# throwaway PostgreSQL cluster that this file starts and removes.

DB_FIXTURES = frozenset(
    {
        "database",
        "db_connection",
        "session_factory",
        "db_session",
        "fresh_database",
        "another_fresh_database",
    }
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "db: uses the database (runs on SQLite and PostgreSQL)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    uses_db = 0
    for item in items:
        if DB_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.db)
            uses_db += 1
    # A PostgreSQL run that selects no database test proves nothing: refuse it loudly
    # (pytest's own exit 5 on an empty selection is the second guard).
    selected = config.getoption("-m") or ""
    if config.getoption("--db") == "postgresql" and "db" in selected and uses_db == 0:
        raise pytest.UsageError("--db=postgresql selected no test that uses the database")


@dataclass
class PostgresCluster:
    root: Path
    data_dir: Path
    bindir: Path
    port: int

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def _postgres_cluster() -> Iterator[PostgresCluster]:
    """initdb in a temp dir owned by `postgres` (the server refuses to run as root), a free
    loopback port, the unix socket inside the temp dir; everything removed afterwards."""
    bindir = Path(subprocess.check_output(["pg_config", "--bindir"], text=True).strip())
    root = Path(tempfile.mkdtemp(prefix="slthub-pg-"))
    as_postgres: list[str] = []
    if os.geteuid() == 0:
        pg = pwd.getpwnam("postgres")
        os.chown(root, pg.pw_uid, pg.pw_gid)
        as_postgres = ["runuser", "-u", "postgres", "--"]
    data_dir = root / "data"
    log = root / "server.log"
    process = None
    log_file = log.open("wb")
    try:
        subprocess.run(
            [
                *as_postgres,
                str(bindir / "initdb"),
                "-D",
                str(data_dir),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
        )
        port = _free_port()
        # Durability is pointless for a cluster that is deleted after the run.
        process = subprocess.Popen(
            [
                *as_postgres,
                str(bindir / "postgres"),
                "-D",
                str(data_dir),
                "-p",
                str(port),
                "-k",
                str(root),
                "-h",
                "127.0.0.1",
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
            ],
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        cluster = PostgresCluster(root=root, data_dir=data_dir, bindir=bindir, port=port)
        import psycopg

        deadline = time.monotonic() + 60
        while True:
            try:
                psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname=postgres").close()
                break
            except psycopg.OperationalError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log_file.flush()
                    tail = log.read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"PostgreSQL did not start:\n{tail}") from None
                time.sleep(0.2)
        yield cluster
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log_file.close()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_cluster(request: pytest.FixtureRequest) -> Iterator[PostgresCluster]:
    if request.config.getoption("--db") != "postgresql":
        pytest.skip("PostgreSQL only (--db=postgresql)")
    with _postgres_cluster() as cluster:
        yield cluster


@dataclass
class Database:
    """One database with the hub's schema: its URL and, on SQLite, its file."""

    url: str
    kind: str
    path: Path | None = None
    cluster: PostgresCluster | None = None


@contextlib.contextmanager
def _new_database(request: pytest.FixtureRequest, tmp: Path) -> Iterator[Database]:
    if request.config.getoption("--db") == "postgresql":
        cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
        name = f"t_{uuid.uuid4().hex[:12]}"
        import psycopg

        dsn = f"host=127.0.0.1 port={cluster.port} user=postgres dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            yield Database(url=cluster.url(name), kind="postgresql", cluster=cluster)
        finally:
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        path = tmp / f"hub-{uuid.uuid4().hex[:8]}.db"
        yield Database(url=f"sqlite:///{path}", kind="sqlite", path=path)


@pytest.fixture(scope="session")
def hub_keys() -> Any:
    from crypto import HubKeys

    return HubKeys.generate()


@pytest.fixture(scope="session")
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    """The session's database, migrated with Alembic (so the migrations are what is tested)."""
    from hub.db import make_engine
    from hub.migrations import upgrade

    with _new_database(request, tmp_path_factory.mktemp("db")) as db:
        upgrade(db.url)
        engine = make_engine(db.url)
        try:
            yield engine
        finally:
            engine.dispose()


@pytest.fixture
def db_connection(database: Any) -> Iterator[Any]:
    """Each test inside one outer transaction that is rolled back at the end."""
    connection = database.connect()
    transaction = connection.begin()
    try:
        yield connection
    finally:
        transaction.rollback()
        connection.close()


@pytest.fixture
def session_factory(db_connection: Any, hub_keys: Any) -> Any:
    """Sessions whose commits only release a SAVEPOINT inside the test's transaction."""
    from hub.db import make_session_factory

    return make_session_factory(
        db_connection, signer=hub_keys, join_transaction_mode="create_savepoint"
    )


@pytest.fixture
def db_session(session_factory: Any) -> Iterator[Any]:
    session = session_factory()
    try:
        yield session
    finally:
        session.close()


@pytest.fixture
def fresh_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty database of its own that really commits (CLI runs, raw-bytes checks)."""
    with _new_database(request, tmp_path) as db:
        yield db


@pytest.fixture
def another_fresh_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A second empty database of the same kind (where a backup is restored)."""
    folder = tmp_path / "another-database"
    folder.mkdir()
    with _new_database(request, folder) as db:
        yield db
