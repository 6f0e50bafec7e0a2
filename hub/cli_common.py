"""What every `slthub` command shares: the common options, and `Console`, the one helper that
gives a command its output (text or --json), its settings and database sessions. A module of
its own so that the domain CLIs (hub/<domain>/cli.py) import it at the top, without a cycle
through hub/cli.py."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from sqlalchemy.orm import Session

from hub.actors import Actor
from hub.auth.service import require_approved_organisation
from hub.config import Settings
from hub.errors import HubError

DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db", help="database URL (default: SLTHUB_DATABASE_URL, else sqlite:///var/hub.db)"
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="print one JSON object, for scripts")]
DataDirOpt = Annotated[
    Path | None, typer.Option("--data-dir", help="where the hub keeps its keys (SLTHUB_DATA_DIR)")
]


@dataclass
class Out:
    as_json: bool

    def done(self, data: dict[str, Any], text: str) -> None:
        if self.as_json:
            typer.echo(json.dumps(data, default=str))
        else:
            typer.echo(text)

    def fail(self, message: str, code: int = 1, **data: Any) -> NoReturn:
        if self.as_json:
            typer.echo(json.dumps({"error": message, **data}, default=str))
        else:
            typer.echo(f"error: {message}", err=True)
        raise typer.Exit(code)


def settings_for(db: str | None, data_dir: Path | None = None, **extra: Any) -> Settings:
    values: dict[str, Any] = dict(extra)
    if db:
        values["database_url"] = db
    if data_dir:
        values["data_dir"] = data_dir
    return Settings(**values)


@contextmanager
def session_for(settings: Settings, out: Out) -> Iterator[Session]:
    from hub.db import make_engine, make_session_factory
    from hub.keystore import load_hub_keys

    if not settings.hub_keys_path.exists():
        out.fail(f"no hub keys at {settings.hub_keys_path}: run `slthub init` first")
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine, signer=load_hub_keys(settings.hub_keys_path))
    session = factory()
    try:
        yield session
    except HubError as exc:
        session.rollback()
        out.fail(exc.message)
    finally:
        session.close()
        engine.dispose()


class Console:
    """What a command works with: `out` (text, or one JSON object with --json), `settings`
    (read from --db, --data-dir and the environment when first asked for, so a command checks
    its own input first) and `session()`, a database session that turns a HubError into the
    command's error and always closes."""

    def __init__(
        self, db: str | None, data_dir: Path | None = None, as_json: bool = False, **extra: Any
    ) -> None:
        self.out = Out(as_json)
        self._db = db
        self._data_dir = data_dir
        self._extra = extra

    @cached_property
    def settings(self) -> Settings:
        return settings_for(self._db, self._data_dir, **self._extra)

    def session(self) -> AbstractContextManager[Session]:
        return session_for(self.settings, self.out)


def read_secret(prompt: str, *, from_stdin: bool, confirm: bool = False) -> str:
    if from_stdin or not sys.stdin.isatty():
        value = sys.stdin.readline().rstrip("\r\n")
    else:
        value = typer.prompt(prompt, hide_input=True, confirmation_prompt=confirm)
    return str(value)


def member_actor(session: Session, email: str) -> Actor:
    """A member acting at the console (`--by EMAIL`), named as such in the audit log."""
    from hub.members import service as members

    member = members.find_member(session, email)
    require_approved_organisation(member)
    return Actor(label=f"{member.email} (console)", member=member)
