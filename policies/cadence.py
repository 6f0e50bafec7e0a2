"""When the briefings an enhanced area requires fall: a cadence and its next occurrences.

Guarantees (stated as property tests in tests/policies/test_cadence.py):
- `next_occurrences` returns `count` times, strictly increasing, every one strictly after
  `after`, each on the cadence's weekday (daily: any day) and, read in the area's time
  zone, at the cadence's local time — across daylight-saving changes too, except where that
  wall-clock time does not exist on the day (a spring-forward gap): it is then read with the
  offset before the gap, as RFC 5545 (3.3.5) tells calendar programs to read it, so the
  hub and the invitee's calendar agree;
- a fortnightly cadence keeps its parity from `anchor` (the series' first day), so moving a
  series never skips or doubles a week;
- a monthly cadence is the first such weekday of each month.

Pure: `after` and the zone are arguments, the clock is never read, nothing is stored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from policies.vocabulary import Briefing


class Weekday(StrEnum):
    MONDAY = "monday"
    TUESDAY = "tuesday"
    WEDNESDAY = "wednesday"
    THURSDAY = "thursday"
    FRIDAY = "friday"
    SATURDAY = "saturday"
    SUNDAY = "sunday"

    @property
    def number(self) -> int:
        """0 for Monday, as `date.weekday()`."""
        return list(Weekday).index(self)


@dataclass(frozen=True, slots=True)
class Cadence:
    """What a level requires: a briefing `every` so often, on `weekday`, at `time` local to
    the area, lasting `duration`. `every = none` means no series."""

    every: Briefing
    weekday: Weekday = Weekday.TUESDAY
    time: dt.time = dt.time(10, 0)
    duration: dt.timedelta = dt.timedelta(hours=1)

    @property
    def recurring(self) -> bool:
        return self.every is not Briefing.NONE


def parse_clock(text: str) -> dt.time:
    """ "HH:MM" (24-hour) → time; ValueError otherwise."""
    hours, sep, minutes = text.partition(":")
    if not sep or len(hours) != 2 or len(minutes) != 2 or not (hours + minutes).isdigit():
        raise ValueError(f"{text!r} is not a time of day written HH:MM")
    return dt.time(int(hours), int(minutes))


def _local(day: dt.date, time: dt.time, tz: dt.tzinfo) -> dt.datetime:
    """`time` on `day` in `tz`; a time inside a spring-forward gap is read with the offset
    before the gap (RFC 5545 3.3.5): 02:30 in a 02:00→03:00 gap is 03:30."""
    naive = dt.datetime.combine(day, time)
    wall = naive.replace(tzinfo=tz)
    back = wall.astimezone(dt.UTC).astimezone(tz)
    if back.replace(tzinfo=None) != naive:
        # Nonexistent wall time: of the two readings, the later one uses the offset before.
        readings = (naive.replace(tzinfo=tz, fold=f).astimezone(dt.UTC) for f in (0, 1))
        return max(readings).astimezone(tz)
    return wall


def _matches(cadence: Cadence, day: dt.date, anchor: dt.date) -> bool:
    if cadence.every is Briefing.DAILY:
        return True
    if day.weekday() != cadence.weekday.number:
        return False
    if cadence.every is Briefing.WEEKLY:
        return True
    if cadence.every is Briefing.FORTNIGHTLY:
        return ((day - anchor).days // 7) % 2 == 0
    return day.day <= 7  # monthly: the first such weekday of the month


def next_occurrences(
    cadence: Cadence,
    *,
    after: dt.datetime,
    tz: dt.tzinfo,
    count: int,
    anchor: dt.date | None = None,
) -> tuple[dt.datetime, ...]:
    """The next `count` starts strictly after `after` (aware), as aware times in `tz`."""
    if after.tzinfo is None:
        raise ValueError("`after` must carry a time zone")
    if count < 0:
        raise ValueError("count must not be negative")
    if not cadence.recurring or count == 0:
        return ()
    day = after.astimezone(tz).date()
    start = anchor or day
    if cadence.every is Briefing.FORTNIGHTLY and anchor is None:
        # Anchor on the first matching weekday on or after today, so the series starts there.
        start = day + dt.timedelta(days=(cadence.weekday.number - day.weekday()) % 7)
    found: list[dt.datetime] = []
    while len(found) < count:
        if _matches(cadence, day, start):
            at = _local(day, cadence.time, tz)
            if at > after:
                found.append(at)
        day += dt.timedelta(days=1)
    return tuple(found)
