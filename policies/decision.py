"""Decisions and the reasons they carry.

Guarantees: every engine function returns a `Decision` whose `reasons` are structured
(`ReasonCode` + string parameters), never prose, so that the hub can store or compare them and
`policies.explain` can render them in French or English. Reasons are listed in the order the
rules were applied, which is the order a person reads them in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Generic, TypeVar

T = TypeVar("T")


class ReasonCode(StrEnum):
    # risk and level
    OWN_ASSESSMENT = "own_assessment"
    INHERITED_ASSESSMENT = "inherited_assessment"
    NO_ASSESSMENT = "no_assessment"
    UNKNOWN_AREA = "unknown_area"
    EXPIRED_IGNORED = "expired_ignored"
    RISK_LEVEL = "risk_level"
    NO_GO = "no_go"
    # publishing
    PUBLISHER_NOT_APPROVED = "publisher_not_approved"
    TYPE_ALLOWED = "type_allowed"
    TYPE_NOT_ALLOWED = "type_not_allowed"
    AREA_COARSENED = "area_coarsened"
    AREA_PRECISE_ENOUGH = "area_precise_enough"
    RETAINED_UNTIL = "retained_until"
    # recipients
    ORIGINATOR_RECEIVES = "originator_receives"
    DEFAULT_AUDIENCE = "default_audience"
    AUDIENCE_NAMED = "audience_named"
    AUDIENCE_AREA = "audience_area"
    AUDIENCE_ALL_PARTNERS = "audience_all_partners"
    AUDIENCE_ORIGINATOR_ONLY = "audience_originator_only"
    RED_NEEDS_NAMES = "red_needs_names"
    EXCLUDED_NOT_APPROVED = "excluded_not_approved"
    EXCLUDED_UNKNOWN = "excluded_unknown"
    # reading
    IS_ORIGINATOR = "is_originator"
    IS_RECIPIENT = "is_recipient"
    NOT_RECIPIENT = "not_recipient"
    HINT_ASK_ORIGINATOR = "hint_ask_originator"
    HINT_GREEN_ANY_HOLDER = "hint_green_any_holder"
    HINT_CLEAR_ANY_HOLDER = "hint_clear_any_holder"
    HINT_REQUEST_CONSENT = "hint_request_consent"
    # passing on
    NOT_A_HOLDER = "not_a_holder"
    TARGET_NOT_APPROVED = "target_not_approved"
    ALREADY_RECIPIENT = "already_recipient"
    ORIGINATOR_SHARES = "originator_shares"
    RED_NEVER_ONWARD = "red_never_onward"
    CLEAR_ANYONE = "clear_anyone"
    GREEN_COMMUNITY = "green_community"
    GREEN_OUTSIDE_AREA = "green_outside_area"
    CONSENT_GIVEN = "consent_given"
    STANDING_CONSENT = "standing_consent"
    CONSENT_REQUIRED = "consent_required"
    REVOKED_BY_ORIGINATOR = "revoked_by_originator"
    # alerts
    ALERT_IMMEDIATE = "alert_immediate"
    ALERT_DIGEST = "alert_digest"
    ALERT_DEFERRED = "alert_deferred"
    QUIET_HOURS_OVERRIDDEN = "quiet_hours_overridden"
    ACK_REQUIRED = "ack_required"
    ESCALATION_DEPUTY = "escalation_deputy"
    ESCALATION_FOCAL_POINTS = "escalation_focal_points"
    NO_DEPUTY = "no_deputy"
    DESIGNATION_NOT_RECIPIENT = "designation_not_recipient"
    DESIGNATION_OTHER_AREA = "designation_other_area"
    DESIGNATION_BELOW_SEVERITY = "designation_below_severity"
    DESIGNATION_OTHER_TYPE = "designation_other_type"
    DESIGNATION_NO_CHANNEL = "designation_no_channel"
    # changing risk
    TAKES_EFFECT_AT_ONCE = "takes_effect_at_once"
    AWAITING_CONFIRMATION = "awaiting_confirmation"
    SAME_COORDINATOR = "same_coordinator"
    CONFIRMED = "confirmed"
    RAISE_WITHIN_LIMIT = "raise_within_limit"
    RAISE_TOO_LONG = "raise_too_long"
    RAISE_ENDS_BEFORE_START = "raise_ends_before_start"
    RAISE_EXPIRES = "raise_expires"


ParamValue = str | int | datetime | timedelta | StrEnum


def _encode(value: ParamValue) -> str:
    # One canonical text form per type, so that equal decisions compare equal and explain can
    # parse the value back by the parameter's name.
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(int(value.total_seconds()))
    return str(value)


@dataclass(frozen=True, slots=True)
class Reason:
    code: ReasonCode
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, code: ReasonCode, **params: ParamValue) -> Reason:
        return cls(code, tuple(sorted((k, _encode(v)) for k, v in params.items())))

    def get(self, name: str) -> str:
        for key, value in self.params:
            if key == name:
                return value
        raise KeyError(name)

    def as_dict(self) -> dict[str, str]:
        return dict(self.params)


@dataclass(frozen=True, slots=True)
class Decision(Generic[T]):
    """An outcome and why. `reasons` explain the outcome; render them with `explain()`."""

    outcome: T
    reasons: tuple[Reason, ...] = ()

    def has(self, code: ReasonCode) -> bool:
        return any(r.code is code for r in self.reasons)
