from collections.abc import Callable

import pytest

import crypto

from .conftest import BODY, HEADER

Seal = Callable[..., crypto.SealedReport]


def _open(
    sealed: crypto.SealedReport, orgs: dict, rid: str = "org-b", header: dict = HEADER
) -> bytes:
    return crypto.open_report(
        sealed, header, recipient_id=rid, recipient=orgs[rid], signer=orgs["org-a"].public
    )


def test_every_recipient_reads_and_the_bytes_round_trip(seal: Seal, orgs: dict) -> None:
    sealed = crypto.SealedReport.from_bytes(seal().to_bytes())
    assert _open(sealed, orgs, "org-a") == BODY
    assert _open(sealed, orgs, "org-b") == BODY
    assert BODY not in sealed.to_bytes()


def test_a_non_recipient_has_no_wrap(seal: Seal, orgs: dict) -> None:
    with pytest.raises(crypto.NotARecipient):
        _open(seal(), orgs, "org-c")


def test_a_wrap_opened_with_the_wrong_key(seal: Seal, orgs: dict) -> None:
    sealed = seal()
    with pytest.raises(crypto.InvalidEnvelope):
        crypto.open_report(
            sealed,
            HEADER,
            recipient_id="org-b",
            recipient=orgs["org-c"],
            signer=orgs["org-a"].public,
        )


def test_changed_header_is_detected(seal: Seal, orgs: dict) -> None:
    with pytest.raises(crypto.BadSignature):
        _open(seal(), orgs, header={**HEADER, "severity": "minor"})


def test_changed_ciphertext_is_detected(seal: Seal, orgs: dict) -> None:
    sealed = seal()
    ct = bytearray(sealed.ciphertext)
    ct[0] ^= 1
    with pytest.raises(crypto.BadSignature):
        _open(crypto.SealedReport(sealed.nonce, bytes(ct), sealed.signature, sealed.wraps), orgs)


def test_signature_by_another_organisation(seal: Seal, orgs: dict) -> None:
    forged = crypto.seal_report(
        HEADER, BODY, signer=orgs["org-c"], recipients={"org-b": orgs["org-b"].public}
    )
    with pytest.raises(crypto.BadSignature):
        _open(forged, orgs)


def test_wrap_copied_from_another_report(seal: Seal, orgs: dict) -> None:
    first, second = seal(), seal(header={**HEADER, "id": "r-2"})
    spliced = first.with_wraps({"org-b": second.wraps["org-b"]})
    with pytest.raises(crypto.InvalidEnvelope):
        _open(spliced, orgs)


def test_swapped_wraps_between_recipients(seal: Seal, orgs: dict) -> None:
    sealed = seal()
    swapped = sealed.with_wraps({"org-a": sealed.wraps["org-b"], "org-b": sealed.wraps["org-a"]})
    with pytest.raises(crypto.InvalidEnvelope):
        _open(swapped, orgs)


def test_truncated_and_padded_envelopes(seal: Seal) -> None:
    blob = seal().to_bytes()
    for cut in (0, 1, 2, 30, len(blob) // 2, len(blob) - 1):
        with pytest.raises(crypto.InvalidEnvelope):
            crypto.SealedReport.from_bytes(blob[:cut])
    with pytest.raises(crypto.InvalidEnvelope):
        crypto.SealedReport.from_bytes(blob + b"\0")


def test_unknown_version(seal: Seal) -> None:
    blob = bytearray(seal().to_bytes())
    blob[1] = 2
    with pytest.raises(crypto.UnknownVersion):
        crypto.SealedReport.from_bytes(bytes(blob))


def test_wrap_of_unknown_version(seal: Seal, orgs: dict) -> None:
    sealed = seal()
    wrap = bytearray(sealed.wraps["org-b"])
    wrap[1] = 7
    with pytest.raises(crypto.UnknownVersion):
        _open(sealed.with_wraps({"org-b": bytes(wrap)}), orgs)


def test_header_key_order_does_not_matter(seal: Seal, orgs: dict) -> None:
    reordered = dict(reversed(list(HEADER.items())))
    assert _open(seal(), orgs, header=reordered) == BODY


def test_header_that_is_not_json(orgs: dict) -> None:
    with pytest.raises(crypto.InvalidEnvelope):
        crypto.seal_report({"when": object()}, b"", signer=orgs["org-a"], recipients={})
    with pytest.raises(crypto.InvalidEnvelope):
        crypto.seal_report({"n": float("nan")}, b"", signer=orgs["org-a"], recipients={})


def test_reseal_gives_the_new_recipient_access(seal: Seal, orgs: dict) -> None:
    sealed = seal()
    wrap = crypto.reseal_for(
        sealed, HEADER, holder_id="org-b", holder=orgs["org-b"], new_public=orgs["org-c"].public
    )
    assert _open(sealed.with_wraps({"org-c": wrap}), orgs, "org-c") == BODY


def test_reseal_needs_a_holder(seal: Seal, orgs: dict) -> None:
    sealed = seal()
    with pytest.raises(crypto.NotARecipient):
        crypto.reseal_for(
            sealed, HEADER, holder_id="org-c", holder=orgs["org-c"], new_public=orgs["org-c"].public
        )
    # A holder claiming another holder's wrap cannot open it either.
    with pytest.raises(crypto.InvalidEnvelope):
        crypto.reseal_for(
            sealed, HEADER, holder_id="org-b", holder=orgs["org-c"], new_public=orgs["org-c"].public
        )


def test_reseal_checks_the_key_against_the_body(seal: Seal, orgs: dict) -> None:
    sealed = seal()
    with pytest.raises(crypto.InvalidEnvelope):
        crypto.reseal_for(
            sealed,
            {**HEADER, "tlp": "clear"},
            holder_id="org-b",
            holder=orgs["org-b"],
            new_public=orgs["org-c"].public,
        )


def test_anonymous_report_opens_on_the_hubs_attestation(seal: Seal, orgs: dict) -> None:
    hub = crypto.HubKeys.generate()
    sealed = seal()
    crypto.verify_report_signature(sealed, HEADER, orgs["org-a"].public)
    attestation = crypto.attest_report(hub, sealed, HEADER)
    body = crypto.open_report(
        sealed,
        HEADER,
        recipient_id="org-b",
        recipient=orgs["org-b"],
        attestation=attestation,
        hub_public=hub.public_bytes(),
    )
    assert body == BODY
    other = seal(header={**HEADER, "id": "r-9"})
    with pytest.raises(crypto.BadSignature):
        crypto.open_report(
            other,
            {**HEADER, "id": "r-9"},
            recipient_id="org-b",
            recipient=orgs["org-b"],
            attestation=attestation,
            hub_public=hub.public_bytes(),
        )


def test_opening_without_anything_to_verify_against_is_refused(seal: Seal, orgs: dict) -> None:
    with pytest.raises(crypto.BadSignature):
        crypto.open_report(seal(), HEADER, recipient_id="org-b", recipient=orgs["org-b"])


def test_report_digest_names_the_exact_report(seal: Seal) -> None:
    sealed = seal()
    assert crypto.report_digest(sealed, HEADER) == crypto.report_digest(sealed, dict(HEADER))
    assert crypto.report_digest(sealed, HEADER) != crypto.report_digest(
        sealed, {**HEADER, "tlp": "red"}
    )


def test_bad_recipient_ids(orgs: dict) -> None:
    for rid in ("", "x" * 256):
        with pytest.raises(crypto.InvalidEnvelope):
            crypto.seal_report(
                HEADER, b"", signer=orgs["org-a"], recipients={rid: orgs["org-b"].public}
            )
