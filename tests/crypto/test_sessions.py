import pytest

import crypto


def test_session_opens_with_the_client_key_only() -> None:
    member = crypto.MemberKeys.generate()
    session_key, blob = crypto.new_session(member)
    assert len(session_key) == 32
    assert crypto.open_session(blob, session_key).public == member.public
    assert member._secret_bytes() not in blob
    with pytest.raises(crypto.InvalidEnvelope):
        crypto.open_session(blob, bytes(32))
    other_key, _ = crypto.new_session(member)
    with pytest.raises(crypto.InvalidEnvelope):
        crypto.open_session(blob, other_key)


def test_session_key_of_wrong_length() -> None:
    _, blob = crypto.new_session(crypto.MemberKeys.generate())
    with pytest.raises(crypto.InvalidEnvelope):
        crypto.open_session(blob, b"short")


def test_two_sessions_of_one_member_are_independent() -> None:
    member = crypto.MemberKeys.generate()
    key_1, blob_1 = crypto.new_session(member)
    key_2, blob_2 = crypto.new_session(member)
    assert key_1 != key_2
    assert blob_1 != blob_2
    with pytest.raises(crypto.InvalidEnvelope):
        crypto.open_session(blob_2, key_1)
