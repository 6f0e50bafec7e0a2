"""The transactional outbox: how the hub says "alert about this" without sending anything.

Guarantee: `enqueue` only inserts a row in the caller's transaction; the caller's
service commits it together with the change itself. So a report that is rolled back never
alerts, and a report that is committed always will — the dispatcher finds the row after
any crash. Enqueuing the same (source, version) twice returns the first event.

Events carry `alerts.facts` dataclasses serialised to JSON: typed header facts, never a
report body, so nothing sealed can reach the outbox by accident.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from alerts.facts import (
    AckFacts,
    AlertKind,
    FailureFacts,
    LevelChangeFacts,
    MsgType,
    PeriodicFacts,
    ReportFacts,
    ShareFacts,
)
from alerts.models import AlertDelivery, AlertEvent, DeliveryStatus

Facts = ReportFacts | LevelChangeFacts

# Set on a session by `enqueue`; the scheduler's after-commit hook wakes the dispatcher when
# a commit carried one (alerts.scheduler.wake_on_commit).
WROTE_OUTBOX = "alerts.wrote_outbox"


@dataclass(frozen=True, slots=True)
class DigestFacts:
    """A liaison's digest: the events it gathers and the period they fall in."""

    events: tuple[str, ...]
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True, slots=True)
class ShareNotice:
    """A share request or its answer, for the people who must see it: `members` by id, or
    (empty) the focal points of the event's organisation."""

    report: ReportFacts
    share: ShareFacts
    members: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TestNotice:
    """A test alert a liaison asked for, to them alone."""

    member: str


@dataclass(frozen=True, slots=True)
class WeeklyNotice:
    """The weekly periodic report of one area, to the liaison who asked for it (by email)."""

    member: str
    report: PeriodicFacts


@dataclass(frozen=True, slots=True)
class InvitationNotice:
    """An invitation to someone who has no account yet: the address travels with it, and so
    does the one-time token until the email is sent (alerts/invitations.py forgets it then)."""

    invitation: str
    email: str
    name: str
    language: str
    phrase: str
    organisation: str
    invited_by: str
    expires_at: dt.datetime
    token: str


@dataclass(frozen=True, slots=True)
class AckNotice:
    """An alert of `report` was acknowledged: told to the people of that organisation it had
    already reached (the deputy and focal points an escalation woke, the liaison's other
    copies' readers), so that they stand down."""

    report: ReportFacts
    acknowledged: AckFacts
    members: tuple[str, ...]


SHARE_KINDS = (AlertKind.SHARE_REQUESTED, AlertKind.SHARE_ANSWERED)

# Events the dispatcher writes itself (digests, notices to focal points) carry these.
NoticeFacts = (
    FailureFacts
    | DigestFacts
    | ShareNotice
    | TestNotice
    | InvitationNotice
    | AckNotice
    | WeeklyNotice
)


def facts_to_json(facts: Facts | NoticeFacts) -> dict[str, Any]:
    if isinstance(facts, ShareNotice):
        return {
            "type": "ShareNotice",
            "report": facts_to_json(facts.report),
            "share": dataclasses.asdict(facts.share),
            "members": list(facts.members),
        }
    if isinstance(facts, AckNotice):
        return {
            "type": "AckNotice",
            "report": facts_to_json(facts.report),
            "acknowledged_by": facts.acknowledged.acknowledged_by,
            "acknowledged_at": facts.acknowledged.acknowledged_at.isoformat(),
            "members": list(facts.members),
        }
    if isinstance(facts, WeeklyNotice):
        report = {f.name: getattr(facts.report, f.name) for f in dataclasses.fields(facts.report)}
        report["start"], report["end"] = report["start"].isoformat(), report["end"].isoformat()
        report["categories"] = [list(pair) for pair in report["categories"]]
        return {"type": "WeeklyNotice", "member": facts.member, "report": report}
    out: dict[str, Any] = {"type": type(facts).__name__}
    for f in dataclasses.fields(facts):
        value = getattr(facts, f.name)
        if isinstance(value, dt.date):  # a datetime too
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        out[f.name] = value
    return out


def notice_from_json(data: dict[str, Any]) -> NoticeFacts:
    data = dict(data)
    kind = data.pop("type")
    if kind == "FailureFacts":
        return FailureFacts(**data)
    if kind == "ShareNotice":
        report = facts_from_json(data["report"])
        if not isinstance(report, ReportFacts):
            raise ValueError("a share notice carries report facts")
        return ShareNotice(
            report=report, share=ShareFacts(**data["share"]), members=tuple(data["members"])
        )
    if kind == "TestNotice":
        return TestNotice(member=str(data["member"]))
    if kind == "WeeklyNotice":
        figures: dict[str, Any] = dict(data["report"])
        figures["start"] = dt.date.fromisoformat(figures["start"])
        figures["end"] = dt.date.fromisoformat(figures["end"])
        figures["categories"] = tuple((str(c), int(n)) for c, n in figures["categories"])
        return WeeklyNotice(member=str(data["member"]), report=PeriodicFacts(**figures))
    if kind == "InvitationNotice":
        data["expires_at"] = dt.datetime.fromisoformat(data["expires_at"])
        return InvitationNotice(**data)
    if kind == "AckNotice":
        report = facts_from_json(data["report"])
        if not isinstance(report, ReportFacts):
            raise ValueError("an acknowledgement notice carries report facts")
        return AckNotice(
            report=report,
            acknowledged=AckFacts(
                acknowledged_by=str(data["acknowledged_by"]),
                acknowledged_at=dt.datetime.fromisoformat(data["acknowledged_at"]),
            ),
            members=tuple(data["members"]),
        )
    if kind == "DigestFacts":
        return DigestFacts(
            events=tuple(data["events"]),
            start=dt.datetime.fromisoformat(data["start"]),
            end=dt.datetime.fromisoformat(data["end"]),
        )
    raise ValueError(f"unknown notice facts type {kind!r}")


def facts_from_json(data: dict[str, Any]) -> Facts:
    data = dict(data)
    kind = data.pop("type")
    if kind == "ReportFacts":
        data["occurred_on"] = dt.date.fromisoformat(data["occurred_on"])
        data["reported_at"] = dt.datetime.fromisoformat(data["reported_at"])
        return ReportFacts(**data)
    if kind == "LevelChangeFacts":
        data["effective_at"] = dt.datetime.fromisoformat(data["effective_at"])
        return LevelChangeFacts(**data)
    raise ValueError(f"unknown facts type {kind!r}")


def enqueue(
    session: Session,
    *,
    kind: AlertKind,
    source: str,
    version: int,
    facts: Facts,
    organisations: Sequence[str] = (),
    areas: Sequence[str] = (),
    msg_type: MsgType = MsgType.ALERT,
    supersedes: str | None = None,
) -> str:
    """Add an alert event to the caller's transaction; returns its id."""
    if not isinstance(facts, ReportFacts | LevelChangeFacts):
        raise TypeError("alerts carry ReportFacts or LevelChangeFacts, nothing else")
    return insert_once(
        session,
        kind=kind,
        source=source,
        facts=facts_to_json(facts),
        area_code=facts.area_code,
        organisations=organisations,
        areas=areas,
        severity=facts.severity if isinstance(facts, ReportFacts) else None,
        version=version,
        supersedes=supersedes,
        msg_type=msg_type,
    )


# Built once: values come at execution, so the statement is compiled once and reused.
_INSERT_EVENT = insert(AlertEvent)


def _insert_event(session: Session, **values: Any) -> str:
    """One Core INSERT on the caller's connection and transaction: it is on the path of
    every publication, and nothing reads the row back through the ORM before the commit
    (the dispatcher reads it in its own session)."""
    event_id = str(uuid.uuid4())
    session.connection().execute(
        _INSERT_EVENT, {"id": event_id, "created_at": dt.datetime.now(dt.UTC), **values}
    )
    session.info[WROTE_OUTBOX] = True
    return event_id


def insert_once(
    session: Session,
    *,
    kind: AlertKind,
    source: str,
    facts: dict[str, Any],
    area_code: str,
    organisations: Sequence[str],
    areas: Sequence[str],
    severity: str | None = None,
    version: int = 1,
    supersedes: str | None = None,
    msg_type: MsgType = MsgType.ALERT,
) -> str:
    """The (source, version) rule every enqueue keeps: the event already written for this
    source and version is returned as it is (a retried request, a second run of a sweep),
    else one is inserted in the caller's transaction. Returns the event id."""
    existing = session.scalar(
        select(AlertEvent.id).where(AlertEvent.source == source, AlertEvent.version == version)
    )
    if existing is not None:
        return existing
    return _insert_event(
        session,
        kind=AlertKind(kind).value,
        msg_type=MsgType(msg_type).value,
        source=source,
        version=version,
        supersedes=supersedes,
        severity=severity,
        area_code=area_code,
        facts=facts,
        organisations=list(organisations),
        areas=list(areas),
    )


def enqueue_notice(
    session: Session,
    *,
    kind: AlertKind,
    source: str,
    facts: NoticeFacts,
    organisations: Sequence[str],
    area_code: str,
    planned_at: dt.datetime,
) -> AlertEvent:
    """An event the dispatcher writes for itself and expands at once (`planned_at` set):
    a digest, or a notice to an organisation's focal points. Same (source, version) rule."""
    existing = session.scalar(
        select(AlertEvent).where(AlertEvent.source == source, AlertEvent.version == 1)
    )
    if existing is not None:
        return existing
    event = AlertEvent(
        kind=AlertKind(kind).value,
        msg_type=MsgType.ALERT.value,
        source=source,
        version=1,
        severity=None,
        area_code=area_code,
        facts=facts_to_json(facts),
        organisations=list(organisations),
        areas=[area_code],
        created_at=planned_at,
        planned_at=planned_at,
    )
    session.add(event)
    session.flush()
    return event


def enqueue_share(
    session: Session,
    *,
    kind: AlertKind,
    source: str,
    notice: ShareNotice,
    organisation: str,
) -> str:
    """A share request (to the originator's focal points) or its answer (to the requester),
    in the caller's transaction like `enqueue`; the dispatcher plans it to those people.
    Same (source, version) rule; returns the event id."""
    if kind not in SHARE_KINDS:
        raise ValueError(f"{kind} is not a share notice")
    return insert_once(
        session,
        kind=kind,
        source=source,
        facts=facts_to_json(notice),
        area_code=notice.report.area_code,
        organisations=[organisation],
        areas=[notice.report.area_code],
        severity=notice.report.severity,
    )


def enqueue_ack_confirmation(
    session: Session, *, event: AlertEvent, organisation: str, notice: AckNotice
) -> str:
    """Tell the people an acknowledged alert had already reached (AckNotice), in the
    acknowledgement's transaction; planned by the dispatcher on its next pass. Once per
    (event, organisation): only the first acknowledgement counts."""
    source = f"ack:{event.id}:{organisation}"
    return insert_once(
        session,
        kind=AlertKind.ACK_CONFIRMATION,
        source=source,
        facts=facts_to_json(notice),
        area_code=notice.report.area_code,
        organisations=[organisation],
        areas=[notice.report.area_code],
        severity=notice.report.severity,
    )


def enqueue_test(
    session: Session, *, member: str, organisation: str, area_code: str, now: dt.datetime
) -> str:
    """A test alert to one liaison, in the caller's transaction; the dispatcher plans it on
    its next pass like any event. At most one a minute per person (same source, same event)."""
    source = f"test:{member}:{now.strftime('%Y%m%d%H%M')}"
    return insert_once(
        session,
        kind=AlertKind.TEST_ALERT,
        source=source,
        facts=facts_to_json(TestNotice(member=member)),
        area_code=area_code,
        organisations=[organisation],
        areas=[area_code],
    )


def enqueue_invitation(session: Session, *, notice: InvitationNotice, organisation: str) -> str:
    """An invitation email, in the caller's transaction like `enqueue`; the dispatcher sends
    it to `notice.email` alone. One event per invitation; returns the event id."""
    source = f"invitation:{notice.invitation}"
    return insert_once(
        session,
        kind=AlertKind.INVITATION,
        source=source,
        facts=facts_to_json(notice),
        area_code="-",
        organisations=[organisation],
        areas=[],
    )


def enqueue_weekly(session: Session, *, notice: WeeklyNotice, organisation: str) -> str:
    """A liaison's weekly report of one area, in the caller's transaction like `enqueue`;
    the dispatcher plans it to that liaison by email (alerts/weekly.py). Once per liaison,
    area and period: a second run of the Monday sweep finds it."""
    report = notice.report
    source = f"weekly:{notice.member}:{report.area_code}:{report.start.isoformat()}"
    return insert_once(
        session,
        kind=AlertKind.WEEKLY_REPORT,
        source=source,
        facts=facts_to_json(notice),
        area_code=report.area_code,
        organisations=[organisation],
        areas=[report.area_code],
    )


def plan_one_email(
    session: Session, event: AlertEvent, *, recipient: str, kind: AlertKind, now: dt.datetime
) -> int:
    """Plan an event that goes to one address by email, due now (an invitation, keyed by the
    invitation as there is no member yet; a liaison's weekly report, keyed by the member).
    The event names the one organisation it concerns."""
    [organisation] = event.organisations
    session.add(
        AlertDelivery(
            event_id=event.id,
            liaison_id=recipient,
            organisation_id=organisation,
            channel="email",
            step=0,
            kind=AlertKind(kind).value,
            status=DeliveryStatus.PENDING.value,
            due_at=now,
            created_at=now,
        )
    )
    session.flush()
    return 1


def pending_events(session: Session, *, limit: int = 100) -> list[AlertEvent]:
    """Events not yet expanded into deliveries, oldest first (the dispatcher's sweep)."""
    return list(
        session.scalars(
            select(AlertEvent)
            .where(AlertEvent.planned_at.is_(None))
            .order_by(AlertEvent.created_at)
            .limit(limit)
        )
    )
