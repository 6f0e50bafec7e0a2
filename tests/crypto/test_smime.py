"""S/MIME alert signing, checked by an independent verifier (the openssl command)."""

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

import crypto

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
ENTITY = (
    b'Content-Type: text/plain; charset="utf-8"\r\n'
    b"Content-Transfer-Encoding: 8bit\r\n\r\n"
    b"Niveau renforc\xc3\xa9 pour CD6102. Phrase anti-hame\xc3\xa7onnage : mangue verte.\r\n"
)

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl(1)")


@pytest.fixture(scope="module")
def hub() -> crypto.EmailIdentity:
    return crypto.new_self_signed_identity(
        common_name="SLT Hub alerts", email="alerts@slthub.example", now=NOW
    )


def _openssl_verify(message: bytes, cert_pem: bytes, tmp: Path) -> subprocess.CompletedProcess:
    (tmp / "msg.eml").write_bytes(message)
    (tmp / "ca.pem").write_bytes(cert_pem)
    return subprocess.run(
        [
            "openssl",
            "smime",
            "-verify",
            "-in",
            str(tmp / "msg.eml"),
            "-CAfile",
            str(tmp / "ca.pem"),
            "-purpose",
            "any",
            "-attime",
            str(int(NOW.timestamp()) + 60),
        ],
        capture_output=True,
        check=False,
    )


def test_signed_alert_verifies(hub: crypto.EmailIdentity, tmp_path: Path) -> None:
    signed = crypto.sign_email(ENTITY, hub)
    assert b"multipart/signed" in signed
    result = _openssl_verify(signed, hub.certificate_pem, tmp_path)
    assert result.returncode == 0, result.stderr
    assert b"mangue verte" in result.stdout


def test_altered_alert_fails_verification(hub: crypto.EmailIdentity, tmp_path: Path) -> None:
    signed = crypto.sign_email(ENTITY, hub).replace(b"CD6102", b"CD6103")
    assert _openssl_verify(signed, hub.certificate_pem, tmp_path).returncode != 0


def test_forgery_with_another_certificate_fails(hub: crypto.EmailIdentity, tmp_path: Path) -> None:
    forger = crypto.new_self_signed_identity(
        common_name="SLT Hub alerts", email="alerts@slthub.example", now=NOW
    )
    signed = crypto.sign_email(ENTITY, forger)
    assert _openssl_verify(signed, hub.certificate_pem, tmp_path).returncode != 0


def test_encrypted_to_the_liaison_only(hub: crypto.EmailIdentity) -> None:
    liaison = crypto.new_self_signed_identity(
        common_name="Liaison", email="liaison@ngo.example", now=NOW
    )
    other = crypto.new_self_signed_identity(common_name="Other", email="o@x.example", now=NOW)
    sealed = crypto.encrypt_email(crypto.sign_email(ENTITY, hub), liaison.certificate_pem)
    assert b"application/pkcs7-mime" in sealed
    assert b"CD6102" not in sealed
    opened = crypto.decrypt_email(
        sealed, certificate_pem=liaison.certificate_pem, private_key_pem=liaison.private_key_pem()
    )
    assert b"CD6102" in opened
    with pytest.raises(crypto.CryptoError):
        crypto.decrypt_email(
            sealed, certificate_pem=other.certificate_pem, private_key_pem=other.private_key_pem()
        )


def test_certificate_checks(hub: crypto.EmailIdentity) -> None:
    info = crypto.certificate_info(hub.certificate_pem, now=NOW)
    assert info.emails == ("alerts@slthub.example",)
    assert len(info.fingerprint.split(":")) == 32
    with pytest.raises(crypto.InvalidCertificate):
        crypto.certificate_info(hub.certificate_pem, now=NOW + dt.timedelta(days=900))
    with pytest.raises(crypto.InvalidCertificate):
        crypto.certificate_info(b"-----BEGIN CERTIFICATE-----\nnope\n", now=NOW)
    other = crypto.new_self_signed_identity(common_name="x", email="x@x.example", now=NOW)
    with pytest.raises(crypto.InvalidCertificate):
        crypto.EmailIdentity(hub.certificate_pem, other.private_key_pem())
    assert "redacted" in repr(hub)
