"""Liaison designations: who wants which alerts, where, by which confirmed channel.

Guarantees:
- an alert only goes to a confirmed address: the account's own email counts as confirmed
  (the hub already sends the account there); any other email is confirmed by a link, a phone
  number (E.164, checked with `phonenumbers`) by a code sent to it. Changing an address
  unconfirms it. Confirmation secrets are stored as SHA-256 hashes; the plain secret is held
  only until the confirmation message is handed to its channel;
- every stored designation can be turned into a `policies.Designation` (valid severity,
  types, zone, quiet hours, phrase), because it is validated here before it is stored;
- a registered S/MIME certificate is checked with `crypto.certificate_info` (readable, not
  expired, made for e-mail) before alerts are encrypted to it.

Functions take the session first and only flush: the hub's service commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from alerts.channels.sms import valid_e164
from alerts.facts import MAX_PHRASE_CHARS
from alerts.models import LiaisonContact, LiaisonDesignation
from policies import Designation, QuietHours
from policies.vocabulary import Channel, ReportType, Severity

EMAIL_CONFIRMATION_VALID = dt.timedelta(days=2)
SMS_CONFIRMATION_VALID = dt.timedelta(minutes=30)
MAX_CODE_ATTEMPTS = 5


class DesignationInvalid(ValueError):
    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


class ConfirmationFailed(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class DesignationInput:
    areas: Sequence[str]
    anti_phishing_phrase: str
    min_severity: str = "minor"
    report_types: Sequence[str] = ()
    email: str | None = None  # None: the account's own address
    sms: str | None = None
    channels: Sequence[str] = ("email",)
    language: str = "fr"
    timezone: str = "UTC"
    quiet_start: str | None = None
    quiet_end: str | None = None
    deputies: Sequence[str] = ()  # member ids, in escalation order
    smime_certificate: str | None = None
    # The weekly periodic report of the designated areas, by email on Monday morning.
    weekly_report: bool = False


@dataclass(frozen=True, slots=True)
class Saved:
    designation: LiaisonDesignation
    contacts: tuple[LiaisonContact, ...]
    # Contacts that now wait for confirmation (a message will be sent to each).
    unconfirmed: tuple[str, ...] = field(default=())


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _time(value: str, name: str) -> dt.time:
    try:
        parsed = dt.time.fromisoformat(value)
    except ValueError:
        raise DesignationInvalid("quiet hours are written HH:MM", field=name) from None
    return parsed.replace(second=0, microsecond=0)


def _validate(data: DesignationInput, *, member_id: str, now: dt.datetime) -> None:
    if not data.areas:
        raise DesignationInvalid("name at least one area", field="areas")
    if data.min_severity not in set(Severity):
        raise DesignationInvalid("unknown severity", field="min_severity")
    for t in data.report_types:
        if t not in set(ReportType):
            raise DesignationInvalid(f"unknown report type {t!r}", field="report_types")
    if not data.channels or any(c not in ("email", "sms") for c in data.channels):
        raise DesignationInvalid("channels are email and/or sms", field="channels")
    if len(set(data.channels)) != len(data.channels):
        raise DesignationInvalid("a channel is named twice", field="channels")
    if "sms" in data.channels and not data.sms:
        raise DesignationInvalid("give a phone number to receive SMS", field="sms")
    if data.sms is not None and not valid_e164(data.sms):
        raise DesignationInvalid(
            "the phone number must be in E.164 form, e.g. +243810000000", field="sms"
        )
    if data.language not in ("fr", "en"):
        raise DesignationInvalid("language is fr or en", field="language")
    try:
        ZoneInfo(data.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise DesignationInvalid("unknown time zone", field="timezone") from None
    if (data.quiet_start is None) != (data.quiet_end is None):
        raise DesignationInvalid("quiet hours need a start and an end", field="quiet_hours")
    if data.quiet_start is not None and data.quiet_end is not None:
        _time(data.quiet_start, "quiet_hours.start")
        _time(data.quiet_end, "quiet_hours.end")
    phrase = " ".join(data.anti_phishing_phrase.split())
    if not phrase or len(phrase) > MAX_PHRASE_CHARS:
        raise DesignationInvalid(
            f"choose an anti-phishing phrase of 1 to {MAX_PHRASE_CHARS} characters",
            field="anti_phishing_phrase",
        )
    if member_id in data.deputies:
        raise DesignationInvalid("a liaison cannot be its own deputy", field="deputies")
    if data.smime_certificate is not None:
        try:
            crypto.certificate_info(data.smime_certificate.encode(), now=now)
        except crypto.InvalidCertificate as exc:
            raise DesignationInvalid(str(exc), field="smime_certificate") from None


def get(session: Session, member_id: str) -> LiaisonDesignation | None:
    return session.scalar(
        select(LiaisonDesignation).where(LiaisonDesignation.member_id == member_id)
    )


def contacts(session: Session, designation_id: str) -> list[LiaisonContact]:
    return list(
        session.scalars(
            select(LiaisonContact)
            .where(LiaisonContact.designation_id == designation_id)
            .order_by(LiaisonContact.channel)
        )
    )


def _set_contact(
    session: Session,
    designation: LiaisonDesignation,
    existing: dict[str, LiaisonContact],
    *,
    channel: str,
    address: str | None,
    account_email: str,
    now: dt.datetime,
) -> LiaisonContact | None:
    contact = existing.get(channel)
    if address is None:
        if contact is not None:
            session.delete(contact)
        return None
    if contact is None:
        contact = LiaisonContact(designation_id=designation.id, channel=channel, address="")
        session.add(contact)
    if contact.address == address and (contact.confirmed_at or contact.pending_secret):
        return contact  # unchanged: keep its confirmation (or the one under way)
    contact.address = address
    contact.failed_attempts = 0
    if channel == "email" and address.lower() == account_email.lower():
        contact.confirmed_at = now
        contact.secret_hash = contact.pending_secret = contact.secret_expires_at = None
        return contact
    # A new address: unconfirmed until its owner answers.
    if channel == "email":
        secret = secrets.token_urlsafe(24)
        valid = EMAIL_CONFIRMATION_VALID
    else:
        secret = f"{secrets.randbelow(10**6):06d}"
        valid = SMS_CONFIRMATION_VALID
    contact.confirmed_at = None
    contact.pending_secret = secret
    contact.secret_hash = secret_hash(secret)
    contact.secret_expires_at = now + valid
    return contact


def save(
    session: Session,
    *,
    member_id: str,
    organisation_id: str,
    display_name: str,
    account_email: str,
    data: DesignationInput,
    now: dt.datetime,
) -> Saved:
    """Create or replace the member's designation. Raises DesignationInvalid."""
    _validate(data, member_id=member_id, now=now)
    designation = get(session, member_id)
    if designation is None:
        designation = LiaisonDesignation(
            member_id=member_id,
            organisation_id=organisation_id,
            display_name=display_name,
            anti_phishing_phrase="",
            created_at=now,
        )
        session.add(designation)
        session.flush()
    designation.organisation_id = organisation_id
    designation.display_name = display_name[:200]
    designation.areas = sorted(set(data.areas))
    designation.min_severity = data.min_severity
    designation.report_types = sorted(set(data.report_types))
    designation.channels = list(data.channels)
    designation.deputies = list(dict.fromkeys(data.deputies))
    designation.language = data.language
    designation.timezone = data.timezone
    designation.weekly_report = data.weekly_report
    designation.quiet_start = (
        _time(data.quiet_start, "quiet_hours.start").strftime("%H:%M") if data.quiet_start else None
    )
    designation.quiet_end = (
        _time(data.quiet_end, "quiet_hours.end").strftime("%H:%M") if data.quiet_end else None
    )
    designation.anti_phishing_phrase = " ".join(data.anti_phishing_phrase.split())
    if data.smime_certificate is not None:
        info = crypto.certificate_info(data.smime_certificate.encode(), now=now)
        designation.smime_certificate = data.smime_certificate
        designation.smime_fingerprint = info.fingerprint
    else:
        designation.smime_certificate = designation.smime_fingerprint = None
    designation.updated_at = now
    existing = {c.channel: c for c in contacts(session, designation.id)}
    email_address = data.email or account_email
    kept = [
        _set_contact(
            session,
            designation,
            existing,
            channel="email",
            address=email_address,
            account_email=account_email,
            now=now,
        ),
        _set_contact(
            session,
            designation,
            existing,
            channel="sms",
            address=data.sms,
            account_email=account_email,
            now=now,
        ),
    ]
    session.flush()
    live = tuple(c for c in kept if c is not None)
    return Saved(
        designation,
        live,
        tuple(c.channel for c in live if c.confirmed_at is None),
    )


def remove(session: Session, member_id: str) -> bool:
    designation = get(session, member_id)
    if designation is None:
        return False
    for contact in contacts(session, designation.id):
        session.delete(contact)
    session.delete(designation)
    session.flush()
    return True


def confirm_email(session: Session, *, token: str, now: dt.datetime) -> LiaisonContact:
    """The link in the confirmation email (after the page's POST)."""
    contact = session.scalar(
        select(LiaisonContact).where(
            LiaisonContact.secret_hash == secret_hash(token), LiaisonContact.channel == "email"
        )
    )
    if contact is None or contact.secret_expires_at is None or contact.secret_expires_at <= now:
        raise ConfirmationFailed("this confirmation link is unknown or has expired")
    contact.confirmed_at = now
    contact.secret_hash = contact.pending_secret = contact.secret_expires_at = None
    session.flush()
    return contact


def confirm_sms(session: Session, *, member_id: str, code: str, now: dt.datetime) -> LiaisonContact:
    """The code the liaison received by SMS, typed in by the liaison (logged in)."""
    designation = get(session, member_id)
    contact = None
    if designation is not None:
        contact = session.scalar(
            select(LiaisonContact).where(
                LiaisonContact.designation_id == designation.id, LiaisonContact.channel == "sms"
            )
        )
    if (
        contact is None
        or contact.secret_hash is None
        or contact.secret_expires_at is None
        or contact.secret_expires_at <= now
        or contact.failed_attempts >= MAX_CODE_ATTEMPTS
    ):
        raise ConfirmationFailed("no phone number waits for a code, or the code expired")
    if not secrets.compare_digest(contact.secret_hash, secret_hash(code.strip())):
        # Six digits are guessable in a million tries; five tries are not enough for that.
        contact.failed_attempts += 1
        session.flush()
        raise ConfirmationFailed("wrong code")
    contact.confirmed_at = now
    contact.secret_hash = contact.pending_secret = contact.secret_expires_at = None
    session.flush()
    return contact


@dataclass(frozen=True, slots=True)
class Reach:
    """Everything needed to send to one person: their designation and confirmed addresses."""

    designation: LiaisonDesignation
    addresses: dict[str, str]  # channel -> confirmed address

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(c for c in self.designation.channels if c in self.addresses)


def reach(session: Session, member_ids: Iterable[str]) -> dict[str, Reach]:
    ids = list(set(member_ids))
    if not ids:
        return {}
    rows = session.scalars(
        select(LiaisonDesignation).where(LiaisonDesignation.member_id.in_(ids))
    ).all()
    by_id = {d.id: d for d in rows}
    addresses: dict[str, dict[str, str]] = {d.id: {} for d in rows}
    if by_id:
        for contact in session.scalars(
            select(LiaisonContact).where(
                LiaisonContact.designation_id.in_(list(by_id)),
                LiaisonContact.confirmed_at.is_not(None),
            )
        ):
            addresses[contact.designation_id][contact.channel] = contact.address
    return {d.member_id: Reach(d, addresses[d.id]) for d in rows}


def as_policy(reach_: Reach) -> Designation:
    d = reach_.designation
    quiet = None
    if d.quiet_start and d.quiet_end:
        quiet = QuietHours(
            dt.time.fromisoformat(d.quiet_start), dt.time.fromisoformat(d.quiet_end), d.timezone
        )
    return Designation(
        liaison=d.member_id,
        organisation=d.organisation_id,
        areas=frozenset(d.areas),
        min_severity=Severity(d.min_severity),
        report_types=frozenset(ReportType(t) for t in d.report_types),
        channels=tuple(Channel(c) for c in reach_.channels),
        language="en" if d.language == "en" else "fr",
        quiet_hours=quiet,
        deputies=tuple(d.deputies),
    )


def all_reach(session: Session, *, organisations: Iterable[str] | None = None) -> list[Reach]:
    query = select(LiaisonDesignation.member_id)
    if organisations is not None:
        query = query.where(LiaisonDesignation.organisation_id.in_(list(organisations)))
    return list(reach(session, session.scalars(query)).values())


def pending_confirmations(session: Session, *, limit: int = 50) -> list[LiaisonContact]:
    return list(
        session.scalars(
            select(LiaisonContact).where(LiaisonContact.pending_secret.is_not(None)).limit(limit)
        )
    )


def all_reach_by_phone(session: Session, phone: str) -> list[str]:
    """Members whose confirmed SMS number is `phone` (an inbound reply's sender)."""
    return list(
        session.scalars(
            select(LiaisonDesignation.member_id)
            .join(LiaisonContact, LiaisonContact.designation_id == LiaisonDesignation.id)
            .where(
                LiaisonContact.channel == "sms",
                LiaisonContact.address == phone,
                LiaisonContact.confirmed_at.is_not(None),
            )
        )
    )
