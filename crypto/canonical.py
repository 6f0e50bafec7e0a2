"""Canonical JSON (RFC 8785) for everything that is signed or bound as associated data.

The hub stores the header as database columns and rebuilds the mapping to open a report;
canonical JSON makes the bytes depend only on the values, not on key order or spacing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import rfc8785

from crypto.errors import InvalidEnvelope


def canonical_json(value: Mapping[str, Any]) -> bytes:
    try:
        out: bytes = rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise InvalidEnvelope(f"not canonical JSON: {exc}") from exc
    return out
