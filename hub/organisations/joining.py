"""Joining the hub: an organisation applies, the oversight committee decides.

An application needs no account. It creates a *pending* organisation through the same name
rules as `slthub org create` (clean_name, check_not_a_lookalike) and records the contact,
the areas of presence and the reason. It sends nothing: the hub writes to the contact only
once a committee member has approved, so the form cannot be used to make the hub mail
anyone. Applications are limited per network address and in number waiting at once.

Approval makes the organisation approved and invites its contact (hub/members/invitations.py)
in the same transaction. Refusal keeps the organisation, suspended, with the committee's
reason: its name stays taken, and a later reinstatement can revisit the decision.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.actors import Actor, Permission
from hub.areas.models import OrganisationPresence
from hub.areas.service import area_code_for
from hub.audit import service as audit
from hub.audit.models import AuditAction
from hub.db import utcnow
from hub.errors import Conflict, Forbidden, InvalidInput, TooManyAttempts
from hub.i18n import gettext as _
from hub.members import invitations
from hub.members.models import Role
from hub.members.service import normalise_email
from hub.organisations import service as organisations
from hub.organisations.models import (
    ApplicationDecision,
    Organisation,
    OrganisationApplication,
    OrganisationKind,
    OrganisationStatus,
)

# At most this many applications from one network address a day, and this many waiting for
# the committee at once: enough for real partners, too few to bury the committee.
PER_ADDRESS_PER_DAY = 3
MAX_PENDING = 100
MAX_AREAS = 50


@dataclass(frozen=True)
class ApplicationIn:
    name: str
    kind: OrganisationKind
    contact_name: str
    contact_email: str
    areas: list[str]
    reason: str
    language: str = "fr"
    phrase: str = ""


def address_hash(address: str) -> str:
    # Not a secret, only not the address itself in a table that lives for years.
    return hashlib.sha256(b"application:" + address.encode()).hexdigest()


def _resolve_areas(session: Session, names: list[str]) -> list[str]:
    codes: list[str] = []
    unknown: list[str] = []
    for text in names:
        text = " ".join(text.split())
        if not text:
            continue
        code = area_code_for(session, text)
        if code is None:
            unknown.append(text)
        elif code not in codes:
            codes.append(code)
    if unknown:
        raise InvalidInput(
            _("Unknown area(s): %(names)s. Type an area's name or code.")
            % {"names": ", ".join(unknown[:5])},
            field="areas",
        )
    if not codes:
        raise InvalidInput(_("Name at least one area where you work."), field="areas")
    if len(codes) > MAX_AREAS:
        raise InvalidInput(_("Name at most %(n)d areas.") % {"n": MAX_AREAS}, field="areas")
    return codes


def _check_limits(session: Session, *, address: str, now: dt.datetime) -> None:
    recent = session.scalar(
        select(func.count())
        .select_from(OrganisationApplication)
        .where(OrganisationApplication.address_hash == address_hash(address))
        .where(OrganisationApplication.applied_at >= now - dt.timedelta(days=1))
    )
    if (recent or 0) >= PER_ADDRESS_PER_DAY:
        raise TooManyAttempts(
            _("Too many applications from your network today. Try again tomorrow."),
            retry_after=86400,
        )
    waiting = session.scalar(
        select(func.count())
        .select_from(OrganisationApplication)
        .where(OrganisationApplication.decision == ApplicationDecision.PENDING)
    )
    if (waiting or 0) >= MAX_PENDING:
        raise TooManyAttempts(
            _("The committee has many applications to read. Try again in a few hours."),
            retry_after=3600,
        )


def apply(session: Session, *, application: ApplicationIn, address: str) -> Organisation:
    """A pending organisation and its application. Commits; sends nothing."""
    now = utcnow()
    name = organisations.clean_name(application.name)
    contact_name = " ".join(application.contact_name.split())
    if len(contact_name) < 2:
        raise InvalidInput(_("Give the name of a person we can write to."), field="contact_name")
    email = normalise_email(application.contact_email)
    reason = application.reason.strip()
    if len(reason) < 10:
        raise InvalidInput(
            _("Say in a few words why your organisation wants to join."), field="reason"
        )
    phrase = " ".join(application.phrase.split())[:20] or name[:20]
    codes = _resolve_areas(session, application.areas)
    _check_limits(session, address=address, now=now)
    organisations.check_not_a_lookalike(session, name)
    # Whether the contact already has an account is not said here (the form is public and
    # would tell anyone which addresses have accounts); approval then invites nobody.
    organisation = Organisation(name=name, kind=application.kind, status=OrganisationStatus.PENDING)
    session.add(organisation)
    try:
        session.flush()
    except IntegrityError as exc:  # the same name applied for at the same moment
        raise Conflict(_("An organisation with this name already exists.")) from exc
    session.add(
        OrganisationApplication(
            organisation_id=organisation.id,
            contact_name=contact_name[:200],
            contact_email=email,
            language="en" if application.language == "en" else "fr",
            phrase=phrase,
            reason=reason[:4000],
            areas=codes,
            address_hash=address_hash(address),
            applied_at=now,
        )
    )
    for code in codes:
        session.add(OrganisationPresence(organisation_id=organisation.id, area_code=code))
    session.flush()
    audit.record(
        session,
        action=AuditAction.ORGANISATION_APPLY,
        actor=email,
        actor_id=None,
        target=organisation.id,
        details={"name": name, "kind": str(application.kind), "areas": codes},
    )
    session.commit()
    return organisation


# --- the committee ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicationView:
    organisation_id: str
    name: str
    kind: OrganisationKind
    status: OrganisationStatus
    contact_name: str | None
    contact_email: str | None
    areas: list[str]
    reason: str | None
    applied_at: dt.datetime | None
    decision: ApplicationDecision | None
    decision_reason: str | None


def overview(session: Session, *, actor: Actor) -> list[ApplicationView]:
    """Every organisation with its application (if it applied through the hub)."""
    actor.require(Permission.ORGANISATION_DECIDE)
    rows = session.execute(
        select(Organisation, OrganisationApplication)
        .outerjoin(
            OrganisationApplication,
            OrganisationApplication.organisation_id == Organisation.id,
        )
        .order_by(Organisation.name)
    ).all()
    return [
        ApplicationView(
            organisation_id=org.id,
            name=org.name,
            kind=org.kind,
            status=org.status,
            contact_name=app.contact_name if app else None,
            contact_email=app.contact_email if app else None,
            areas=list(app.areas) if app else [],
            reason=app.reason if app else None,
            applied_at=app.applied_at if app else None,
            decision=app.decision if app else None,
            decision_reason=app.decision_reason if app else None,
        )
        for org, app in rows
    ]


def _decided(
    session: Session, *, actor: Actor, organisation: Organisation, to: OrganisationStatus
) -> None:
    organisation.status = to
    organisation.decided_by_id = actor.id
    organisation.decided_at = utcnow()


def _require_decider(actor: Actor) -> None:
    """The committee's role, and a second factor behind the session (login asks for it from
    every committee member; this says so again where it matters)."""
    actor.require(Permission.ORGANISATION_DECIDE)
    if actor.member is not None and actor.member.totp_secret is None:
        raise Forbidden(_("Set up your second factor (TOTP) before deciding on organisations."))


def approve(session: Session, *, actor: Actor, organisation_id: str) -> Organisation:
    """Approve a pending organisation; one that applied gets its contact invited. Commits."""
    _require_decider(actor)
    organisation = organisations.get_organisation(session, organisation_id)
    if organisation.status == OrganisationStatus.SUSPENDED:
        # The older name of reinstating (POST …/approve on a suspended organisation).
        return reinstate(session, actor=actor, organisation_id=organisation_id)
    if organisation.status != OrganisationStatus.PENDING:
        raise Conflict(_("The organisation is already approved."))
    _decided(session, actor=actor, organisation=organisation, to=OrganisationStatus.APPROVED)
    audit.record_by(
        session,
        action=AuditAction.ORGANISATION_APPROVE,
        actor=actor,
        target=organisation.id,
        details={"from": "pending", "to": "approved"},
    )
    application = session.get(OrganisationApplication, organisation.id)
    if application is not None:
        application.decision = ApplicationDecision.APPROVED
        application.decided_at = utcnow()
        application.decided_by_id = actor.id
        _invite_contact(session, actor=actor, organisation=organisation, application=application)
    session.commit()
    return organisation


def _invite_contact(
    session: Session,
    *,
    actor: Actor,
    organisation: Organisation,
    application: OrganisationApplication,
) -> None:
    if not invitations.has_account(session, application.contact_email):
        invitations.invite(
            session,
            actor=actor,
            organisation=organisation,
            email=application.contact_email,
            display_name=application.contact_name,
            roles=[Role.FOCAL_POINT],
            language=application.language,
            invited_by="",  # the committee: each language says it its own way
            phrase=application.phrase,
        )


def refuse(session: Session, *, actor: Actor, organisation_id: str, reason: str) -> Organisation:
    _require_decider(actor)
    reason = reason.strip()
    if len(reason) < 3:
        raise InvalidInput(_("Give the reason for the refusal."), field="reason")
    organisation = organisations.get_organisation(session, organisation_id)
    if organisation.status != OrganisationStatus.PENDING:
        raise Conflict(_("Only a pending application can be refused."))
    _decided(session, actor=actor, organisation=organisation, to=OrganisationStatus.SUSPENDED)
    application = session.get(OrganisationApplication, organisation.id)
    if application is not None:
        application.decision = ApplicationDecision.REFUSED
        application.decision_reason = reason[:4000]
        application.decided_at = utcnow()
        application.decided_by_id = actor.id
    audit.record_by(
        session,
        action=AuditAction.ORGANISATION_REFUSE,
        actor=actor,
        target=organisation.id,
        details={"reason": reason[:4000]},
    )
    session.commit()
    return organisation


def suspend(
    session: Session, *, actor: Actor, organisation_id: str, reason: str = ""
) -> Organisation:
    _require_decider(actor)
    organisation = organisations.get_organisation(session, organisation_id)
    if organisation.status == OrganisationStatus.SUSPENDED:
        raise Conflict(_("The organisation is already suspended."))
    previous = str(organisation.status)
    _decided(session, actor=actor, organisation=organisation, to=OrganisationStatus.SUSPENDED)
    audit.record_by(
        session,
        action=AuditAction.ORGANISATION_SUSPEND,
        actor=actor,
        target=organisation.id,
        details={"from": previous, "to": "suspended", "reason": reason.strip()[:4000]},
    )
    session.commit()
    return organisation


def reinstate(session: Session, *, actor: Actor, organisation_id: str) -> Organisation:
    _require_decider(actor)
    organisation = organisations.get_organisation(session, organisation_id)
    if organisation.status != OrganisationStatus.SUSPENDED:
        raise Conflict(_("Only a suspended organisation can be reinstated."))
    _decided(session, actor=actor, organisation=organisation, to=OrganisationStatus.APPROVED)
    audit.record_by(
        session,
        action=AuditAction.ORGANISATION_REINSTATE,
        actor=actor,
        target=organisation.id,
        details={"from": "suspended", "to": "approved"},
    )
    application = session.get(OrganisationApplication, organisation.id)
    if application is not None and application.decision == ApplicationDecision.REFUSED:
        # A refused applicant reinstated is an approval after all: its contact is invited.
        application.decision = ApplicationDecision.APPROVED
        application.decided_at = utcnow()
        application.decided_by_id = actor.id
        _invite_contact(session, actor=actor, organisation=organisation, application=application)
    session.commit()
    return organisation
