"""Briefing cadence: the rules of `next_occurrences` as properties, and the policy file's two
ways of saying it (the old `briefing = "weekly"` string and the table)."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policies import PolicyInvalid, parse_policy
from policies.cadence import Cadence, Weekday, next_occurrences, parse_clock
from policies.vocabulary import Briefing, Level

ZONES = ["Africa/Lubumbashi", "Africa/Bamako", "Europe/Paris", "America/New_York", "UTC"]
cadences = st.builds(
    Cadence,
    every=st.sampled_from([b for b in Briefing if b is not Briefing.NONE]),
    weekday=st.sampled_from(list(Weekday)),
    time=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
)
moments = st.datetimes(
    min_value=dt.datetime(2020, 1, 1),
    max_value=dt.datetime(2035, 12, 31),
    timezones=st.just(dt.UTC),
)


def _exists(local: dt.datetime, tz: ZoneInfo) -> bool:
    """Whether this wall-clock time exists on its day in `tz` (not in a spring-forward gap)."""
    naive = local.replace(tzinfo=None)
    return naive.replace(tzinfo=tz).astimezone(dt.UTC).astimezone(tz).replace(tzinfo=None) == naive


@settings(max_examples=300, deadline=None)
@given(cadences, moments, st.sampled_from(ZONES), st.integers(min_value=1, max_value=8))
def test_occurrences_follow_the_cadence(
    cadence: Cadence, after: dt.datetime, zone: str, count: int
) -> None:
    tz = ZoneInfo(zone)
    found = next_occurrences(cadence, after=after, tz=tz, count=count)
    assert len(found) == count
    assert all(a < b for a, b in itertools.pairwise(found))
    assert all(at > after for at in found)
    for at in found:
        local = at.astimezone(tz)
        if cadence.every is not Briefing.DAILY:
            assert local.weekday() == cadence.weekday.number
        if cadence.every is Briefing.MONTHLY:
            assert local.day <= 7
        wall = dt.datetime.combine(local.date(), cadence.time)
        if _exists(wall, tz):
            assert (local.hour, local.minute) == (cadence.time.hour, cadence.time.minute)
        else:  # a gap: read with the offset before it (RFC 5545 3.3.5), so a little later
            assert local.replace(tzinfo=None) > wall


@settings(max_examples=200, deadline=None)
@given(cadences, moments, st.sampled_from(ZONES))
def test_the_next_one_is_never_skipped(cadence: Cadence, after: dt.datetime, zone: str) -> None:
    """Asking again from any earlier occurrence gives the same continuation."""
    tz = ZoneInfo(zone)
    first = next_occurrences(cadence, after=after, tz=tz, count=4, anchor=after.date())
    again = next_occurrences(cadence, after=first[0], tz=tz, count=3, anchor=after.date())
    assert again == first[1:]


@given(moments, st.sampled_from(list(Weekday)))
def test_fortnightly_keeps_its_week_from_the_anchor(after: dt.datetime, weekday: Weekday) -> None:
    cadence = Cadence(every=Briefing.FORTNIGHTLY, weekday=weekday)
    tz = ZoneInfo("Africa/Lubumbashi")
    found = next_occurrences(cadence, after=after, tz=tz, count=4)
    gaps = {(b.date() - a.date()).days for a, b in itertools.pairwise(found)}
    assert gaps == {14}


def test_dst_keeps_the_wall_clock_and_the_gap_moves_forward() -> None:
    paris = ZoneInfo("Europe/Paris")
    cadence = Cadence(every=Briefing.WEEKLY, weekday=Weekday.SUNDAY, time=dt.time(2, 30))
    after = dt.datetime(2026, 3, 20, tzinfo=dt.UTC)
    found = next_occurrences(cadence, after=after, tz=paris, count=3)
    # 22 March 02:30 CET; 29 March has no 02:30 (clocks jump 02:00 → 03:00): 03:30 CEST.
    assert [f.isoformat() for f in found] == [
        "2026-03-22T02:30:00+01:00",
        "2026-03-29T03:30:00+02:00",
        "2026-04-05T02:30:00+02:00",
    ]


def test_none_and_naive_times() -> None:
    tz = ZoneInfo("UTC")
    assert (
        next_occurrences(Cadence(Briefing.NONE), after=dt.datetime.now(dt.UTC), tz=tz, count=3)
        == ()
    )
    with pytest.raises(ValueError, match="time zone"):
        next_occurrences(Cadence(Briefing.WEEKLY), after=dt.datetime(2026, 1, 1), tz=tz, count=1)
    with pytest.raises(ValueError, match="HH:MM"):
        parse_clock("9h")


def test_policy_file_says_it_as_a_string_or_a_table() -> None:
    old = parse_policy('version = 1\n[levels.enhanced]\nbriefing = "fortnightly"\n')
    assert old.at(Level.ENHANCED).briefing is Briefing.FORTNIGHTLY
    assert old.at(Level.ENHANCED).briefing_cadence == Cadence(Briefing.FORTNIGHTLY)
    table = parse_policy(
        "version = 1\n[levels.enhanced.briefing]\n"
        'every = "monthly"\nweekday = "friday"\ntime = "14:30"\nduration = "1h30m"\n'
    )
    cadence = table.at(Level.ENHANCED).briefing_cadence
    assert cadence == Cadence(
        Briefing.MONTHLY, Weekday.FRIDAY, dt.time(14, 30), dt.timedelta(minutes=90)
    )
    assert table.at(Level.ENHANCED).briefing is Briefing.MONTHLY


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('briefing = { every = "weekly", time = "25:00" }', "time of day"),
        ('briefing = { every = "weekly", weekday = "lundi" }', "lundi"),
        ('briefing = { every = "hourly" }', "hourly"),
        ('briefing = { every = "weekly", when = "10:00" }', "unknown key 'when'"),
        ("briefing = 3", "not one of"),
    ],
)
def test_bad_cadence_is_refused_with_its_line(body: str, message: str) -> None:
    with pytest.raises(PolicyInvalid) as caught:
        parse_policy(f"version = 1\n[levels.enhanced]\n{body}\n")
    assert message in str(caught.value)
    assert all(e.line == 3 for e in caught.value.errors)
