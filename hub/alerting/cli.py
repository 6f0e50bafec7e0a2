"""`slthub liaison …` and `slthub alerts …`: designations and the delivery log at the console."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from hub.cli_common import (
    Console,
    DataDirOpt,
    DbOpt,
    JsonOpt,
    member_actor,
)

liaison_app = typer.Typer(no_args_is_help=True, help="Liaison designations (who gets alerts).")
alerts_app = typer.Typer(no_args_is_help=True, help="Alert deliveries: the log, a sweep now.")


@liaison_app.command("set")
def liaison_set(
    email: Annotated[str, typer.Argument(help="the member designated")],
    area: Annotated[list[str], typer.Option("--area", help="area code (repeat)")],
    phrase: Annotated[str, typer.Option("--phrase", help="anti-phishing phrase")],
    min_severity: Annotated[str, typer.Option("--min-severity")] = "minor",
    report_type: Annotated[list[str] | None, typer.Option("--type", help="repeat")] = None,
    alert_email: Annotated[str | None, typer.Option("--email", help="other address")] = None,
    sms: Annotated[str | None, typer.Option("--sms", help="E.164 phone number")] = None,
    language: Annotated[str, typer.Option("--language")] = "fr",
    timezone: Annotated[str, typer.Option("--timezone")] = "UTC",
    quiet: Annotated[str | None, typer.Option("--quiet", help="HH:MM-HH:MM local")] = None,
    deputy: Annotated[list[str] | None, typer.Option("--deputy", help="email (repeat)")] = None,
    db: DbOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Designate a member for the given areas (replaces their designation)."""
    from hub.alerting import service
    from hub.alerting.schemas import ChannelsIn, LiaisonSet, QuietHoursIn
    from hub.db import utcnow

    cli = Console(db, data_dir, as_json)
    out = cli.out
    channels: dict[str, Any] = {"email": alert_email}
    if sms:
        channels["sms"] = sms
    quiet_hours = None
    if quiet:
        start, _, end = quiet.partition("-")
        quiet_hours = QuietHoursIn(start=start, end=end)
    try:
        body = LiaisonSet(
            areas=area,
            min_severity=min_severity,  # type: ignore[arg-type]
            report_types=report_type or [],  # type: ignore[arg-type]
            channels=ChannelsIn(**channels),
            language=language,  # type: ignore[arg-type]
            timezone=timezone,
            quiet_hours=quiet_hours,
            anti_phishing_phrase=phrase,
            deputies=deputy or [],
        )
    except ValueError as exc:
        out.fail(str(exc))
    with cli.session() as session:
        read = service.set_designation(
            session, actor=member_actor(session, email), data=body, now=utcnow()
        )
    waiting = [c.address for c in read.contacts if not c.confirmed]
    text = f"{email}: liaison for {', '.join(read.areas)} by {', '.join(read.channels)}"
    if waiting:
        text += f"\nwaiting for confirmation: {', '.join(waiting)}"
    out.done(read.model_dump(mode="json"), text)


@liaison_app.command("show")
def liaison_show(
    email: str, db: DbOpt = None, data_dir: DataDirOpt = None, as_json: JsonOpt = False
) -> None:
    from hub.alerting import service

    cli = Console(db, data_dir, as_json)
    out = cli.out
    with cli.session() as session:
        read = service.get_designation(session, actor=member_actor(session, email))
    contacts = ", ".join(
        f"{c.channel} {c.address} ({'confirmed' if c.confirmed else 'unconfirmed'})"
        for c in read.contacts
    )
    out.done(
        read.model_dump(mode="json"),
        f"{email}: areas {', '.join(read.areas)}; from {read.min_severity}; {contacts}",
    )


@liaison_app.command("confirm-sms")
def liaison_confirm_sms(
    email: str, code: str, db: DbOpt = None, data_dir: DataDirOpt = None, as_json: JsonOpt = False
) -> None:
    from hub.alerting import service
    from hub.db import utcnow

    cli = Console(db, data_dir, as_json)
    out = cli.out
    with cli.session() as session:
        read = service.confirm_phone(
            session, actor=member_actor(session, email), code=code, now=utcnow()
        )
    out.done(read.model_dump(mode="json"), f"{email}: phone confirmed")


@alerts_app.command("log")
def alerts_log(
    liaison: Annotated[str | None, typer.Option("--liaison", help="email")] = None,
    event: Annotated[str | None, typer.Option("--event", help="alert (event) id")] = None,
    db: DbOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Every delivery (newest first) of a liaison or of an alert: state, attempts, error."""
    from hub.actors import CONSOLE
    from hub.alerting import service

    cli = Console(db, data_dir, as_json)
    out = cli.out
    with cli.session() as session:
        rows = service.deliveries(session, actor=CONSOLE, liaison_email=liaison, event_id=event)
    lines = [
        f"{r.due_at:%Y-%m-%d %H:%M} {r.kind:<16} step {r.step} {r.channel:<5} {r.status:<9} "
        f"tries {r.attempts} {r.last_error or ''}".rstrip()
        for r in rows
    ]
    out.done(
        {"deliveries": [r.model_dump(mode="json") for r in rows]},
        "\n".join(lines) or "no deliveries",
    )


@alerts_app.command("dispatch")
def alerts_dispatch(
    db: DbOpt = None, data_dir: DataDirOpt = None, as_json: JsonOpt = False
) -> None:
    """Run one dispatch sweep now (plan new events, send what is due), then exit."""
    from hub.alerting.wiring import build_dispatcher
    from hub.db import make_engine, make_session_factory
    from hub.keystore import load_hub_keys

    cli = Console(db, data_dir, as_json)
    out = cli.out
    settings = cli.settings
    engine = make_engine(settings.database_url)
    try:
        sessions = make_session_factory(engine, signer=load_hub_keys(settings.hub_keys_path))
        dispatcher = build_dispatcher(settings, sessions)
        stats = dispatcher.run_once()
        dispatcher.channels.close()
    finally:
        engine.dispose()
    data = dict(stats.__dict__)
    out.done(data, ", ".join(f"{k} {v}" for k, v in data.items()))
