"""`slthub user …`: members from the command line — create (the first member of an
organisation creates its keys and sees its recovery code once), grant the organisation's keys,
remove, reset a forgotten passphrase or a lost TOTP device, list.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from hub.actors import CONSOLE
from hub.cli_common import Console, DataDirOpt, DbOpt, JsonOpt, read_secret

user_app = typer.Typer(no_args_is_help=True, help="Members of organisations.")


@user_app.command("create")
def user_create(
    email: str,
    org: Annotated[str, typer.Option("--org", help="organisation id or exact name")],
    role: Annotated[
        list[str],
        typer.Option("--role", help="focal_point, liaison, coordinator, committee, operator"),
    ],
    name: Annotated[str | None, typer.Option("--name", help="display name")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin")] = False,
    db: DbOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a member. The first member of an organisation creates its keys."""
    from email_validator import EmailNotValidError, validate_email

    from hub.members import service
    from hub.members.models import Role
    from hub.organisations import service as organisations

    cli = Console(db, data_dir, as_json)
    out = cli.out
    try:
        roles = [Role(r) for r in role]
    except ValueError:
        out.fail(f"unknown role in {role}: use {', '.join(r.value for r in Role)}")
    try:
        email = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        out.fail(str(exc))
    passphrase = read_secret("passphrase", from_stdin=password_stdin, confirm=True)
    with cli.session() as session:
        organisation = organisations.find_organisation(session, org)
        created = service.create_member(
            session,
            actor=CONSOLE,
            organisation=organisation,
            email=email,
            display_name=name,
            roles=roles,
            passphrase=passphrase,
        )
        member = created.member
        data: dict[str, Any] = {
            "id": member.id,
            "email": member.email,
            "organisation": {"id": organisation.id, "name": organisation.name},
            "roles": [r.value for r in member.roles],
        }
        lines = [
            f"created {member.email} ({', '.join(data['roles'])}) in {organisation.name}",
            f"id: {member.id}",
        ]
        if created.recovery_code:
            data["recovery_code"] = created.recovery_code
            data["fingerprint"] = created.fingerprint
            lines += [
                f"{organisation.name} now has its keys. Fingerprint: {created.fingerprint}",
                f"Recovery code (shown once, keep it offline): {created.recovery_code}",
            ]
        else:
            lines.append(
                "This member holds no keys until a colleague runs "
                f"`slthub user grant {member.email} --by THEIR_EMAIL`."
            )
        if created.totp_uri:
            data["totp_secret"] = created.totp_uri
            lines += [
                f"Second factor (add to an authenticator app, shown once): {created.totp_uri}"
            ]
        out.done(data, "\n".join(lines))
        if created.totp_uri and not as_json and sys.stdout.isatty():
            import segno

            segno.make(created.totp_uri, error="m").terminal(compact=True)


@user_app.command("grant")
def user_grant(
    email: Annotated[str, typer.Argument(help="the member who receives the keys")],
    by: Annotated[str | None, typer.Option("--by", help="email of a member who holds them")] = None,
    recovery_code: Annotated[
        bool,
        typer.Option(
            "--recovery-code", help="read the organisation's recovery code instead of a passphrase"
        ),
    ] = False,
    password_stdin: Annotated[bool, typer.Option("--password-stdin")] = False,
    db: DbOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Give a member their organisation's keys (passphrase of --by read from stdin)."""
    from hub.members import service

    cli = Console(db, data_dir, as_json)
    out = cli.out
    if (by is None) == (not recovery_code):
        out.fail("give either --by EMAIL (their passphrase on stdin) or --recovery-code")
    with cli.session() as session:
        if recovery_code:
            code = read_secret("recovery code", from_stdin=password_stdin)
            wrap = service.grant_with_recovery_code(session, target_email=email, code=code)
        else:
            assert by is not None  # noqa: S101 (checked above)
            secret = read_secret(f"passphrase of {by}", from_stdin=password_stdin)
            wrap = service.grant_with_passphrase(
                session, target_email=email, granter_email=by, passphrase=secret
            )
        out.done(
            {"member_id": wrap.member_id, "keys": "granted", "key_version": wrap.key_version},
            f"{email} now holds the organisation's keys (version {wrap.key_version})",
        )


@user_app.command("remove")
def user_remove(
    email: str, db: DbOpt = None, data_dir: DataDirOpt = None, as_json: JsonOpt = False
) -> None:
    """Remove a member: their grant, sessions and key are deleted."""
    from hub.members import service

    cli = Console(db, data_dir, as_json)
    out = cli.out
    with cli.session() as session:
        member = service.find_member(session, email)
        service.remove_member(session, actor=CONSOLE, member_id=member.id)
        out.done(
            {"id": member.id, "status": "removed"},
            f"removed {email}. Run `slthub org rotate-keys` for their organisation in case "
            "they kept a copy of its keys.",
        )


@user_app.command("reset-passphrase")
def user_reset_passphrase(
    email: str,
    password_stdin: Annotated[bool, typer.Option("--password-stdin")] = False,
    db: DbOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A forgotten passphrase: new member key, so the member needs a new grant."""
    from hub.members import service

    cli = Console(db, data_dir, as_json)
    out = cli.out
    passphrase = read_secret("new passphrase", from_stdin=password_stdin, confirm=True)
    with cli.session() as session:
        member = service.reset_passphrase(
            session, actor=CONSOLE, email=email, passphrase=passphrase
        )
        out.done(
            {"id": member.id, "keys": "not_granted"},
            f"{email} has a new passphrase and a new key; a colleague must grant them "
            "the organisation's keys again.",
        )


@user_app.command("reset-totp")
def user_reset_totp(
    email: str, db: DbOpt = None, data_dir: DataDirOpt = None, as_json: JsonOpt = False
) -> None:
    """Turn a member's second factor off (lost phone, or one enrolled by someone else); their
    sessions end and they set up a new one after their next login."""
    from hub.members import service

    cli = Console(db, data_dir, as_json)
    out = cli.out
    with cli.session() as session:
        member = service.reset_totp(session, actor=CONSOLE, email=email)
        out.done(
            {"id": member.id, "totp": False},
            f"{email} has no second factor now and every session of theirs has ended. Roles "
            "that need one (coordinator, committee, operator) log in without a code until "
            "they enrol again at /account/totp: ask them to do it at once.",
        )


@user_app.command("list")
def user_list(db: DbOpt = None, data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
    """List active members."""
    from hub.members import service

    cli = Console(db, data_dir, as_json)
    out = cli.out
    with cli.session() as session:
        rows = service.list_members(session, actor=CONSOLE)
        out.done(
            {"members": [m.model_dump(mode="json") for m in rows]},
            "\n".join(
                f"{m.email:<40} {m.organisation.name:<30} {m.keys:<12} {','.join(m.roles)}"
                for m in rows
            )
            or "no members",
        )
