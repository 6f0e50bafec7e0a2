"""Members of organisations: creation, keys and grants, passphrases, TOTP, removal."""

from __future__ import annotations

import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyotp
from sqlalchemy import CursorResult, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from alerts import designations
from crypto import (
    CryptoError,
    MemberKeys,
    OrganisationKeys,
    WrongPassphrase,
    lock_member_key,
    unlock_member_key,
    unlock_with_recovery_code,
    unwrap_for_member,
)
from hub.actors import Actor, Permission
from hub.audit import service as audit
from hub.audit.models import AuditAction
from hub.auth.models import AuthSession
from hub.directory.models import DirectoryEntry
from hub.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from hub.i18n import gettext as _
from hub.members.models import Member, MemberKeyWrap, MemberRole, MemberStatus, Role
from hub.members.passphrases import check_passphrase
from hub.members.schemas import MemberRead, OrganisationKeysRead, OrganisationRef
from hub.organisations.keys import add_wrap, create_keys
from hub.organisations.keys import fingerprint as organisation_fingerprint
from hub.organisations.models import Organisation

TOTP_ISSUER = "SLT Hub"


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_member(session: Session, email: str) -> Member:
    member = session.execute(
        select(Member).where(Member.email == normalise_email(email))
    ).scalar_one_or_none()
    if member is None or member.status != MemberStatus.ACTIVE:
        raise NotFound(_("No such member."))
    return member


def get_member(session: Session, member_id: str) -> Member:
    member = session.get(Member, member_id)
    if member is None or member.status != MemberStatus.ACTIVE:
        raise NotFound(_("No such member."))
    return member


def wrap_of(session: Session, member: Member) -> MemberKeyWrap | None:
    return session.get(MemberKeyWrap, member.id)


def keys_help() -> str:
    return _(
        "Your organisation's keys have not been granted to you yet, so you cannot read "
        "anything shared with it. Ask a member of your organisation who holds them to grant "
        "them to you (on the hub, or with `slthub user grant`)."
    )


def as_read(session: Session, member: Member) -> MemberRead:
    return MemberRead(
        id=member.id,
        email=member.email,
        display_name=member.display_name,
        organisation=OrganisationRef(id=member.organisation.id, name=member.organisation.name),
        roles=member.roles,
        keys="granted" if wrap_of(session, member) else "not_granted",
        totp=member.totp_secret is not None,
    )


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(member: Member, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=member.email, issuer_name=TOTP_ISSUER)


@dataclass(frozen=True)
class Created:
    member: Member
    recovery_code: str | None
    fingerprint: str | None
    totp_secret: str | None
    totp_uri: str | None


def create_member(
    session: Session,
    *,
    actor: Actor,
    organisation: Organisation,
    email: str,
    display_name: str | None,
    roles: list[Role],
    passphrase: str,
    totp_secret: str | None = None,
    on_created: Callable[[Member], None] | None = None,
) -> Created:
    """A new member with their own key pair. The organisation's first member also creates
    the organisation's keys; later members hold nothing until someone grants them.

    `totp_secret`: one the member already confirmed with a code (an invitation's page);
    otherwise a role that needs a second factor gets a fresh one, shown once. `on_created`
    runs in the same transaction, after the key derivation, before the commit."""
    email = normalise_email(email)
    if not roles:
        raise InvalidInput(_("Give the member at least one role."), field="roles")
    check_passphrase(passphrase, email=email)
    # Argon2id first, before this transaction reads anything (see unlock_with_passphrase).
    keys = MemberKeys.generate()
    locked_key = lock_member_key(keys, passphrase)
    if session.execute(select(Member.id).where(Member.email == email)).first():
        raise Conflict(_("A member with this email already exists."))
    member = Member(
        organisation_id=organisation.id,
        email=email,
        display_name=(display_name or email.split("@")[0]).strip()[:200],
        public_key=keys.public.to_bytes(),
        locked_key=locked_key,
        role_rows=[MemberRole(role=role) for role in sorted(set(roles))],
    )
    if member.needs_totp:
        totp_secret = totp_secret or pyotp.random_base32()
        member.totp_secret = totp_secret
    else:
        totp_secret = None
    session.add(member)
    try:
        session.flush()
    except IntegrityError as exc:  # the same email created concurrently
        raise Conflict(_("A member with this email already exists.")) from exc
    audit.record_by(
        session,
        action=AuditAction.MEMBER_CREATE,
        actor=actor,
        target=member.id,
        details={
            "email": email,
            "organisation": organisation.id,
            "roles": sorted(str(r) for r in member.roles),
            "totp": totp_secret is not None,
        },
    )
    recovery = None
    if organisation.public_keys is None:
        recovery = create_keys(session, organisation=organisation, first_member=member)
    if on_created is not None:
        on_created(member)
    session.commit()
    return Created(
        member=member,
        recovery_code=recovery.recovery_code if recovery else None,
        fingerprint=organisation_fingerprint(organisation),
        totp_secret=totp_secret,
        totp_uri=totp_uri(member, totp_secret) if totp_secret else None,
    )


def organisation_keys_for(
    session: Session, *, member: Member, keys: MemberKeys
) -> OrganisationKeys:
    """The organisation's keys as this member can open them, or a clear refusal."""
    wrap = wrap_of(session, member)
    if wrap is None:
        raise Forbidden(keys_help(), keys="not_granted")
    try:
        return unwrap_for_member(wrap.wrap, keys)
    except CryptoError as exc:
        raise Conflict(
            _("Your copy of the organisation's keys does not open; ask for a new grant.")
        ) from exc


def unlock_with_passphrase(session: Session, member: Member, passphrase: str) -> MemberKeys:
    """Unlock outside any transaction: Argon2id takes ~0.2 s, and a transaction held open
    that long keeps SQLite writers waiting. So this ends the (read-only) transaction first;
    loaded objects reload on their next use. Call it before changing anything."""
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("unlock_with_passphrase must run before any change is made")
    locked_key = member.locked_key
    if locked_key is None:
        raise Unauthorized(_("This member has no key."))
    session.rollback()
    try:
        return unlock_member_key(locked_key, passphrase)
    except WrongPassphrase as exc:
        raise Unauthorized(_("Wrong email or passphrase.")) from exc


def _grant(
    session: Session,
    *,
    actor: Actor,
    org_keys: OrganisationKeys,
    target: Member,
    granter: Member | None,
) -> MemberKeyWrap:
    organisation = target.organisation
    if organisation.public_keys != org_keys.public.to_bytes():
        raise Conflict(_("These are not the organisation's current keys."))
    if wrap_of(session, target) is not None:
        raise Conflict(_("This member already holds the organisation's keys."))
    wrap = add_wrap(session, organisation=organisation, member=target, keys=org_keys, by=granter)
    audit.record_by(
        session,
        action=AuditAction.MEMBER_GRANT,
        actor=actor,
        target=target.id,
        details={
            "organisation": organisation.id,
            "key_version": organisation.key_version,
            "by": "recovery_code" if granter is None else granter.id,
        },
    )
    session.flush()
    return wrap


def grant(session: Session, *, actor: Actor, member_id: str) -> MemberKeyWrap:
    """A logged-in member passes their organisation's keys to a colleague."""
    if actor.member is None or actor.member_keys is None:
        raise Unauthorized(_("Log in first."))
    target = get_member(session, member_id)
    if target.organisation_id != actor.member.organisation_id:
        raise NotFound(_("No such member."))
    org_keys = organisation_keys_for(session, member=actor.member, keys=actor.member_keys)
    wrap = _grant(session, actor=actor, org_keys=org_keys, target=target, granter=actor.member)
    session.commit()
    return wrap


def grant_with_passphrase(
    session: Session, *, target_email: str, granter_email: str, passphrase: str
) -> MemberKeyWrap:
    """The CLI path: the granter proves who they are with their passphrase."""
    granter = find_member(session, granter_email)
    target = find_member(session, target_email)
    if target.organisation_id != granter.organisation_id:
        raise Forbidden(_("Only a member of the same organisation can grant its keys."))
    keys = unlock_with_passphrase(session, granter, passphrase)
    org_keys = organisation_keys_for(session, member=granter, keys=keys)
    actor = Actor(label=granter.email, member=granter, member_keys=keys)
    wrap = _grant(session, actor=actor, org_keys=org_keys, target=target, granter=granter)
    session.commit()
    return wrap


def grant_with_recovery_code(session: Session, *, target_email: str, code: str) -> MemberKeyWrap:
    """When nobody who holds the keys is left, the one-time recovery code stands in."""
    target = find_member(session, target_email)
    organisation = target.organisation
    if organisation.recovery_lock is None:
        raise Conflict(_("This organisation has no keys yet."))
    try:
        org_keys = unlock_with_recovery_code(organisation.recovery_lock, code.strip())
    except CryptoError as exc:
        raise Unauthorized(_("This recovery code does not open the organisation's keys.")) from exc
    from hub.actors import CONSOLE

    wrap = _grant(session, actor=CONSOLE, org_keys=org_keys, target=target, granter=None)
    session.commit()
    return wrap


def _end_sessions(session: Session, member: Member, *, keep: str | None = None) -> int:
    stmt = delete(AuthSession).where(AuthSession.member_id == member.id)
    if keep is not None:
        stmt = stmt.where(AuthSession.id != keep)
    result: CursorResult[Any] = session.execute(stmt)  # type: ignore[assignment]
    return result.rowcount or 0


def remove_member(session: Session, *, actor: Actor, member_id: str) -> Member:
    """Deletes the member's grant, sessions and locked key. Their organisation should then
    rotate its keys (`slthub org rotate-keys`) in case they kept a copy."""
    actor.require(Permission.MEMBER_REMOVE)
    member = get_member(session, member_id)
    if actor.member is not None:
        if actor.member.organisation_id != member.organisation_id:
            raise NotFound(_("No such member."))
        if actor.member.id == member.id:
            raise Conflict(_("You cannot remove yourself; ask a colleague or the operator."))
    session.execute(delete(MemberKeyWrap).where(MemberKeyWrap.member_id == member.id))
    _end_sessions(session, member)
    member.status = MemberStatus.REMOVED
    # What they showed partners goes with them (hub.directory).
    session.execute(delete(DirectoryEntry).where(DirectoryEntry.member_id == member.id))
    # So do their liaison designation and contacts: alerts (and the weekly report) stop.
    designations.remove(session, member.id)
    member.locked_key = None
    member.totp_secret = None
    audit.record_by(
        session,
        action=AuditAction.MEMBER_REMOVE,
        actor=actor,
        target=member.id,
        details={"organisation": member.organisation_id},
    )
    session.commit()
    return member


def list_members(session: Session, *, actor: Actor) -> list[MemberRead]:
    if actor.member is None:
        rows = session.execute(select(Member).where(Member.status == MemberStatus.ACTIVE))
    else:
        rows = session.execute(
            select(Member)
            .where(Member.organisation_id == actor.member.organisation_id)
            .where(Member.status == MemberStatus.ACTIVE)
            .order_by(Member.email)
        )
    return [as_read(session, m) for m in rows.scalars()]


def change_passphrase(session: Session, *, actor: Actor, current: str, new: str) -> None:
    """Re-locks the same member key: grants stay valid, nothing needs re-wrapping."""
    if actor.member is None:
        raise Unauthorized(_("Log in first."))
    member = actor.member
    check_passphrase(new, email=member.email, field="new_password")
    try:
        keys = unlock_with_passphrase(session, member, current)
    except Unauthorized as exc:
        raise InvalidInput(_("The current passphrase is wrong."), field="current_password") from exc
    locked_key = lock_member_key(keys, new)  # before the write transaction begins
    member.locked_key = locked_key
    # Whoever knew the old passphrase may have logged in with it: their sessions end here.
    # The member's own session goes on.
    ended = _end_sessions(session, member, keep=actor.session_id)
    audit.record_by(
        session,
        action=AuditAction.MEMBER_CHANGE_PASSPHRASE,
        actor=actor,
        target=member.id,
        details={"other_sessions_ended": ended},
    )
    session.commit()


def reset_passphrase(session: Session, *, actor: Actor, email: str, passphrase: str) -> Member:
    """A forgotten passphrase: the old member key cannot be recovered, so the member gets a
    fresh key pair and must be granted the organisation's keys again."""
    check_passphrase(passphrase, email=normalise_email(email))
    keys = MemberKeys.generate()
    locked_key = lock_member_key(keys, passphrase)  # before the transaction begins
    member = find_member(session, email)
    member.public_key = keys.public.to_bytes()
    member.locked_key = locked_key
    session.execute(delete(MemberKeyWrap).where(MemberKeyWrap.member_id == member.id))
    _end_sessions(session, member)
    audit.record_by(
        session,
        action=AuditAction.MEMBER_RESET_PASSPHRASE,
        actor=actor,
        target=member.id,
    )
    session.commit()
    return member


TOTP_SECRET_RE = re.compile(r"[A-Z2-7]{16,64}")


def enrol_totp(session: Session, *, actor: Actor, secret: str, code: str, passphrase: str) -> None:
    """Turn on a second factor for a member who has none; the code proves the app has it.

    Asks for the passphrase again: an open session alone (a borrowed phone, a stolen cookie)
    must not be able to bind the account to an attacker's authenticator and lock its owner
    out. A secret that is not base32 of a sensible length is refused as a field error (it
    came from the form, not from us)."""
    if actor.member is None:
        raise Unauthorized(_("Log in first."))
    member = actor.member
    if member.totp_secret is not None:
        raise Conflict(_("A second factor is already set up."))
    if not TOTP_SECRET_RE.fullmatch(secret):
        raise InvalidInput(_("This secret is not one the hub gave; start again."), field="secret")
    try:
        unlock_with_passphrase(session, member, passphrase)
    except Unauthorized as exc:
        raise InvalidInput(_("The passphrase is wrong."), field="passphrase") from exc
    try:
        ok = pyotp.TOTP(secret).verify(code.strip(), valid_window=1)
    except (ValueError, TypeError, binascii.Error):
        ok = False
    if not ok:
        raise InvalidInput(_("This code is not right; check your app's clock."), field="totp")
    member.totp_secret = secret
    audit.record_by(
        session,
        action=AuditAction.MEMBER_ENROL_TOTP,
        actor=actor,
        target=member.id,
    )
    session.commit()


def reset_totp(session: Session, *, actor: Actor, email: str) -> Member:
    """The operator turns a member's second factor off (a lost phone, or an authenticator an
    attacker enrolled); their sessions end, and they enrol again at their next login."""
    member = find_member(session, email)
    if member.totp_secret is None:
        raise Conflict(_("This member has no second factor."))
    member.totp_secret = None
    member.totp_last_step = None
    _end_sessions(session, member)
    audit.record_by(
        session,
        action=AuditAction.MEMBER_RESET_TOTP,
        actor=actor,
        target=member.id,
    )
    session.commit()
    return member


def end_sessions(session: Session, *, actor: Actor, keep_current: bool = False) -> int:
    """ "Log out everywhere": every session of the member ends (but this one, if asked)."""
    if actor.member is None:
        raise Unauthorized(_("Log in first."))
    count = _end_sessions(session, actor.member, keep=actor.session_id if keep_current else None)
    audit.record_by(
        session,
        action=AuditAction.LOGOUT_EVERYWHERE,
        actor=actor,
        target=actor.id,
        details={"sessions": count, "kept_current": keep_current},
    )
    session.commit()
    return count


def open_my_keys(session: Session, *, actor: Actor) -> OrganisationKeysRead:
    if actor.member is None or actor.member_keys is None:
        raise Unauthorized(_("Log in first."))
    member = actor.member
    keys = organisation_keys_for(session, member=member, keys=actor.member_keys)
    return OrganisationKeysRead(
        organisation=OrganisationRef(id=member.organisation.id, name=member.organisation.name),
        key_version=member.organisation.key_version,
        fingerprint=keys.fingerprint(),
    )
