"""The `slthub` command (Typer: typed options, generated help, and a test runner built in).

Every command takes `--db URL` and `--json`. Errors print a sentence a person can act on
and exit 1; `--json` prints one object either way, for scripts. This module keeps what is no
domain's (init, serve, demo, policy check, bench) and adds each domain's commands from its
cli.py (org, user, audit, area, report, liaison, alerts, backup), all built on
`hub.cli_common.Console`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from hub.actors import CONSOLE
from hub.alerting.cli import alerts_app, liaison_app
from hub.areas.cli import area_app as area_app
from hub.audit.cli import audit_app as audit_app
from hub.backup.cli import backup_command, restore_command
from hub.cli_common import Console, DataDirOpt, DbOpt, JsonOpt, Out
from hub.config import Settings
from hub.members.cli import user_app as user_app
from hub.organisations.cli import org_app as org_app
from hub.reports.cli import app as report_app
from hub.reports.cli import explain_command

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="SLT Hub: encrypted security-information sharing.",
)
app.add_typer(org_app, name="org")
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")


def initialise(settings: Settings) -> dict[str, Any]:
    """Migrate the database and create the hub's keys; safe to run again."""
    from hub.alerting.wiring import ensure_alert_files
    from hub.audit import service as audit
    from hub.audit.models import AuditAction
    from hub.db import make_engine, make_session_factory
    from hub.keystore import create_hub_keys
    from hub.migrations import upgrade

    upgrade(settings.database_url)
    keys, created = create_hub_keys(settings.hub_keys_path)
    alert_files = ensure_alert_files(settings)
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine, signer=keys)() as session:
            if created:
                audit.record(
                    session,
                    action=AuditAction.HUB_INIT,
                    actor=CONSOLE.label,
                    details={"hub_public_key": keys.public_bytes().hex()},
                )
                session.commit()
    finally:
        engine.dispose()
    return {
        "database": settings.database_url,
        "hub_keys": str(settings.hub_keys_path),
        "hub_keys_created": created,
        "hub_public_key": keys.public_bytes().hex(),
        **alert_files,
    }


@app.command()
def init(db: DbOpt = None, data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
    """Create or migrate the database (Alembic) and create the hub's own keys."""
    cli = Console(db, data_dir, as_json)
    out = cli.out
    result = initialise(cli.settings)
    state = "created" if result["hub_keys_created"] else "kept"
    out.done(
        result,
        f"database ready: {result['database']}\nhub keys: {result['hub_keys']} ({state})",
    )


def _serve(
    settings: Settings,
    host: str,
    port: int,
    out: Out,
    *,
    scheduler: bool = False,
    workers: int = 1,
) -> None:
    import uvicorn

    from hub.app import SecretsMissing, create_app

    try:
        application = create_app(settings)
    except SecretsMissing as exc:
        if out.as_json:
            out.fail("the hub will not start without its secrets", missing=exc.missing)
        out.fail("the hub will not start without:\n  - " + "\n  - ".join(exc.missing))
    if workers > 1:
        _serve_workers(settings, host, port, scheduler=scheduler, workers=workers)
        return
    if scheduler:
        from hub.alerting.wiring import attach_scheduler

        attach_scheduler(application)
    uvicorn.run(application, host=host, port=port, log_level="info", proxy_headers=True)


def worker_app() -> Any:
    """The app of one `slthub serve --workers N` worker process: its settings come from the
    environment, which the parent filled from its own options (uvicorn starts workers by
    import string)."""
    from hub.app import create_app

    return create_app(Settings())


def _serve_workers(
    settings: Settings, host: str, port: int, *, scheduler: bool, workers: int
) -> None:
    """N uvicorn worker processes, and the scheduler in exactly one process of its own (as
    `--scheduler-only` runs it), stopped with them. PostgreSQL only: SQLite serialises
    writers in one file, so several processes would only queue on its lock."""
    import multiprocessing
    import os

    import uvicorn

    from hub.alerting.wiring import run_scheduler_only

    os.environ["SLTHUB_DATABASE_URL"] = settings.database_url
    os.environ["SLTHUB_DATA_DIR"] = str(settings.data_dir)
    planner = None
    if scheduler:
        planner = multiprocessing.get_context("spawn").Process(
            target=run_scheduler_only, args=(settings,), name="slthub-scheduler"
        )
        planner.start()
    try:
        uvicorn.run(
            "hub.cli:worker_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="info",
            proxy_headers=True,
        )
    finally:
        if planner is not None:
            planner.terminate()
            planner.join(30)


@app.command()
def serve(
    db: DbOpt = None,
    data_dir: DataDirOpt = None,
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    no_scheduler: Annotated[bool, typer.Option("--no-scheduler")] = False,
    scheduler_only: Annotated[bool, typer.Option("--scheduler-only")] = False,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            help="web worker processes (PostgreSQL only above 1); the scheduler runs in one "
            "process of its own",
        ),
    ] = 1,
    as_json: JsonOpt = False,
) -> None:
    """Serve the web pages and the API, and run the scheduler (alert dispatch, escalations,
    digests, risk expiry…) unless --no-scheduler; --scheduler-only runs the scheduler alone."""
    cli = Console(db, data_dir, as_json)
    out = cli.out
    if scheduler_only and no_scheduler:
        out.fail("--scheduler-only and --no-scheduler contradict each other", code=2)
    settings = cli.settings
    if workers > 1 and not settings.database_url.startswith("postgresql"):
        out.fail(
            "--workers above 1 needs PostgreSQL: SQLite serialises writers in one file, so "
            "several processes would only queue on its lock. Serve with one worker, or move "
            "to PostgreSQL (docs/operator-guide.md).",
            code=2,
        )
    if scheduler_only:
        from hub.alerting.wiring import run_scheduler_only

        run_scheduler_only(settings)
        return
    _serve(settings, host, port, out, scheduler=not no_scheduler, workers=workers)


@app.command()
def demo(
    db: DbOpt = None,
    data_dir: DataDirOpt = None,
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="set up, print, exit")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Initialise var/, create demo organisations and people, print their logins, serve."""
    from hub.demo import DEMO_WARNING, format_logins, populate

    cli = Console(db, data_dir, as_json, demo=True)
    out = cli.out
    settings = cli.settings
    initialise(settings)
    with cli.session() as session:
        logins = populate(session, data_dir=settings.data_dir)
    out.done(
        {"logins": logins, "url": f"http://{host}:{port}/"},
        f"{DEMO_WARNING}\n\n{format_logins(logins)}\n\nopen http://{host}:{port}/",
    )
    if not no_serve:
        _serve(settings, host, port, out, scheduler=True)


# --- backup, areas and policy -------------------------------------------------------------


app.command("backup")(backup_command)
app.command("restore")(restore_command)


policy_app = typer.Typer(no_args_is_help=True, help="The policy file and its decisions.")
app.add_typer(area_app, name="area")
app.add_typer(policy_app, name="policy")


app.add_typer(report_app, name="report")
policy_app.command("explain")(explain_command)


@policy_app.command("check")
def policy_check(
    file: Annotated[
        Path | None,
        typer.Argument(help="policy file (default: SLTHUB_POLICY_FILE, else the shipped one)"),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Validate a policy file; exit 1 with line-numbered errors."""
    from importlib import resources

    from policies import check_policy

    out = Out(as_json)
    path = file or Settings().policy_file
    try:
        text = (
            path.read_text(encoding="utf-8")
            if path
            else (resources.files("policies") / "default.toml").read_text(encoding="utf-8")
        )
    except (OSError, UnicodeDecodeError) as exc:
        out.fail(f"cannot read {path}: {exc}")
    name = str(path) if path else "policies/default.toml (shipped)"
    errors = check_policy(text)
    if errors:
        lines = [e.format(name) for e in errors]
        out.fail("\n".join(lines), errors=lines)
    out.done({"file": name, "ok": True}, f"{name}: valid")


app.add_typer(liaison_app, name="liaison")
app.add_typer(alerts_app, name="alerts")


# --- benchmarks --------------------------------------------------------------------------

BENCHMARKS = (
    "crypto",
    "policies",
    "hub",
    "reports",
    "alerts",
    "alerts_latency",
    "pages",
    "inbox",
    "load",
    "periodic",
    "audit",
    "chart",
)


@app.command("bench")
def bench(
    quick: Annotated[bool, typer.Option("--quick", help="fewer rounds, smaller loads")] = False,
    only: Annotated[
        list[str] | None, typer.Option("--only", help=f"one of {', '.join(BENCHMARKS)}")
    ] = None,
) -> None:
    """Print the benchmark figures (bench/): each benchmark in its own process, in turn."""
    import subprocess

    chosen = only or list(BENCHMARKS)
    unknown = [name for name in chosen if name not in BENCHMARKS]
    if unknown:
        typer.echo(
            f"error: unknown benchmark {', '.join(unknown)}: one of {', '.join(BENCHMARKS)}",
            err=True,
        )
        raise typer.Exit(2)
    failed = []
    for name in chosen:
        typer.echo(f"\n=== bench.{name} ===", err=False)
        # A fixed module list run with this interpreter: no shell, no user-given command.
        args = [sys.executable, "-m", f"bench.{name}", *(["--quick"] if quick else [])]
        if subprocess.run(args, check=False).returncode != 0:  # noqa: S603
            failed.append(name)
    if failed:
        typer.echo(f"error: benchmark(s) failed: {', '.join(failed)}", err=True)
        raise typer.Exit(1)


def main() -> None:
    app()
