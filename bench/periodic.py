"""The periodic security report's header figures at 10k, 100k and 1M reports, on SQLite and
PostgreSQL.

    python -m bench.periodic [--sizes 10000,100000,1000000] [--db sqlite,postgresql] [--rounds 30]

For each database: the schema by the migrations (`slthub init`'s upgrade), the 13-area tree of
bench.pages and three approved organisations, then report headers grown with bulk SQL at a
constant pace — 100 reports a day over 13 areas, further back in time as the database grows
(one in eight an update of an earlier flash, one in fifty TLP:RED given to organisation B
only). So the last week always holds about 700 reports whatever the size, and what grows is
the history: a report over it should cost the same at 1M as at 10k. The bulk rows are then
given `incident_key` and `counts` by migration 0025's own SQL (what publication keeps on each
row: hub/reports/counting.py), whose time is printed too — the migration's cost at that size.

Prints p50/p95 of `hub.periodic.figures.area_figures` (all the report's counting queries) for
Nord-Kivu and its sub-areas over the last 7 days and the last 90 days, for organisation B,
and on PostgreSQL the plan of the main count at the largest size. Printed, never asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

from bench._timing import percentiles
from bench.pages import TREE_CSV
from crypto import HubKeys
from hub.actors import CONSOLE
from hub.areas import service as areas
from hub.areas.importing import parse_csv
from hub.db import make_engine, make_session_factory
from hub.migrations import upgrade
from hub.organisations import service as organisations
from hub.organisations.models import OrganisationKind
from hub.periodic.figures import Period, area_figures, fold_children, incident_counts
from policies.areas import as_tree

_COUNTS_MIGRATION = importlib.import_module("hub.migrations.versions.0025_report_counts")
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
PER_DAY = 100
CATEGORIES = (
    "shooting",
    "armed_robbery",
    "threat_intimidation_harassment",
    "road_traffic_accident",
    "arrest_detention",
    "kidnapping_abduction",
    "theft_burglary",
)
SEVERITIES = ("minor", "moderate", "severe", "extreme")
AREAS = [line.split(",")[0] for line in TREE_CSV.splitlines()[1:] if line]


@contextmanager
def _database(kind: str, tmp: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'hub.db'}"
        return
    from tests.conftest import _postgres_cluster

    with _postgres_cluster() as cluster:
        yield cluster.url()


def _setup(url: str) -> tuple[Engine, list[str]]:
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine, signer=HubKeys.generate())
    with factory() as session:
        areas.import_areas(session, actor=CONSOLE, parsed=parse_csv(TREE_CSV), dataset="bench")
        ids = [
            organisations.create_organisation(
                session, actor=CONSOLE, name=name, kind=OrganisationKind.INGO, approve=True
            ).id
            for name in ("Originator A", "Partner B", "Partner C")
        ]
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS bench_areas"))
        conn.execute(text("CREATE TABLE bench_areas (j INTEGER PRIMARY KEY, code VARCHAR(32))"))
        conn.execute(
            text("INSERT INTO bench_areas (j, code) VALUES (:j, :code)"),
            [{"j": j, "code": code} for j, code in enumerate(AREAS)],
        )
    return engine, ids


def _case(values: tuple[str, ...], expr: str) -> str:
    whens = " ".join(f"WHEN {i} THEN '{v}'" for i, v in enumerate(values))
    return f"CASE ({expr}) % {len(values)} {whens} END"


def fill_counts(engine: Engine) -> float:
    """Migration 0025's fill over every header (the bulk rows have neither `incident_key` nor
    `counts`); seconds taken."""
    started = time.perf_counter()
    with engine.begin() as conn:
        _COUNTS_MIGRATION.fill(conn)
    return time.perf_counter() - started


def _grow(engine: Engine, *, start: int, stop: int, today: dt.date, orgs: list[str]) -> float:
    """Reports start..stop-1, report i occurring i // PER_DAY days before today; the seconds
    the counts took to fill."""
    sqlite = engine.dialect.name == "sqlite"
    if sqlite:
        series = "WITH RECURSIVE s(i) AS (SELECT :lo UNION ALL SELECT i + 1 FROM s WHERE i < :hi) "
        source = "s"
        rid = "printf('%08x-0000-4000-8000-%012x', s.i, s.i)"
        flash = "printf('%08x-0000-4000-8000-%012x', s.i - 1, s.i - 1)"
        day = f"date('{today.isoformat()}', '-' || (s.i / {PER_DAY}) || ' days')"
        at = f"(datetime({day}) || '.000000')"
        blob = "BLOB"
    else:
        series = ""
        source = "generate_series(CAST(:lo AS integer), CAST(:hi AS integer)) AS s(i)"
        rid = "lpad(to_hex(s.i), 8, '0') || '-0000-4000-8000-' || lpad(to_hex(s.i), 12, '0')"
        flash = (
            "lpad(to_hex(s.i - 1), 8, '0') || '-0000-4000-8000-' || lpad(to_hex(s.i - 1), 12, '0')"
        )
        day = f"(DATE '{today.isoformat()}' - (s.i / {PER_DAY}))"
        at = f"CAST({day} AS timestamp)"
        blob = "BYTEA"
    update = "s.i % 8 = 1"  # an update of the report just before it (same day, same area)
    red = "s.i % 50 = 7"
    first = f"(s.i - CASE WHEN {update} THEN 1 ELSE 0 END)"  # the flash an update follows
    area = f"(SELECT code FROM bench_areas WHERE j = {first} % {len(AREAS)})"  # noqa: S608
    params = {"lo": start, "hi": stop - 1, "a": orgs[0], "b": orgs[1], "c": orgs[2]}
    with engine.begin() as conn:
        conn.execute(
            text(
                f"{series}INSERT INTO reports (id, header_version, type, stage, incident_id, "  # noqa: S608 (constants)
                "originator_id, signer_key_version, anonymous, show_kind, area_code, category, "
                "severity, occurred_on, reported_at, tlp, audience, level, body_schema, digest, "
                "created_at) "
                f"SELECT {rid}, 1, 'incident', CASE WHEN {update} THEN 'update' ELSE 'flash' END, "
                f"CASE WHEN {update} THEN {flash} END, :a, 1, false, false, {area}, "
                f"{_case(CATEGORIES, first)}, "
                f"{_case(SEVERITIES, 's.i / 3')}, {day}, {at}, "
                f"CASE WHEN {red} THEN 'red' ELSE 'amber' END, '{{}}', 'normal', 'incident/1', "
                f"'bench', {at} FROM {source}"
            ),
            params,
        )
        wraps = (
            "INSERT INTO report_wraps (report_id, organisation_id, listed_at, wrap, granted_by, "
            "added_at) "
        )
        for who, where in ((":a", ""), (":b", ""), (":c", f" WHERE NOT ({red})")):
            conn.execute(
                text(
                    f"{series}{wraps}SELECT {rid}, {who}, {at}, CAST('w' AS {blob}), "  # noqa: S608 (constants)
                    f"'publication', {at} FROM {source}{where}"
                ),
                params,
            )
    filled = fill_counts(engine)
    if not sqlite:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE reports"))
            conn.execute(text("VACUUM ANALYZE report_wraps"))
    return filled


def _time(
    engine: Engine, organisation: str, period: Period, rounds: int
) -> tuple[float, float, int]:
    factory = make_session_factory(engine, signer=None)
    with factory() as session:
        tree = as_tree(areas.policy_areas(session))
        codes = sorted(tree.subtree("CD61"))
        children = fold_children("CD61", codes, {c: tree.lineage(c) for c in codes})
        samples = []
        total = 0
        for _ in range(rounds + 3):
            started = time.perf_counter()
            figures = area_figures(
                session,
                code="CD61",
                codes=codes,
                children=children,
                period=period,
                organisation_id=organisation,
            )
            samples.append(time.perf_counter() - started)
            total = figures.total
        p50, p95 = percentiles(samples[3:])
    return p50, p95, total


def _plan(engine: Engine, organisation: str, period: Period) -> str:
    with engine.connect() as conn:
        codes = [c for c in AREAS if c.startswith("CD61")]
        statement = incident_counts(codes, period, organisation).compile(
            dialect=engine.dialect, compile_kwargs={"literal_binds": True}
        )
        prefix = "EXPLAIN QUERY PLAN" if engine.dialect.name == "sqlite" else "EXPLAIN"
        return "\n".join(str(row[-1]) for row in conn.execute(text(f"{prefix} {statement}")))


def run(kind: str, sizes: list[int], rounds: int) -> None:
    today = dt.datetime.now(dt.UTC).date()
    week = Period.last_days(today)
    quarter = Period.last_days(today, 90)
    with (
        tempfile.TemporaryDirectory(prefix="slthub-bench-") as tmp,
        _database(kind, Path(tmp)) as url,
    ):
        engine, orgs = _setup(url)
        done = 0
        try:
            for size in sizes:
                grow = time.perf_counter()
                filled = _grow(engine, start=done, stop=size, today=today, orgs=orgs)
                print(
                    f"[{kind}] {size:>8,} reports ({size // PER_DAY:,} days): grown "
                    f"{size - done:,} in {time.perf_counter() - grow:.1f} s "
                    f"(of which counts filled over all {size:,}, migration 0025: {filled:.1f} s)"
                )
                done = size
                for label, period in (("last 7 days", week), ("last 90 days", quarter)):
                    p50, p95, total = _time(engine, orgs[1], period, rounds)
                    print(
                        f"[{kind}] {size:>8,}  {label:<13} {total:>6,} incidents  "
                        f"p50 {p50:7.2f} ms  p95 {p95:7.2f} ms"
                    )
            print(f"[{kind}] plan of the count (last 7 days) at {sizes[-1]:,}:")
            print(_plan(engine, orgs[1], week))
        finally:
            engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    parser.add_argument("--sizes", help="comma-separated report counts (default 10k,100k,1M)")
    parser.add_argument("--db", default="sqlite,postgresql", help="sqlite, postgresql or both")
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    sizes = (
        sorted(int(s.replace("_", "")) for s in args.sizes.split(","))
        if args.sizes
        else list(DEFAULT_SIZES)
    )
    rounds = 10 if args.quick else args.rounds
    print(f"python {sys.version.split()[0]}; sizes {sizes}; {rounds} rounds a figure")
    for kind in args.db.split(","):
        run(kind.strip(), sizes, rounds)


if __name__ == "__main__":
    main()
