"""crypto — the whole safe API of SLT Hub's cryptography, named by use.

Knows nothing of the hub: no I/O beyond the file objects handed to the blob functions, no
database, no clock. Built on libsodium (PyNaCl); only `_primitives` touches its bindings.
docs/envelope.md gives every byte layout.
"""

from crypto.blobs import BlobInfo, open_blob, seal_blob
from crypto.canonical import canonical_json
from crypto.envelope import (
    ReportKey,
    SealedReport,
    attest_report,
    open_report,
    report_digest,
    reseal_for,
    seal_report,
    unwrap_report_key,
    verify_report_attestation,
    verify_report_signature,
)
from crypto.errors import (
    BadSignature,
    CryptoError,
    InvalidEnvelope,
    NotARecipient,
    UnknownVersion,
    WrongPassphrase,
)
from crypto.keys import (
    MemberKeys,
    MemberPublicKey,
    OrganisationKeys,
    OrganisationPublicKeys,
    unwrap_for_member,
    wrap_for_member,
)
from crypto.passphrase import (
    KdfParams,
    lock_member_key,
    lock_with_recovery_code,
    locked_key_params,
    needs_relock,
    new_recovery_code,
    unlock_member_key,
    unlock_with_recovery_code,
)
from crypto.sessions import new_session, open_session
from crypto.signing import HubKeys, verify_attestation
from crypto.smime import (
    CertificateInfo,
    EmailIdentity,
    InvalidCertificate,
    certificate_info,
    decrypt_email,
    encrypt_email,
    new_self_signed_identity,
    sign_email,
)

__all__ = [
    "BadSignature",
    "BlobInfo",
    "CertificateInfo",
    "CryptoError",
    "EmailIdentity",
    "HubKeys",
    "InvalidCertificate",
    "InvalidEnvelope",
    "KdfParams",
    "MemberKeys",
    "MemberPublicKey",
    "NotARecipient",
    "OrganisationKeys",
    "OrganisationPublicKeys",
    "ReportKey",
    "SealedReport",
    "UnknownVersion",
    "WrongPassphrase",
    "attest_report",
    "canonical_json",
    "certificate_info",
    "decrypt_email",
    "encrypt_email",
    "lock_member_key",
    "lock_with_recovery_code",
    "locked_key_params",
    "needs_relock",
    "new_recovery_code",
    "new_self_signed_identity",
    "new_session",
    "open_blob",
    "open_report",
    "open_session",
    "report_digest",
    "reseal_for",
    "seal_blob",
    "seal_report",
    "sign_email",
    "unlock_member_key",
    "unlock_with_recovery_code",
    "unwrap_for_member",
    "unwrap_report_key",
    "verify_attestation",
    "verify_report_attestation",
    "verify_report_signature",
    "wrap_for_member",
]
