"""The report envelope: a body only its recipients can read, signed by its originator.

Sealing a report:
  1. a fresh 32-byte data key (`ReportKey`) encrypts the body with XChaCha20-Poly1305; the
     canonical header (RFC 8785) is the associated data, so a header moved onto another
     body, or edited in the database, makes decryption fail;
  2. the originator signs (Ed25519) a domain-separated BLAKE2b digest of the canonical
     header, the nonce and the ciphertext;
  3. the data key is sealed (X25519 sealed box) to each recipient organisation, one wrap per
     recipient id.

Guarantees: without a wrap for it an organisation learns nothing of the body (the hub
stores wraps but holds no key that opens any); a recipient can tell whether header or body
changed since the originator signed; `open_report` never returns bytes that did not
authenticate. Not guaranteed: wraps of *other* recipients are not covered by the signature,
since consent adds wraps after publication; a changed foreign wrap only hurts its owner.

An anonymous report is vouched for by the hub instead (`attest_report`, signed with
crypto.signing's generic statement signing): recipients learn that an approved partner
signed it, not which one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from crypto import _format as fmt
from crypto import _primitives as p
from crypto.canonical import canonical_json
from crypto.errors import BadSignature, InvalidEnvelope, NotARecipient
from crypto.keys import OrganisationKeys, OrganisationPublicKeys
from crypto.signing import HubKeys, verify_attestation

_SIGN_PERSON = b"slthub-rpt-sig-1"
_DIGEST_PERSON = b"slthub-rpt-dgst1"
_AD_CONTEXT = b"slthub report body v1\x00"


class ReportKey:
    """A report's data key. It opens the body and the report's attachments."""

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        if len(key) != p.AEAD_KEY_BYTES:
            raise InvalidEnvelope("report key must be 32 bytes")
        self._key = key

    @classmethod
    def generate(cls) -> ReportKey:
        return cls(p.random_bytes(p.AEAD_KEY_BYTES))

    def __repr__(self) -> str:
        return "ReportKey(<redacted>)"

    def _bytes(self) -> bytes:
        return self._key


@dataclass(frozen=True, slots=True)
class SealedReport:
    """What the hub stores for a report (besides the header it keeps in clear)."""

    nonce: bytes
    ciphertext: bytes
    signature: bytes
    wraps: Mapping[str, bytes] = field(default_factory=dict)
    version: int = fmt.VERSION_1

    def with_wraps(self, wraps: Mapping[str, bytes]) -> SealedReport:
        return SealedReport(
            self.nonce, self.ciphertext, self.signature, {**self.wraps, **wraps}, self.version
        )

    def without_wraps(self) -> SealedReport:
        """The part the hub stores once per report; wraps are stored one row per recipient."""
        return SealedReport(self.nonce, self.ciphertext, self.signature, {}, self.version)

    def to_bytes(self) -> bytes:
        parts = [
            fmt.prefix(fmt.KIND_REPORT, self.version),
            self.nonce,
            self.signature,
            fmt.framed(self.ciphertext),
            fmt.u16(len(self.wraps)),
        ]
        for rid in sorted(self.wraps):
            encoded = rid.encode("utf-8")
            parts += [fmt.u8(len(encoded)), encoded, fmt.u16(len(self.wraps[rid])), self.wraps[rid]]
        return b"".join(parts)

    @classmethod
    def from_bytes(cls, blob: bytes) -> SealedReport:
        version = fmt.check_prefix(blob, fmt.KIND_REPORT)
        r = fmt.Reader(blob, 2)
        nonce = r.take(p.AEAD_NONCE_BYTES)
        signature = r.take(p.SIGNATURE_BYTES)
        ciphertext = r.take(r.u32())
        wraps: dict[str, bytes] = {}
        for _ in range(r.u16()):
            try:
                rid = r.take(r.u8()).decode("utf-8")
            except UnicodeDecodeError as exc:
                raise InvalidEnvelope("recipient id is not UTF-8") from exc
            if rid in wraps:
                raise InvalidEnvelope("duplicate recipient")
            wraps[rid] = r.take(r.u16())
        r.end()
        return cls(nonce, ciphertext, signature, wraps, version)


def _associated_data(version: int, header_c14n: bytes) -> bytes:
    return fmt.prefix(fmt.KIND_REPORT, version) + _AD_CONTEXT + header_c14n


def _signed_digest(sealed: SealedReport, header_c14n: bytes) -> bytes:
    return p.blake2b(
        fmt.prefix(fmt.KIND_REPORT, sealed.version)
        + fmt.framed(header_c14n)
        + fmt.framed(sealed.nonce)
        + fmt.framed(sealed.ciphertext),
        person=_SIGN_PERSON,
        size=64,
    )


def report_digest(sealed: SealedReport, header: Mapping[str, Any]) -> bytes:
    """A 32-byte digest naming this exact header, ciphertext and signature (for attestations
    and the audit log)."""
    return p.blake2b(
        _signed_digest(sealed, canonical_json(header)) + sealed.signature,
        person=_DIGEST_PERSON,
        size=32,
    )


def _wrap(key: ReportKey, public: OrganisationPublicKeys) -> bytes:
    return fmt.prefix(fmt.KIND_REPORT_KEY_WRAP) + p.seal_to(public.encryption, key._bytes())


def seal_report(
    header: Mapping[str, Any],
    body: bytes,
    *,
    signer: OrganisationKeys,
    recipients: Mapping[str, OrganisationPublicKeys],
    key: ReportKey | None = None,
) -> SealedReport:
    """Seal `body` for `recipients` (id → public keys), signed by `signer`.

    Pass `key` when attachments are sealed under the same data key (`seal_blob`).
    """
    for rid in recipients:
        if not rid or len(rid.encode("utf-8")) > 255:
            raise InvalidEnvelope("recipient ids are 1–255 bytes of UTF-8")
    key = key or ReportKey.generate()
    header_c14n = canonical_json(header)
    nonce = p.random_bytes(p.AEAD_NONCE_BYTES)
    ciphertext = p.aead_encrypt(
        key._bytes(), nonce, body, _associated_data(fmt.VERSION_1, header_c14n)
    )
    unsigned = SealedReport(nonce, ciphertext, b"")
    signature = signer._sign(_signed_digest(unsigned, header_c14n))
    wraps = {rid: _wrap(key, public) for rid, public in recipients.items()}
    return SealedReport(nonce, ciphertext, signature, wraps)


def verify_report_signature(
    sealed: SealedReport, header: Mapping[str, Any], signer: OrganisationPublicKeys
) -> None:
    """Raise `BadSignature` unless `signer` signed exactly this header and ciphertext."""
    _verify(sealed, canonical_json(header), signer)


def _verify(sealed: SealedReport, header_c14n: bytes, signer: OrganisationPublicKeys) -> None:
    try:
        p.verify(signer.signing, _signed_digest(sealed, header_c14n), sealed.signature)
    except p.PrimitiveFailure as exc:
        raise BadSignature(
            "the report was not signed by this organisation, or was changed"
        ) from exc


def unwrap_report_key(
    sealed: SealedReport, *, recipient_id: str, recipient: OrganisationKeys
) -> ReportKey:
    wrap = sealed.wraps.get(recipient_id)
    if wrap is None:
        raise NotARecipient("no key wrap for this organisation")
    fmt.check_prefix(wrap, fmt.KIND_REPORT_KEY_WRAP)
    try:
        return ReportKey(recipient._unseal(bytes(wrap[2:])))
    except p.PrimitiveFailure as exc:
        raise InvalidEnvelope("the key wrap does not open with this organisation's key") from exc


def _decrypt(sealed: SealedReport, header_c14n: bytes, key: ReportKey) -> bytes:
    try:
        return p.aead_decrypt(
            key._bytes(),
            sealed.nonce,
            sealed.ciphertext,
            _associated_data(sealed.version, header_c14n),
        )
    except p.PrimitiveFailure as exc:
        raise InvalidEnvelope("the body does not authenticate under this header and key") from exc


def open_report(
    sealed: SealedReport,
    header: Mapping[str, Any],
    *,
    recipient_id: str,
    recipient: OrganisationKeys,
    signer: OrganisationPublicKeys | None = None,
    attestation: bytes | None = None,
    hub_public: bytes | None = None,
) -> bytes:
    """The body, after checking who vouches for it.

    Either `signer` (the originator's public keys) or, for an anonymous report whose
    originator recipients may not learn, the hub's `attestation` that an approved partner
    signed it, with the hub's public key.
    """
    header_c14n = canonical_json(header)
    if signer is not None:
        _verify(sealed, header_c14n, signer)
    elif attestation is not None and hub_public is not None:
        verify_report_attestation(sealed, header, attestation, hub_public)
    else:
        raise BadSignature("nothing to verify the report against")
    key = unwrap_report_key(sealed, recipient_id=recipient_id, recipient=recipient)
    return _decrypt(sealed, header_c14n, key)


def reseal_for(
    sealed: SealedReport,
    header: Mapping[str, Any],
    *,
    holder_id: str,
    holder: OrganisationKeys,
    new_public: OrganisationPublicKeys,
) -> bytes:
    """The wrap that consent creates for a new recipient. Only a holder of a wrap can make
    one; the data key is checked against the body first, so nobody passes on a key that
    does not open the report."""
    key = unwrap_report_key(sealed, recipient_id=holder_id, recipient=holder)
    _decrypt(sealed, canonical_json(header), key)
    return _wrap(key, new_public)


# --- the hub's attestation of an anonymous report --------------------------------------------


def _report_statement(sealed: SealedReport, header: Mapping[str, Any]) -> dict[str, str]:
    return {
        "attests": "report signed by an approved partner",
        "report_digest": report_digest(sealed, header).hex(),
    }


def attest_report(hub: HubKeys, sealed: SealedReport, header: Mapping[str, Any]) -> bytes:
    """The hub vouches that an approved partner signed this report (after checking it), so
    that recipients of an anonymous report can verify it without learning who signed."""
    return hub.attest(_report_statement(sealed, header))


def verify_report_attestation(
    sealed: SealedReport, header: Mapping[str, Any], attestation: bytes, hub_public: bytes
) -> None:
    verify_attestation(_report_statement(sealed, header), attestation, hub_public)
