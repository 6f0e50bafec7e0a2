"""µs per crypto operation, ours against the same work in raw PyNaCl, in one run.

    python -m bench.crypto [--quick]

"Raw" is the same libsodium work through PyNaCl's public API with no framing, no canonical
JSON and no checks: the floor our API is measured against (goal: within 1.3× of it).
Argon2id runs with the production parameters (crypto.passphrase.PRODUCTION_PARAMS).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform

import nacl.hash
import nacl.public
import nacl.pwhash
import nacl.secret
import nacl.signing
import nacl.utils

import crypto
from bench._timing import per_call_us
from crypto.passphrase import PRODUCTION_PARAMS

HEADER = {
    "id": "6f1c2a9e-0000-4000-8000-000000000001",
    "type": "incident",
    "stage": "flash",
    "area": "CD6102",
    "category": "armed_robbery",
    "severity": "severe",
    "occurred_on": "2026-11-23",
    "reported_hour": "2026-11-23T07:00Z",
    "tlp": "amber+strict",
    "summary": "Vol à main armée sur la route Goma–Rutshuru, pas de blessé",
    "originator": "6f1c2a9e-0000-4000-8000-0000000000aa",
}
BODY = json.dumps({"narrative": "x" * 1500, "location": "PK 42, RN2"}).encode()


def raw_seal(
    signer: nacl.signing.SigningKey, publics: list[nacl.public.PublicKey]
) -> tuple[bytes, bytes, list[bytes]]:
    header = json.dumps(HEADER, sort_keys=True, separators=(",", ":")).encode()
    key = nacl.utils.random(32)
    ct = nacl.secret.Aead(key).encrypt(BODY, header)
    digest = nacl.hash.blake2b(header + ct, digest_size=64, encoder=nacl.encoding.RawEncoder)
    sig = signer.sign(digest).signature
    wraps = [nacl.public.SealedBox(pk).encrypt(key) for pk in publics]
    return ct, sig, wraps


def raw_open(
    ct: bytes, sig: bytes, wrap: bytes, verify: nacl.signing.VerifyKey, sk: nacl.public.PrivateKey
) -> bytes:
    header = json.dumps(HEADER, sort_keys=True, separators=(",", ":")).encode()
    digest = nacl.hash.blake2b(header + ct, digest_size=64, encoder=nacl.encoding.RawEncoder)
    verify.verify(digest, sig)
    key = nacl.public.SealedBox(sk).decrypt(wrap)
    return nacl.secret.Aead(key).decrypt(ct, header)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    args = parser.parse_args()
    repeat = 3 if args.quick else 7

    print(
        f"bench.crypto — {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} cores, PyNaCl {nacl.__version__}"
    )
    print(f"{'operation':<34}{'ours µs':>11}{'raw µs':>11}{'ratio':>8}")

    def row(name: str, ours: float, raw: float | None) -> None:
        ratio = f"{ours / raw:.2f}×" if raw else "—"
        raw_text = f"{raw:,.1f}" if raw else "—"
        print(f"{name:<34}{ours:>11,.1f}{raw_text:>11}{ratio:>8}")

    signer = crypto.OrganisationKeys.generate()
    raw_signer = nacl.signing.SigningKey.generate()
    for n in (1, 10, 50, 200):
        orgs = {f"org-{i}": crypto.OrganisationKeys.generate().public for i in range(n)}
        raw_pks = [nacl.public.PrivateKey.generate().public_key for _ in range(n)]
        ours = per_call_us(
            functools.partial(crypto.seal_report, HEADER, BODY, signer=signer, recipients=orgs),
            repeat=repeat,
        )
        raw = per_call_us(functools.partial(raw_seal, raw_signer, raw_pks), repeat=repeat)
        row(f"seal_report → {n} recipients", ours, raw)

    reader = crypto.OrganisationKeys.generate()
    sealed = crypto.seal_report(HEADER, BODY, signer=signer, recipients={"r": reader.public})
    ours = per_call_us(
        lambda: crypto.open_report(
            sealed, HEADER, recipient_id="r", recipient=reader, signer=signer.public
        ),
        repeat=repeat,
    )
    raw_sk = nacl.public.PrivateKey.generate()
    ct, sig, wraps = raw_seal(raw_signer, [raw_sk.public_key])
    raw = per_call_us(
        lambda: raw_open(ct, sig, wraps[0], raw_signer.verify_key, raw_sk), repeat=repeat
    )
    row("open_report", ours, raw)

    member = crypto.MemberKeys.generate()
    session_key, session_blob = crypto.new_session(member)
    ours = per_call_us(lambda: crypto.new_session(member), repeat=repeat)
    raw_key = nacl.utils.random(32)
    raw = per_call_us(
        lambda: (nacl.utils.random(32), nacl.secret.Aead(raw_key).encrypt(bytes(32), b"S\x01")),
        repeat=repeat,
    )
    row("new_session", ours, raw)
    ours = per_call_us(lambda: crypto.open_session(session_blob, session_key), repeat=repeat)
    raw_ct = nacl.secret.Aead(raw_key).encrypt(bytes(32), b"S\x01")
    raw = per_call_us(
        lambda: nacl.public.PrivateKey(nacl.secret.Aead(raw_key).decrypt(raw_ct, b"S\x01")),
        repeat=repeat,
    )
    row("open_session", ours, raw)

    blob = crypto.lock_member_key(member, "une phrase de passe", PRODUCTION_PARAMS)
    ours = per_call_us(
        lambda: crypto.unlock_member_key(blob, "une phrase de passe"), repeat=3, number=3
    )
    salt = nacl.utils.random(16)
    raw = per_call_us(
        lambda: nacl.pwhash.argon2id.kdf(
            32,
            b"une phrase de passe",
            salt,
            opslimit=PRODUCTION_PARAMS.opslimit,
            memlimit=PRODUCTION_PARAMS.memlimit,
        ),
        repeat=3,
        number=3,
    )
    row("unlock_member_key (Argon2id)", ours, raw)
    print(
        f"Argon2id parameters: opslimit={PRODUCTION_PARAMS.opslimit}, "
        f"memlimit={PRODUCTION_PARAMS.memlimit // (1024 * 1024)} MiB"
    )


if __name__ == "__main__":
    main()
