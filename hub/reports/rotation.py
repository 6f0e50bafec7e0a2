"""After an organisation rotates its keys: the report keys it holds are re-sealed to its new
public key with its old secret keys, in the rotation's own transaction, and the public keys
that signed its earlier reports are kept so those still verify.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from crypto import CryptoError, OrganisationKeys, OrganisationPublicKeys, reseal_for
from hub.reports.header import sealed_of, signed_header
from hub.reports.models import Report, ReportWrap, SignerKeys

log = logging.getLogger("hub.reports")


def rewrap_after_rotation(
    session: Session,
    *,
    organisation_id: str,
    old_keys: OrganisationKeys,
    old_version: int,
    new_public: OrganisationPublicKeys,
) -> int:
    """After an organisation rotates its keys, re-seal each report key it holds to its new
    public key with its old secret keys, in the rotation's own transaction
    (`hub.organisations.service.rotate_keys` holds both). Flushes; returns how many.

    The old public keys are kept by version first: the reports they signed must still
    verify once the organisation's row holds the new ones.

    A wrap that does not open with the old keys (damaged) is left as it is: it did not open
    before either."""
    if session.get(SignerKeys, (organisation_id, old_version)) is None:
        session.add(
            SignerKeys(
                organisation_id=organisation_id,
                key_version=old_version,
                public_keys=old_keys.public.to_bytes(),
            )
        )
    rows = session.execute(
        select(ReportWrap, Report)
        .join(Report, Report.id == ReportWrap.report_id)
        .where(ReportWrap.organisation_id == organisation_id)
        .where(ReportWrap.removed_at.is_(None))
        .where(ReportWrap.wrap.is_not(None))
        .where(Report.withdrawn_at.is_(None))
    ).all()
    done = 0
    for wrap, report in rows:
        if wrap.wrap is None:
            continue
        try:
            wrap.wrap = reseal_for(
                sealed_of(report, {organisation_id: wrap.wrap}),
                signed_header(report),
                holder_id=organisation_id,
                holder=old_keys,
                new_public=new_public,
            )
        except CryptoError:
            log.warning("report %s: the wrap of %s does not open", report.id, organisation_id)
            continue
        done += 1
    session.flush()
    return done
