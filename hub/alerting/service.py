"""Hub services around alerts: a member's designation, confirmations, acknowledgements and the
delivery log. Each entry point commits once; alerts' own functions only flush."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts import ack as acks
from alerts import designations as des
from alerts import dispatcher, outbox
from alerts.models import LiaisonDesignation
from hub.actors import Actor
from hub.alerting.schemas import (
    AckRead,
    ContactRead,
    DeliveryRead,
    LiaisonRead,
    LiaisonSet,
    QuietHoursRead,
)
from hub.areas.models import Area
from hub.audit import service as audit
from hub.audit.models import AuditAction
from hub.errors import Forbidden, InvalidInput, NotFound
from hub.i18n import gettext as _
from hub.members.models import Member, Role

# The audit chain stores an action as text; these live here until hub/audit lists them.
ALERT_ACK = AuditAction.ALERT_ACKNOWLEDGE
LIAISON_SET = AuditAction.ALERT_SET_DESIGNATION
LIAISON_REMOVE = AuditAction.ALERT_REMOVE_DESIGNATION


def _member(actor: Actor) -> Member:
    if actor.member is None:
        raise Forbidden(_("Name the member (--email) this is about."))
    return actor.member


def _read(session: Session, designation: LiaisonDesignation) -> LiaisonRead:
    contacts = des.contacts(session, designation.id)
    deputies = {
        m.id: m.email
        for m in session.scalars(select(Member).where(Member.id.in_(designation.deputies)))
    }
    quiet = None
    if designation.quiet_start and designation.quiet_end:
        quiet = QuietHoursRead(
            start=designation.quiet_start, end=designation.quiet_end, timezone=designation.timezone
        )
    return LiaisonRead(
        id=designation.id,
        organisation=designation.organisation_id,
        areas=designation.areas,
        min_severity=designation.min_severity,
        report_types=designation.report_types,
        channels=designation.channels,
        contacts=[
            ContactRead(
                channel="sms" if c.channel == "sms" else "email",
                address=c.address,
                confirmed=c.confirmed_at is not None,
            )
            for c in contacts
        ],
        language=designation.language,
        timezone=designation.timezone,
        quiet_hours=quiet,
        anti_phishing_phrase=designation.anti_phishing_phrase,
        deputies=[deputies.get(d, d) for d in designation.deputies],
        smime_fingerprint=designation.smime_fingerprint,
        weekly_report=designation.weekly_report,
    )


def get_designation(session: Session, *, actor: Actor) -> LiaisonRead:
    member = _member(actor)
    designation = des.get(session, member.id)
    if designation is None:
        raise NotFound(_("You are not designated as a liaison yet: PUT /api/v1/liaison."))
    return _read(session, designation)


def set_designation(
    session: Session, *, actor: Actor, data: LiaisonSet, now: dt.datetime
) -> LiaisonRead:
    member = _member(actor)
    if not member.has_role(Role.LIAISON, Role.FOCAL_POINT):
        raise Forbidden(_("Only liaisons and focal points receive alerts."))
    deputies = []
    for email in data.deputies:
        deputy = session.scalar(select(Member).where(Member.email == email.strip().lower()))
        if deputy is None or deputy.organisation_id != member.organisation_id:
            raise InvalidInput(
                _("%(email)s is not a member of your organisation.") % {"email": email},
                field="deputies",
            )
        deputies.append(deputy.id)
    wanted = data.channels.model_fields_set or {"email"}
    channels = [c for c in ("email", "sms") if c in wanted]
    timezone = data.quiet_hours.timezone if data.quiet_hours and data.quiet_hours.timezone else None
    try:
        saved = des.save(
            session,
            member_id=member.id,
            organisation_id=member.organisation_id,
            display_name=member.display_name,
            account_email=member.email,
            data=des.DesignationInput(
                areas=data.areas,
                anti_phishing_phrase=data.anti_phishing_phrase,
                min_severity=data.min_severity.value,
                report_types=[t.value for t in data.report_types],
                email=data.channels.email if "email" in channels else None,
                sms=data.channels.sms,
                channels=channels,
                language=data.language,
                timezone=timezone or data.timezone,
                quiet_start=data.quiet_hours.start if data.quiet_hours else None,
                quiet_end=data.quiet_hours.end if data.quiet_hours else None,
                deputies=deputies,
                smime_certificate=data.smime_certificate,
                weekly_report=data.weekly_report,
            ),
            now=now,
        )
    except des.DesignationInvalid as exc:
        raise InvalidInput(str(exc), field=exc.field) from None
    audit.record(
        session,
        action=LIAISON_SET,
        actor=actor.label,
        actor_id=member.id,
        target=f"liaison:{member.id}",
        details={
            "areas": saved.designation.areas,
            "channels": saved.designation.channels,
            "weekly_report": saved.designation.weekly_report,
        },
    )
    result = _read(session, saved.designation)
    session.commit()
    return result


def remove_designation(session: Session, *, actor: Actor) -> None:
    """Stop receiving alerts. Deliveries already planned stay in the log; those not yet sent
    find no confirmed address and are parked, visibly."""
    member = _member(actor)
    if not des.remove(session, member.id):
        raise NotFound(_("You are not designated as a liaison yet: PUT /api/v1/liaison."))
    audit.record(
        session,
        action=LIAISON_REMOVE,
        actor=actor.label,
        actor_id=member.id,
        target=f"liaison:{member.id}",
    )
    session.commit()


def confirm_email(session: Session, *, token: str, now: dt.datetime) -> str:
    try:
        contact = des.confirm_email(session, token=token, now=now)
    except des.ConfirmationFailed as exc:
        raise NotFound(_("This confirmation link is unknown or has expired.")) from exc
    address = contact.address
    session.commit()
    return address


def confirm_phone(session: Session, *, actor: Actor, code: str, now: dt.datetime) -> LiaisonRead:
    member = _member(actor)
    try:
        des.confirm_sms(session, member_id=member.id, code=code, now=now)
    except des.ConfirmationFailed as exc:
        session.commit()  # keep the failed-attempt count
        raise InvalidInput(str(exc), field="code") from None
    designation = des.get(session, member.id)
    assert designation is not None  # noqa: S101 (confirm_sms found it)
    result = _read(session, designation)
    session.commit()
    return result


def ack_preview(session: Session, *, token: str) -> acks.Pending | None:
    return acks.find(session, token)


def _audit_ack(session: Session, done: acks.Acknowledged, how: str) -> AckRead:
    delivery = done.delivery
    assert delivery.acknowledged_at is not None  # noqa: S101 (just set)
    audit.record(
        session,
        action=ALERT_ACK,
        actor=f"liaison:{delivery.liaison_id} ({how})",
        actor_id=delivery.liaison_id,
        target=f"alert:{done.event.id}",
        details={
            "organisation": delivery.organisation_id,
            "delivery": delivery.id,
            "stopped_escalation_steps": done.stopped_steps,
        },
    )
    result = AckRead(
        event_id=done.event.id,
        acknowledged_at=delivery.acknowledged_at,
        stopped_escalation_steps=done.stopped_steps,
    )
    session.commit()
    return result


def acknowledge_link(session: Session, *, token: str, now: dt.datetime) -> AckRead | None:
    done = acks.acknowledge_link(session, token=token, now=now)
    if done is None:
        return None
    return _audit_ack(session, done, "link")


def acknowledge_sms(
    session: Session, *, phone: str, body: str, secret: bytes, now: dt.datetime
) -> AckRead | None:
    done = acks.acknowledge_code(session, phone=phone, code=body, secret=secret, now=now)
    if done is None:
        return None
    return _audit_ack(session, done, "sms")


def deliveries(
    session: Session,
    *,
    actor: Actor,
    liaison_email: str | None = None,
    event_id: str | None = None,
) -> list[DeliveryRead]:
    """A member sees their own deliveries; a focal point their organisation's; the operator
    (and the console) every one."""
    member = actor.member
    everyone = member is None or member.has_role(Role.OPERATOR)
    organisation_id = None
    if not everyone:
        assert member is not None  # noqa: S101 (everyone covers the console)
        if member.has_role(Role.FOCAL_POINT):
            organisation_id = member.organisation_id
    liaison_id = None
    if liaison_email is not None:
        # Looked up only among the people the viewer may see: "no such member" and "someone
        # you may not see" are one answer, so this address does not tell which emails have
        # accounts on the hub.
        stmt = select(Member.id).where(Member.email == liaison_email.strip().lower())
        if organisation_id is not None:
            stmt = stmt.where(Member.organisation_id == organisation_id)
        elif not everyone:
            assert member is not None  # noqa: S101
            stmt = stmt.where(Member.id == member.id)
        liaison_id = session.scalar(stmt)
        if liaison_id is None:
            raise NotFound(_("None of the people whose deliveries you may see has this email."))
    if not everyone and organisation_id is None:
        assert member is not None  # noqa: S101
        liaison_id = member.id
    rows = dispatcher.delivery_log(
        session, liaison_id=liaison_id, event_id=event_id, organisation_id=organisation_id
    )
    return [DeliveryRead.model_validate(r, from_attributes=True) for r in rows]


def member_emails(session: Session, ids: set[str]) -> dict[str, str]:
    """The email of each member id, for a delivery log a focal point reads."""
    if not ids:
        return {}
    rows = session.execute(select(Member.id, Member.email).where(Member.id.in_(list(ids))))
    return {member_id: address for member_id, address in rows}


def sms_status(session: Session, *, params: dict[str, str], now: dt.datetime) -> bool:
    """A verified gateway status callback (Twilio's form fields)."""
    from alerts.channels.sms import parse_status_callback

    try:
        update = parse_status_callback(params)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    changed = dispatcher.apply_sms_status(
        session,
        provider_id=update.provider_id,
        outcome=update.outcome,
        detail=update.detail,
        now=now,
    )
    session.commit()
    return changed


def own_designation(session: Session, *, actor: Actor) -> LiaisonRead | None:
    """The page's view: my designation, or None when I have none yet."""
    designation = des.get(session, _member(actor).id)
    return None if designation is None else _read(session, designation)


def area_names(session: Session, *, lang: str) -> tuple[dict[str, str], dict[str, str]]:
    """What a liaison may type to pick an area, and how the page names each code: (every
    code, and every name case-folded, to its code; each code to its name in `lang`). A name
    two areas share stays ambiguous and is not offered: the code picks either."""
    lookup: dict[str, str] = {}
    names: dict[str, str] = {}
    seen: dict[str, set[str]] = {}
    rows = session.execute(select(Area.code, Area.name, Area.name_fr, Area.name_en))
    for code, name, name_fr, name_en in rows:
        names[code] = (name_fr if lang == "fr" else name_en) or name
        lookup[code.upper()] = code
        for text in {name, name_fr, name_en} - {None}:
            seen.setdefault(" ".join(str(text).casefold().split()), set()).add(code)
    for text, codes in seen.items():
        if len(codes) == 1 and text.upper() not in lookup:
            lookup[text] = next(iter(codes))
    return lookup, names


def send_test_alert(session: Session, *, actor: Actor, now: dt.datetime) -> str:
    """ "Send me a test alert": queued for the dispatcher's next pass, to me alone, on each
    channel of my designation; its outcome appears in my delivery log. Returns the event id."""
    member = _member(actor)
    designation = des.get(session, member.id)
    if designation is None:
        raise NotFound(_("You are not designated as a liaison yet: PUT /api/v1/liaison."))
    event_id = outbox.enqueue_test(
        session,
        member=member.id,
        organisation=member.organisation_id,
        area_code=designation.areas[0],
        now=now,
    )
    session.commit()
    return event_id
