"""The `slthub` command (Typer: typed options, generated help, and a test runner built in).

Every command takes `--db URL` and `--json`. Errors print a sentence a person can act on
and exit 1; `--json` prints one object either way, for scripts.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from hub.actors import CONSOLE
from hub.alerting.cli import alerts_app, liaison_app
from hub.backup.cli import backup_command, restore_command
from hub.cli_common import (
    DataDirOpt,
    DbOpt,
    JsonOpt,
    Out,
    member_actor,
    read_secret,
    session_for,
    settings_for,
)
from hub.config import Settings
from hub.reports.cli import app as report_app
from hub.reports.cli import explain_command

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="SLT Hub: encrypted security-information sharing.",
)
org_app = typer.Typer(no_args_is_help=True, help="Partner organisations.")
user_app = typer.Typer(no_args_is_help=True, help="Members of organisations.")
audit_app = typer.Typer(no_args_is_help=True, help="The audit log.")
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
    out = Out(as_json)
    result = initialise(settings_for(db, data_dir))
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
    out = Out(as_json)
    if scheduler_only and no_scheduler:
        out.fail("--scheduler-only and --no-scheduler contradict each other", code=2)
    settings = settings_for(db, data_dir)
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

    out = Out(as_json)
    settings = settings_for(db, data_dir, demo=True)
    initialise(settings)
    with session_for(settings, out) as session:
        logins = populate(session, data_dir=settings.data_dir)
    out.done(
        {"logins": logins, "url": f"http://{host}:{port}/"},
        f"{DEMO_WARNING}\n\n{format_logins(logins)}\n\nopen http://{host}:{port}/",
    )
    if not no_serve:
        _serve(settings, host, port, out, scheduler=True)


# --- organisations -----------------------------------------------------------------------


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

    out = Out(as_json)
    try:
        kind_value = OrganisationKind(kind)
    except ValueError:
        out.fail(
            f"unknown kind {kind!r}: use one of {', '.join(k.value for k in OrganisationKind)}"
        )
    with session_for(settings_for(db, data_dir), out) as session:
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

    out = Out(as_json)
    with session_for(settings_for(db, data_dir), out) as session:
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

    out = Out(as_json)
    with session_for(settings_for(db, data_dir), out) as session:
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

    out = Out(as_json)
    passphrase = read_secret(f"passphrase of {by}", from_stdin=password_stdin)
    with session_for(settings_for(db, data_dir), out) as session:
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


# --- members -----------------------------------------------------------------------------


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

    out = Out(as_json)
    try:
        roles = [Role(r) for r in role]
    except ValueError:
        out.fail(f"unknown role in {role}: use {', '.join(r.value for r in Role)}")
    try:
        email = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        out.fail(str(exc))
    passphrase = read_secret("passphrase", from_stdin=password_stdin, confirm=True)
    with session_for(settings_for(db, data_dir), out) as session:
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

    out = Out(as_json)
    if (by is None) == (not recovery_code):
        out.fail("give either --by EMAIL (their passphrase on stdin) or --recovery-code")
    with session_for(settings_for(db, data_dir), out) as session:
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

    out = Out(as_json)
    with session_for(settings_for(db, data_dir), out) as session:
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

    out = Out(as_json)
    passphrase = read_secret("new passphrase", from_stdin=password_stdin, confirm=True)
    with session_for(settings_for(db, data_dir), out) as session:
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

    out = Out(as_json)
    with session_for(settings_for(db, data_dir), out) as session:
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

    out = Out(as_json)
    with session_for(settings_for(db, data_dir), out) as session:
        rows = service.list_members(session, actor=CONSOLE)
        out.done(
            {"members": [m.model_dump(mode="json") for m in rows]},
            "\n".join(
                f"{m.email:<40} {m.organisation.name:<30} {m.keys:<12} {','.join(m.roles)}"
                for m in rows
            )
            or "no members",
        )


# --- audit -------------------------------------------------------------------------------


@audit_app.command("verify")
def audit_verify(db: DbOpt = None, data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
    """Check the audit chain; exit 1 at the first broken link."""
    from hub.audit import service
    from hub.keystore import load_hub_keys

    out = Out(as_json)
    settings = settings_for(db, data_dir)
    with session_for(settings, out) as session:
        # Kept for the operator's audit page too (its "last verification").
        result, _kept = service.verify_and_keep(
            session, hub_public=load_hub_keys(settings.hub_keys_path).public_bytes(), by="console"
        )
    if result.ok:
        out.done(result.as_dict(), f"audit chain intact: {result.entries} entries")
    else:
        out.fail(
            f"audit chain broken at entry {result.first_bad}: {result.problem}", **result.as_dict()
        )


app.command("backup")(backup_command)
app.command("restore")(restore_command)


# --- areas and policy ----------------------------------------------------------------------

area_app = typer.Typer(no_args_is_help=True, help="Areas (P-codes), their risk and level.")
policy_app = typer.Typer(no_args_is_help=True, help="The policy file and its decisions.")
app.add_typer(area_app, name="area")
app.add_typer(policy_app, name="policy")


app.add_typer(report_app, name="report")
policy_app.command("explain")(explain_command)


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

    out = Out(as_json)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        out.fail(f"cannot read {file}: {exc}")
    parsed = parse_file(file.name, text)
    with session_for(settings_for(db, data_dir), out) as session:
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

    out = Out(as_json)
    settings = settings_for(db, data_dir)
    with session_for(settings, out) as session:
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

    out = Out(as_json)
    try:
        risk_value = Risk(risk)
    except ValueError:
        out.fail(f"unknown risk {risk!r}: one of {', '.join(r.value for r in Risk)}")
    try:
        expiry = dt.datetime.fromisoformat(expires_at) if expires_at else None
    except ValueError:
        out.fail(f"--expires-at {expires_at!r} is not an ISO time (2026-12-01T18:00+01:00)")
    settings = settings_for(db, data_dir)
    with session_for(settings, out) as session:
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

    out = Out(as_json)
    settings = settings_for(db, data_dir)
    with session_for(settings, out) as session:
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
