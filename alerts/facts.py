"""What an alert may say: typed, closed sets of header facts.

Guarantees: an alert is rendered from an `AlertFacts` and a `Recipient` only. Every field is
named here; the dataclasses are frozen with slots, so nothing can be attached to them, and none
of them has a field for anything in a report's sealed body (narrative, exact place or time,
coordinates, people, actors, attachments). The one free text from the author is `summary`, the
one-line alert summary written on purpose for alerts. The time of a report is kept to the hour
(`reported_at` is truncated on construction) and its occurrence to the day.

Against: a caller — a hub service, a future refactor — passing a decrypted body or a loose dict
into a template, which would put sealed content into mailboxes and SMS logs that the hub's
encryption was meant to keep it out of.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from alerts import labels
from alerts.labels import Language

# Limits a designation and a report header must respect so that an SMS fits two segments
# with every fact in it (tests/alerts/test_templates.py renders at these limits).
MAX_SUMMARY_CHARS = 140
MAX_PHRASE_CHARS = 20
MAX_AREA_CODE_CHARS = 12
MAX_AREA_NAME_CHARS = 80
MAX_SMS_LINK_CHARS = 40
MAX_ORGANISATION_CHARS = 60
ACK_CODE_RE = re.compile(r"^[0-9]{4,8}$")


class AlertKind(StrEnum):
    REPORT_PUBLISHED = "report_published"
    LEVEL_CHANGED = "level_changed"
    ESCALATION = "escalation"
    DIGEST = "digest"
    ACK_CONFIRMATION = "ack_confirmation"
    DELIVERY_FAILED = "delivery_failed"
    # Onward sharing: the originator's focal points are asked; the requester is told.
    SHARE_REQUESTED = "share_requested"
    SHARE_ANSWERED = "share_answered"
    # "Send me a test alert" from the liaison page: to that liaison only, nothing to act on.
    TEST_ALERT = "test_alert"
    # An invitation to join the hub: to an email address that has no account yet.
    INVITATION = "invitation"
    # The weekly periodic security report of a designated area, on Monday morning.
    WEEKLY_REPORT = "weekly_report"

    # Briefings (hub/briefings): the invitation with its calendar (also its changes and
    # cancellation), the SMS reminder an hour before, a series proposed or ended.
    BRIEFING_INVITATION = "briefing_invitation"
    BRIEFING_REMINDER = "briefing_reminder"
    BRIEFING_SERIES = "briefing_series"


class MsgType(StrEnum):
    """Alert, or one that supersedes an earlier alert (as CAP's msgType)."""

    ALERT = "alert"
    UPDATE = "update"
    CANCEL = "cancel"


def _one_line(text: str, limit: int, what: str) -> str:
    text = " ".join(text.split())  # a summary is one line: no header/line injection
    # Nor any other control or format character: they break mail headers, SMS encodings and
    # XML (the CAP feed), and events stored before the hub refused them at input exist.
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cf"))
    if len(text) > limit:
        raise ValueError(f"{what} longer than {limit} characters")
    return text


def _aware(moment: datetime, what: str) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"{what} must be timezone-aware")
    return moment.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class ReportFacts:
    """The header of a report, as far as an alert may repeat it."""

    report_id: str
    report_type: str
    area_code: str
    area_name: str
    severity: str
    tlp: str
    occurred_on: date
    reported_at: datetime
    category: str | None = None
    stage: str | None = None
    summary: str | None = None
    # The originator's precedence when it set one (a severe report may be flash); None means
    # the default for the severity. Acknowledgement and escalation route on it.
    precedence: str | None = None

    def __post_init__(self) -> None:
        labels.check_code(labels.REPORT_TYPES, self.report_type, "report type")
        if self.precedence is not None:
            labels.check_code(labels.PRECEDENCES, self.precedence, "precedence")
        labels.check_code(labels.SEVERITIES, self.severity, "severity")
        labels.check_code(labels.TLPS, self.tlp, "TLP")
        if self.category is not None:
            labels.check_code(labels.CATEGORIES, self.category, "category")
        if self.stage is not None:
            labels.check_code(labels.STAGES, self.stage, "stage")
        _check_area(self.area_code, self.area_name)
        hour = _aware(self.reported_at, "reported_at").replace(minute=0, second=0, microsecond=0)
        object.__setattr__(self, "reported_at", hour)
        if self.summary is not None:
            summary = _one_line(self.summary, MAX_SUMMARY_CHARS, "summary")
            object.__setattr__(self, "summary", summary or None)


@dataclass(frozen=True, slots=True)
class LevelChangeFacts:
    area_code: str
    area_name: str
    old_risk: str
    new_risk: str
    old_level: str
    new_level: str
    effective_at: datetime
    no_go: bool = False

    def __post_init__(self) -> None:
        for risk in (self.old_risk, self.new_risk):
            labels.check_code(labels.RISKS, risk, "risk")
        for level in (self.old_level, self.new_level):
            labels.check_code(labels.LEVELS, level, "cooperation level")
        _check_area(self.area_code, self.area_name)
        object.__setattr__(self, "effective_at", _aware(self.effective_at, "effective_at"))

    @property
    def raised(self) -> bool:
        return labels.risk_raised(self.old_risk, self.new_risk)


@dataclass(frozen=True, slots=True)
class AckRequest:
    """A one-time acknowledgement: the SMS reply code and the confirmation-page link."""

    code: str
    link: str
    deadline: datetime

    def __post_init__(self) -> None:
        if not ACK_CODE_RE.match(self.code):
            raise ValueError("acknowledgement code must be 4 to 8 digits")
        object.__setattr__(self, "deadline", _aware(self.deadline, "deadline"))


@dataclass(frozen=True, slots=True)
class EscalationFacts:
    step: int
    not_acknowledged_by: str  # the liaison (or deputy) who did not acknowledge
    organisation: str
    waited_minutes: int


@dataclass(frozen=True, slots=True)
class AckFacts:
    acknowledged_by: str
    acknowledged_at: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "acknowledged_at", _aware(self.acknowledged_at, "ack time"))


@dataclass(frozen=True, slots=True)
class FailureFacts:
    """Told to an organisation's focal point when a liaison could not be reached."""

    liaison_name: str
    channel: str
    address_hint: str  # masked address, e.g. "j…@example.org" or "+243 ••• ••• 12"
    attempts: int
    reason: str
    fallback_channel: str | None = None

    def __post_init__(self) -> None:
        labels.check_code(labels.CHANNELS, self.channel, "channel")
        if self.fallback_channel is not None:
            labels.check_code(labels.CHANNELS, self.fallback_channel, "channel")
        object.__setattr__(self, "reason", _one_line(self.reason, 200, "reason"))


@dataclass(frozen=True, slots=True)
class ShareFacts:
    """A request to pass a report on, as an alert may repeat it: who asks, for whom, and
    (to the requester) the answer. The requester's free-text reason is left out on purpose:
    it is read on the hub, not in a mailbox."""

    requester: str  # organisation name
    target: str  # organisation name
    outcome: str  # labels.SHARE_OUTCOMES

    def __post_init__(self) -> None:
        labels.check_code(labels.SHARE_OUTCOMES, self.outcome, "share outcome")
        for name in ("requester", "target"):
            value = _one_line(getattr(self, name), MAX_ORGANISATION_CHARS, name)
            object.__setattr__(self, name, value)


@dataclass(frozen=True, slots=True)
class InvitationFacts:
    """An invitation to join the hub, as its email may say it: which organisation, who
    invites (a colleague's name, or the oversight committee) and until when the link works.
    The link itself is `AlertFacts.link`, one-time, never stored by the hub in clear once
    sent (see alerts/invitations.py)."""

    organisation: str
    invited_by: str
    expires_at: datetime

    def __post_init__(self) -> None:
        for name in ("organisation", "invited_by"):
            value = _one_line(getattr(self, name), 200, name)
            object.__setattr__(self, name, value)
        object.__setattr__(self, "expires_at", _aware(self.expires_at, "expires_at"))


# The categories a weekly report names; more are counted on the hub's page.
MAX_WEEKLY_CATEGORIES = 5


@dataclass(frozen=True, slots=True)
class PeriodicFacts:
    """A periodic security report's header figures for one area, as its email may say them:
    counts only (no report, no originator), from the hub's page of the same period."""

    area_code: str
    area_name: str
    start: date  # both days included
    end: date
    total: int
    previous_total: int
    risk: str
    level: str
    # (category code, count) of the period, most first.
    categories: tuple[tuple[str, int], ...] = ()

    def __post_init__(self) -> None:
        _check_area(self.area_code, self.area_name)
        labels.check_code(labels.RISKS, self.risk, "risk")
        labels.check_code(labels.LEVELS, self.level, "cooperation level")
        if self.end < self.start:
            raise ValueError("a period ends after it starts")
        if min(self.total, self.previous_total) < 0:
            raise ValueError("counts are not negative")
        categories = tuple((str(c), int(n)) for c, n in self.categories)[:MAX_WEEKLY_CATEGORIES]
        for code, _count in categories:
            labels.check_code(labels.CATEGORIES, code, "category")
        object.__setattr__(self, "categories", categories)


@dataclass(frozen=True, slots=True)
class BriefingFacts:
    """A coordination briefing as its invitation may say it: area, start (shown in the
    area's zone), length, place or call details and agenda — written by a coordinator for the
    invitees, never anything of a sealed report. `series_status` (proposed / ended) and
    `every` make it a notice about the series instead of one meeting."""

    area_code: str
    area_name: str
    starts_at: datetime
    timezone: str
    duration_minutes: int
    place: str
    agenda: str
    organiser: str
    cancelled: bool = False
    moved: bool = False
    series_status: str | None = None
    every: str | None = None

    def __post_init__(self) -> None:
        _check_area(self.area_code, self.area_name)
        object.__setattr__(self, "starts_at", _aware(self.starts_at, "starts_at"))
        ZoneInfo(self.timezone)  # refuses an unknown zone
        if not 1 <= self.duration_minutes <= 24 * 60:
            raise ValueError("a briefing lasts between a minute and a day")
        if len(self.place) > 2000 or len(self.agenda) > 4000:
            raise ValueError("place or agenda too long")
        object.__setattr__(self, "organiser", _one_line(self.organiser, 320, "organiser"))
        if self.series_status not in (None, "proposed", "ended"):
            raise ValueError(f"unknown series status {self.series_status!r}")


@dataclass(frozen=True, slots=True)
class AlertFacts:
    """Everything an alert of one kind may show. `link` leads to the hub (never to content)."""

    kind: AlertKind
    event_id: str
    link: str
    msg_type: MsgType = MsgType.ALERT
    report: ReportFacts | None = None
    level_change: LevelChangeFacts | None = None
    ack: AckRequest | None = None
    escalation: EscalationFacts | None = None
    acknowledged: AckFacts | None = None
    failure: FailureFacts | None = None
    share: ShareFacts | None = None
    invitation: InvitationFacts | None = None
    periodic: PeriodicFacts | None = None

    briefing: BriefingFacts | None = None
    digest_items: tuple[ReportFacts, ...] = ()
    digest_period: tuple[datetime, datetime] | None = None

    def __post_init__(self) -> None:
        need: dict[AlertKind, tuple[str, ...]] = {
            AlertKind.REPORT_PUBLISHED: ("report",),
            AlertKind.LEVEL_CHANGED: ("level_change",),
            AlertKind.ESCALATION: ("report", "escalation"),
            AlertKind.DIGEST: ("digest_period",),
            AlertKind.ACK_CONFIRMATION: ("report", "acknowledged"),
            AlertKind.DELIVERY_FAILED: ("failure",),
            AlertKind.SHARE_REQUESTED: ("report", "share"),
            AlertKind.SHARE_ANSWERED: ("report", "share"),
            AlertKind.TEST_ALERT: (),
            AlertKind.INVITATION: ("invitation",),
            AlertKind.WEEKLY_REPORT: ("periodic",),
            AlertKind.BRIEFING_INVITATION: ("briefing",),
            AlertKind.BRIEFING_REMINDER: ("briefing",),
            AlertKind.BRIEFING_SERIES: ("briefing",),
        }
        kind = AlertKind(self.kind)
        missing = [name for name in need[kind] if getattr(self, name) is None]
        if missing:
            raise ValueError(f"{kind} alert needs {', '.join(missing)}")
        if kind is AlertKind.DIGEST and not self.digest_items:
            raise ValueError("a digest with nothing in it is not sent")
        if not isinstance(self.digest_items, tuple) or not all(
            isinstance(item, ReportFacts) for item in self.digest_items
        ):
            raise TypeError("digest_items must be a tuple of ReportFacts")


@dataclass(frozen=True, slots=True)
class Recipient:
    """The person an alert is rendered for."""

    name: str
    language: Language
    anti_phishing_phrase: str
    timezone: str = "UTC"
    zone: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.language not in labels.LANGUAGES:
            raise ValueError(f"unsupported language {self.language!r}")
        phrase = _one_line(self.anti_phishing_phrase, MAX_PHRASE_CHARS, "anti-phishing phrase")
        if not phrase:
            raise ValueError("an alert without the liaison's anti-phishing phrase is not sent")
        object.__setattr__(self, "anti_phishing_phrase", phrase)
        object.__setattr__(self, "zone", ZoneInfo(self.timezone))


def _check_area(code: str, name: str) -> None:
    if not code or len(code) > MAX_AREA_CODE_CHARS or any(ch.isspace() for ch in code):
        raise ValueError(f"area code must be 1-{MAX_AREA_CODE_CHARS} characters, no spaces")
    if len(name) > MAX_AREA_NAME_CHARS:
        raise ValueError(f"area name longer than {MAX_AREA_NAME_CHARS} characters")
