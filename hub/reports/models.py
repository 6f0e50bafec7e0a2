"""Reports as the hub stores them: header columns in clear, the sealed body, one wrap per
recipient organisation, sealed attachments.

The header columns are plain strings on purpose (not checked enums): they are exactly the
values the originator signed, and the reader rebuilds the signed header from them. A column
edited in the database must come out as a signature failure the reader is told about, not
as an exception while loading the row.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, utcnow


def new_id() -> str:
    return str(uuid.uuid4())


class Report(Base):
    __tablename__ = "reports"
    __table_args__ = (
        # A retried submission (same member, same Idempotency-Key) finds the first report.
        UniqueConstraint("created_by_id", "idempotency_key", name="idempotency"),
        Index("ix_reports_listing", "area_code", "type", "reported_at"),
        # The periodic report and the incidents-by-month chart (hub/periodic/figures.py):
        # counts of an area subtree's headers over a period, read from this index alone —
        # it holds only the headers that count (`counts`, hub/reports/counting.py) and every
        # column the count groups or tests, so neither the table nor the other stages of an
        # incident are visited and the cost follows the period's reports, not the database.
        Index(
            "ix_reports_counts",
            "area_code",
            "occurred_on",
            "type",
            "category",
            "severity",
            "tlp",
            "id",
            # Also in the condition; named here so that SQLite reads the index alone.
            "counts",
            sqlite_where=text("counts = 1"),
            postgresql_where=text("counts"),
        ),
        # One counting report per incident, whatever runs concurrently (counting.py). The
        # condition names incident_key (NULLs never collide anyway) so that no count's
        # query, which implies the rest of it, takes this index for its own.
        Index(
            "ux_reports_incident_counts",
            "incident_key",
            unique=True,
            sqlite_where=text("counts = 1 AND type = 'incident' AND incident_key IS NOT NULL"),
            postgresql_where=text("counts AND type = 'incident' AND incident_key IS NOT NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    # --- the header, signed by the originator (see service.signed_header) ---
    header_version: Mapped[int] = mapped_column(Integer, default=1)
    type: Mapped[str] = mapped_column(String(32))
    stage: Mapped[str | None] = mapped_column(String(16))
    incident_id: Mapped[str | None] = mapped_column(String(36), index=True)
    supersedes: Mapped[str | None] = mapped_column(String(36))
    originator_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    # Which of the originator's key pairs signed (organisations rotate keys).
    signer_key_version: Mapped[int] = mapped_column(Integer, default=1)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    # An anonymous originator may let recipients see its kind (UN, INGO…), never its name.
    show_kind: Mapped[bool] = mapped_column(Boolean, default=False)
    area_code: Mapped[str] = mapped_column(String(32))
    category: Mapped[str | None] = mapped_column(String(48))
    severity: Mapped[str] = mapped_column(String(16))
    precedence: Mapped[str | None] = mapped_column(String(16))
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    reported_at: Mapped[dt.datetime]
    tlp: Mapped[str] = mapped_column(String(16))
    # JSON text of the audience as given; a named audience of hundreds of partners is long.
    audience: Mapped[str] = mapped_column(Text)
    level: Mapped[str] = mapped_column(String(16))
    expires_at: Mapped[dt.datetime | None]
    summary: Mapped[str | None] = mapped_column(String(140))
    body_schema: Mapped[str] = mapped_column(String(48))
    # --- sealed ---
    # R 01 envelope without wraps (nonce, signature, ciphertext). Emptied on withdrawal.
    envelope: Mapped[bytes | None] = mapped_column(LargeBinary)
    # For anonymous reports: the hub's attestation that an approved partner signed.
    attestation: Mapped[bytes | None] = mapped_column(LargeBinary)
    # "sms": sealed by the hub from a registered phone's SMS (no signature of the
    # organisation; the attestation vouches for it, for every reader). NULL otherwise.
    received_by: Mapped[str | None] = mapped_column(String(16))
    # report_digest: names this exact report in the audit log.
    digest: Mapped[str] = mapped_column(String(64))
    # --- bookkeeping, not signed ---
    created_by_id: Mapped[str | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[dt.datetime | None]
    withdrawn_reason: Mapped[str | None] = mapped_column(String(16))  # withdrawn | retention
    # The first report of the incident this one belongs to (its own id for a flash), set at
    # publication by following `incident_id`; NULL only for rows written outside the hub's
    # services (the benches' bulk SQL). See hub/reports/counting.py.
    incident_key: Mapped[str | None] = mapped_column(String(36), index=True)
    # The header counts in an area's figures: not withdrawn and, for an incident report, the
    # latest stage of its incident. Maintained by hub/reports/counting.py.
    counts: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class ReportWrap(Base):
    """The report's data key sealed to one organisation. Consent adds a row; revocation and
    withdrawal empty `wrap` (crypto-shredding) and keep the row, so that a former recipient
    is told "withdrawn by the originator" instead of "not found"."""

    __tablename__ = "report_wraps"
    __table_args__ = (
        # The inbox: an organisation's reports newest first, one index range per page
        # (keyset on listed_at, report_id), whatever the organisation holds in all.
        Index("ix_report_wraps_inbox", "organisation_id", "listed_at", "report_id"),
    )

    report_id: Mapped[str] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    # The report's created_at, copied here so the inbox is read from this table's index
    # alone: the listing time of a report is the same for every recipient, whenever its
    # wrap was added (publication, consent or standing consent).
    listed_at: Mapped[dt.datetime]
    wrap: Mapped[bytes | None] = mapped_column(LargeBinary)
    # publication | standing_consent | consent | green | clear
    granted_by: Mapped[str] = mapped_column(String(32))
    granted_by_member_id: Mapped[str | None] = mapped_column(String(36))
    added_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[dt.datetime | None]
    removed_reason: Mapped[str | None] = mapped_column(String(16))  # revoked | withdrawn


class Attachment(Base):
    """A sealed file under the data directory. Its name, type and plaintext digest are in
    the signed body; the hub only knows the sealed size."""

    __tablename__ = "report_attachments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    sealed_size: Mapped[int] = mapped_column(Integer)
    # Removed with the wraps on withdrawal; the file is unlinked too.
    removed_at: Mapped[dt.datetime | None]


class SignerKeys(Base):
    """The public keys an organisation signed reports with, by key version, so that reports
    signed before a key rotation still verify after it."""

    __tablename__ = "report_signer_keys"

    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    key_version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    public_keys: Mapped[bytes] = mapped_column(LargeBinary)
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ReportDraft(Base):
    """A flash form the hub received but did not publish (a field to correct, a search for
    the area), sealed to the member's organisation like a report: the hub keeps what was
    typed without reading it, for a phone without JavaScript whose next page may never
    arrive. One per member and idempotency key; removed when that key publishes."""

    __tablename__ = "report_drafts"
    __table_args__ = (UniqueConstraint("member_id", "idempotency_key", name="one_draft"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), index=True)
    organisation_id: Mapped[str] = mapped_column(String(36))
    idempotency_key: Mapped[str] = mapped_column(String(200))
    # A `R 01` envelope with the organisation's one wrap (crypto.SealedReport.to_bytes).
    envelope: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
