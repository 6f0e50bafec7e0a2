"""The policy file in force: the operator's (SLTHUB_POLICY_FILE) or the shipped default.

Loaded once per file and cached: the engine's functions are pure, the file is read at
start-up (`slthub serve` fails early on an invalid file, with line numbers).
"""

from __future__ import annotations

import functools
from pathlib import Path

from hub.config import Settings
from policies import Policy, load_policy


@functools.cache
def _load(path: Path | None) -> Policy:
    return load_policy(path)


def policy_from_settings(settings: Settings) -> Policy:
    return _load(settings.policy_file)
