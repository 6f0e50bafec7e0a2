"""Sessions that leave the hub unable to act alone.

At login the member's secret key is encrypted under a fresh random session key; the server
stores only that ciphertext and hands the session key to the client (cookie or bearer
token). A copy of the database without the client's key opens nothing. Destroying the
server-side blob ends the session even if the client keeps its key.
"""

from __future__ import annotations

from crypto import _format as fmt
from crypto import _primitives as p
from crypto.errors import InvalidEnvelope
from crypto.keys import MemberKeys

SESSION_KEY_BYTES = p.AEAD_KEY_BYTES


def new_session(member: MemberKeys) -> tuple[bytes, bytes]:
    """(session_key for the client, blob for the server)."""
    session_key = p.random_bytes(SESSION_KEY_BYTES)
    nonce = p.random_bytes(p.AEAD_NONCE_BYTES)
    head = fmt.prefix(fmt.KIND_SESSION) + nonce
    return session_key, head + p.aead_encrypt(session_key, nonce, member._secret_bytes(), head)


def open_session(blob: bytes, session_key: bytes) -> MemberKeys:
    fmt.check_prefix(blob, fmt.KIND_SESSION)
    if len(session_key) != SESSION_KEY_BYTES:
        raise InvalidEnvelope("session key must be 32 bytes")
    r = fmt.Reader(blob, 2)
    nonce = r.take(p.AEAD_NONCE_BYTES)
    ciphertext = r.rest()
    if len(ciphertext) != 32 + p.AEAD_TAG_BYTES:
        raise InvalidEnvelope("truncated")
    head = bytes(blob[: 2 + p.AEAD_NONCE_BYTES])
    try:
        secret = p.aead_decrypt(session_key, nonce, ciphertext, head)
    except p.PrimitiveFailure as exc:
        raise InvalidEnvelope("session key does not open this session") from exc
    return MemberKeys(secret)
