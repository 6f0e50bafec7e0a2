"""A report's signed header and sealed envelope as the hub stores them: the header rebuilt
from its columns exactly as the originator signed it, the policy engine's view of it, and
the keys that check who vouches for it (the originator's, or the hub's attestation)."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from sqlalchemy.orm import Session

import policies
from crypto import BadSignature, HubKeys, OrganisationPublicKeys, SealedReport
from hub.organisations.models import Organisation
from hub.reports.errors import withdrawn
from hub.reports.models import Report, SignerKeys
from policies.vocabulary import Category, Precedence, ReportType, Severity, Stage, Tlp

HEADER_VERSION = 1


def _utc_text(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def signed_header(report: Report) -> dict[str, Any]:
    """The header exactly as the originator signed it, rebuilt from the columns.

    Every column the hub routes or shows by is in here, so an edit to any of them breaks the
    signature (and the AEAD, which binds the same bytes)."""
    return {
        "v": report.header_version,
        "id": report.id,
        "type": report.type,
        "stage": report.stage,
        "incident_id": report.incident_id,
        "supersedes": report.supersedes,
        "originator": report.originator_id,
        "signer_key_version": report.signer_key_version,
        "anonymous": report.anonymous,
        "show_kind": report.show_kind,
        "area": report.area_code,
        "category": report.category,
        "severity": report.severity,
        "precedence": report.precedence,
        "occurred_on": report.occurred_on.isoformat(),
        "reported_at": _utc_text(report.reported_at),
        "tlp": report.tlp,
        "audience": report.audience,
        "level": report.level,
        "expires_at": _utc_text(report.expires_at),
        "summary": report.summary,
        "body_schema": report.body_schema,
    }


def header_fact(report: Report) -> policies.ReportHeader:
    """The policy engine's view. Raises ValueError on a column that is not a known code
    (only an edit in the database can cause that)."""
    return policies.ReportHeader(
        id=report.id,
        type=ReportType(report.type),
        area=report.area_code,
        severity=Severity(report.severity),
        tlp=Tlp(report.tlp),
        originator=report.originator_id,
        stage=Stage(report.stage) if report.stage else None,
        category=Category(report.category) if report.category else None,
        precedence=Precedence(report.precedence) if report.precedence else None,
        anonymous=report.anonymous,
    )


def signer_keys(session: Session, report: Report) -> OrganisationPublicKeys:
    """The originator's public keys of the version that signed `report`: its current keys,
    or those a rotation recorded (see rewrap_after_rotation). Publication itself records
    nothing, which keeps a query off the path every report takes."""
    known = session.get(SignerKeys, (report.originator_id, report.signer_key_version))
    if known is not None:
        return OrganisationPublicKeys.from_bytes(known.public_keys)
    originator = session.get(Organisation, report.originator_id)
    if (
        originator is None
        or originator.public_keys is None
        or originator.key_version != report.signer_key_version
    ):
        raise BadSignature("the originator's keys of that version are unknown")
    return OrganisationPublicKeys.from_bytes(originator.public_keys)


@functools.lru_cache(maxsize=4096)
def public_keys_of(blob: bytes) -> OrganisationPublicKeys:
    """Parsed once per distinct blob: a report to 200 organisations parses 200 keys, and
    the same few hundred partners recur in every publication. The value is immutable and
    decided by the bytes alone, so sharing it is safe."""
    return OrganisationPublicKeys.from_bytes(blob)


def sealed_of(report: Report, wraps: dict[str, bytes]) -> SealedReport:
    if report.envelope is None:
        raise withdrawn()
    return SealedReport.from_bytes(report.envelope).with_wraps(wraps)


def hub_keys(session: Session) -> HubKeys:
    signer = session.info.get("signer")
    assert isinstance(signer, HubKeys)  # noqa: S101 (make_session_factory always sets it)
    return signer
