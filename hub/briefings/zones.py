"""The time zone a briefing of an area is held in.

An area may name its own zone (`areas.timezone`); otherwise it takes its nearest ancestor's,
else a default by country. A table by country alone cannot be enough: the DR Congo has two
zones, Africa/Kinshasa (UTC+1, the west) and Africa/Lubumbashi (UTC+2: Tshopo, the Uélés,
Ituri, the Kivus, Maniema, the Katanga and Kasaï provinces — OCHA admin1 P-codes CD51 to
CD85). Migration 0023 fills these for existing areas; this is what applies to areas
imported later without a zone.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.areas.models import Area

# Countries with a single zone where the hub has been used; anything else falls back to UTC
# until a coordinator sets the zone of the country (or area).
COUNTRY_ZONES = {
    "BF": "Africa/Ouagadougou",
    "CD": "Africa/Kinshasa",
    "CF": "Africa/Bangui",
    "ML": "Africa/Bamako",
    "NE": "Africa/Niamey",
    "NG": "Africa/Lagos",
    "SO": "Africa/Mogadishu",
    "SS": "Africa/Juba",
    "SD": "Africa/Khartoum",
    "TD": "Africa/Ndjamena",
    "HT": "America/Port-au-Prince",
    "AF": "Asia/Kabul",
    "YE": "Asia/Aden",
}
DRC_EAST = "Africa/Lubumbashi"


def default_zone(code: str, parent: str | None) -> str | None:
    """The zone an area gets by its code when nobody set one (None: inherit)."""
    if parent is None:
        return COUNTRY_ZONES.get(code)
    if parent == "CD" and len(code) == 4 and code[2:].isdigit() and 51 <= int(code[2:]) <= 85:
        return DRC_EAST
    return None


def valid_zone(name: str) -> bool:
    if name not in available_timezones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _loads(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def area_zone(session: Session, code: str) -> str:
    """The area's zone, else its nearest ancestor's (own or by default), else UTC."""
    rows = {
        c: (p, z) for c, p, z in session.execute(select(Area.code, Area.parent_code, Area.timezone))
    }
    seen: set[str] = set()
    current: str | None = code
    while current is not None and current in rows and current not in seen:
        seen.add(current)
        parent, zone = rows[current]
        # A stored name that is no zone (a typo in an import, an edit by hand) is skipped:
        # the default, or the next one up, applies rather than every briefing there failing.
        for found in (zone, default_zone(current, parent)):
            if found and _loads(found):
                return found
        current = parent
    return "UTC"
