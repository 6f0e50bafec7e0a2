"""Invitations: a one-time link by email that lets a person become a member.

The token is 32 random bytes; the hub stores only its SHA-256 (the token has full entropy,
so a plain hash is enough to make a copy of the table useless). The email is queued through
the alerts outbox in the same transaction as the invitation, and the dispatcher forgets the
clear token once the email is sent (alerts/invitations.py). A link expires, works once, and
a newer invitation to the same address replaces an open one.

Accepting creates the member through members.service.create_member, so the organisation's
first member creates its keys and is shown the one-time recovery code exactly as
`slthub user create` does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import pyotp
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from alerts.outbox import InvitationNotice, enqueue_invitation
from hub.actors import Actor, Permission
from hub.audit import service as audit
from hub.audit.models import AuditAction
from hub.db import utcnow
from hub.errors import HubError, InvalidInput
from hub.i18n import gettext as _
from hub.members import service as members
from hub.members.models import (
    ROLES_REQUIRING_TOTP,
    Invitation,
    Member,
    Role,
)
from hub.members.passphrases import check_passphrase
from hub.organisations.models import Organisation, OrganisationStatus

INVITATION_DAYS = 7
# Roles an inviter may never hand out by link: the operator runs the server.
NEVER_BY_INVITATION = frozenset({Role.OPERATOR})
# Roles any focal point hands out; the others (coordinator, committee) only who holds them.
ANY_FOCAL_POINT_GIVES = frozenset({Role.FOCAL_POINT, Role.LIAISON})


def grantable_roles(actor: Actor) -> frozenset[Role]:
    if actor.member is None:
        return frozenset(Role) - NEVER_BY_INVITATION
    held = {r for r in Role if actor.member.has_role(r)}
    return frozenset((held | ANY_FOCAL_POINT_GIVES) - NEVER_BY_INVITATION)


class InvitationGone(HubError):
    """Unknown, used, replaced or expired: one answer for all (404, as for any unknown
    address), so a link tells nothing about what became of it."""

    status = 404
    code = "invitation-gone"


def token_hash(token: str) -> str:
    return hashlib.sha256(b"invitation:" + token.encode()).hexdigest()


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class Invited:
    invitation: Invitation
    event_id: str


def _phrase(organisation: Organisation) -> str:
    return " ".join(organisation.name.split())[:20]


def invite(
    session: Session,
    *,
    actor: Actor,
    organisation: Organisation,
    email: str,
    display_name: str,
    roles: list[Role],
    language: str,
    invited_by: str,
    phrase: str | None = None,
) -> Invited:
    """Record an invitation and queue its email. Flushes only: the caller commits."""
    email = members.normalise_email(email)
    if not roles:
        raise InvalidInput(_("Give the member at least one role."), field="roles")
    if session.execute(select(Member.id).where(Member.email == email)).first():
        raise InvalidInput(_("A member with this email already exists."), field="email")
    now = utcnow()
    # A new invitation to the same address replaces the organisation's open one: one live
    # link at a time (another organisation's invitation is not this one's to withdraw).
    session.execute(
        update(Invitation)
        .where(Invitation.email == email)
        .where(Invitation.organisation_id == organisation.id)
        .where(Invitation.used_at.is_(None))
        .where(Invitation.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        organisation_id=organisation.id,
        email=email,
        display_name=(display_name.strip() or email.split("@")[0])[:200],
        roles=sorted(str(r) for r in set(roles)),
        language="en" if language == "en" else "fr",
        token_hash=token_hash(token),
        invited_by_id=actor.id,
        created_at=now,
        expires_at=now + dt.timedelta(days=INVITATION_DAYS),
    )
    session.add(invitation)
    session.flush()
    event_id = enqueue_invitation(
        session,
        notice=InvitationNotice(
            invitation=invitation.id,
            email=email,
            name=invitation.display_name,
            language=invitation.language,
            phrase=(phrase or _phrase(organisation)).strip()[:20] or _phrase(organisation),
            organisation=organisation.name,
            invited_by=invited_by[:200],
            expires_at=invitation.expires_at,
            token=token,
        ),
        organisation=organisation.id,
    )
    audit.record_by(
        session,
        action=AuditAction.MEMBER_INVITE,
        actor=actor,
        target=invitation.id,
        details={
            "email": email,
            "organisation": organisation.id,
            "roles": invitation.roles,
            "expires_at": invitation.expires_at.isoformat(),
        },
    )
    return Invited(invitation=invitation, event_id=event_id)


def _check_roles(actor: Actor, roles: list[Role]) -> None:
    """Focal point and liaison; other roles only by who holds them; never the operator's."""
    allowed = grantable_roles(actor)
    for role in roles:
        if role not in allowed:
            raise InvalidInput(
                _("You can give only roles you hold yourself (not %(role)s).") % {"role": role},
                field="roles",
            )


def invite_colleague(
    session: Session,
    *,
    actor: Actor,
    email: str,
    display_name: str,
    roles: list[Role],
    language: str,
) -> Invitation:
    """A focal point invites a colleague into their own organisation. Commits."""
    actor.require(Permission.MEMBER_INVITE)
    if actor.member is None:
        raise InvalidInput(_("Only a member invites colleagues."))
    _check_roles(actor, roles)
    organisation = actor.member.organisation
    invited = invite(
        session,
        actor=actor,
        organisation=organisation,
        email=email,
        display_name=display_name,
        roles=roles,
        language=language,
        invited_by=actor.member.display_name,
    )
    session.commit()
    return invited.invitation


def pending_invitations(session: Session, *, actor: Actor) -> list[Invitation]:
    actor.require(Permission.MEMBER_INVITE)
    if actor.member is None:
        return []
    now = utcnow()
    rows = session.scalars(
        select(Invitation)
        .where(Invitation.organisation_id == actor.member.organisation_id)
        .where(Invitation.used_at.is_(None))
        .where(Invitation.revoked_at.is_(None))
        .order_by(Invitation.created_at.desc())
    )
    return [row for row in rows if _aware(row.expires_at) > now]


def revoke(session: Session, *, actor: Actor, invitation_id: str) -> None:
    actor.require(Permission.MEMBER_INVITE)
    invitation = session.get(Invitation, invitation_id)
    if (
        invitation is None
        or actor.member is None
        or invitation.organisation_id != actor.member.organisation_id
        or invitation.used_at is not None
        or invitation.revoked_at is not None
    ):
        raise InvitationGone(_("This invitation is no longer open."))
    invitation.revoked_at = utcnow()
    audit.record_by(
        session,
        action=AuditAction.MEMBER_INVITATION_REVOKE,
        actor=actor,
        target=invitation.id,
        details={"email": invitation.email},
    )
    session.commit()


# --- the invitee's side ------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenInvitation:
    """What the join page shows: plain values, safe after a rollback."""

    email: str
    display_name: str
    organisation: str
    roles: tuple[Role, ...]
    needs_totp: bool
    expires_at: dt.datetime


def _gone() -> InvitationGone:
    return InvitationGone(
        _(
            "This invitation link does not work: it was already used, replaced by a newer "
            "one, or it has expired. Ask whoever invited you for a new invitation."
        )
    )


def _find_open(session: Session, token: str) -> Invitation:
    if not token or len(token) > 200:
        raise _gone()
    invitation = session.scalar(
        select(Invitation).where(Invitation.token_hash == token_hash(token))
    )
    if (
        invitation is None
        or invitation.used_at is not None
        or invitation.revoked_at is not None
        or _aware(invitation.expires_at) <= utcnow()
    ):
        raise _gone()
    organisation = session.get(Organisation, invitation.organisation_id)
    if organisation is None or organisation.status != OrganisationStatus.APPROVED:
        raise _gone()
    return invitation


def preview(session: Session, *, token: str) -> OpenInvitation:
    invitation = _find_open(session, token)
    roles = tuple(Role(r) for r in invitation.roles)
    organisation = session.get(Organisation, invitation.organisation_id)
    assert organisation is not None  # noqa: S101 (checked in _find_open)
    return OpenInvitation(
        email=invitation.email,
        display_name=invitation.display_name,
        organisation=organisation.name,
        roles=roles,
        needs_totp=any(r in ROLES_REQUIRING_TOTP for r in roles),
        expires_at=_aware(invitation.expires_at),
    )


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(email: str, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=members.TOTP_ISSUER)


def accept(
    session: Session,
    *,
    token: str,
    display_name: str,
    passphrase: str,
    confirm: str,
    totp_secret: str = "",
    totp_code: str = "",
) -> members.Created:
    """The invitee sets a passphrase (and a second factor where a role needs it) and becomes
    a member. Marks the invitation used in the same transaction. Commits."""
    opened = preview(session, token=token)
    check_passphrase(passphrase, email=opened.email)
    if passphrase != confirm:
        raise InvalidInput(_("The two passphrases differ."), field="confirm")
    secret = None
    if opened.needs_totp:
        if not members.TOTP_SECRET_RE.fullmatch(totp_secret):
            raise InvalidInput(_("This secret is not one the hub gave; start again."), field="totp")
        try:
            ok = pyotp.TOTP(totp_secret).verify(totp_code.strip().replace(" ", ""), valid_window=1)
        except (ValueError, TypeError):
            ok = False
        if not ok:
            raise InvalidInput(_("This code is not right; check your app's clock."), field="totp")
        secret = totp_secret
    # Argon2id (in create_member) runs before this transaction writes anything; the
    # invitation is checked again and spent in the transaction that creates the member.
    session.rollback()
    invitation = _find_open(session, token)
    organisation = session.get(Organisation, invitation.organisation_id)
    assert organisation is not None  # noqa: S101 (checked in _find_open)
    invitation_id = invitation.id

    def spend(member: Member) -> None:
        spent = session.get(Invitation, invitation_id)
        assert spent is not None  # noqa: S101 (read above)
        if spent.used_at is not None:
            raise _gone()
        spent.used_at = utcnow()
        spent.member_id = member.id
        audit.record(
            session,
            action=AuditAction.MEMBER_INVITATION_ACCEPT,
            actor=member.email,
            actor_id=member.id,
            target=invitation_id,
            details={"organisation": organisation.id, "member": member.id},
        )

    return members.create_member(
        session,
        actor=Actor(label=invitation.email),
        organisation=organisation,
        email=invitation.email,
        display_name=display_name.strip() or invitation.display_name,
        roles=[Role(r) for r in invitation.roles],
        passphrase=passphrase,
        totp_secret=secret,
        on_created=spend,
    )


def has_account(session: Session, email: str) -> bool:
    return (
        session.execute(
            select(Member.id).where(Member.email == members.normalise_email(email))
        ).first()
        is not None
    )
