"""The flash form: an incident's first report in at most eight visible questions, from a phone
on a weak link. What it asks, in plain words, with one line explaining each severity and each
TLP; everything else takes a default (stage flash, the area level's TLP and audience). The
full form (`/reports/new`) stays for updates and final reports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.models import LiaisonDesignation
from hub.actors import Actor
from hub.i18n import gettext as _
from hub.reports.forms import FLASH_FIELDS, UTC_OFFSETS

__all__ = ["FLASH_FIELDS"]
from policies import Policy
from policies.vocabulary import Level, Severity, Tlp

SEVERITY_HELP: dict[Severity, Callable[[], str]] = {
    Severity.EXTREME: lambda: _("Death, kidnapping or a threat to life still going on: act now."),
    Severity.SEVERE: lambda: _(
        "Serious injury, an armed attack or a large loss: others nearby may be at risk."
    ),
    Severity.MODERATE: lambda: _("Harm or loss without serious injury: others should know today."),
    Severity.MINOR: lambda: _("Little or no harm: for the record and the trends."),
}

TLP_HELP: dict[Tlp, Callable[[], str]] = {
    Tlp.CLEAR: lambda: _("Anyone may see it, the public included."),
    Tlp.GREEN: lambda: _("The humanitarian community may see it, not the public."),
    Tlp.AMBER: lambda: _("Recipients and the people they work with who need to know."),
    Tlp.AMBER_STRICT: lambda: _("Only inside each recipient organisation."),
    Tlp.RED: lambda: _("Only the people it is given to: never passed on."),
}


def severity_help() -> list[tuple[Severity, str]]:
    return [(s, SEVERITY_HELP[s]()) for s in Severity]


def tlp_help() -> list[tuple[Tlp, str]]:
    return [(t, help()) for t, help in TLP_HELP.items()]


def default_tlps(policy: Policy) -> dict[Level, Tlp]:
    """The TLP a report takes when the author leaves the default, by the area's level."""
    return {level: policy.at(level).default_tlp for level in Level}


def member_utc_offset(session: Session, *, actor: Actor, fallback: str | None) -> str:
    """The member's offset now: the time zone of their liaison designation when they have
    one, else the offset they used last (a cookie), else UTC."""
    zone_name = None
    if actor.member is not None:
        zone_name = session.scalar(
            select(LiaisonDesignation.timezone).where(
                LiaisonDesignation.member_id == actor.member.id
            )
        )
    if zone_name and zone_name != "UTC":
        try:
            delta = dt.datetime.now(ZoneInfo(zone_name)).utcoffset() or dt.timedelta()
        except ZoneInfoNotFoundError:
            delta = None
        if delta is not None:
            minutes = int(delta.total_seconds()) // 60
            text = f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
            if text in UTC_OFFSETS:
                return text
    return fallback if fallback in UTC_OFFSETS else "+00:00"


def now_at(offset: str) -> str:
    """Now, as a datetime-local input shows it, at `offset`."""
    sign = -1 if offset[0] == "-" else 1
    tz = dt.timezone(sign * dt.timedelta(hours=int(offset[1:3]), minutes=int(offset[4:])))
    return dt.datetime.now(tz).strftime("%Y-%m-%dT%H:%M")
