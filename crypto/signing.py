"""The hub's own signing key and the statements it signs.

The hub signs statements that recipients check without trusting the database: the head of
the audit chain, and (crypto.envelope builds that statement) that an approved partner signed
an anonymous report. A hub attestation proves only that the hub said it; DESIGN.md's threat
model accepts that for anonymous reports. This module signs generic statements only and
knows nothing of reports.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crypto import _format as fmt
from crypto import _primitives as p
from crypto.canonical import canonical_json
from crypto.errors import BadSignature, InvalidEnvelope

_ATTEST_PERSON = b"slthub-attest-v1"


def _attested_digest(statement: Mapping[str, Any]) -> bytes:
    return p.blake2b(canonical_json(statement), person=_ATTEST_PERSON, size=64)


class HubKeys:
    """The hub's Ed25519 key. Secret: `to_bytes()` is for the operator's key file only."""

    __slots__ = ("_public", "_secret", "_seed")

    def __init__(self, seed: bytes) -> None:
        if len(seed) != p.SIGN_SEED_BYTES:
            raise InvalidEnvelope("hub key seed must be 32 bytes")
        self._seed = seed
        self._public, self._secret = p.sign_keypair_from_seed(seed)

    @classmethod
    def generate(cls) -> HubKeys:
        return cls(p.random_bytes(p.SIGN_SEED_BYTES))

    def to_bytes(self) -> bytes:
        return fmt.prefix(fmt.KIND_HUB_SECRET) + self._seed

    @classmethod
    def from_bytes(cls, blob: bytes) -> HubKeys:
        fmt.check_prefix(blob, fmt.KIND_HUB_SECRET)
        r = fmt.Reader(blob, 2)
        seed = r.take(p.SIGN_SEED_BYTES)
        r.end()
        return cls(seed)

    def public_bytes(self) -> bytes:
        return self._public

    def __repr__(self) -> str:
        return f"HubKeys(public={self._public.hex()[:16]}…, secret=<redacted>)"

    def attest(self, statement: Mapping[str, Any]) -> bytes:
        return fmt.prefix(fmt.KIND_ATTESTATION) + p.sign(self._secret, _attested_digest(statement))


def verify_attestation(statement: Mapping[str, Any], attestation: bytes, public: bytes) -> None:
    try:
        fmt.check_prefix(attestation, fmt.KIND_ATTESTATION)
    except InvalidEnvelope as exc:
        raise BadSignature("not a hub attestation") from exc
    try:
        p.verify(public, _attested_digest(statement), bytes(attestation[2:]))
    except p.PrimitiveFailure as exc:
        raise BadSignature("the hub did not attest this") from exc
