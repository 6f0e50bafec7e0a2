"""Field types shared by the schemas: one-line text (what goes into mail headers, SMS bodies,
the CAP feed or a page title), and moments the hub can store and compute with."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    StringConstraints,
    WithJsonSchema,
)
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
FIRST_YEAR, LAST_YEAR = 1900, 2199
# The same window in the OpenAPI document, so that clients and fuzzers know it: the year as
# written (the offset cannot move a year in this window out of what Python holds).
_YEAR_PATTERN = r"^(19|20|21)[0-9]{2}-"
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
    """`value` (naive read as UTC) if its year, as written, lies in the years the hub
    accepts (then its UTC form, a year either side at most, always exists)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise PydanticCustomError(
            "datetime_range",
            "the date must lie between {first} and {last}",
            {"first": FIRST_YEAR, "last": LAST_YEAR},
        )
    return value


# A moment with its offset (occurred_at, expires_at…).
_IN_WINDOW = WithJsonSchema({"type": "string", "format": "date-time", "pattern": _YEAR_PATTERN})
Moment = Annotated[AwareDatetime, BeforeValidator(_iso_text), AfterValidator(storable), _IN_WINDOW]
# A moment whose offset may be left out, read as UTC (the `since` filter).
UtcMoment = Annotated[dt.datetime, BeforeValidator(_iso_text), AfterValidator(storable), _IN_WINDOW]


# --- codes and ids ---------------------------------------------------------------------------

# An area code as the hub stores one (hub.areas.importing.CODE_RE): whether such an area
# exists only the service can say (an unknown one is a field error naming it).
AreaCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,31}$")]
# An id the hub gave (organisations, reports, requests: UUIDs).
HubId = Annotated[
    str,
    StringConstraints(
        pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
    ),
]
