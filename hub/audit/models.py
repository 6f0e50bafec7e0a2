"""The audit chain's tables (entries and the signed head) and the actions it records."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Boolean, Float, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base


class AuditAction(StrEnum):
    HUB_INIT = "hub:init"
    HUB_BACKUP = "hub:backup"
    HUB_RESTORE = "hub:restore"
    ORGANISATION_CREATE = "organisation:create"
    ORGANISATION_APPROVE = "organisation:approve"
    ORGANISATION_SUSPEND = "organisation:suspend"
    ORGANISATION_APPLY = "organisation:apply"
    ORGANISATION_REFUSE = "organisation:refuse"
    ORGANISATION_REINSTATE = "organisation:reinstate"
    ORGANISATION_KEYS_CREATE = "organisation:create-keys"
    ORGANISATION_ROTATE_KEYS = "organisation:rotate-keys"
    MEMBER_CREATE = "member:create"
    MEMBER_GRANT = "member:grant"
    MEMBER_INVITE = "member:invite"
    MEMBER_INVITATION_ACCEPT = "member:accept-invitation"
    MEMBER_INVITATION_REVOKE = "member:revoke-invitation"
    MEMBER_SET_ROLES = "member:set-roles"
    MEMBER_REMOVE = "member:remove"
    MEMBER_CHANGE_PASSPHRASE = "member:change-passphrase"  # noqa: S105 (an action name)
    MEMBER_RESET_PASSPHRASE = "member:reset-passphrase"  # noqa: S105 (an action name)
    MEMBER_ENROL_TOTP = "member:enrol-totp"
    MEMBER_RESET_TOTP = "member:reset-totp"
    LOGIN = "auth:login"
    LOGIN_FAILED = "auth:login-failed"
    LOGOUT = "auth:logout"
    LOGOUT_EVERYWHERE = "auth:logout-everywhere"
    AREA_IMPORT = "area:import"
    AREA_SET_RISK = "area:set-risk"
    AREA_PROPOSE_RISK = "area:propose-risk"
    AREA_CONFIRM_RISK = "area:confirm-risk"
    AREA_REFUSE_RISK = "area:refuse-risk"
    AREA_RISK_LAPSED = "area:risk-lapsed"
    AREA_REVIEW_DUE = "area:review-due"
    ALERT_ACKNOWLEDGE = "alert:acknowledge"
    ALERT_SET_DESIGNATION = "alert:set-designation"
    ALERT_REMOVE_DESIGNATION = "alert:remove-designation"
    PRESENCE_SET = "organisation:set-presence"
    REPORT_PUBLISH = "report:publish"
    REPORT_OPEN = "report:open"
    REPORT_INTEGRITY_FAILED = "report:integrity-failed"
    REPORT_WITHDRAW = "report:withdraw"
    REPORT_PURGE = "report:purge"
    REPORT_REVOKE = "report:revoke"
    REPORT_EXPORT = "report:export"
    SHARE_REQUEST = "report:share-request"
    SHARE_APPROVE = "report:share-approve"
    SHARE_DENY = "report:share-deny"
    SHARE_SEAL = "report:share-seal"
    STANDING_CONSENT_SET = "consent:standing-set"
    STANDING_CONSENT_REMOVE = "consent:standing-remove"
    BRIEFING_PROPOSE_SERIES = "briefing:propose-series"
    BRIEFING_CONFIRM_SERIES = "briefing:confirm-series"
    BRIEFING_MOVE_SERIES = "briefing:move-series"
    BRIEFING_CANCEL_SERIES = "briefing:cancel-series"
    BRIEFING_END_SERIES = "briefing:end-series"
    BRIEFING_SCHEDULE = "briefing:schedule"
    BRIEFING_ANSWER = "briefing:answer"
    BRIEFING_MINUTES = "briefing:publish-minutes"
    DIRECTORY_SET = "directory:set"
    DIRECTORY_REMOVE = "directory:remove"


class AuditEntry(Base):
    """One link of the chain. Rows are only ever inserted; `hash` covers every other column
    and the previous entry's hash, so an edit, a deletion or a reordering shows."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        # The operator's audit page walks one of these newest first from its cursor
        # (hub.audit.browse): an action's or an actor's entries are one index range each,
        # and a date turns into a place in the chain through `at`.
        Index("ix_audit_entries_action_seq", "action", "seq"),
        Index("ix_audit_entries_actor_seq", "actor", "seq"),
        Index("ix_audit_entries_at", "at"),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime]
    actor_id: Mapped[str | None] = mapped_column(String(36))
    actor: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str | None] = mapped_column(String(200))
    # Canonical JSON text, stored as the exact bytes that were hashed.
    details: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """The chain's last link, signed by the hub: truncating the tail shows too."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(String(64))
    signature: Mapped[bytes] = mapped_column(LargeBinary)


class AuditVerification(Base):
    """The result of one full walk of the chain (`slthub audit verify`, or the button on the
    operator's audit page), so that the page shows the last one without walking a million
    entries on every view. Signed by the hub key like the head: a row written by someone who
    edits the database shows as not the hub's."""

    __tablename__ = "audit_verifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime]
    by: Mapped[str] = mapped_column(String(320))
    ok: Mapped[bool] = mapped_column(Boolean)
    entries: Mapped[int]
    first_bad: Mapped[int | None]
    # hub.audit.service.Verification.code ("altered", "missing", …); the English sentence
    # beside it is what the command line prints.
    code: Mapped[str | None] = mapped_column(String(32))
    problem: Mapped[str | None] = mapped_column(String(400))
    seconds: Mapped[float] = mapped_column(Float)
    signature: Mapped[bytes] = mapped_column(LargeBinary)
