"""The hub's own signing keys, in a file beside the database, never inside it.

Kept out of the database so that a database copy or restore cannot re-sign a rewritten
audit chain; written with mode 0600 so only the service account reads it. Anyone who holds
both the disk and this file can re-sign, which is why docs/operator-guide.md asks for the
data directory to be backed up separately from database dumps.
"""

from __future__ import annotations

import os
from pathlib import Path

from crypto import HubKeys


def create_hub_keys(path: Path) -> tuple[HubKeys, bool]:
    """The hub's keys, created on first use. Returns (keys, created)."""
    if path.exists():
        return load_hub_keys(path), False
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = HubKeys.generate()
    # O_EXCL: two `slthub init` racing must not overwrite each other's keys.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fp:
        fp.write(keys.to_bytes())
    return keys, True


def load_hub_keys(path: Path) -> HubKeys:
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise PermissionError(
            f"{path} is readable by other users (mode {mode:o}); run `chmod 600 {path}`"
        )
    return HubKeys.from_bytes(path.read_bytes())
