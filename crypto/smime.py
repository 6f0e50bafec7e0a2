"""S/MIME for alert emails: the hub signs every alert, and encrypts it to a liaison who
registered a certificate.

Why: an alert that says "convoy ambushed, shelter in place" is exactly what an attacker
would forge. A liaison's mail client shows a verified signature from the hub's certificate;
a forgery has none. Encryption keeps the alert's header facts off mail servers on the way.

Input and output are MIME entities (bytes): the caller builds the content part
(multipart/alternative text + HTML), signs it here, then adds From/To/Subject/Message-ID
around the `multipart/signed` (or `application/pkcs7-mime`) entity returned. No clock is
read: callers pass `now`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from crypto import _primitives as p
from crypto.errors import CryptoError


class InvalidCertificate(CryptoError):
    """Unreadable, expired, not for e-mail, or not matching its private key."""


@dataclass(frozen=True, slots=True)
class CertificateInfo:
    emails: tuple[str, ...]
    not_after: dt.datetime
    fingerprint: str  # SHA-256, colon-separated upper-case hex, as mail clients show it


def certificate_info(certificate_pem: bytes, *, now: dt.datetime) -> CertificateInfo:
    """Check a certificate a liaison registers (or the hub's own) and describe it."""
    try:
        not_after = p.certificate_not_after(certificate_pem)
        fingerprint = p.certificate_sha256(certificate_pem)
        emails = tuple(p.certificate_emails(certificate_pem))
    except p.PrimitiveFailure as exc:
        raise InvalidCertificate(str(exc)) from exc
    if not_after <= now:
        raise InvalidCertificate(f"the certificate expired on {not_after:%Y-%m-%d}")
    return CertificateInfo(
        emails=emails, not_after=not_after, fingerprint=":".join(f"{b:02X}" for b in fingerprint)
    )


class EmailIdentity:
    """The hub's e-mail signing certificate and key. The key never appears in `repr`."""

    __slots__ = ("_key_pem", "certificate_pem")

    def __init__(self, certificate_pem: bytes, private_key_pem: bytes) -> None:
        try:
            p.check_key_matches_certificate(private_key_pem, certificate_pem)
        except p.PrimitiveFailure as exc:
            raise InvalidCertificate(str(exc)) from exc
        self.certificate_pem = certificate_pem
        self._key_pem = private_key_pem

    def private_key_pem(self) -> bytes:
        """For the operator's key file only."""
        return self._key_pem

    def __repr__(self) -> str:
        fingerprint = p.certificate_sha256(self.certificate_pem).hex()[:16]
        return f"EmailIdentity(certificate={fingerprint}…, key=<redacted>)"


def new_self_signed_identity(
    *, common_name: str, email: str, now: dt.datetime, days: int = 825
) -> EmailIdentity:
    """A self-signed identity for demo and first installs; operators replace it with a
    certificate from a CA their liaisons' mail clients trust (docs/operator-guide.md)."""
    key_pem = p.rsa_private_key_pem()
    cert_pem = p.self_signed_email_certificate(
        key_pem, common_name=common_name, email=email, not_before=now, days=days
    )
    return EmailIdentity(cert_pem, key_pem)


def sign_email(entity: bytes, identity: EmailIdentity) -> bytes:
    """`multipart/signed` (detached SHA-256 signature) around the MIME entity."""
    return p.smime_sign(entity, cert_pem=identity.certificate_pem, key_pem=identity._key_pem)


def encrypt_email(entity: bytes, recipient_certificate_pem: bytes) -> bytes:
    """`application/pkcs7-mime` enveloped for the liaison's certificate (sign first)."""
    try:
        return p.smime_encrypt(entity, recipient_cert_pem=recipient_certificate_pem)
    except (p.PrimitiveFailure, TypeError, ValueError) as exc:
        raise InvalidCertificate(f"cannot encrypt to this certificate: {exc}") from exc


def decrypt_email(message: bytes, *, certificate_pem: bytes, private_key_pem: bytes) -> bytes:
    """What a liaison's client does; here for tests and for operators checking a setup."""
    try:
        return p.smime_decrypt(message, cert_pem=certificate_pem, key_pem=private_key_pem)
    except p.PrimitiveFailure as exc:
        raise CryptoError(str(exc)) from exc
