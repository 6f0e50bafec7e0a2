"""An organisation's keys as the hub keeps them: made when its first member joins, sealed to
each member granted them (the one place a `MemberKeyWrap` is built), and its fingerprint.
Flushes only; the caller's entry point commits."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from crypto import (
    MemberPublicKey,
    OrganisationKeys,
    OrganisationPublicKeys,
    lock_with_recovery_code,
    new_recovery_code,
    wrap_for_member,
)
from hub.audit import service as audit
from hub.audit.models import AuditAction
from hub.members.models import Member, MemberKeyWrap
from hub.organisations.models import Organisation


def fingerprint(organisation: Organisation) -> str | None:
    if organisation.public_keys is None:
        return None
    return OrganisationPublicKeys.from_bytes(organisation.public_keys).fingerprint()


@dataclass(frozen=True)
class KeysCreated:
    recovery_code: str
    fingerprint: str


def create_keys(
    session: Session, *, organisation: Organisation, first_member: Member
) -> KeysCreated:
    """The organisation's keys, made when its first member joins. Flushes only.

    The secret keys leave this function sealed twice — to the first member and under a fresh
    recovery code that is shown once — and are then dropped.
    """
    keys = OrganisationKeys.generate()
    code = new_recovery_code()
    organisation.public_keys = keys.public.to_bytes()
    organisation.key_version = 1
    organisation.recovery_lock = lock_with_recovery_code(keys, code)
    add_wrap(session, organisation=organisation, member=first_member, keys=keys, by=None)
    audit.record(
        session,
        action=AuditAction.ORGANISATION_KEYS_CREATE,
        actor=first_member.email,
        actor_id=first_member.id,
        target=organisation.id,
        details={"fingerprint": keys.fingerprint(), "key_version": 1},
    )
    return KeysCreated(recovery_code=code, fingerprint=keys.fingerprint())


def add_wrap(
    session: Session,
    *,
    organisation: Organisation,
    member: Member,
    keys: OrganisationKeys,
    by: Member | None,
) -> MemberKeyWrap:
    wrap = MemberKeyWrap(
        member_id=member.id,
        organisation_id=organisation.id,
        key_version=organisation.key_version,
        wrap=wrap_for_member(keys, MemberPublicKey.from_bytes(member.public_key)),
        granted_by_id=by.id if by else None,
    )
    session.add(wrap)
    return wrap
