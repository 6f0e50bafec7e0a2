import re

import pytest

import crypto


def test_organisation_public_keys_round_trip_and_fingerprint_is_readable() -> None:
    org = crypto.OrganisationKeys.generate()
    blob = org.public.to_bytes()
    assert crypto.OrganisationPublicKeys.from_bytes(blob) == org.public
    assert re.fullmatch(r"([0-9A-F]{4} ){7}[0-9A-F]{4}", org.fingerprint())
    assert org.fingerprint() != crypto.OrganisationKeys.generate().fingerprint()


def test_secrets_never_print() -> None:
    org = crypto.OrganisationKeys.generate()
    member = crypto.MemberKeys.generate()
    hub = crypto.HubKeys.generate()
    for key, secret in (
        (org, org._secret_bytes()),
        (member, member._secret_bytes()),
        (hub, hub.to_bytes()[2:]),
    ):
        text = repr(key) + str(key)
        assert "redacted" in text
        assert secret.hex() not in text
        assert secret.hex()[:16] not in text
    assert "redacted" in repr(crypto.ReportKey.generate())


def test_member_wrap_opens_only_for_that_member() -> None:
    org = crypto.OrganisationKeys.generate()
    alice, bob = crypto.MemberKeys.generate(), crypto.MemberKeys.generate()
    wrap = crypto.wrap_for_member(org, alice.public)
    assert crypto.unwrap_for_member(wrap, alice).public == org.public
    with pytest.raises(crypto.InvalidEnvelope):
        crypto.unwrap_for_member(wrap, bob)


def test_member_public_key_round_trip() -> None:
    member = crypto.MemberKeys.generate()
    assert crypto.MemberPublicKey.from_bytes(member.public.to_bytes()) == member.public


@pytest.mark.parametrize(
    "blob",
    [b"", b"K", b"K\x01" + bytes(63), b"K\x01" + bytes(65), b"U\x01" + bytes(64)],
)
def test_malformed_public_keys_are_refused(blob: bytes) -> None:
    with pytest.raises(crypto.InvalidEnvelope):
        crypto.OrganisationPublicKeys.from_bytes(blob)


def test_unknown_version_is_named() -> None:
    blob = bytearray(crypto.OrganisationKeys.generate().public.to_bytes())
    blob[1] = 9
    with pytest.raises(crypto.UnknownVersion):
        crypto.OrganisationPublicKeys.from_bytes(bytes(blob))


def test_hub_key_round_trip_and_attestation() -> None:
    hub = crypto.HubKeys.generate()
    again = crypto.HubKeys.from_bytes(hub.to_bytes())
    statement = {"audit_head": "ab" * 32, "entries": 41}
    attestation = again.attest(statement)
    crypto.verify_attestation(statement, attestation, hub.public_bytes())
    with pytest.raises(crypto.BadSignature):
        crypto.verify_attestation({**statement, "entries": 42}, attestation, hub.public_bytes())
    other = crypto.HubKeys.generate()
    with pytest.raises(crypto.BadSignature):
        crypto.verify_attestation(statement, attestation, other.public_bytes())
    with pytest.raises(crypto.BadSignature):
        crypto.verify_attestation(statement, b"A\x01" + bytes(64), hub.public_bytes())
