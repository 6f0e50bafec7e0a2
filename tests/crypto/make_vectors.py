"""Generate the known-answer vectors in vectors/*.json.

Run `python -m tests.crypto.make_vectors` only when a format version changes on purpose;
the vectors pin today's format, and test_vectors.py fails if the code drifts from them.
Randomness is made deterministic here (and only here) so that every nonce, salt and key is
reproducible. Two values come from libsodium's own randomness and cannot be pinned: the
ephemeral key inside sealed boxes (wraps) and secretstream headers (blobs). Those vectors
are checked in the opening direction.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import crypto
from crypto import _primitives, passphrase

VECTORS = Path(__file__).parent / "vectors"
SEED = bytes(range(32))
PARAMS = passphrase.INSECURE_TEST_PARAMS
HEADER: dict[str, Any] = {
    "id": "0f8e3c1a-report-vector",
    "type": "incident",
    "stage": "flash",
    "area": "CD6102",
    "category": "armed_robbery",
    "severity": "severe",
    "occurred_on": "2026-11-23",
    "tlp": "amber+strict",
    "summary": "Vol à main armée sur la route Goma–Rutshuru, pas de blessé",
    "originator": "org-a",
}
BODY = json.dumps(
    {"narrative": "Deux véhicules arrêtés au PK 42.", "coordinates": {"lat": -1.18, "lon": 29.45}},
    ensure_ascii=False,
).encode()


def build() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    with _primitives.deterministic_randomness(SEED):
        org_a = crypto.OrganisationKeys.generate()
        org_b = crypto.OrganisationKeys.generate()
        member = crypto.MemberKeys.generate()
        hub = crypto.HubKeys.generate()
        out["keys"] = {
            "seed": SEED.hex(),
            "org_a_secret": org_a._secret_bytes().hex(),
            "org_a_public": org_a.public.to_bytes().hex(),
            "org_a_fingerprint": org_a.fingerprint(),
            "org_b_secret": org_b._secret_bytes().hex(),
            "org_b_public": org_b.public.to_bytes().hex(),
            "member_secret": member._secret_bytes().hex(),
            "member_public": member.public.to_bytes().hex(),
            "hub_secret": hub.to_bytes().hex(),
            "hub_public": hub.public_bytes().hex(),
        }
        out["passphrase_lock"] = {
            "member_secret": member._secret_bytes().hex(),
            "passphrase": "Sécurité d'abord, toujours",
            "opslimit": PARAMS.opslimit,
            "memlimit": PARAMS.memlimit,
            "blob": crypto.lock_member_key(member, "Sécurité d'abord, toujours", PARAMS).hex(),
        }
        code = crypto.new_recovery_code()
        out["recovery_lock"] = {
            "org_secret": org_a._secret_bytes().hex(),
            "code": code,
            "blob": crypto.lock_with_recovery_code(org_a, code).hex(),
        }
        session_key, session_blob = crypto.new_session(member)
        out["session"] = {
            "member_secret": member._secret_bytes().hex(),
            "session_key": session_key.hex(),
            "blob": session_blob.hex(),
        }
        key = crypto.ReportKey.generate()
        sealed = crypto.seal_report(
            HEADER,
            BODY,
            signer=org_a,
            recipients={"org-a": org_a.public, "org-b": org_b.public},
            key=key,
        )
        out["report"] = {
            "header": HEADER,
            "body": BODY.hex(),
            "report_key": key._bytes().hex(),
            "nonce": sealed.nonce.hex(),
            "ciphertext": sealed.ciphertext.hex(),
            "signature": sealed.signature.hex(),
            "sealed": sealed.to_bytes().hex(),
            "digest": crypto.report_digest(sealed, HEADER).hex(),
            "attestation": crypto.attest_report(hub, sealed, HEADER).hex(),
        }
        dest = io.BytesIO()
        plaintext = bytes(range(256)) * 40  # 10,240 bytes: three 4 KiB chunks, the last partial
        info = crypto.seal_blob(
            io.BytesIO(plaintext), dest, key=key, blob_id="attachment-1", chunk_bytes=4096
        )
        out["blob"] = {
            "report_key": key._bytes().hex(),
            "blob_id": "attachment-1",
            "plaintext_sha": info.digest,
            "plaintext_size": info.size,
            "plaintext_pattern": "bytes(range(256)) * 40",
            "sealed": dest.getvalue().hex(),
        }
    return out


def main() -> None:
    VECTORS.mkdir(exist_ok=True)
    for name, vector in build().items():
        path = VECTORS / f"{name}.json"
        path.write_text(json.dumps(vector, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
