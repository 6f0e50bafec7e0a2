"""`slthub area …`: areas (P-codes) from the command line — import a boundary dataset, list
areas with their risk and level, set an area's risk and confirm a change that needs a second
person.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hub.actors import CONSOLE
from hub.cli_common import Console, DataDirOpt, DbOpt, JsonOpt, member_actor

area_app = typer.Typer(no_args_is_help=True, help="Areas (P-codes), their risk and level.")


@area_app.command("import")
def area_import(
    file: Annotated[Path, typer.Argument(help="CSV (code,name,parent[,kind,…]) or GeoJSON")],
    dataset: Annotated[
        str | None, typer.Option("--dataset", help="boundary dataset and version")
    ] = None,
    db: DbOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import areas, all or nothing: any bad line or feature imports nothing."""
    from hub.areas import service
    from hub.areas.importing import parse_file

    cli = Console(db, data_dir, as_json)
    out = cli.out
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        out.fail(f"cannot read {file}: {exc}")
    parsed = parse_file(file.name, text)
    with cli.session() as session:
        try:
            result = service.import_areas(
                session, actor=CONSOLE, parsed=parsed, dataset=dataset or file.name
            )
        except service.ImportRejected as exc:
            problems = [str(p) for p in exc.problems]
            out.fail(
                f"{file}: nothing imported.\n" + "\n".join(f"  {p}" for p in problems),
                problems=problems,
            )
    out.done(
        result.model_dump(),
        f"{file}: {result.created} areas created, {result.updated} updated",
    )


@area_app.command("list")
def area_list(db: DbOpt = None, data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
    """Every area with its effective risk and cooperation level."""
    from hub.areas import service
    from hub.db import utcnow
    from hub.policy import policy_from_settings

    cli = Console(db, data_dir, as_json)
    out = cli.out
    settings = cli.settings
    with cli.session() as session:
        rows = service.list_areas(session, at=utcnow(), policy=policy_from_settings(settings))
    out.done(
        {"areas": [r.model_dump(mode="json") for r in rows]},
        "\n".join(
            f"{r.code:<12} {r.risk.value:<12} {r.level.value:<8}{' NO-GO' if r.no_go else ''}"
            f"  {r.name}"
            for r in rows
        )
        or "no areas: import some with `slthub area import FILE`",
    )


@area_app.command("set-risk")
def area_set_risk(
    code: Annotated[str, typer.Argument(help="area code")],
    risk: Annotated[str, typer.Argument(help="very_low|low|medium|high|very_high|unacceptable")],
    reason: Annotated[str, typer.Option("--reason", help="why (shown in the area's history)")],
    by: Annotated[str, typer.Option("--by", help="email of the coordinator")],
    expires_at: Annotated[
        str | None,
        typer.Option("--expires-at", help="ISO time with zone; a temporary raise falls back then"),
    ] = None,
    db: DbOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Set an area's risk. Leaving enhanced waits for a second coordinator."""
    import datetime as dt

    from hub.areas import service
    from hub.areas.schemas import RiskPending
    from hub.db import utcnow
    from hub.policy import policy_from_settings
    from policies.vocabulary import Risk

    cli = Console(db, data_dir, as_json)
    out = cli.out
    try:
        risk_value = Risk(risk)
    except ValueError:
        out.fail(f"unknown risk {risk!r}: one of {', '.join(r.value for r in Risk)}")
    try:
        expiry = dt.datetime.fromisoformat(expires_at) if expires_at else None
    except ValueError:
        out.fail(f"--expires-at {expires_at!r} is not an ISO time (2026-12-01T18:00+01:00)")
    settings = cli.settings
    with cli.session() as session:
        result = service.set_risk(
            session,
            actor=member_actor(session, by),
            code=code,
            risk=risk_value,
            reason=reason,
            expires_at=expiry,
            now=utcnow(),
            policy=policy_from_settings(settings),
        )
    if isinstance(result, RiskPending):
        out.done(
            result.model_dump(mode="json"),
            f"{code}: awaiting a second coordinator. They confirm with\n"
            f"  slthub area confirm {result.change_id} --by THEIR_EMAIL",
        )
    else:
        out.done(
            result.model_dump(mode="json"),
            f"{code}: risk {result.risk.value}, {result.level.value} cooperation",
        )


@area_app.command("confirm")
def area_confirm(
    change_id: Annotated[str, typer.Argument(help="the id printed by set-risk")],
    by: Annotated[str, typer.Option("--by", help="email of another coordinator")],
    db: DbOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Confirm a risk change that takes an area out of enhanced cooperation."""
    from hub.areas import service
    from hub.db import utcnow
    from hub.policy import policy_from_settings

    cli = Console(db, data_dir, as_json)
    out = cli.out
    settings = cli.settings
    with cli.session() as session:
        result = service.confirm_risk_change(
            session,
            actor=member_actor(session, by),
            change_id=change_id,
            now=utcnow(),
            policy=policy_from_settings(settings),
        )
    out.done(
        result.model_dump(mode="json"),
        f"{result.code}: risk {result.risk.value}, {result.level.value} cooperation",
    )
