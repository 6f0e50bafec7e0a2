"""The facts the engine decides from: frozen values the hub builds from its rows.

Guarantees: every fact is an immutable, hashable value with no behaviour beyond small derived
properties, so a decision depends only on what was passed in (the determinism property test
relies on it). Datetimes must be timezone-aware; the constructors refuse naive ones, because a
naive time compared with an aware one either raises deep inside a decision or, worse, silently
means "server local time".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from policies.vocabulary import (
    DEFAULT_PRECEDENCE,
    AudienceScope,
    Category,
    Channel,
    Lang,
    OrganisationKind,
    OrganisationStatus,
    Precedence,
    ReportType,
    Risk,
    Severity,
    Stage,
    Tlp,
)


def _require_aware(name: str, value: datetime | None) -> None:
    if value is not None and value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value!r}")


@dataclass(frozen=True, slots=True)
class Area:
    """A node of the area tree. `parent` is None for a root (a country, usually)."""

    code: str
    parent: str | None = None


@dataclass(frozen=True, slots=True)
class Assessment:
    """A risk set on one area. In force from `effective_from` (inclusive) until `expires_at`
    (exclusive) when it is a temporary raise; `review_at` only prompts a reminder."""

    area_code: str
    risk: Risk
    effective_from: datetime
    expires_at: datetime | None = None
    review_at: datetime | None = None

    def __post_init__(self) -> None:
        _require_aware("effective_from", self.effective_from)
        _require_aware("expires_at", self.expires_at)
        _require_aware("review_at", self.review_at)

    def in_force(self, at: datetime) -> bool:
        return self.effective_from <= at and (self.expires_at is None or at < self.expires_at)


@dataclass(frozen=True, slots=True)
class Organisation:
    """A partner organisation and the areas it works in (its presence)."""

    id: str
    kind: OrganisationKind
    status: OrganisationStatus
    areas: frozenset[str] = frozenset()

    @property
    def approved(self) -> bool:
        return self.status is OrganisationStatus.APPROVED


@dataclass(frozen=True, slots=True)
class ReportHeader:
    """What the hub sees of a report (DOMAIN.md "What the hub may see")."""

    id: str
    type: ReportType
    area: str
    severity: Severity
    tlp: Tlp
    originator: str
    stage: Stage | None = None
    category: Category | None = None
    # None means "derived from severity"; an author may raise it.
    precedence: Precedence | None = None
    anonymous: bool = False

    @property
    def effective_precedence(self) -> Precedence:
        return self.precedence or DEFAULT_PRECEDENCE[self.severity]


@dataclass(frozen=True, slots=True)
class Audience:
    """Who the author wants to reach: named organisations, or a scope. Build it with
    `Audience.named(...)` or `Audience.of_scope(...)`; pass `None` instead of an Audience to
    mean "the policy's default for the area's level"."""

    organisations: frozenset[str] = frozenset()
    scope: AudienceScope | None = None

    def __post_init__(self) -> None:
        if self.scope is not None and self.organisations:
            raise ValueError("an audience names organisations or has a scope, not both")
        if self.scope is None and not self.organisations:
            raise ValueError("an audience needs named organisations or a scope")

    @classmethod
    def named(cls, *organisation_ids: str) -> Audience:
        return cls(organisations=frozenset(organisation_ids))

    @classmethod
    def of_scope(cls, scope: AudienceScope) -> Audience:
        return cls(scope=scope)


@dataclass(frozen=True, slots=True)
class Consent:
    """The originator agreed that report `report_id` may reach `target`. `via` names the
    holder allowed to seal it to the target; None lets any current holder do it."""

    report_id: str
    target: str
    via: str | None = None


@dataclass(frozen=True, slots=True)
class StandingConsent:
    """An originator's standing agreement: its reports may be passed on to `target` without
    asking each time, within limits. Empty `report_types` / `areas` mean "all"; `max_tlp` is
    the most restrictive label covered (the policy caps it, and red is never covered)."""

    originator: str
    target: str
    max_tlp: Tlp
    report_types: frozenset[ReportType] = frozenset()
    areas: frozenset[str] = frozenset()
    expires_at: datetime | None = None

    def __post_init__(self) -> None:
        _require_aware("expires_at", self.expires_at)


@dataclass(frozen=True, slots=True)
class QuietHours:
    """Local wall-clock hours during which non-extreme alerts wait. `start` > `end` spans
    midnight (22:00–06:00); `start` == `end` means no quiet hours."""

    start: time
    end: time
    tz: str

    def __post_init__(self) -> None:
        ZoneInfo(self.tz)  # raises ZoneInfoNotFoundError for an unknown zone, at build time


@dataclass(frozen=True, slots=True)
class Designation:
    """A liaison designated by an organisation to receive alerts for some areas.

    Empty `report_types` means all types. `deputies` are other liaisons' ids, in the order
    escalation reaches them."""

    liaison: str
    organisation: str
    areas: frozenset[str]
    min_severity: Severity = Severity.MINOR
    report_types: frozenset[ReportType] = frozenset()
    channels: tuple[Channel, ...] = (Channel.EMAIL,)
    language: Lang = "fr"
    quiet_hours: QuietHours | None = None
    deputies: tuple[str, ...] = ()
