"""`slthub audit verify`: walk the audit chain and name the first entry that was altered, is
missing or out of order, or a head signed by another key (exit 1).
"""

from __future__ import annotations

import typer

from hub.cli_common import Console, DataDirOpt, DbOpt, JsonOpt

audit_app = typer.Typer(no_args_is_help=True, help="The audit log.")


@audit_app.command("verify")
def audit_verify(db: DbOpt = None, data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
    """Check the audit chain; exit 1 at the first broken link."""
    from hub.audit import service
    from hub.keystore import load_hub_keys

    cli = Console(db, data_dir, as_json)
    out = cli.out
    settings = cli.settings
    with cli.session() as session:
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
