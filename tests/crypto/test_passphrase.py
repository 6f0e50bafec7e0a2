import re

import pytest

import crypto
from crypto import passphrase


def test_lock_and_unlock() -> None:
    member = crypto.MemberKeys.generate()
    blob = crypto.lock_member_key(member, "correct horse battery staple")
    assert crypto.unlock_member_key(blob, "correct horse battery staple").public == member.public


def test_wrong_passphrase() -> None:
    blob = crypto.lock_member_key(crypto.MemberKeys.generate(), "correct horse battery staple")
    with pytest.raises(crypto.WrongPassphrase):
        crypto.unlock_member_key(blob, "correct horse battery stapler")


def test_composed_and_decomposed_accents_open_the_same_key() -> None:
    member = crypto.MemberKeys.generate()
    blob = crypto.lock_member_key(member, "sécurité")  # composed é
    assert crypto.unlock_member_key(blob, "se\u0301curite\u0301").public == member.public


def test_parameters_travel_in_the_blob_and_are_bound() -> None:
    member = crypto.MemberKeys.generate()
    stronger = crypto.KdfParams(opslimit=2, memlimit=16 * 1024)
    blob = crypto.lock_member_key(member, "passphrase", stronger)
    assert crypto.locked_key_params(blob) == stronger
    # Lowering the stored parameters (to speed up an attacker) breaks the blob.
    tampered = bytearray(blob)
    tampered[3 + 3] = 1  # low byte of opslimit
    with pytest.raises(crypto.WrongPassphrase):
        crypto.unlock_member_key(bytes(tampered), "passphrase")


def test_absurd_parameters_are_refused_before_deriving() -> None:
    blob = bytearray(crypto.lock_member_key(crypto.MemberKeys.generate(), "passphrase"))
    blob[7:15] = (1 << 40).to_bytes(8, "big")  # a terabyte of memory
    with pytest.raises(crypto.InvalidEnvelope):
        crypto.unlock_member_key(bytes(blob), "passphrase")


def test_the_test_fixture_weakens_argon2_and_production_stays_strong() -> None:
    assert passphrase.DEFAULT_PARAMS == passphrase.INSECURE_TEST_PARAMS
    assert passphrase.PRODUCTION_PARAMS.memlimit >= 64 * 1024 * 1024
    assert passphrase.PRODUCTION_PARAMS.opslimit >= 2


def test_recovery_code_shape_and_entropy() -> None:
    codes = {crypto.new_recovery_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert re.fullmatch(r"([0-9A-HJKMNP-TV-Z]{4}-){7}[0-9A-HJKMNP-TV-Z]{4}", code)
    # 32 symbols of a 32-letter alphabet: 160 bits.


def test_recovery_code_survives_hand_copying() -> None:
    org = crypto.OrganisationKeys.generate()
    code = crypto.new_recovery_code()
    blob = crypto.lock_with_recovery_code(org, code)
    sloppy = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert crypto.unlock_with_recovery_code(blob, sloppy).public == org.public


def test_wrong_recovery_code() -> None:
    org = crypto.OrganisationKeys.generate()
    blob = crypto.lock_with_recovery_code(org, crypto.new_recovery_code())
    with pytest.raises(crypto.WrongPassphrase):
        crypto.unlock_with_recovery_code(blob, crypto.new_recovery_code())
    with pytest.raises(crypto.WrongPassphrase):
        crypto.unlock_with_recovery_code(blob, "too short")


def test_needs_relock_when_parameters_lag() -> None:
    member = crypto.MemberKeys.generate()
    weak = crypto.KdfParams(opslimit=1, memlimit=8192)
    stronger = crypto.KdfParams(opslimit=2, memlimit=16 * 1024)
    blob = crypto.lock_member_key(member, "passphrase", weak)
    assert crypto.needs_relock(blob, stronger)
    assert not crypto.needs_relock(blob, weak)
    relocked = crypto.lock_member_key(member, "passphrase", stronger)
    assert not crypto.needs_relock(relocked, stronger)
