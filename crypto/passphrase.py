"""Keys locked by something a person knows: a passphrase (Argon2id) or a recovery code.

Guarantee: a copy of the database yields locked blobs only. Opening one needs the passphrase
— each guess costs an Argon2id derivation with the parameters stored in the blob — or the
recovery code, which carries 160 random bits and so needs no stretching.

Passphrases are NFC-normalised before use: the same French passphrase typed on two phones
can arrive composed ("é") or decomposed ("e" + U+0301), and must open the same key.
Parameters live inside each blob so that they can be raised later without a flag day: old
blobs keep opening with their own parameters and are re-locked at the next login.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from crypto import _format as fmt
from crypto import _primitives as p
from crypto.errors import InvalidEnvelope, WrongPassphrase
from crypto.keys import MemberKeys, OrganisationKeys


@dataclass(frozen=True, slots=True)
class KdfParams:
    opslimit: int
    memlimit: int  # bytes

    def __post_init__(self) -> None:
        if self.opslimit < p.ARGON2ID_OPSLIMIT_MIN or self.memlimit < p.ARGON2ID_MEMLIMIT_MIN:
            raise ValueError("Argon2id parameters below libsodium's minimum")


# Chosen in bench/crypto.py: ~0.3 s and 128 MiB per derivation on one core of the reference
# machine. Above OWASP's floor (19 MiB, t=2) by a wide margin, because a seized database
# exposes these blobs to offline guessing with no rate limit; still affordable per login.
PRODUCTION_PARAMS = KdfParams(opslimit=3, memlimit=128 * 1024 * 1024)
DEFAULT_PARAMS = PRODUCTION_PARAMS

# The cheapest parameters libsodium accepts. Tests install them through a fixture only
# (tests/conftest.py); nothing in the hub refers to this name.
INSECURE_TEST_PARAMS = KdfParams(opslimit=p.ARGON2ID_OPSLIMIT_MIN, memlimit=p.ARGON2ID_MEMLIMIT_MIN)

# A blob asking for more than this is refused before deriving: parameters are checked by the
# AEAD only after the (possibly huge) derivation has run.
_MAX_OPSLIMIT = 32
_MAX_MEMLIMIT = 4 * 1024 * 1024 * 1024


def normalise_passphrase(passphrase: str) -> bytes:
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def lock_member_key(member: MemberKeys, passphrase: str, params: KdfParams | None = None) -> bytes:
    # DEFAULT_PARAMS is read at call time so that the test fixture's weakening applies.
    params = params or DEFAULT_PARAMS
    salt = p.random_bytes(p.ARGON2ID_SALT_BYTES)
    nonce = p.random_bytes(p.AEAD_NONCE_BYTES)
    head = (
        fmt.prefix(fmt.KIND_PASSPHRASE_LOCK)
        + fmt.u8(p.ARGON2ID)
        + fmt.u32(params.opslimit)
        + fmt.u64(params.memlimit)
        + salt
        + nonce
    )
    key = p.argon2id(
        normalise_passphrase(passphrase), salt, opslimit=params.opslimit, memlimit=params.memlimit
    )
    return head + p.aead_encrypt(key, nonce, member._secret_bytes(), head)


def locked_key_params(blob: bytes) -> KdfParams:
    """The parameters a blob was locked with, so the hub can re-lock blobs that lag behind."""
    fmt.check_prefix(blob, fmt.KIND_PASSPHRASE_LOCK)
    r = fmt.Reader(blob, 2)
    if r.u8() != p.ARGON2ID:
        raise InvalidEnvelope("unknown key-derivation algorithm")
    return KdfParams(opslimit=r.u32(), memlimit=r.u64())


def needs_relock(blob: bytes, params: KdfParams | None = None) -> bool:
    """True when `blob` was locked with weaker Argon2id parameters than `params` (default:
    the current ones): the hub re-locks it at the next login, when it has the passphrase."""
    target = params or DEFAULT_PARAMS
    stored = locked_key_params(blob)
    return stored.opslimit < target.opslimit or stored.memlimit < target.memlimit


def unlock_member_key(blob: bytes, passphrase: str) -> MemberKeys:
    fmt.check_prefix(blob, fmt.KIND_PASSPHRASE_LOCK)
    r = fmt.Reader(blob, 2)
    if r.u8() != p.ARGON2ID:
        raise InvalidEnvelope("unknown key-derivation algorithm")
    opslimit, memlimit = r.u32(), r.u64()
    if not (
        p.ARGON2ID_OPSLIMIT_MIN <= opslimit <= _MAX_OPSLIMIT
        and p.ARGON2ID_MEMLIMIT_MIN <= memlimit <= _MAX_MEMLIMIT
    ):
        raise InvalidEnvelope("key-derivation parameters out of range")
    salt = r.take(p.ARGON2ID_SALT_BYTES)
    nonce = r.take(p.AEAD_NONCE_BYTES)
    ciphertext = r.rest()
    head = bytes(blob[: len(blob) - len(ciphertext)])
    if len(ciphertext) != 32 + p.AEAD_TAG_BYTES:
        raise InvalidEnvelope("truncated")
    key = p.argon2id(normalise_passphrase(passphrase), salt, opslimit=opslimit, memlimit=memlimit)
    try:
        secret = p.aead_decrypt(key, nonce, ciphertext, head)
    except p.PrimitiveFailure as exc:
        # A wrong passphrase and an altered blob look the same to the AEAD; the passphrase
        # is by far the likelier cause, and the person can act on that message.
        raise WrongPassphrase("wrong passphrase") from exc
    return MemberKeys(secret)


# --- recovery codes ----------------------------------------------------------------------

# Crockford's base32: no I, L, O, U, so a code copied by hand survives 0/O and 1/I/L mix-ups.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})
_RECOVERY_BYTES = 20  # 160 bits
_RECOVERY_PERSON = b"slthub-recovery1"


def new_recovery_code() -> str:
    """160 random bits as 8 groups of 4 characters, e.g. '7K2M-Q9XH-…'."""
    value = int.from_bytes(p.random_bytes(_RECOVERY_BYTES), "big")
    chars = "".join(_ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(32)))
    return "-".join(chars[i : i + 4] for i in range(0, 32, 4))


def _normalise_code(code: str) -> bytes:
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum()).translate(_CONFUSABLE)
    if len(cleaned) != 32 or any(ch not in _ALPHABET for ch in cleaned):
        raise WrongPassphrase("a recovery code has 32 letters and digits in 8 groups")
    return cleaned.encode("ascii")


def _recovery_key(code: str, salt: bytes) -> bytes:
    return p.blake2b(_normalise_code(code), salt=salt, person=_RECOVERY_PERSON, size=32)


def lock_with_recovery_code(org_keys: OrganisationKeys, code: str) -> bytes:
    salt = p.random_bytes(p.HASH_SALT_BYTES)
    nonce = p.random_bytes(p.AEAD_NONCE_BYTES)
    head = fmt.prefix(fmt.KIND_RECOVERY_LOCK) + salt + nonce
    return head + p.aead_encrypt(_recovery_key(code, salt), nonce, org_keys._secret_bytes(), head)


def unlock_with_recovery_code(blob: bytes, code: str) -> OrganisationKeys:
    fmt.check_prefix(blob, fmt.KIND_RECOVERY_LOCK)
    r = fmt.Reader(blob, 2)
    salt = r.take(p.HASH_SALT_BYTES)
    nonce = r.take(p.AEAD_NONCE_BYTES)
    ciphertext = r.rest()
    head = bytes(blob[: len(blob) - len(ciphertext)])
    if len(ciphertext) != 64 + p.AEAD_TAG_BYTES:
        raise InvalidEnvelope("truncated")
    try:
        secret = p.aead_decrypt(_recovery_key(code, salt), nonce, ciphertext, head)
    except p.PrimitiveFailure as exc:
        raise WrongPassphrase("wrong recovery code") from exc
    return OrganisationKeys._from_secret_bytes(secret)
