"""Known-answer vectors: the format of every blob is pinned by vectors/*.json.

Deterministic parts are regenerated and compared byte for byte; parts drawn from
libsodium's internal randomness (sealed-box wraps, secretstream headers) are opened.
If one of these fails, the wire format changed: that needs a new version, not new vectors.
"""

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest

import crypto
from crypto import _primitives

from . import make_vectors

VECTORS = Path(__file__).parent / "vectors"


def load(name: str) -> dict[str, Any]:
    return json.loads((VECTORS / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def regenerated() -> dict[str, dict[str, Any]]:
    return make_vectors.build()


@pytest.mark.parametrize("name", ["keys", "passphrase_lock", "recovery_lock", "session"])
def test_deterministic_blobs_are_byte_identical(name: str, regenerated: dict) -> None:
    assert regenerated[name] == load(name)


def test_report_deterministic_parts(regenerated: dict) -> None:
    stored, fresh = load("report"), regenerated["report"]
    for field in (
        "header",
        "body",
        "report_key",
        "nonce",
        "ciphertext",
        "signature",
        "attestation",
    ):
        assert fresh[field] == stored[field], field


def test_stored_report_opens_for_both_recipients() -> None:
    keys, report = load("keys"), load("report")
    sealed = crypto.SealedReport.from_bytes(bytes.fromhex(report["sealed"]))
    signer = crypto.OrganisationPublicKeys.from_bytes(bytes.fromhex(keys["org_a_public"]))
    for rid, secret in (("org-a", keys["org_a_secret"]), ("org-b", keys["org_b_secret"])):
        org = crypto.OrganisationKeys._from_secret_bytes(bytes.fromhex(secret))
        body = crypto.open_report(
            sealed, report["header"], recipient_id=rid, recipient=org, signer=signer
        )
        assert body == bytes.fromhex(report["body"])
    assert crypto.report_digest(sealed, report["header"]).hex() == report["digest"]
    crypto.verify_report_attestation(
        sealed,
        report["header"],
        bytes.fromhex(report["attestation"]),
        bytes.fromhex(keys["hub_public"]),
    )


def test_stored_locks_open() -> None:
    lock = load("passphrase_lock")
    member = crypto.unlock_member_key(bytes.fromhex(lock["blob"]), lock["passphrase"])
    assert member._secret_bytes().hex() == lock["member_secret"]
    rec = load("recovery_lock")
    org = crypto.unlock_with_recovery_code(bytes.fromhex(rec["blob"]), rec["code"])
    assert org._secret_bytes().hex() == rec["org_secret"]
    ses = load("session")
    member = crypto.open_session(bytes.fromhex(ses["blob"]), bytes.fromhex(ses["session_key"]))
    assert member._secret_bytes().hex() == ses["member_secret"]


def test_stored_blob_opens() -> None:
    vec = load("blob")
    out = io.BytesIO()
    info = crypto.open_blob(
        io.BytesIO(bytes.fromhex(vec["sealed"])),
        out,
        key=crypto.ReportKey(bytes.fromhex(vec["report_key"])),
        blob_id=vec["blob_id"],
        expected_digest=vec["plaintext_sha"],
    )
    assert out.getvalue() == bytes(range(256)) * 40
    assert info.size == vec["plaintext_size"]


def test_primitives_match_published_libsodium_answers() -> None:
    # BLAKE2b-512 of "abc" (RFC 7693 appendix A) — our hash wrapper adds nothing.
    digest = _primitives.blake2b(b"abc", size=64).hex()
    assert digest == hashlib.blake2b(b"abc").hexdigest()
    assert digest.startswith("ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1")
    # Ed25519 test 1 of RFC 8032 section 7.1: empty message.
    seed = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    public, secret = _primitives.sign_keypair_from_seed(seed)
    assert public.hex() == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    assert _primitives.sign(secret, b"").hex() == (
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
        "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
    )
