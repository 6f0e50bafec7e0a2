"""`slthub backup FILE` and `slthub restore FILE`: parse, call hub/backup/service.py, print.

Registered in hub/cli.py with `app.command("backup")(backup_command)` and
`app.command("restore")(restore_command)`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hub.cli_common import Console, DataDirOpt, DbOpt, JsonOpt
from hub.errors import HubError


def _size(n: int) -> str:
    if n < 1000:
        return f"{n} B"
    value = float(n)
    for unit in ("kB", "MB"):
        value /= 1000
        if value < 1000:
            return f"{value:.1f} {unit}"
    return f"{value / 1000:.1f} GB"


COUNT_ORDER = ("organisations", "members", "reports", "audit_entries", "attachments")


def _counts(counts: dict[str, int]) -> str:
    names = [n for n in COUNT_ORDER if n in counts] + sorted(set(counts) - set(COUNT_ORDER))
    return ", ".join(f"{name.replace('_', ' ')}: {counts[name]}" for name in names)


def backup_command(
    file: Annotated[Path, typer.Argument(help="the archive to write (.tar.gz); must not exist")],
    include_hub_keys: Annotated[
        bool,
        typer.Option(
            "--include-hub-keys",
            help="also archive the hub's own keys and secrets (whoever holds the archive "
            "can then sign as the hub)",
        ),
    ] = False,
    db: DbOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write one archive (tar, gzip) of the database and the sealed attachments, safe to run
    while the hub serves. The hub's keys stay out unless --include-hub-keys."""
    from hub.backup.service import KEY_FILES, create_backup

    cli = Console(db, data_dir, as_json)
    out = cli.out
    settings = cli.settings
    try:
        result = create_backup(settings, destination=file, include_hub_keys=include_hub_keys)
    except HubError as exc:
        out.fail(exc.message)
    data = result.as_dict()
    if result.hub_keys_included:
        warning = (
            f"this archive holds the hub's own keys ({', '.join(result.key_files)}): whoever "
            "obtains it can sign as the hub (audit chain, alert emails). Keep it as carefully "
            "as the keys themselves, not with the ordinary backups."
        )
    else:
        warning = (
            f"not in this archive: the hub's own keys ({', '.join(KEY_FILES)} in "
            f"{settings.data_dir}). Keep a copy of them apart from the backups: a restore "
            "needs hub-keys, and whoever holds both could sign as the hub."
        )
    data["warnings"] = [warning, *result.warnings]
    lines = [
        f"backup written: {result.file}",
        f"  {_size(result.size)}, sha256 {result.sha256}",
        f"  {result.kind} database at revision {result.revision}",
        f"  {_counts(result.counts)}",
        f"  took {result.seconds:.2f} s",
    ]
    out.done(data, "\n".join(lines))
    if not as_json:
        for text in data["warnings"]:
            typer.echo(("warning: " if result.hub_keys_included else "") + text, err=True)


def restore_command(
    file: Annotated[Path, typer.Argument(help="an archive written by `slthub backup`")],
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="replace a database that holds organisations, and hub keys that differ",
        ),
    ] = False,
    db: DbOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Check the archive, then restore the database, attachments (and hub keys if archived)
    into an empty hub, migrate to this hub's version and verify the audit chain. Stop the
    hub's services first."""
    from hub.backup.service import RestoreIncomplete, restore_backup

    cli = Console(db, data_dir, as_json)
    out = cli.out
    settings = cli.settings
    try:
        result = restore_backup(settings, archive=file, force=force)
    except RestoreIncomplete as exc:
        out.fail(exc.message)
    except HubError as exc:
        out.fail(f"{exc.message}\nNothing was restored.")
    data = result.as_dict()
    audit = result.audit
    lines = [
        f"restored {result.file} (made {result.backup_created_at} by hub "
        f"{result.backup_hub_version})",
        f"  {result.kind} database: revision {result.restored_revision}, migrated to "
        f"{result.revision}",
        f"  {_counts(result.counts)}",
        f"  hub keys: {result.hub_keys}",
    ]
    if result.created_files:
        lines.append(
            f"  created: {', '.join(result.created_files)}; if you keep your own, put them "
            f"back in {settings.data_dir}"
        )
    if not audit.ok:
        out.fail(
            "\n".join(lines) + f"\naudit chain broken at entry {audit.first_bad}: {audit.problem}",
            **data,
        )
    lines.append(f"audit chain intact: {audit.entries} entries")
    out.done(data, "\n".join(lines))
