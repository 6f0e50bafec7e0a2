"""Reading one report: its header as a reader may see it (an anonymous originator hidden), its
body opened and verified in the reading member's session (the originator's signature, or the
hub's attestation), its attachments. Every opening is audited, and so is every integrity
failure, which answers the reader without showing anything that did not verify.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy.orm import Session

import policies
from crypto import BadSignature, CryptoError, ReportKey, open_report, unwrap_report_key
from hub.actors import Actor
from hub.audit import service as audit
from hub.audit.models import AuditAction
from hub.i18n import gettext as _
from hub.organisations.models import Organisation
from hub.reports import attachments as files
from hub.reports.errors import ReportIntegrityError, report_not_found
from hub.reports.header import header_fact, hub_keys, sealed_of, signed_header, signer_keys
from hub.reports.models import Report
from hub.reports.readers import Reader, active_wrap, readable_report, reader
from hub.reports.schemas import HeaderRead, OriginatorRead, ReportRead, SealedBody
from policies.vocabulary import DEFAULT_PRECEDENCE, Level, OrganisationKind


def reader_lang() -> policies.vocabulary.Lang:
    from hub.i18n import current_locale

    return "fr" if current_locale.get() == "fr" else "en"


def header_read(report: Report, reader_org_id: str, originator: Organisation) -> HeaderRead:
    """Raises ValueError if a column holds something that is not a known code."""
    fact = header_fact(report)
    hidden = report.anonymous and reader_org_id != report.originator_id
    return HeaderRead(
        type=fact.type,
        stage=fact.stage,
        incident_id=report.incident_id,
        supersedes=report.supersedes,
        originator=OriginatorRead(
            id=None if hidden else originator.id,
            name=_("a partner organisation") if hidden else originator.name,
            kind=(OrganisationKind(originator.kind) if not hidden or report.show_kind else None),
            anonymous=report.anonymous,
        ),
        area=report.area_code,
        category=fact.category,
        severity=fact.severity,
        precedence=fact.precedence or DEFAULT_PRECEDENCE[fact.severity],
        occurred_on=report.occurred_on,
        reported_at=report.reported_at,
        tlp=fact.tlp,
        level=Level(report.level),
        expires_at=report.expires_at,
        summary=report.summary,
        status="withdrawn" if report.withdrawn else "published",
    )


def integrity_failure(
    session: Session, *, actor: Actor, report: Report, exc: Exception
) -> ReportIntegrityError:
    session.rollback()
    audit.record_by(
        session,
        action=AuditAction.REPORT_INTEGRITY_FAILED,
        actor=actor,
        target=report.id,
        details={"error": type(exc).__name__},
    )
    session.commit()
    if isinstance(exc, BadSignature):
        return ReportIntegrityError(
            _(
                "This report was changed since the originator signed it (header, body or "
                "signature). It is not shown; tell the operator."
            ),
            signature="invalid",
        )
    return ReportIntegrityError(
        _(
            "This report's stored data is damaged or was altered, so it cannot be opened. "
            "Tell the operator."
        ),
        signature="unchecked",
    )


@dataclass(frozen=True)
class Opened:
    report: Report
    body: SealedBody
    key: ReportKey | None
    verified_by: str


def open_for(session: Session, who: Reader, report: Report) -> Opened:
    """Decrypt and verify in `who`'s session. Raises ReportIntegrityError on any damage."""
    wrap = active_wrap(session, report.id, who.organisation.id)
    if wrap is None or wrap.wrap is None:
        raise report_not_found()
    org_keys = who.keys(session)
    try:
        header = signed_header(report)
        header_fact(report)
        sealed = sealed_of(report, {who.organisation.id: wrap.wrap})
        verified_by = "originator"
        sms = report.received_by == "sms"
        if sms or (report.anonymous and who.organisation.id != report.originator_id):
            if report.attestation is None:
                raise BadSignature("no attestation")
            plaintext = open_report(
                sealed,
                header,
                recipient_id=who.organisation.id,
                recipient=org_keys,
                attestation=report.attestation,
                hub_public=hub_keys(session).public_bytes(),
            )
            verified_by = "hub_sms" if sms else "hub_attestation"
        else:
            plaintext = open_report(
                sealed,
                header,
                recipient_id=who.organisation.id,
                recipient=org_keys,
                signer=signer_keys(session, report),
            )
        body = SealedBody.model_validate_json(plaintext)
        # The data key itself only serves the attachments (open_report already used it).
        key = (
            unwrap_report_key(sealed, recipient_id=who.organisation.id, recipient=org_keys)
            if body.attachments
            else None
        )
    except (CryptoError, ValueError, ValidationError) as exc:
        raise integrity_failure(session, actor=who.actor, report=report, exc=exc) from exc
    return Opened(report=report, body=body, key=key, verified_by=verified_by)


def read_report(session: Session, *, actor: Actor, report_id: str) -> ReportRead:
    # The pending-reseal queue is worked on listing (what a member does first), not here:
    # opening one report stays one report's work.
    who = reader(actor)
    report = readable_report(session, who, report_id)
    opened = open_for(session, who, report)
    originator = session.get(Organisation, report.originator_id)
    assert originator is not None  # noqa: S101 (foreign key)
    result = ReportRead(
        id=report.id,
        header=header_read(report, who.organisation.id, originator),
        body=opened.body.content,
        occurred_at=opened.body.occurred_at,
        precise_area=opened.body.precise_area,
        attachments=opened.body.attachments,
        signature="valid",
        verified_by=opened.verified_by,  # type: ignore[arg-type]
    )
    audit.record_by(
        session,
        action=AuditAction.REPORT_OPEN,
        actor=actor,
        target=report.id,
        details={"organisation": who.organisation.id, "digest": report.digest},
    )
    session.commit()
    return result


@dataclass(frozen=True)
class AttachmentFile:
    filename: str
    content_type: str
    data: bytes


def read_attachment(
    session: Session, *, actor: Actor, report_id: str, attachment_id: str, data_dir: Path
) -> AttachmentFile:
    who = reader(actor)
    report = readable_report(session, who, report_id)
    opened = open_for(session, who, report)
    ref = next((a for a in opened.body.attachments if a.id == attachment_id), None)
    if ref is None:
        raise report_not_found()
    assert opened.key is not None  # noqa: S101 (the body names attachments, so it was unwrapped)
    data = files.open_attachment(data_dir, report_id=report.id, ref=ref, key=opened.key)
    audit.record_by(
        session,
        action=AuditAction.REPORT_OPEN,
        actor=actor,
        target=report.id,
        details={"organisation": who.organisation.id, "attachment": ref.id},
    )
    session.commit()
    return AttachmentFile(filename=ref.filename, content_type=ref.content_type, data=data)
