"""Briefing invitations: the answer link's token and the RFC 5545 calendar an email carries.

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
import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import icalendar

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
