"""Briefing notices: the answer link's token, the RFC 5545 calendar an invitation carries,
and how the dispatcher plans and writes invitations, reminders and series notices.

Guarantees:
- the answer token of an invitation is an HMAC of its id under the alerts secret: the hub
  stores only its SHA-256, the email carries it, and nobody without the secret can make the
  link of another invitation;
- the calendar is built with the `icalendar` library: METHOD REQUEST (or CANCEL), one VEVENT
  whose UID is the briefing's and whose SEQUENCE grows at each move, the start and end with a
  TZID of the area's IANA zone, and that zone's VTIMEZONE (generated from the system's tz
  data), so a calendar program shows the right local time whatever its own zone;
- it carries the briefing's place, call details and agenda (written for the invitees), and
  never anything of a sealed report.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from alerts import designations as des
from alerts import outbox
from alerts.channels.base import DeliveryKey, OutgoingMessage
from alerts.facts import AlertFacts, AlertKind, BriefingFacts, MsgType, Recipient
from alerts.models import AlertDelivery, AlertEvent, DeliveryStatus
from alerts.render import email_message, render_alert, sms_message

PRODID = "-//SLT Hub//Briefings//FR"


def rsvp_token(secret: bytes, invitation_id: str) -> str:
    mac = hmac.new(secret, b"slthub-briefing-rsvp-v1|" + invitation_id.encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()[:18]).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    uid: str
    sequence: int
    starts_at: dt.datetime  # aware
    duration: dt.timedelta
    timezone: str
    summary: str
    place: str
    agenda: str
    organiser_email: str
    organiser_name: str
    attendee_email: str
    attendee_name: str
    link: str
    stamp: dt.datetime  # aware: when this version was written
    cancelled: bool = False


def calendar(event: CalendarEvent) -> bytes:
    """An iTIP REQUEST (or CANCEL) for one attendee, as bytes with CRLF line ends."""
    zone = ZoneInfo(event.timezone)
    start = event.starts_at.astimezone(zone)
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "CANCEL" if event.cancelled else "REQUEST")
    cal.add_component(
        icalendar.Timezone.from_tzinfo(
            zone,
            tzid=event.timezone,
            first_date=start.date() - dt.timedelta(days=366),
            last_date=start.date() + dt.timedelta(days=366),
        )
    )
    vevent = icalendar.Event()
    vevent.add("uid", event.uid)
    vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", event.stamp.astimezone(dt.UTC))
    vevent.add("dtstart", start)
    vevent.add("dtend", start + event.duration)
    vevent.add("summary", event.summary)
    if event.place:
        vevent.add("location", event.place)
    description = event.agenda + ("\n\n" if event.agenda else "") + event.link
    vevent.add("description", description)
    vevent.add("url", event.link)
    vevent.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    organiser = icalendar.vCalAddress(f"mailto:{event.organiser_email}")
    organiser.params["cn"] = icalendar.vText(event.organiser_name)
    vevent.add("organizer", organiser)
    attendee = icalendar.vCalAddress(f"mailto:{event.attendee_email}")
    attendee.params["cn"] = icalendar.vText(event.attendee_name)
    attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = icalendar.vText("NEEDS-ACTION")
    attendee.params["rsvp"] = icalendar.vText("FALSE")  # answers go through the hub's link
    vevent.add("attendee", attendee)
    cal.add_component(vevent)
    ical: bytes = cal.to_ical()
    return ical


# --- the notices the outbox carries ---------------------------------------------------------

KINDS = (AlertKind.BRIEFING_INVITATION, AlertKind.BRIEFING_REMINDER, AlertKind.BRIEFING_SERIES)
KIND_VALUES = frozenset(k.value for k in KINDS)
REMINDER_BEFORE = dt.timedelta(hours=1)
NOTICE_TYPE = "BriefingNotice"


@dataclass(frozen=True, slots=True)
class Invitee:
    """One person a briefing notice goes to. `invitation` is their invitation's id (the
    answer link is made from it at send time), empty for a series notice; `email`, `phrase`
    and `language` are used when the person has no liaison designation of their own."""

    invitation: str
    member: str
    organisation: str
    email: str
    name: str
    language: str
    phrase: str


@dataclass(frozen=True, slots=True)
class BriefingNotice:
    briefing: BriefingFacts
    uid: str
    sequence: int
    organiser_email: str
    invitees: tuple[Invitee, ...]


def notice_to_json(notice: BriefingNotice) -> dict[str, Any]:
    facts = {f.name: getattr(notice.briefing, f.name) for f in dataclasses.fields(notice.briefing)}
    facts["starts_at"] = notice.briefing.starts_at.isoformat()
    return {
        "type": NOTICE_TYPE,
        "briefing": facts,
        "uid": notice.uid,
        "sequence": notice.sequence,
        "organiser_email": notice.organiser_email,
        "invitees": [dataclasses.asdict(i) for i in notice.invitees],
    }


def notice_of(event: AlertEvent) -> BriefingNotice:
    data = dict(event.facts)
    if data.get("type") != NOTICE_TYPE:
        raise ValueError(f"event {event.id} does not carry a briefing notice")
    facts = dict(data["briefing"])
    facts["starts_at"] = dt.datetime.fromisoformat(facts["starts_at"])
    return BriefingNotice(
        briefing=BriefingFacts(**facts),
        uid=str(data["uid"]),
        sequence=int(data["sequence"]),
        organiser_email=str(data["organiser_email"]),
        invitees=tuple(Invitee(**i) for i in data["invitees"]),
    )


def enqueue(
    session: Session,
    *,
    kind: AlertKind,
    source: str,
    version: int,
    notice: BriefingNotice,
    supersedes: str | None = None,
) -> str:
    """A briefing notice in the caller's transaction (the hub's service commits it with the
    change); the dispatcher plans it on its next pass. Same (source, version) rule as
    `outbox.enqueue`: enqueuing it twice returns the first event."""
    if kind not in KINDS:
        raise ValueError(f"{kind} is not a briefing notice")
    return outbox.insert_once(
        session,
        kind=kind,
        source=source,
        facts=notice_to_json(notice),
        area_code=notice.briefing.area_code,
        organisations=sorted({i.organisation for i in notice.invitees}),
        areas=[notice.briefing.area_code],
        version=version,
        supersedes=supersedes,
        msg_type=MsgType.CANCEL if notice.briefing.cancelled else MsgType.ALERT,
    )


def plan(session: Session, event: AlertEvent, now: dt.datetime) -> int:
    """Invitations and series notices: one email each, due now. Reminders: one SMS each, an
    hour before the start, to those with a confirmed phone (the email invitation already
    reached everyone)."""
    notice = notice_of(event)
    kind = AlertKind(event.kind)
    if kind is AlertKind.BRIEFING_REMINDER and event.supersedes:
        # A moved or cancelled briefing: the earlier version's reminders must not go out.
        # (The dispatcher itself only stops escalation steps of what an event supersedes.)
        earlier = select(AlertEvent.id).where(
            AlertEvent.source == event.supersedes, AlertEvent.id != event.id
        )
        session.execute(
            update(AlertDelivery)
            .where(
                AlertDelivery.event_id.in_(earlier),
                AlertDelivery.status == DeliveryStatus.PENDING.value,
            )
            .values(status=DeliveryStatus.CANCELLED.value, last_error=f"superseded by {event.id}")
        )
    people = des.reach(session, [i.member for i in notice.invitees])
    seen: set[str] = set()
    rows = []
    for invitee in notice.invitees:
        if invitee.member in seen:
            continue
        seen.add(invitee.member)
        channel, due = "email", now
        if kind is AlertKind.BRIEFING_REMINDER:
            known = people.get(invitee.member)
            if known is None or "sms" not in known.addresses:
                continue
            channel = "sms"
            due = max(now, notice.briefing.starts_at - REMINDER_BEFORE)
        rows.append(
            AlertDelivery(
                event_id=event.id,
                liaison_id=invitee.member,
                organisation_id=invitee.organisation,
                channel=channel,
                step=0,
                kind=kind.value,
                status=DeliveryStatus.PENDING.value,
                due_at=due,
                created_at=now,
            )
        )
    session.add_all(rows)
    session.flush()
    return len(rows)


def message(
    event: AlertEvent,
    row: AlertDelivery,
    *,
    key: DeliveryKey,
    person: des.Reach | None,
    base_url: str,
    secret: bytes,
) -> OutgoingMessage:
    """The email (with its calendar) or SMS of one delivery; ValueError when it cannot be
    made (the delivery is then parked, visibly)."""
    notice = notice_of(event)
    invitee = next((i for i in notice.invitees if i.member == row.liaison_id), None)
    if invitee is None:
        raise ValueError("the delivery's person is not in the notice")
    if person is not None:
        d = person.designation
        recipient = Recipient(
            name=d.display_name,
            language="en" if d.language == "en" else "fr",
            anti_phishing_phrase=d.anti_phishing_phrase,
            timezone=d.timezone,
        )
    else:
        recipient = Recipient(
            name=invitee.name[:200],
            language="en" if invitee.language == "en" else "fr",
            anti_phishing_phrase=invitee.phrase[:20] or "SLT",
        )
    base = base_url.rstrip("/")
    link = base + (
        f"/b/{rsvp_token(secret, invitee.invitation)}" if invitee.invitation else "/briefings"
    )
    kind = AlertKind(row.kind)
    facts = AlertFacts(kind=kind, event_id=event.id, link=link, briefing=notice.briefing)
    rendered = render_alert(facts, recipient, with_sms=row.channel == "sms")
    if row.channel == "sms":
        phone = person.addresses.get("sms") if person else None
        if phone is None:
            raise ValueError("no confirmed sms address")
        return sms_message(rendered, key=key, to=phone)
    address = (person.addresses.get("email") if person else None) or invitee.email
    invite = None
    if kind is AlertKind.BRIEFING_INVITATION:
        b = notice.briefing
        invite = calendar(
            CalendarEvent(
                uid=notice.uid,
                sequence=notice.sequence,
                starts_at=b.starts_at,
                duration=dt.timedelta(minutes=b.duration_minutes),
                timezone=b.timezone,
                summary=rendered.subject.removeprefix("[SLT] "),
                place=b.place,
                agenda=b.agenda,
                organiser_email=notice.organiser_email,
                organiser_name=b.organiser,
                attendee_email=address,
                attendee_name=recipient.name,
                link=link,
                stamp=event.created_at,
                cancelled=b.cancelled,
            )
        )
    return dataclasses.replace(email_message(rendered, key=key, to=address), calendar=invite)
