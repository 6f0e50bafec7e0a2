"""`slthub report …` (and `slthub policy explain`): reports from the command line.

Register with `app.add_typer(report_app, name="report")` and
`policy_app.command("explain")(explain_command)` in hub/cli.py (done there).

Submitting needs a member's passphrase (on stdin with --passphrase-stdin): the report is
signed with the organisation's keys, which only a member can open — the operator's access
to the database opens nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from hub.cli_common import (
    Console,
    DataDirOpt,
    DbOpt,
    JsonOpt,
    read_secret,
)

app = typer.Typer(no_args_is_help=True, help="Reports: submit, purge by retention, explain.")


@app.command("submit")
def submit(
    file: Annotated[
        Path, typer.Argument(help="the report as JSON, as POST /api/v1/reports takes it")
    ],
    as_email: Annotated[str, typer.Option("--as", help="the focal point who submits it")],
    passphrase_stdin: Annotated[
        bool, typer.Option("--passphrase-stdin", help="read the passphrase from stdin")
    ] = False,
    idempotency_key: Annotated[
        str | None, typer.Option("--idempotency-key", help="retrying with the same key is safe")
    ] = None,
    db: DbOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    from hub.actors import Actor
    from hub.members.service import find_member, unlock_with_passphrase
    from hub.policy import policy_from_settings
    from hub.reports import service
    from hub.reports.schemas import ReportCreate

    cli = Console(db, data_dir, as_json)
    out = cli.out
    settings = cli.settings
    try:
        report_in = ReportCreate.model_validate(json.loads(file.read_text(encoding="utf-8")))
    except (OSError, ValueError, ValidationError) as exc:
        out.fail(f"{file}: {exc}")
    passphrase = read_secret("Passphrase", from_stdin=passphrase_stdin)
    with cli.session() as session:
        member = find_member(session, as_email)
        keys = unlock_with_passphrase(session, member, passphrase)
        actor = Actor(label=member.email, member=member, member_keys=keys)
        published = service.submit_report(
            session,
            actor=actor,
            report_in=report_in,
            policy=policy_from_settings(settings),
            data_dir=settings.data_dir,
            idempotency_key=idempotency_key,
        )
        out.done(
            {
                "id": published.report.id,
                "recipients": published.recipients,
                "level": published.level,
                "created": published.created,
                "not_reached": published.not_reached,
            },
            f"report {published.report.id} sealed to {len(published.recipients)} "
            f"organisation(s) ({published.level} cooperation)"
            + ("" if published.created else "; it had already been submitted with this key")
            + (
                f"; not sealed to {', '.join(published.not_reached)} (unknown, not approved, "
                "or no keys yet)"
                if published.not_reached
                else ""
            ),
        )


@app.command("purge")
def purge(db: DbOpt = None, data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
    """Shred reports past the retention the policy file gives their type."""
    from hub.db import utcnow
    from hub.policy import policy_from_settings
    from hub.reports import service

    cli = Console(db, data_dir, as_json)
    out = cli.out
    settings = cli.settings
    with cli.session() as session:
        purged = service.purge_expired(
            session,
            now=utcnow(),
            policy=policy_from_settings(settings),
            data_dir=settings.data_dir,
        )
        out.done({"purged": purged}, f"{len(purged)} report(s) shredded by retention")


def explain_command(
    report: Annotated[str, typer.Option("--report", help="report id")],
    org: Annotated[str, typer.Option("--org", help="organisation id")],
    lang: Annotated[str, typer.Option("--lang", help="fr or en")] = "en",
    db: DbOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Why an organisation can, or cannot, read a report."""
    from hub.consents.service import explain_for_console
    from hub.policy import policy_from_settings

    cli = Console(db, data_dir, as_json)
    out = cli.out
    settings = cli.settings
    with cli.session() as session:
        can_read, lines, text = explain_for_console(
            session,
            report_id=report,
            organisation_id=org,
            policy=policy_from_settings(settings),
            lang="fr" if lang == "fr" else "en",
        )
        out.done({"can_read": can_read, "reasons": lines, "explanation": text}, text)


app.command("explain")(explain_command)
