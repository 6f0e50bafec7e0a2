"""Checks on free text shared by the schemas: text that goes into mail headers, SMS bodies,
the CAP feed or a page title must be one clean line."""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, StringConstraints
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
