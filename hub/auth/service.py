"""Logins and sessions.

A login proves the passphrase by unlocking the member key (there is no password hash: the
Argon2id-locked key is the verifier). The unlocked key is re-encrypted under a fresh session
key that only the client receives; the hub stores that ciphertext and a hash of the
token's lookup part. Logout and expiry delete the row, after which nothing opens the key.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import pyotp
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session, joinedload

from crypto import (
    CryptoError,
    MemberKeys,
    WrongPassphrase,
    lock_member_key,
    needs_relock,
    new_session,
    open_session,
    unlock_member_key,
)
from hub.actors import Actor
from hub.audit import service as audit
from hub.audit.models import AuditAction
from hub.auth.models import AuthSession, LoginFailure
from hub.config import Settings
from hub.consents.queue import complete_pending
from hub.db import utcnow
from hub.errors import Forbidden, HubError, TooManyAttempts, Unauthorized
from hub.i18n import gettext as _
from hub.members.models import Member, MemberStatus
from hub.members.service import normalise_email
from hub.organisations.models import OrganisationStatus
from hub.security import new_session_token, parse_session_token

TOTP_PERIOD = 30


@dataclass(frozen=True)
class LoginResult:
    token: str
    expires_at: dt.datetime
    member: Member


class TotpRequired(Unauthorized):
    code = "totp-required"


class OrganisationNotApproved(Forbidden):
    code = "organisation-not-approved"


def require_approved_organisation(member: Member) -> None:
    """A member of a pending or suspended organisation may log in, see its status and log
    out — nothing else, whatever their roles: a suspended partner's coordinator must not set
    risk, confirm another coordinator's change, or approve organisations (its own included).
    Checked once, where every request is authenticated, before any role check."""
    status = member.organisation.status
    if status == OrganisationStatus.APPROVED:
        return
    if status == OrganisationStatus.SUSPENDED:
        message = _(
            "Your organisation is suspended: you can log in and see its status, nothing else "
            "until the oversight committee reinstates it."
        )
    else:
        message = _(
            "Your organisation is pending the oversight committee's approval: you can log in "
            "and see its status, nothing else until then."
        )
    raise OrganisationNotApproved(message)


def _failures_since(
    session: Session, *, since: dt.datetime, **where: str
) -> tuple[int, dt.datetime | None]:
    column = LoginFailure.email if "email" in where else LoginFailure.address
    value = where.get("email") or where.get("address")
    row = session.execute(
        select(func.count(), func.min(LoginFailure.at))
        .where(column == value)
        .where(LoginFailure.at >= since)
    ).one()
    oldest = row[1]
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=dt.UTC)
    return int(row[0]), oldest


def _check_lockout(session: Session, *, settings: Settings, email: str, address: str) -> None:
    now = utcnow()
    window = dt.timedelta(minutes=settings.login_window_minutes)
    for kind, limit, value in (
        ("email", settings.login_max_failures_per_account, email),
        ("address", settings.login_max_failures_per_address, address),
    ):
        count, oldest = _failures_since(session, since=now - window, **{kind: value})
        if count >= limit and oldest is not None:
            retry = max(1, math.ceil((oldest + window - now).total_seconds()))
            minutes = math.ceil(retry / 60)
            message = (
                _("Too many failed logins for this account. Try again in %(n)d minutes.")
                if kind == "email"
                else _("Too many failed logins from your network. Try again in %(n)d minutes.")
            )
            raise TooManyAttempts(message % {"n": minutes}, retry_after=retry)


class TooManyLogins(HubError):
    """Every Argon2id slot stayed taken while this login queued: 503, try again shortly."""

    status = 503
    code = "busy"

    def __init__(self) -> None:
        super().__init__(_("Too many logins at once. Try again in a moment."), retry_after=1)


# Argon2id costs ~160 ms of CPU and 64 MiB per derivation: unbounded, two logins at once
# filled both cores of a small server and two dozen took RSS from 150 MB to 1.3 GB (issue 10).
# One process-wide limit, about cores − 1 so that one core is left for everything else;
# beyond it a login queues briefly, then answers 503 with Retry-After.
DERIVATION_SLOTS = max(1, (os.cpu_count() or 2) - 1)
DERIVATION_QUEUE_S = 2.0
_derivations = threading.BoundedSemaphore(DERIVATION_SLOTS)


@contextlib.contextmanager
def derivation_slot() -> Iterator[None]:
    """Hold one of the process's Argon2id slots for the `with` block (TooManyLogins if none
    frees up within DERIVATION_QUEUE_S)."""
    if not _derivations.acquire(timeout=DERIVATION_QUEUE_S):
        raise TooManyLogins()
    try:
        yield
    finally:
        _derivations.release()


def _reserve_attempt(session: Session, *, settings: Settings, email: str, address: str) -> int:
    """Count this attempt as a failure *before* deriving, in a short write transaction of its
    own: parallel guesses each see the others' reservations, so no more than the limit are
    ever checked (before, 15 parallel guesses got 12 checked where 5 are allowed). A login
    that succeeds, or stops for a reason that is not a guess, removes its reservation."""
    if session.get_bind().dialect.name == "postgresql":
        # Count-then-insert must not interleave between two attempts (SQLite's BEGIN
        # IMMEDIATE already serialises them).
        session.execute(text("LOCK TABLE login_failures IN SHARE ROW EXCLUSIVE MODE"))
    _check_lockout(session, settings=settings, email=email, address=address)
    reservation = LoginFailure(email=email, address=address)
    session.add(reservation)
    session.commit()
    return reservation.id


def _release(session: Session, reservation: int) -> None:
    session.rollback()
    session.execute(delete(LoginFailure).where(LoginFailure.id == reservation))
    session.commit()


def _fail(
    session: Session,
    *,
    email: str,
    address: str,
    reason: str,
    member: Member | None,
    error: Unauthorized,
) -> Unauthorized:
    """Record the failure (committed, so it counts even though the request fails). The
    attempt itself was counted when it was reserved (_reserve_attempt)."""
    audit.record(
        session,
        action=AuditAction.LOGIN_FAILED,
        actor=email,
        actor_id=member.id if member else None,
        target=member.id if member else None,
        details={"reason": reason, "address": address},
    )
    session.commit()
    return error


@cache
def _decoy_lock() -> bytes:
    return lock_member_key(MemberKeys.generate(), secrets.token_urlsafe(32))


def _spend_like_a_real_unlock(passphrase: str) -> None:
    """An unknown email costs the same Argon2id derivation as a known one, so response
    times do not tell which addresses have accounts."""
    with contextlib.suppress(CryptoError):
        unlock_member_key(_decoy_lock(), passphrase)


def _check_totp(member: Member, code: str | None) -> str | None:
    """None when the code is right (and records its time step), else why not."""
    if member.totp_secret is None:
        return None
    if not code:
        return "totp-missing"
    code = code.strip().replace(" ", "")
    totp = pyotp.TOTP(member.totp_secret)
    now = time.time()
    for offset in (0, -1, 1):  # one step either side, for phones whose clock drifts
        step = int(now // TOTP_PERIOD) + offset
        if totp.at(step * TOTP_PERIOD) == code:
            if member.totp_last_step is not None and step <= member.totp_last_step:
                return "totp-replayed"
            member.totp_last_step = step
            return None
    return "totp-wrong"


def login(
    session: Session,
    *,
    settings: Settings,
    email: str,
    passphrase: str,
    totp: str | None,
    address: str,
) -> LoginResult:
    email = normalise_email(email)
    reservation = _reserve_attempt(session, settings=settings, email=email, address=address)
    try:
        return _login(
            session,
            settings=settings,
            email=email,
            passphrase=passphrase,
            totp=totp,
            address=address,
        )
    except (TotpRequired, TooManyLogins):
        # Not a guess: the passphrase was right and the form asks for more, or the hub was
        # too busy to check it.
        _release(session, reservation)
        raise


def _login(
    session: Session,
    *,
    settings: Settings,
    email: str,
    passphrase: str,
    totp: str | None,
    address: str,
) -> LoginResult:
    wrong = Unauthorized(_("Wrong email or passphrase."))
    found = session.execute(select(Member).where(Member.email == email)).scalar_one_or_none()
    member_id = found.id if found and found.status == MemberStatus.ACTIVE else None
    locked_key = found.locked_key if member_id and found else None
    # End the read transaction before Argon2id (~0.2 s): holding it open would keep a SQLite
    # writer waiting, or make this transaction's later write fail against a newer snapshot.
    session.rollback()
    if member_id is None or locked_key is None:
        with derivation_slot():
            _spend_like_a_real_unlock(passphrase)
        raise _fail(
            session, email=email, address=address, reason="unknown", member=None, error=wrong
        )
    with derivation_slot():
        try:
            keys = unlock_member_key(locked_key, passphrase)
        except WrongPassphrase:
            keys = None
        # A key locked under weaker Argon2id parameters than today's is re-locked now, while
        # the passphrase is at hand; derived here, outside the transaction, and stored only
        # on success.
        relocked = (
            lock_member_key(keys, passphrase)
            if keys is not None and needs_relock(locked_key)
            else None
        )
    member = session.get(Member, member_id)
    if member is None or member.status != MemberStatus.ACTIVE:  # removed meanwhile
        raise _fail(
            session, email=email, address=address, reason="unknown", member=None, error=wrong
        )
    if keys is None:
        raise _fail(
            session, email=email, address=address, reason="passphrase", member=member, error=wrong
        )
    totp_problem = _check_totp(member, totp)
    if totp_problem == "totp-missing":
        # Not counted as a failure: the passphrase was right, the form only asks for more.
        raise TotpRequired(_("Enter the 6-digit code from your authenticator app."))
    if totp_problem is not None:
        raise _fail(
            session,
            email=email,
            address=address,
            reason=totp_problem,
            member=member,
            error=Unauthorized(_("The 6-digit code is wrong or was already used.")),
        )
    if relocked is not None and member.locked_key == locked_key:
        member.locked_key = relocked
    session_key, locked = new_session(keys)
    token, lookup_hash = new_session_token(session_key)
    expires_at = utcnow() + dt.timedelta(hours=settings.session_hours)
    # Expired sessions (anyone's) and failures older than the window are destroyed on the
    # way: logins are frequent enough to keep both tables small without a scheduled job.
    now = utcnow()
    session.execute(delete(AuthSession).where(AuthSession.expires_at < now))
    session.execute(
        delete(LoginFailure).where(
            LoginFailure.at < now - dt.timedelta(minutes=settings.login_window_minutes)
        )
    )
    session.execute(delete(LoginFailure).where(LoginFailure.email == email))
    session.add(
        AuthSession(id=lookup_hash, member_id=member.id, locked_key=locked, expires_at=expires_at)
    )
    audit.record(
        session,
        action=AuditAction.LOGIN,
        actor=email,
        actor_id=member.id,
        target=member.id,
        details={"address": address},
    )
    # Shares the originator approved while no holder was online are sealed now, with this
    # member's keys, so the requester can read without waiting for someone to browse.
    complete_pending(session, actor=Actor(label=member.email, member=member, member_keys=keys))
    session.commit()
    return LoginResult(token=token, expires_at=expires_at, member=member)


def authenticate(session: Session, *, token: str, any_status: bool = False) -> Actor:
    """The actor behind a bearer token or session cookie, with their member key unlocked.

    Refuses a member of an organisation that is not approved, unless `any_status` (only the
    routes that show one's own status and log out ask for that)."""
    parsed = parse_session_token(token)
    expired = Unauthorized(_("Your session has ended; log in again."))
    if parsed is None:
        raise expired
    lookup_hash, session_key = parsed
    # Every request comes through here: the session, its member, the member's organisation
    # and roles in one statement rather than three.
    found = (
        session.execute(
            select(AuthSession, Member)
            .join(Member, Member.id == AuthSession.member_id)
            .where(AuthSession.id == lookup_hash)
            .options(joinedload(Member.role_rows))
        )
        .unique()
        .one_or_none()
    )
    if found is None:
        raise expired
    row, member = found
    if row.expires_at <= utcnow():
        session.delete(row)
        session.commit()
        raise expired
    try:
        keys = open_session(row.locked_key, session_key)
    except CryptoError:
        raise expired from None
    if member.status != MemberStatus.ACTIVE:
        raise expired
    if not any_status:
        require_approved_organisation(member)
    return Actor(label=member.email, member=member, member_keys=keys, session_id=row.id)


def logout(session: Session, *, actor: Actor) -> None:
    if actor.session_id is None:
        return
    session.execute(delete(AuthSession).where(AuthSession.id == actor.session_id))
    audit.record_by(
        session,
        action=AuditAction.LOGOUT,
        actor=actor,
        target=actor.id,
    )
    session.commit()
