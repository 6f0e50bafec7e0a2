"""An area's incidents by month (the chart on /areas/{code}) at 10k, 100k and 1M report
headers, on SQLite and PostgreSQL.

    python -m bench.chart [--sizes 10000,100000,1000000] [--db sqlite,postgresql] [--rounds 30]

For each database: `slthub init`, bench.reports' 5,130-area tree (5 countries × 25 admin1 ×
8 admin2 × 4 admin3) and four organisations (A publishes, B receives every report, C one in
ten, D none); then headers grown with bulk SQL (no service call per report): each report in an
admin2 area of one of the five countries in turn, occurred one day further back (over 18
months), one in ten a situation report, one in four an update of the report before it (same
incident), one in fifty withdrawn, one in twenty TLP:RED (given to B and C); wraps for A and B
on every report, for C on one in ten; `incident_key` and `counts` filled by migration 0025's
SQL (bench.periodic.fill_counts), as publication and withdrawal keep them. At each size it
prints the query plan (as D, and as B who holds every report) of the chart's query (EXPLAIN
QUERY PLAN on SQLite, EXPLAIN ANALYZE on PostgreSQL) and the p50 / p95 time of
`hub.areas.incidents.incidents_by_month` — the service the page calls, query and Python — for
a country (1,026 areas in its subtree) and a province (41), as B, C and D (they differ by the
TLP:RED incidents each was given). Printed, never asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import sys
import tempfile
import time
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from bench._timing import percentiles
from bench.inbox import _database
from bench.periodic import fill_counts
from bench.reports import _setup
from hub.actors import Actor
from hub.areas.incidents import incidents_by_month, month_counts_query, month_starts
from hub.areas.service import policy_areas
from hub.config import Settings
from hub.db import make_engine, make_session_factory
from hub.keystore import load_hub_keys
from hub.members.models import Member
from hub.periodic.figures import without_jit
from policies.areas import as_tree

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
AREAS = {"country B1": "B1", "province B103": "B103"}


def _grow(engine: Engine, *, start: int, stop: int, orgs: list[str], today: dt.date) -> float:
    """Headers start..stop-1; the seconds the counts took to fill."""
    sqlite = engine.dialect.name == "sqlite"
    params = {"lo": start, "hi": stop - 1, "a": orgs[0], "today": today}
    if sqlite:
        series = "WITH RECURSIVE s(i) AS (SELECT :lo UNION ALL SELECT i + 1 FROM s WHERE i < :hi) "
        source = "s"

        def rid(i: str) -> str:
            return f"printf('%08x-0000-4000-8000-%012x', {i}, {i})"

        area = "'B' || (s.i % 5) || printf('%02d%02d', (s.i / 5) % 25, (s.i / 125) % 8)"
        occurred = "date(:today, '-' || (s.i % 540) || ' days')"
        now = "'2026-12-01 00:00:00.000000'"
        blob = "CAST('w' AS BLOB)"
    else:
        series = ""
        source = "generate_series(CAST(:lo AS integer), CAST(:hi AS integer)) AS s(i)"

        def rid(i: str) -> str:
            return f"lpad(to_hex({i}), 8, '0') || '-0000-4000-8000-' || lpad(to_hex({i}), 12, '0')"

        area = (
            "'B' || (s.i % 5) || lpad(((s.i / 5) % 25)::text, 2, '0') "
            "|| lpad(((s.i / 125) % 8)::text, 2, '0')"
        )
        occurred = "CAST(:today AS date) - (s.i % 540)"
        now = "TIMESTAMP '2026-12-01 00:00:00'"
        blob = "CAST('w' AS BYTEA)"
    columns = (
        "id, header_version, type, stage, incident_id, originator_id, signer_key_version, "
        "anonymous, show_kind, area_code, category, severity, occurred_on, reported_at, tlp, "
        "audience, level, body_schema, envelope, digest, created_at, withdrawn_at"
    )
    values = (
        f"{rid('s.i')}, 1, "
        "CASE WHEN s.i % 10 = 9 THEN 'situation' ELSE 'incident' END, "
        "CASE WHEN s.i % 10 = 9 THEN NULL WHEN s.i % 4 = 1 THEN 'update' ELSE 'flash' END, "
        f"CASE WHEN s.i % 4 = 1 THEN {rid('s.i - 1')} ELSE NULL END, "
        f":a, 1, {'0' if sqlite else 'false'}, {'0' if sqlite else 'false'}, {area}, "
        f"'armed_robbery', 'severe', {occurred}, {now}, "
        "CASE WHEN s.i % 20 = 11 THEN 'red' ELSE 'amber' END, '{}', 'normal', "
        f"'incident/1', {blob}, 'd', {now}, "
        f"CASE WHEN s.i % 50 = 0 THEN {now} ELSE NULL END"
    )
    wraps = (
        "INSERT INTO report_wraps (report_id, organisation_id, listed_at, wrap, granted_by, "
        "added_at) "
    )
    with engine.begin() as conn:
        conn.execute(
            text(f"{series}INSERT INTO reports ({columns}) SELECT {values} FROM {source}"),  # noqa: S608 (constants)
            params,
        )
        for org, where in ((orgs[0], ""), (orgs[1], ""), (orgs[2], " WHERE s.i % 10 = 1")):
            conn.execute(
                text(
                    f"{series}{wraps}SELECT {rid('s.i')}, :org, {now}, {blob}, "  # noqa: S608
                    f"'publication', {now} "
                    f"FROM {source}{where}"
                ),
                {**params, "org": org},
            )
    filled = fill_counts(engine)
    if not sqlite:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE reports"))
            conn.execute(text("VACUUM ANALYZE report_wraps"))
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    return filled


def _plan(session: Session, code: str, today: dt.date, organisation_id: str) -> str:
    """The plan with what it cost (EXPLAIN ANALYZE on PostgreSQL), lines cut at 150
    characters (the subtree's codes make a long IN list)."""
    engine = session.get_bind()
    codes = sorted(as_tree(policy_areas(session)).subtree(code))
    query = month_counts_query(
        codes, since=month_starts(today)[0], until=today, organisation_id=organisation_id
    )
    sql = str(query.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
    if engine.dialect.name == "postgresql":
        without_jit(session)  # as incidents_by_month runs it
        lines = [str(r[0]) for r in session.execute(text("EXPLAIN ANALYZE " + sql))]
    else:
        lines = [str(r[-1]) for r in session.execute(text("EXPLAIN QUERY PLAN " + sql))]
    return "\n".join(f"    {line[:150]}" for line in lines)


def run(kind: str, sizes: list[int], rounds: int) -> None:
    with (
        tempfile.TemporaryDirectory(prefix="slthub-bench-") as tmp,
        _database(kind, Path(tmp)) as url,
    ):
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=url,
            data_dir=Path(tmp) / "var",
            secret_key=SecretStr("bench-" + "x" * 40),
        )
        parties = _setup(settings, 4)
        orgs = [p[0] for p in parties]
        engine = make_engine(url)
        factory = make_session_factory(engine, signer=load_hub_keys(settings.hub_keys_path))
        today = dt.datetime.now(dt.UTC).date()
        done = 0
        try:
            for size in sizes:
                started = time.perf_counter()
                filled = _grow(engine, start=done, stop=size, orgs=orgs, today=today)
                print(
                    f"[{kind}] {size:>9,} headers: grown in {time.perf_counter() - started:.1f} s"
                    f" (of which counts filled, migration 0025: {filled:.1f} s)"
                )
                done = size
                with factory() as session:
                    who = {
                        "D (none)": parties[3][1],
                        "B (all)": parties[1][1],
                        "C (1/10)": parties[2][1],
                    }
                    actors = {
                        label: Actor(
                            label=label,
                            member=session.scalars(
                                select(Member).where(Member.email == email)
                            ).one(),
                        )
                        for label, email in who.items()
                    }
                    for (area_label, code), (scope, org) in itertools.product(
                        AREAS.items(), (("as D", orgs[3]), ("as B", orgs[1]))
                    ):
                        print(f"[{kind}] {size:>9,} plan, {area_label}, {scope}:")
                        print(_plan(session, code, today, org))
                    for area_label, code in AREAS.items():
                        for label, actor in actors.items():
                            samples = []
                            found = None
                            for n in range(rounds + 3):
                                t0 = time.perf_counter()
                                found = incidents_by_month(
                                    session, actor=actor, code=code, today=today
                                )
                                if n >= 3:  # the first ones compile and warm the cache
                                    samples.append(time.perf_counter() - t0)
                            p50, p95 = percentiles(samples)
                            total = found.total if found else 0
                            print(
                                f"[{kind}] {size:>9,}  {area_label:<14} {label:<12} "
                                f"{total:>6,} incidents  p50 {p50:7.2f} ms  p95 {p95:7.2f} ms"
                            )
        finally:
            engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", help="comma-separated header counts (default 10k,100k,1M)")
    parser.add_argument("--db", default="sqlite,postgresql", help="sqlite, postgresql or both")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--quick", action="store_true", help="10 calls a figure")
    args = parser.parse_args()
    sizes = (
        sorted(int(s.replace("_", "")) for s in args.sizes.split(","))
        if args.sizes
        else list(DEFAULT_SIZES)
    )
    rounds = 10 if args.quick else args.rounds
    print(f"python {sys.version.split()[0]}; sizes {sizes}; {rounds} calls a figure")
    for kind in args.db.split(","):
        run(kind.strip(), sizes, rounds)


if __name__ == "__main__":
    main()
