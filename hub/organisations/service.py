"""Partner organisations: creation, the committee's decisions, and rotating their keys."""

from __future__ import annotations

import unicodedata

import confusables
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crypto import (
    OrganisationKeys,
    lock_with_recovery_code,
    new_recovery_code,
)
from hub.actors import Actor, Permission
from hub.audit import service as audit
from hub.audit.models import AuditAction
from hub.db import utcnow
from hub.errors import Conflict, InvalidInput, NotFound
from hub.i18n import gettext as _
from hub.members.models import Member, MemberKeyWrap, MemberStatus
from hub.organisations.keys import KeysCreated as KeysCreated
from hub.organisations.keys import add_wrap
from hub.organisations.keys import create_keys as create_keys
from hub.organisations.keys import fingerprint as fingerprint
from hub.organisations.models import Organisation, OrganisationKind, OrganisationStatus
from hub.organisations.schemas import OrganisationRead
from hub.reports.service import rewrap_after_rotation


def as_read(organisation: Organisation) -> OrganisationRead:
    read = OrganisationRead.model_validate(organisation)
    read.fingerprint = fingerprint(organisation)
    return read


def get_organisation(session: Session, organisation_id: str) -> Organisation:
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound(_("No such organisation."))
    return organisation


def find_organisation(session: Session, ref: str) -> Organisation:
    """By id, or by exact name (the CLI accepts either)."""
    found = (
        session.get(Organisation, ref)
        or session.execute(
            select(Organisation).where(Organisation.name == ref)
        ).scalar_one_or_none()
    )
    if found is None:
        raise NotFound(_("No such organisation."))
    return found


# Categories a name may not hold: control (Cc), format (Cf: zero-width joiners, bidi
# overrides), private use, unassigned, surrogates, and line/paragraph separators.
_FORBIDDEN = {"Cc", "Cf", "Co", "Cn", "Cs", "Zl", "Zp"}


def clean_name(name: str) -> str:
    """An organisation's name as the hub stores it: NFKC (so ﬁ, full-width letters and the
    like become their plain form), one space between words, and no invisible or control
    character — a name partners trust must read the same to everyone who sees it."""
    name = unicodedata.normalize("NFKC", name)
    if any(unicodedata.category(c) in _FORBIDDEN for c in name):
        raise InvalidInput(
            _("A name may not hold invisible, control or direction characters."), field="name"
        )
    name = " ".join(name.split())
    if len(name) < 2:
        raise InvalidInput(_("Give the organisation a name."), field="name")
    return name


def check_not_a_lookalike(session: Session, name: str, *, except_id: str | None = None) -> None:
    """Refuse a name that is, or looks like, an existing organisation's: Unicode's
    confusables (UTS #39, through the `confusables` package: Cyrillic О for Latin O, rn for
    m, 0 for O, accents) compared both ways with every name, so no one registers a
    look-alike of a partner and receives reports or alerts meant for it."""
    folded = name.casefold()
    for other_id, other in session.execute(select(Organisation.id, Organisation.name)):
        if other_id == except_id:
            continue
        if other.casefold() == folded:
            raise Conflict(_("An organisation with this name already exists."))
        if confusables.is_confusable(other, name) or confusables.is_confusable(name, other):
            raise Conflict(
                _("This name looks too much like an existing organisation's (%(name)s).")
                % {"name": other}
            )


def list_organisations(session: Session) -> list[OrganisationRead]:
    rows = session.execute(select(Organisation).order_by(Organisation.name)).scalars()
    return [as_read(row) for row in rows]


def create_organisation(
    session: Session, *, actor: Actor, name: str, kind: OrganisationKind, approve: bool = False
) -> Organisation:
    actor.require(Permission.ORGANISATION_CREATE)
    name = clean_name(name)
    check_not_a_lookalike(session, name)
    organisation = Organisation(name=name, kind=kind, status=OrganisationStatus.PENDING)
    session.add(organisation)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent create of the same name
        raise Conflict(_("An organisation with this name already exists.")) from exc
    audit.record_by(
        session,
        action=AuditAction.ORGANISATION_CREATE,
        actor=actor,
        target=organisation.id,
        details={"name": name, "kind": str(kind)},
    )
    if approve:
        _decide(session, actor=actor, organisation=organisation, to=OrganisationStatus.APPROVED)
    session.commit()
    return organisation


def _decide(
    session: Session, *, actor: Actor, organisation: Organisation, to: OrganisationStatus
) -> None:
    if organisation.status == to:
        raise Conflict(_("The organisation is already %(status)s.") % {"status": str(to)})
    previous = organisation.status
    organisation.status = to
    organisation.decided_by_id = actor.id
    organisation.decided_at = utcnow()
    action = (
        AuditAction.ORGANISATION_APPROVE
        if to == OrganisationStatus.APPROVED
        else AuditAction.ORGANISATION_SUSPEND
    )
    audit.record_by(
        session,
        action=action,
        actor=actor,
        target=organisation.id,
        details={"from": str(previous), "to": str(to)},
    )


def approve_organisation(session: Session, *, actor: Actor, organisation_id: str) -> Organisation:
    actor.require(Permission.ORGANISATION_DECIDE)
    organisation = get_organisation(session, organisation_id)
    _decide(session, actor=actor, organisation=organisation, to=OrganisationStatus.APPROVED)
    session.commit()
    return organisation


def suspend_organisation(session: Session, *, actor: Actor, organisation_id: str) -> Organisation:
    actor.require(Permission.ORGANISATION_DECIDE)
    organisation = get_organisation(session, organisation_id)
    _decide(session, actor=actor, organisation=organisation, to=OrganisationStatus.SUSPENDED)
    session.commit()
    return organisation


def rotate_keys(
    session: Session, *, actor: Actor, organisation: Organisation, current_keys: OrganisationKeys
) -> KeysCreated:
    """New organisation keys, re-wrapped for every member who still holds a grant.

    Used after removing a member who may have kept a copy of the old keys. `current_keys`
    proves that the caller holds them: they open the report keys the organisation holds,
    which are re-sealed to the new keys in the same transaction. Commits.
    """
    if organisation.public_keys is None:
        raise Conflict(_("This organisation has no keys yet."))
    if current_keys.public.to_bytes() != organisation.public_keys:
        raise Conflict(_("These are not the organisation's current keys."))
    holders = (
        session.execute(
            select(Member)
            .join(MemberKeyWrap, MemberKeyWrap.member_id == Member.id)
            .where(MemberKeyWrap.organisation_id == organisation.id)
            .where(Member.status == MemberStatus.ACTIVE)
        )
        .scalars()
        .all()
    )
    session.query(MemberKeyWrap).filter(MemberKeyWrap.organisation_id == organisation.id).delete(
        synchronize_session=False
    )
    session.flush()
    keys = OrganisationKeys.generate()
    code = new_recovery_code()
    old_version = organisation.key_version
    organisation.public_keys = keys.public.to_bytes()
    organisation.key_version += 1
    organisation.recovery_lock = lock_with_recovery_code(keys, code)
    for member in holders:
        add_wrap(session, organisation=organisation, member=member, keys=keys, by=actor.member)
    rewrapped = rewrap_after_rotation(
        session,
        organisation_id=organisation.id,
        old_keys=current_keys,
        old_version=old_version,
        new_public=keys.public,
    )
    audit.record_by(
        session,
        action=AuditAction.ORGANISATION_ROTATE_KEYS,
        actor=actor,
        target=organisation.id,
        details={
            "fingerprint": keys.fingerprint(),
            "key_version": organisation.key_version,
            "rewrapped_for": sorted(m.id for m in holders),
            "report_keys_resealed": rewrapped,
        },
    )
    session.commit()
    return KeysCreated(recovery_code=code, fingerprint=keys.fingerprint())
