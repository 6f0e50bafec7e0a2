"""`slthub org …`: partner organisations from the command line — create, approve, suspend,
list, and rotate an organisation's keys (with the passphrase of a member who holds them).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hub.actors import CONSOLE
from hub.cli_common import Console, DataDirOpt, DbOpt, JsonOpt, read_secret

org_app = typer.Typer(no_args_is_help=True, help="Partner organisations.")


@org_app.command("create")
def org_create(
    name: str,
    kind: Annotated[str, typer.Option(help="un, ingo, io, ngo or other")],
    approve: Annotated[bool, typer.Option("--approve", help="approve it at once")] = False,
    db: DbOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create an organisation (pending unless --approve). Prints its id."""
    from hub.organisations import service
    from hub.organisations.models import OrganisationKind

    cli = Console(db, data_dir, as_json)
    out = cli.out
    try:
        kind_value = OrganisationKind(kind)
    except ValueError:
        out.fail(
            f"unknown kind {kind!r}: use one of {', '.join(k.value for k in OrganisationKind)}"
        )
    with cli.session() as session:
        org = service.create_organisation(
            session, actor=CONSOLE, name=name, kind=kind_value, approve=approve
        )
        out.done(
            {"id": org.id, "name": org.name, "kind": org.kind.value, "status": org.status.value},
            org.id,
        )


def _org_decision(
    ref: str, db: str | None, data_dir: Path | None, as_json: bool, approve: bool
) -> None:
    from hub.organisations import service

    cli = Console(db, data_dir, as_json)
    out = cli.out
    with cli.session() as session:
        org = service.find_organisation(session, ref)
        decide = service.approve_organisation if approve else service.suspend_organisation
        org = decide(session, actor=CONSOLE, organisation_id=org.id)
        out.done(
            {"id": org.id, "name": org.name, "status": org.status.value},
            f"{org.name}: {org.status.value}",
        )


@org_app.command("approve")
def org_approve(
    organisation: Annotated[str, typer.Argument(help="id or exact name")],
    db: DbOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Approve a pending (or suspended) organisation."""
    _org_decision(organisation, db, data_dir, as_json, approve=True)


@org_app.command("suspend")
def org_suspend(
    organisation: Annotated[str, typer.Argument(help="id or exact name")],
    db: DbOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Suspend an organisation: it receives nothing new."""
    _org_decision(organisation, db, data_dir, as_json, approve=False)


@org_app.command("list")
def org_list(db: DbOpt = None, data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
    """List organisations."""
    from hub.organisations import service

    cli = Console(db, data_dir, as_json)
    out = cli.out
    with cli.session() as session:
        orgs = service.list_organisations(session)
        out.done(
            {"organisations": [o.model_dump(mode="json") for o in orgs]},
            "\n".join(f"{o.id}  {o.status.value:<9} {o.kind.value:<5} {o.name}" for o in orgs)
            or "no organisations",
        )


@org_app.command("rotate-keys")
def org_rotate_keys(
    organisation: Annotated[str, typer.Argument(help="id or exact name")],
    by: Annotated[str, typer.Option("--by", help="email of a member who holds the keys")],
    password_stdin: Annotated[bool, typer.Option("--password-stdin")] = False,
    db: DbOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """New organisation keys, re-wrapped for every member who still holds a grant
    (after removing a member). Prints the new recovery code once."""
    from hub.actors import Actor
    from hub.members import service as members
    from hub.organisations import service

    cli = Console(db, data_dir, as_json)
    out = cli.out
    passphrase = read_secret(f"passphrase of {by}", from_stdin=password_stdin)
    with cli.session() as session:
        org = service.find_organisation(session, organisation)
        member = members.find_member(session, by)
        if member.organisation_id != org.id:
            out.fail(f"{by} is not a member of {org.name}")
        keys = members.unlock_with_passphrase(session, member, passphrase)
        current = members.organisation_keys_for(session, member=member, keys=keys)
        result = service.rotate_keys(
            session,
            actor=Actor(label=member.email, member=member, member_keys=keys),
            organisation=org,
            current_keys=current,
        )
        out.done(
            {
                "id": org.id,
                "key_version": org.key_version,
                "fingerprint": result.fingerprint,
                "recovery_code": result.recovery_code,
            },
            f"{org.name}: new keys (version {org.key_version})\n"
            f"fingerprint:   {result.fingerprint}\n"
            f"recovery code: {result.recovery_code}\n"
            "Write the recovery code down and keep it offline; it is not shown again.",
        )
