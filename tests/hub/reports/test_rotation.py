"""Organisations rotate their keys (after a member leaves with a copy): what they were given
stays readable once re-sealed, and what they signed before still verifies."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from crypto import (
    CryptoError,
    OrganisationKeys,
    SealedReport,
    unlock_member_key,
    unwrap_report_key,
)
from hub.actors import CONSOLE
from hub.members import service as members
from hub.organisations import service as organisations
from hub.reports.models import ReportWrap
from tests.hub.factories import PASSPHRASE
from tests.hub.reports.factories import API, Party, flash, publish, world


def _keys(session: Session, who: Party) -> OrganisationKeys:
    member = members.find_member(session, who.email)
    assert member.locked_key is not None
    return members.organisation_keys_for(
        session, member=member, keys=unlock_member_key(member.locked_key, PASSPHRASE)
    )


def _rotate(session: Session, who: Party) -> None:
    # rotate_keys re-seals the report keys the organisation holds in its own transaction.
    organisations.rotate_keys(
        session, actor=CONSOLE, organisation=who.org, current_keys=_keys(session, who)
    )


def test_recipient_rotation_keeps_its_reports_readable(
    db_session: Session, client: TestClient
) -> None:
    w = world(db_session, client)
    kept = publish(client, w.a, flash(audience={"organisations": [w.b.id, w.c.id]}))["id"]
    old = _keys(db_session, w.b)
    _rotate(db_session, w.b)
    assert client.get(f"{API}/reports/{kept}", headers=w.b.headers).status_code == 200
    # The wrap is now sealed to the new keys only: the old ones (a departed member's copy)
    # no longer open it.
    wrap = db_session.get(ReportWrap, (kept, w.b.id))
    assert wrap is not None
    assert wrap.wrap is not None
    with pytest.raises(CryptoError):
        unwrap_report_key(
            SealedReport(b"", b"", b"", {w.b.id: wrap.wrap}), recipient_id=w.b.id, recipient=old
        )


def test_originator_rotation_keeps_earlier_signatures_valid(
    db_session: Session, client: TestClient
) -> None:
    w = world(db_session, client)
    before = publish(client, w.a, flash(audience={"organisations": [w.b.id]}))["id"]
    _rotate(db_session, w.a)
    after = publish(client, w.a, flash(audience={"organisations": [w.b.id]}))["id"]
    for rid in (before, after):
        read = client.get(f"{API}/reports/{rid}", headers=w.b.headers)
        assert read.status_code == 200, read.text
        assert read.json()["signature"] == "valid"
    assert client.get(f"{API}/reports/{before}", headers=w.a.headers).status_code == 200
