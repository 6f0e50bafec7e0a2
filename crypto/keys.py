"""Organisation, member and hub keys.

An organisation holds an X25519 key pair (to receive report keys) and an Ed25519 key pair
(to sign what it publishes). A member holds an X25519 key pair; the organisation's secret
keys reach a member only sealed to the member's public key (`wrap_for_member`), so the hub,
which stores the wraps, cannot open them. Secret keys never appear in `repr` or logs.
"""

from __future__ import annotations

from dataclasses import dataclass

from crypto import _format as fmt
from crypto import _primitives as p
from crypto.errors import InvalidEnvelope

_FINGERPRINT_PERSON = b"slthub-fprint-v1"


def _fingerprint(data: bytes) -> str:
    digest = p.blake2b(data, person=_FINGERPRINT_PERSON, size=16).hex().upper()
    return " ".join(digest[i : i + 4] for i in range(0, 32, 4))


@dataclass(frozen=True, slots=True)
class OrganisationPublicKeys:
    """What others need to send to an organisation and to check its signatures."""

    encryption: bytes  # X25519 public key
    signing: bytes  # Ed25519 public key

    def __post_init__(self) -> None:
        if len(self.encryption) != p.BOX_KEY_BYTES or len(self.signing) != p.SIGN_PUBLIC_BYTES:
            raise InvalidEnvelope("organisation public keys must be 32 bytes each")

    def to_bytes(self) -> bytes:
        return fmt.prefix(fmt.KIND_ORG_PUBLIC) + self.encryption + self.signing

    @classmethod
    def from_bytes(cls, blob: bytes) -> OrganisationPublicKeys:
        fmt.check_prefix(blob, fmt.KIND_ORG_PUBLIC)
        r = fmt.Reader(blob, 2)
        enc, sig = r.take(32), r.take(32)
        r.end()
        return cls(encryption=enc, signing=sig)

    def fingerprint(self) -> str:
        """8 groups of 4 hex digits (128 bits), short enough to read aloud on a phone."""
        return _fingerprint(self.to_bytes())


class OrganisationKeys:
    """An organisation's secret keys. Hold them only as long as a request needs them."""

    __slots__ = ("_box_secret", "_sign_secret", "_sign_seed", "public")

    def __init__(self, box_secret: bytes, sign_seed: bytes) -> None:
        if len(box_secret) != p.BOX_KEY_BYTES or len(sign_seed) != p.SIGN_SEED_BYTES:
            raise InvalidEnvelope("organisation secret keys must be 32 bytes each")
        self._box_secret = box_secret
        self._sign_seed = sign_seed
        sign_public, self._sign_secret = p.sign_keypair_from_seed(sign_seed)
        self.public = OrganisationPublicKeys(
            encryption=p.box_public_from_secret(box_secret), signing=sign_public
        )

    @classmethod
    def generate(cls) -> OrganisationKeys:
        _, box_secret = p.box_keypair_from_seed(p.random_bytes(32))
        return cls(box_secret, p.random_bytes(p.SIGN_SEED_BYTES))

    def fingerprint(self) -> str:
        return self.public.fingerprint()

    def __repr__(self) -> str:
        return f"OrganisationKeys(fingerprint={self.fingerprint()!r}, secret=<redacted>)"

    # Internal to crypto/: the 64 secret bytes that wraps and recovery locks carry.
    def _secret_bytes(self) -> bytes:
        return self._box_secret + self._sign_seed

    @classmethod
    def _from_secret_bytes(cls, data: bytes) -> OrganisationKeys:
        if len(data) != 64:
            raise InvalidEnvelope("organisation secret must be 64 bytes")
        return cls(data[:32], data[32:])

    def _unseal(self, sealed: bytes) -> bytes:
        return p.unseal(self.public.encryption, self._box_secret, sealed)

    def _sign(self, message: bytes) -> bytes:
        return p.sign(self._sign_secret, message)


@dataclass(frozen=True, slots=True)
class MemberPublicKey:
    key: bytes  # X25519 public key

    def __post_init__(self) -> None:
        if len(self.key) != p.BOX_KEY_BYTES:
            raise InvalidEnvelope("member public key must be 32 bytes")

    def to_bytes(self) -> bytes:
        return fmt.prefix(fmt.KIND_MEMBER_PUBLIC) + self.key

    @classmethod
    def from_bytes(cls, blob: bytes) -> MemberPublicKey:
        fmt.check_prefix(blob, fmt.KIND_MEMBER_PUBLIC)
        r = fmt.Reader(blob, 2)
        key = r.take(32)
        r.end()
        return cls(key)

    def fingerprint(self) -> str:
        return _fingerprint(self.to_bytes())


class MemberKeys:
    """A member's secret key: unlocked by passphrase or session key, never stored in clear."""

    __slots__ = ("_secret", "public")

    def __init__(self, secret: bytes) -> None:
        if len(secret) != p.BOX_KEY_BYTES:
            raise InvalidEnvelope("member secret key must be 32 bytes")
        self._secret = secret
        self.public = MemberPublicKey(p.box_public_from_secret(secret))

    @classmethod
    def generate(cls) -> MemberKeys:
        _, secret = p.box_keypair_from_seed(p.random_bytes(32))
        return cls(secret)

    def __repr__(self) -> str:
        return f"MemberKeys(fingerprint={self.public.fingerprint()!r}, secret=<redacted>)"

    def _secret_bytes(self) -> bytes:
        return self._secret

    def _unseal(self, sealed: bytes) -> bytes:
        return p.unseal(self.public.key, self._secret, sealed)


def wrap_for_member(org_keys: OrganisationKeys, member_public: MemberPublicKey) -> bytes:
    """The organisation's secret keys sealed so that only this member can open them."""
    return fmt.prefix(fmt.KIND_MEMBER_WRAP) + p.seal_to(member_public.key, org_keys._secret_bytes())


def unwrap_for_member(blob: bytes, member: MemberKeys) -> OrganisationKeys:
    fmt.check_prefix(blob, fmt.KIND_MEMBER_WRAP)
    try:
        secret = member._unseal(bytes(blob[2:]))
    except p.PrimitiveFailure as exc:
        raise InvalidEnvelope("this wrap is not for this member, or it was altered") from exc
    return OrganisationKeys._from_secret_bytes(secret)
