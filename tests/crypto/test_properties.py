"""Any single-byte change to what a reader depends on is an error, never garbage plaintext."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import crypto

from .conftest import BODY, HEADER

ORG_A = crypto.OrganisationKeys.generate()
ORG_B = crypto.OrganisationKeys.generate()
MEMBER = crypto.MemberKeys.generate()
PASSPHRASE = "une phrase de passe assez longue"

common = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _flip(blob: bytes, index: int, delta: int) -> bytes:
    changed = bytearray(blob)
    changed[index % len(blob)] ^= delta
    return bytes(changed)


byte_change = st.tuples(st.integers(min_value=0, max_value=10**6), st.integers(1, 255))


@pytest.fixture(scope="module")
def sealed_bytes() -> bytes:
    # One recipient, so every byte of the serialised envelope is something the reader uses.
    sealed = crypto.seal_report(HEADER, BODY, signer=ORG_A, recipients={"org-b": ORG_B.public})
    return sealed.to_bytes()


def _read(blob: bytes) -> bytes:
    sealed = crypto.SealedReport.from_bytes(blob)
    return crypto.open_report(
        sealed, HEADER, recipient_id="org-b", recipient=ORG_B, signer=ORG_A.public
    )


@common
@given(change=byte_change)
def test_sealed_report(sealed_bytes: bytes, change: tuple[int, int]) -> None:
    tampered = _flip(sealed_bytes, *change)
    with pytest.raises(crypto.CryptoError):
        _read(tampered)


@common
@given(change=byte_change, key=st.sampled_from(sorted(HEADER)))
def test_header_value(sealed_bytes: bytes, change: tuple[int, int], key: str) -> None:
    value = HEADER[key].encode()
    changed = _flip(value, *change).decode("latin-1")
    with pytest.raises(crypto.CryptoError):
        crypto.open_report(
            crypto.SealedReport.from_bytes(sealed_bytes),
            {**HEADER, key: changed},
            recipient_id="org-b",
            recipient=ORG_B,
            signer=ORG_A.public,
        )


@pytest.fixture(scope="module")
def member_wrap() -> bytes:
    return crypto.wrap_for_member(ORG_A, MEMBER.public)


@common
@given(change=byte_change)
def test_member_wrap(member_wrap: bytes, change: tuple[int, int]) -> None:
    with pytest.raises(crypto.CryptoError):
        crypto.unwrap_for_member(_flip(member_wrap, *change), MEMBER)


@pytest.fixture(scope="module")
def locked_key() -> bytes:
    return crypto.lock_member_key(MEMBER, PASSPHRASE)


@common
@given(change=byte_change)
def test_locked_member_key(locked_key: bytes, change: tuple[int, int]) -> None:
    with pytest.raises(crypto.CryptoError):
        crypto.unlock_member_key(_flip(locked_key, *change), PASSPHRASE)


@pytest.fixture(scope="module")
def recovery() -> tuple[bytes, str]:
    code = crypto.new_recovery_code()
    return crypto.lock_with_recovery_code(ORG_A, code), code


@common
@given(change=byte_change)
def test_recovery_lock(recovery: tuple[bytes, str], change: tuple[int, int]) -> None:
    blob, code = recovery
    with pytest.raises(crypto.CryptoError):
        crypto.unlock_with_recovery_code(_flip(blob, *change), code)


@pytest.fixture(scope="module")
def session() -> tuple[bytes, bytes]:
    return crypto.new_session(MEMBER)


@common
@given(change=byte_change, in_key=st.booleans())
def test_session(session: tuple[bytes, bytes], change: tuple[int, int], in_key: bool) -> None:
    key, blob = session
    if in_key:
        key = _flip(key, *change)
    else:
        blob = _flip(blob, *change)
    with pytest.raises(crypto.CryptoError):
        crypto.open_session(blob, key)


@common
@given(change=byte_change)
def test_attachment(change: tuple[int, int]) -> None:
    import io

    key = crypto.ReportKey.generate()
    sealed = io.BytesIO()
    crypto.seal_blob(io.BytesIO(b"z" * 2500), sealed, key=key, blob_id="a", chunk_bytes=1024)
    with pytest.raises(crypto.CryptoError):
        crypto.open_blob(
            io.BytesIO(_flip(sealed.getvalue(), *change)), io.BytesIO(), key=key, blob_id="a"
        )
