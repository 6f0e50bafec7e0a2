"""The inbox (GET /api/v1/reports) at 10k, 100k and 1M reports, on SQLite and PostgreSQL.

    python -m bench.inbox [--quick] [--sizes 10000,100000,1000000] [--db sqlite,postgresql]

For each database: `slthub init` into a temporary data directory (PostgreSQL: a throwaway
cluster, as the test suite starts one), the 5,130-area tree and 200 approved organisations of
bench.reports, then a few real publications over HTTP (flash, update and situation reports,
several severities and areas, named audiences). Those rows are the templates: the database
is grown to each size with bulk SQL (`INSERT … SELECT` over a generated series, no service
call per report) copying their header columns, envelope and digest under new ids, one report
every 30 s further back in time, each with ~5 wraps (the originator, organisation B that
receives every report, organisation C that receives one in ten, and three others in turn).

At each size, with uvicorn serving the app in this process and one keep-alive client, it
measures p50/p95 of the first page (limit 50) and of filtered pages (severity, type, area
subtree, since a week) for B (~100 % of the reports) and C (~10 %), then the 1M / 10k ratio
of p95. Printed, never asserted. Goals (issue 10): p95 <= 50 ms at every size, 1M / 10k <= 2x.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr
from sqlalchemy import Engine, text

from bench._timing import percentiles
from bench.hub import _free_port
from bench.reports import FLASH, _app, _login, _serve, _setup
from hub.config import Settings
from hub.db import make_engine

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
STEP_S = 30  # one report every 30 s further back
OTHERS = 197  # organisations 3..199 take turns

# (changes to bench.reports.FLASH) for the template publications.
TEMPLATES: list[dict[str, Any]] = [
    {"severity": "severe"},
    {"severity": "minor", "area": "B00100"},
    {"severity": "extreme", "area": "B1"},
    {"severity": "moderate", "area": "B00203"},
    {"type": "situation", "stage": None, "body": {"outlook": "calm"}, "severity": "moderate"},
    {"severity": "severe", "area": "B2"},
    {"severity": "minor", "category": "shooting"},
    {"type": "situation", "stage": None, "body": {"outlook": "tense"}, "severity": "severe"},
]

QUERIES: list[tuple[str, dict[str, str]]] = [
    ("first page", {}),
    ("severity=extreme", {"severity": "extreme"}),
    ("type=situation", {"type": "situation"}),
    ("area=B0 (subtree)", {"area": "B0"}),
    ("since a week", {}),  # filled at run time
    ("type=lesson (none)", {"type": "lesson"}),  # the worst filter: matches nothing
]


@contextmanager
def _database(kind: str, tmp: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'hub.db'}"
        return
    from tests.conftest import _postgres_cluster

    with _postgres_cluster() as cluster:
        yield cluster.url()


def _publish_templates(client: httpx.Client, headers: dict[str, str], named: list[str]) -> None:
    for changes in TEMPLATES:
        report = {**FLASH, **changes, "audience": {"organisations": named}}
        if "body" not in changes:
            report["body"] = FLASH["body"]
        response = client.post("/api/v1/reports", json=report, headers=headers)
        assert response.status_code == 201, response.text


_REPORT_COLUMNS = (
    "header_version, type, stage, incident_id, supersedes, originator_id, signer_key_version, "
    "anonymous, show_kind, area_code, category, severity, precedence, occurred_on, tlp, "
    "audience, level, expires_at, summary, body_schema, envelope, attestation, digest, "
    "created_by_id"
)


def _prepare(engine: Engine, org_ids: list[str]) -> None:
    """Tables of templates (k = 0..T-1) and of the organisations that take turns."""
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS bench_tpl"))
        conn.execute(text("DROP TABLE IF EXISTS bench_orgs"))
        conn.execute(
            text(
                f"CREATE TABLE bench_tpl AS SELECT {_REPORT_COLUMNS}, "  # noqa: S608 (constants)
                "ROW_NUMBER() OVER (ORDER BY created_at) - 1 AS k FROM reports"
            )
        )
        conn.execute(text("CREATE TABLE bench_orgs (j INTEGER PRIMARY KEY, id VARCHAR(36))"))
        conn.execute(
            text("INSERT INTO bench_orgs (j, id) VALUES (:j, :id)"),
            [{"j": j, "id": org_id} for j, org_id in enumerate(org_ids[3 : 3 + OTHERS])],
        )


def _grow(engine: Engine, *, start: int, stop: int, base: dt.datetime, orgs: list[str]) -> None:
    """Reports start..stop-1 (newest first as i grows), bulk SQL only."""
    sqlite = engine.dialect.name == "sqlite"
    base_text = base.strftime("%Y-%m-%d %H:%M:%S")
    if sqlite:
        series = "WITH RECURSIVE s(i) AS (SELECT :lo UNION ALL SELECT i + 1 FROM s WHERE i < :hi) "
        source = "s"
        rid = "printf('%08x-0000-4000-8000-%012x', s.i, s.i)"
        # The hub's SQLite DateTime text, microseconds included, so that keyset comparisons
        # on the text compare like the hub's own rows.
        at = f"strftime('%Y-%m-%d %H:%M:%S', '{base_text}', '-' || (s.i * {STEP_S}) || ' seconds')"
        created = f"({at} || '.000000')"
        reported = f"(substr({at}, 1, 13) || ':00:00.000000')"
    else:
        series = ""
        source = "generate_series(CAST(:lo AS integer), CAST(:hi AS integer)) AS s(i)"
        rid = "lpad(to_hex(s.i), 8, '0') || '-0000-4000-8000-' || lpad(to_hex(s.i), 12, '0')"
        created = f"(TIMESTAMP '{base_text}' - make_interval(secs => s.i * {STEP_S}))"
        reported = f"date_trunc('hour', {created})"
    templates = "(SELECT count(*) FROM bench_tpl)"
    params = {"lo": start, "hi": stop - 1}
    with engine.begin() as conn:
        if sqlite:
            # 256 MiB of page cache for this connection: the wraps' inbox index is filled
            # in organisation order, not insertion order.
            conn.exec_driver_sql("PRAGMA cache_size=-262144")
        conn.execute(
            text(
                f"{series}INSERT INTO reports (id, {_REPORT_COLUMNS}, reported_at, created_at) "  # noqa: S608
                f"SELECT {rid}, {', '.join('t.' + c.strip() for c in _REPORT_COLUMNS.split(','))}"
                f", {reported}, {created} "
                f"FROM {source} JOIN bench_tpl t ON t.k = s.i % {templates}"
            ),
            params,
        )
        wrap_cols = (
            "INSERT INTO report_wraps (report_id, organisation_id, listed_at, wrap, granted_by, "
            "added_at) "
        )
        # The originator, B (every report), C (one in ten), three others in turn.
        for who, where in ((orgs[0], ""), (orgs[1], ""), (orgs[2], " WHERE s.i % 10 = 0")):
            conn.execute(
                text(
                    f"{series}{wrap_cols}SELECT {rid}, :org, {created}, "  # noqa: S608 (constants)
                    f"CAST('w' AS {'BLOB' if sqlite else 'BYTEA'}), 'publication', {created} "
                    f"FROM {source}{where}"
                ),
                {**params, "org": who},
            )
        for shift in (0, 50, 98):
            conn.execute(
                text(
                    f"{series}{wrap_cols}SELECT {rid}, o.id, {created}, "  # noqa: S608 (constants)
                    f"CAST('w' AS {'BLOB' if sqlite else 'BYTEA'}), 'publication', {created} "
                    f"FROM {source} JOIN bench_orgs o ON o.j = (s.i + {shift}) % {OTHERS}"
                ),
                params,
            )
    if not sqlite:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE reports"))
            conn.execute(text("VACUUM ANALYZE report_wraps"))


def _measure(
    client: httpx.Client, headers: dict[str, str], params: dict[str, str], rounds: int
) -> tuple[float, float]:
    for _ in range(5):
        client.get("/api/v1/reports", params=params, headers=headers)
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get("/api/v1/reports", params=params, headers=headers)
        samples.append(time.perf_counter() - start)
        assert response.status_code == 200, response.text
    return percentiles(samples)


def run(kind: str, sizes: list[int], rounds: int) -> dict[tuple[str, str, int], float]:
    p95s: dict[tuple[str, str, int], float] = {}
    with (
        tempfile.TemporaryDirectory(prefix="slthub-bench-") as tmp,
        _database(kind, Path(tmp)) as url,
    ):
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=url,
            data_dir=Path(tmp) / "var",
            secret_key=SecretStr("bench-" + "x" * 40),
            login_max_failures_per_account=10**6,
        )
        started = time.perf_counter()
        parties = _setup(settings, 200)
        org_ids = [p[0] for p in parties]
        print(f"[{kind}] set-up: 200 organisations in {time.perf_counter() - started:.1f} s")
        port = _free_port()
        server = _serve(_app(settings), port)
        engine = make_engine(url)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
                author = _login(client, parties[0][1])
                _publish_templates(client, author, org_ids[1:5])
                _prepare(engine, org_ids)
                heads = {"B (~100%)": _login(client, parties[1][1])}
                heads["C (~10%)"] = _login(client, parties[2][1])
                base = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=1)
                since = (dt.datetime.now(dt.UTC) - dt.timedelta(days=7)).isoformat()
                done = 0
                for size in sizes:
                    grow = time.perf_counter()
                    _grow(engine, start=done, stop=size, base=base, orgs=org_ids)
                    wraps = _count(engine)
                    print(
                        f"[{kind}] {size:>9,} reports ({wraps:,} wraps): grown "
                        f"{size - done:,} in {time.perf_counter() - grow:.1f} s"
                    )
                    done = size
                    for who, headers in heads.items():
                        for label, params in QUERIES:
                            query = {"since": since} if label == "since a week" else params
                            p50, p95 = _measure(client, headers, {**query, "limit": "50"}, rounds)
                            p95s[(who, label, size)] = p95
                            print(
                                f"[{kind}] {size:>9,}  {who:<10} {label:<18} "
                                f"p50 {p50:7.2f} ms  p95 {p95:7.2f} ms"
                            )
        finally:
            server.should_exit = True
            time.sleep(0.5)
            engine.dispose()
    return p95s


def _count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM report_wraps")).scalar_one())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10k and 100k only, fewer rounds")
    parser.add_argument("--sizes", help="comma-separated report counts (default 10k,100k,1M)")
    parser.add_argument("--db", default="sqlite,postgresql", help="sqlite, postgresql or both")
    args = parser.parse_args()
    if args.sizes:
        sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(","))
    else:
        sizes = list(DEFAULT_SIZES[:2] if args.quick else DEFAULT_SIZES)
    rounds = 30 if args.quick else 100
    print(f"python {sys.version.split()[0]}; sizes {sizes}; {rounds} requests a figure")
    for kind in args.db.split(","):
        with nullcontext():
            p95s = run(kind.strip(), sizes, rounds)
        small, big = sizes[0], sizes[-1]
        if small != big:
            for who, label, size in sorted(p95s):
                if size != big:
                    continue
                ratio = p95s[(who, label, big)] / p95s[(who, label, small)]
                print(
                    f"[{kind}] ratio p95 {big:,} / {small:,}  {who:<10} {label:<18} {ratio:5.2f}x"
                )
    print("goals: p95 <= 50 ms at every size, 1M / 10k <= 2x (printed, never asserted)")


if __name__ == "__main__":
    main()
