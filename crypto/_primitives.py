"""The only module that touches libsodium's bindings and `cryptography.hazmat`.

Everything above this file speaks in terms of *uses* (seal a report, lock a member key);
this file speaks in algorithms, each a thin call into libsodium with no construction of its
own. Keeping the surface here small makes it reviewable: if a primitive is misused, it is
misused in one place.

Randomness comes from `random_bytes`, which reads libsodium's CSPRNG. The test-vector
generator swaps the source for a seeded deterministic one (`deterministic_randomness`) so
that known-answer vectors can pin the format; nothing else may do so. Two things draw
randomness inside libsodium and cannot be pinned: the ephemeral key of a sealed box and the
header of a secretstream. Vectors for those are checked in the opening direction only.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
from collections.abc import Callable, Iterator

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers import algorithms
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from nacl import bindings as _b
from nacl.exceptions import BadSignatureError, CryptoError

AEAD_KEY_BYTES: int = _b.crypto_aead_xchacha20poly1305_ietf_KEYBYTES  # 32
AEAD_NONCE_BYTES: int = _b.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES  # 24
AEAD_TAG_BYTES: int = _b.crypto_aead_xchacha20poly1305_ietf_ABYTES  # 16
BOX_KEY_BYTES: int = 32
SEAL_OVERHEAD: int = _b.crypto_box_SEALBYTES  # 48: ephemeral public key + MAC
SIGN_SEED_BYTES: int = 32
SIGN_PUBLIC_BYTES: int = 32
SIGNATURE_BYTES: int = 64
STREAM_HEADER_BYTES: int = _b.crypto_secretstream_xchacha20poly1305_HEADERBYTES  # 24
STREAM_TAG_BYTES: int = _b.crypto_secretstream_xchacha20poly1305_ABYTES  # 17
STREAM_TAG_MESSAGE: int = _b.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
STREAM_TAG_FINAL: int = _b.crypto_secretstream_xchacha20poly1305_TAG_FINAL

ARGON2ID: int = _b.crypto_pwhash_ALG_ARGON2ID13
ARGON2ID_OPSLIMIT_MIN: int = _b.crypto_pwhash_argon2id_OPSLIMIT_MIN
ARGON2ID_MEMLIMIT_MIN: int = _b.crypto_pwhash_argon2id_MEMLIMIT_MIN
ARGON2ID_SALT_BYTES: int = _b.crypto_pwhash_SALTBYTES  # 16

HASH_SALT_BYTES: int = _b.crypto_generichash_SALTBYTES  # 16
HASH_PERSON_BYTES: int = _b.crypto_generichash_PERSONALBYTES  # 16


class PrimitiveFailure(Exception):
    """libsodium refused: authentication failed or the input is malformed."""


_random_source: Callable[[int], bytes] = _b.randombytes


def random_bytes(n: int) -> bytes:
    return _random_source(n)


@contextlib.contextmanager
def deterministic_randomness(seed: bytes) -> Iterator[None]:
    """Make `random_bytes` reproducible. For the vector generator only: never in the hub."""
    global _random_source
    if len(seed) != 32:
        raise ValueError("seed must be 32 bytes")
    counter = 0

    def source(n: int) -> bytes:
        nonlocal counter
        counter += 1
        step_seed = blake2b(counter.to_bytes(8, "big"), key=seed, size=32)
        out: bytes = _b.randombytes_buf_deterministic(n, step_seed)
        return out

    previous = _random_source
    _random_source = source
    try:
        yield
    finally:
        _random_source = previous


# --- hashing ---------------------------------------------------------------------------


def blake2b(
    data: bytes,
    *,
    key: bytes = b"",
    salt: bytes = b"",
    person: bytes = b"",
    size: int = 32,
) -> bytes:
    out: bytes = _b.crypto_generichash_blake2b_salt_personal(
        data,
        digest_size=size,
        key=key,
        salt=salt.ljust(HASH_SALT_BYTES, b"\0") if salt else b"",
        person=person.ljust(HASH_PERSON_BYTES, b"\0") if person else b"",
    )
    return out


def equal(a: bytes, b: bytes) -> bool:
    """Constant-time comparison."""
    result: bool = _b.sodium_memcmp(a, b)
    return result


# --- authenticated encryption ------------------------------------------------------------


def aead_encrypt(key: bytes, nonce: bytes, plaintext: bytes, associated: bytes) -> bytes:
    out: bytes = _b.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, associated, nonce, key)
    return out


def aead_decrypt(key: bytes, nonce: bytes, ciphertext: bytes, associated: bytes) -> bytes:
    try:
        out: bytes = _b.crypto_aead_xchacha20poly1305_ietf_decrypt(
            ciphertext, associated, nonce, key
        )
    except CryptoError as exc:
        raise PrimitiveFailure("authentication failed") from exc
    return out


# --- X25519 key agreement: sealed boxes ------------------------------------------------


def box_keypair_from_seed(seed: bytes) -> tuple[bytes, bytes]:
    """(public, secret) from a 32-byte seed."""
    pk, sk = _b.crypto_box_seed_keypair(seed)
    return bytes(pk), bytes(sk)


def box_public_from_secret(secret: bytes) -> bytes:
    out: bytes = _b.crypto_scalarmult_base(secret)
    return out


def seal_to(public: bytes, plaintext: bytes) -> bytes:
    out: bytes = _b.crypto_box_seal(plaintext, public)
    return out


def unseal(public: bytes, secret: bytes, sealed: bytes) -> bytes:
    try:
        out: bytes = _b.crypto_box_seal_open(sealed, public, secret)
    except (CryptoError, ValueError, TypeError) as exc:
        raise PrimitiveFailure("sealed box did not open") from exc
    return out


# --- Ed25519 -------------------------------------------------------------------------


def sign_keypair_from_seed(seed: bytes) -> tuple[bytes, bytes]:
    """(public, libsodium secret key of 64 bytes) from a 32-byte seed."""
    pk, sk = _b.crypto_sign_seed_keypair(seed)
    return bytes(pk), bytes(sk)


def sign(secret: bytes, message: bytes) -> bytes:
    signed: bytes = _b.crypto_sign(message, secret)
    return signed[:SIGNATURE_BYTES]


def verify(public: bytes, message: bytes, signature: bytes) -> None:
    if len(signature) != SIGNATURE_BYTES or len(public) != SIGN_PUBLIC_BYTES:
        raise PrimitiveFailure("malformed signature or key")
    try:
        _b.crypto_sign_open(signature + message, public)
    except (BadSignatureError, CryptoError, ValueError) as exc:
        raise PrimitiveFailure("bad signature") from exc


# --- Argon2id ---------------------------------------------------------------------------


def argon2id(secret: bytes, salt: bytes, *, opslimit: int, memlimit: int, size: int = 32) -> bytes:
    out: bytes = _b.crypto_pwhash_alg(size, secret, salt, opslimit, memlimit, ARGON2ID)
    return out


# --- secretstream (chunked AEAD for large attachments) ---------------------------------


class StreamPusher:
    def __init__(self, key: bytes) -> None:
        self._state = _b.crypto_secretstream_xchacha20poly1305_state()
        self.header: bytes = _b.crypto_secretstream_xchacha20poly1305_init_push(self._state, key)

    def push(self, chunk: bytes, *, final: bool) -> bytes:
        tag = STREAM_TAG_FINAL if final else STREAM_TAG_MESSAGE
        out: bytes = _b.crypto_secretstream_xchacha20poly1305_push(self._state, chunk, None, tag)
        return out


class StreamPuller:
    def __init__(self, key: bytes, header: bytes) -> None:
        self._state = _b.crypto_secretstream_xchacha20poly1305_state()
        try:
            _b.crypto_secretstream_xchacha20poly1305_init_pull(self._state, header, key)
        except (CryptoError, ValueError) as exc:
            raise PrimitiveFailure("bad stream header") from exc

    def pull(self, chunk: bytes) -> tuple[bytes, bool]:
        """(plaintext, is_final)."""
        try:
            message, tag = _b.crypto_secretstream_xchacha20poly1305_pull(self._state, chunk, None)
        except (CryptoError, ValueError, RuntimeError) as exc:
            raise PrimitiveFailure("stream chunk did not authenticate") from exc
        return bytes(message), tag == STREAM_TAG_FINAL


class Hasher:
    """Incremental BLAKE2b-256 (for digests of streamed attachments)."""

    def __init__(self, *, person: bytes) -> None:
        self._state = _b.crypto_generichash_blake2b_init(
            key=b"",
            salt=b"\0" * HASH_SALT_BYTES,
            person=person.ljust(HASH_PERSON_BYTES, b"\0"),
            digest_size=32,
        )

    def update(self, data: bytes) -> None:
        _b.crypto_generichash_blake2b_update(self._state, data)

    def hexdigest(self) -> str:
        out: bytes = _b.crypto_generichash_blake2b_final(self._state)
        return out.hex()


# --- X.509 and S/MIME (cryptography; libsodium has no equivalent) ------------------------

# RSA-3072: every mail client that verifies S/MIME verifies RSA; EC and Ed25519 support is
# patchy among the clients liaisons use (webmail, Outlook, phones).
RSA_BITS = 3072


def rsa_private_key_pem(bits: int = RSA_BITS) -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _load_key(key_pem: bytes, password: bytes | None = None) -> rsa.RSAPrivateKey:
    try:
        key = serialization.load_pem_private_key(key_pem, password=password)
    except (ValueError, TypeError) as exc:
        raise PrimitiveFailure(f"cannot load private key: {exc}") from exc
    if not isinstance(key, rsa.RSAPrivateKey):
        raise PrimitiveFailure("S/MIME keys must be RSA")
    return key


def load_certificate(cert_pem: bytes) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(cert_pem)
    except ValueError as exc:
        raise PrimitiveFailure(f"cannot load certificate: {exc}") from exc


def self_signed_email_certificate(
    key_pem: bytes, *, common_name: str, email: str, not_before: _dt.datetime, days: int
) -> bytes:
    key = _load_key(key_pem)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.EMAIL_ADDRESS, email),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_before + _dt.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName([x509.RFC822Name(email)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=True,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def certificate_sha256(cert_pem: bytes) -> bytes:
    return load_certificate(cert_pem).fingerprint(hashes.SHA256())


def certificate_not_after(cert_pem: bytes) -> _dt.datetime:
    return load_certificate(cert_pem).not_valid_after_utc


def smime_sign(entity: bytes, *, cert_pem: bytes, key_pem: bytes) -> bytes:
    """A detached, SHA-256 S/MIME signature over a MIME entity: multipart/signed."""
    builder = (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(entity)
        .add_signer(load_certificate(cert_pem), _load_key(key_pem), hashes.SHA256())
    )
    out: bytes = builder.sign(serialization.Encoding.SMIME, [pkcs7.PKCS7Options.DetachedSignature])
    return out


def smime_encrypt(entity: bytes, *, recipient_cert_pem: bytes) -> bytes:
    """application/pkcs7-mime enveloped data (AES-256-CBC, RSA key transport)."""
    builder = (
        pkcs7.PKCS7EnvelopeBuilder()
        .set_data(entity)
        .set_content_encryption_algorithm(algorithms.AES256)
        .add_recipient(load_certificate(recipient_cert_pem))
    )
    out: bytes = builder.encrypt(serialization.Encoding.SMIME, [])
    return out


def smime_decrypt(message: bytes, *, cert_pem: bytes, key_pem: bytes) -> bytes:
    try:
        out: bytes = pkcs7.pkcs7_decrypt_smime(
            message, load_certificate(cert_pem), _load_key(key_pem), []
        )
    except ValueError as exc:
        raise PrimitiveFailure("cannot decrypt this message with this key") from exc
    return out


def check_key_matches_certificate(key_pem: bytes, cert_pem: bytes) -> None:
    public = load_certificate(cert_pem).public_key()
    if not isinstance(public, rsa.RSAPublicKey) or (
        public.public_numbers() != _load_key(key_pem).public_key().public_numbers()
    ):
        raise PrimitiveFailure("the private key does not belong to the certificate")


def certificate_emails(cert_pem: bytes) -> list[str]:
    cert = load_certificate(cert_pem)
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        emails: list[str] = san.value.get_values_for_type(x509.RFC822Name)
    except x509.ExtensionNotFound:
        emails = []
    attrs = cert.subject.get_attributes_for_oid(NameOID.EMAIL_ADDRESS)
    return emails + [str(a.value) for a in attrs if str(a.value) not in emails]
