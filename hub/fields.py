"""Field types shared by the schemas: one-line text (what goes into mail headers, SMS bodies,
the CAP feed or a page title), and moments the hub can store and compute with."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, StringConstraints
from pydantic_core import PydanticCustomError

# Control (Cc: CR, LF, NUL…), format (Cf: zero-width and bidi controls), and the Unicode
# line and paragraph separators.
_NOT_IN_A_LINE = frozenset({"Cc", "Cf", "Zl", "Zp"})


def one_clean_line(value: str) -> str:
    """Refused here, where the sender can correct it, rather than later, when an alert or an
    XML document built from it would fail (lxml refuses control characters outright)."""
    if any(unicodedata.category(c) in _NOT_IN_A_LINE for c in value):
        raise PydanticCustomError(
            "control_characters", "control characters (such as line breaks) are not allowed"
        )
    return value


def _collapse_spaces(value: object) -> object:
    return " ".join(value.split()) if isinstance(value, str) else value


def _limits(max_length: int, min_length: int = 0) -> StringConstraints:
    # On the str itself (listed first, so that it stays part of the str schema): a value too
    # long is pydantic's `string_too_long`, which hub.errors translates.
    return StringConstraints(min_length=min_length, max_length=max_length)


_CLEAN = AfterValidator(one_clean_line)
# An alert summary, typed as one line: runs of white space (line breaks included) become one
# space before the length is checked; any other control or format character is refused.
Summary = Annotated[str, _limits(140), BeforeValidator(_collapse_spaces), _CLEAN]
# A contact address (email or phone) and an anti-phishing phrase: one clean line.
ContactLine = Annotated[str, _limits(320), _CLEAN]
PhoneLine = Annotated[str, _limits(20), _CLEAN]
PhraseLine = Annotated[str, _limits(20, min_length=1), _CLEAN]


# --- moments ---------------------------------------------------------------------------------

# Security reports, risk changes and consents are about the present: a window wide enough
# for any real date, narrow enough that adding a retention period or a review delay, or
# moving to UTC from -14:00, never leaves what Python and the databases can hold (the review
# sent 9999-12-31T23:59:59-14:00 and got an OverflowError 500).
FIRST_YEAR, LAST_YEAR = 1900, 2200
_NUMBER = re.compile(r"\s*[+-]?\d+(\.\d*)?\s*")


def _iso_text(value: object) -> object:
    """A date-time is written as one (RFC 3339 / ISO 8601), not as a Unix timestamp:
    pydantic would read `since=0.5` as 1970, which no client means."""
    if isinstance(value, bool | int | float) or (
        isinstance(value, str) and _NUMBER.fullmatch(value)
    ):
        raise PydanticCustomError(
            "datetime_format", "give a date and time such as 2026-11-23T06:40:00+01:00"
        )
    return value


def storable(value: dt.datetime) -> dt.datetime:
    """`value` (naive read as UTC) if its UTC moment lies in the years the hub accepts."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    try:
        year = value.astimezone(dt.UTC).year
    except OverflowError:
        year = 0
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise PydanticCustomError(
            "datetime_range",
            "the date must lie between {first} and {last}",
            {"first": FIRST_YEAR, "last": LAST_YEAR},
        )
    return value


# A moment with its offset (occurred_at, expires_at…).
Moment = Annotated[AwareDatetime, BeforeValidator(_iso_text), AfterValidator(storable)]
# A moment whose offset may be left out, read as UTC (the `since` filter).
UtcMoment = Annotated[dt.datetime, BeforeValidator(_iso_text), AfterValidator(storable)]
