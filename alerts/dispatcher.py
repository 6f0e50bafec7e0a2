"""The dispatcher: outbox events → planned deliveries → messages on the wire, at least once.

Guarantees:
- planning an event (through `policies.alert_plan` / `level_change_plan`) writes its
  deliveries and marks it planned in one transaction; deliveries are unique per (event,
  liaison, channel, step), so no event is ever planned into two copies of a delivery;
- a delivery is claimed in its own committed transaction before any network call
  (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so dispatchers on several processes or nodes never
  claim the same row; on SQLite one write statement under the database's single writer lock
  and this process's dispatcher lock). The claim carries a lease; a crashed dispatcher's
  claims are put back by `reclaim` once their lease has run out;
- the outcome of each send is recorded in a new transaction, and only by the claimant: no
  transaction is held open across a network call;
- so a delivery is sent at least once: a crash between the send and the record re-sends it
  after the lease — an email with the same Message-ID; an SMS only after the gateway has been
  asked whether it already has it (`check_first`);
- failures follow `alerts.backoff`: retry with capped jittered back-off, park after the last
  attempt or a permanent failure, then tell the organisation's focal points (a
  `delivery_failed` alert) and try the liaison's other confirmed channel. A parked notice to
  a focal point is not itself notified again, so failures cannot cascade;
- an escalation step is sent only while its organisation has not acknowledged; an update or
  cancel stops the pending escalation steps of the alerts it supersedes;
- alerts carry header facts only (alerts.facts) and each person's anti-phishing phrase; an
  email is S/MIME-signed with the hub's identity when one is configured (never sent unsigned
  then), and encrypted to the liaison's registered certificate.

`alerts` never imports `hub`: what it needs of the hub (the area tree, an area's level, an
organisation's focal points and name) comes through the `Directory` the hub hands in.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import and_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

import crypto
import policies
from alerts import ack as acks
from alerts import designations as des
from alerts import invitations
from alerts.backoff import Action, BackoffPolicy, RandomSource, decide
from alerts.channels.base import (
    Channel,
    ChannelKind,
    DeliveryKey,
    Outcome,
    OutgoingMessage,
    SendResult,
)
from alerts.channels.email import EmailChannel
from alerts.channels.sms import SmsChannel
from alerts.facts import (
    AckRequest,
    AlertFacts,
    AlertKind,
    EscalationFacts,
    FailureFacts,
    LevelChangeFacts,
    MsgType,
    Recipient,
    ReportFacts,
)
from alerts.models import (
    AlertDelivery,
    AlertEvent,
    DeliveryStatus,
    LiaisonContact,
    LiaisonDesignation,
)
from alerts.outbox import (
    SHARE_KINDS,
    AckNotice,
    DigestFacts,
    ShareNotice,
    TestNotice,
    enqueue_notice,
    facts_from_json,
    notice_from_json,
)
from alerts.render import email_message, render_alert, sms_message
from policies.vocabulary import (
    Category,
    EscalationTarget,
    Level,
    Precedence,
    ReportType,
    Severity,
    Stage,
    Tlp,
)

log = logging.getLogger("slthub.alerts.dispatcher")

UTC = dt.UTC


class Directory(Protocol):
    """What the dispatcher asks the hub. Every method reads through the session it is given."""

    def area_map(self, session: Session) -> policies.AreaMap: ...

    def level(self, session: Session, area_code: str, at: dt.datetime) -> Level: ...

    def focal_points(self, session: Session, organisation_id: str) -> list[str]: ...

    def organisation_name(self, session: Session, organisation_id: str) -> str: ...


@dataclass
class Channels:
    """The channel instances one dispatcher uses (one thread at a time)."""

    email: Channel | None = None
    sms: SmsChannel | None = None
    # The hub's S/MIME identity: with it every email is signed (and nothing goes unsigned).
    identity: crypto.EmailIdentity | None = None

    def get(self, kind: str) -> Channel | None:
        return self.email if kind == ChannelKind.EMAIL else self.sms

    def close(self) -> None:
        for channel in (self.email, self.sms):
            if channel is not None:
                channel.close()


@dataclass(frozen=True)
class DispatchConfig:
    base_url: str
    ack_secret: bytes
    lease: dt.timedelta = dt.timedelta(seconds=60)
    batch: int = 50
    backoff: BackoffPolicy = field(default_factory=BackoffPolicy)


@dataclass
class Stats:
    planned_events: int = 0
    planned_deliveries: int = 0
    sent: int = 0
    retried: int = 0
    parked: int = 0
    cancelled: int = 0
    reclaimed: int = 0

    def add(self, other: Stats) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _now() -> dt.datetime:
    return dt.datetime.now(UTC)


def _mask(channel: str, address: str) -> str:
    if channel == "email":
        local, _, domain = address.partition("@")
        return f"{local[:1]}…@{domain}"
    return f"{address[:4]} ••• {address[-2:]}"


def _local_hour(now: dt.datetime, person: des.Reach | None) -> int:
    zone = person.designation.timezone if person is not None else "UTC"
    try:
        return now.astimezone(ZoneInfo(zone)).hour
    except (ZoneInfoNotFoundError, ValueError):
        # Checked when the designation was saved; a zone gone from the system's tz data
        # falls back to UTC rather than holding the digest forever.
        return now.astimezone(dt.UTC).hour


def _notice_deliveries(
    session: Session,
    event_id: str,
    organisation: str,
    people: list[str],
    kind: AlertKind,
    now: dt.datetime,
) -> list[AlertDelivery]:
    """A notice (a failure, a share request or its answer) to named people: one delivery per
    channel each has, due now, nothing to acknowledge. Someone without a liaison designation
    gets an email row that parks at send time, visibly, rather than nothing."""
    reach = des.reach(session, people)
    rows = []
    for person in people:
        known = reach.get(person)
        for channel in known.channels if known and known.channels else ("email",):
            rows.append(
                AlertDelivery(
                    event_id=event_id,
                    liaison_id=person,
                    organisation_id=organisation,
                    channel=channel,
                    step=0,
                    kind=kind.value,
                    status=DeliveryStatus.PENDING.value,
                    due_at=now,
                    created_at=now,
                )
            )
    return rows


def smime_signer(
    identity: crypto.EmailIdentity, recipient_certificate: bytes | None
) -> Callable[[bytes], bytes]:
    """The EmailChannel signer hook: sign the content entity (and encrypt it to the liaison's
    certificate) and keep the envelope headers — From, To, Subject, Message-ID … — outside,
    where mail servers and clients read them."""

    def sign(raw: bytes) -> bytes:
        head, sep, body = raw.partition(b"\r\n\r\n")
        if not sep:
            raise ValueError("a message without a header/body separator")
        outer: list[bytes] = []
        inner: list[bytes] = []
        current: list[bytes] | None = None
        for line in head.split(b"\r\n"):
            if line[:1] in (b" ", b"\t") and current is not None:
                current.append(line)  # a folded header continues the previous one
                continue
            name = line.split(b":", 1)[0].strip().lower()
            current = inner if name.startswith(b"content-") or name == b"mime-version" else outer
            if name == b"content-language":
                current = outer
            if name != b"mime-version":
                current.append(line)
        entity = b"\r\n".join(inner) + b"\r\n\r\n" + body
        signed = crypto.sign_email(entity, identity)
        if recipient_certificate is not None:
            signed = crypto.encrypt_email(signed, recipient_certificate)
        signed = signed.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        return b"\r\n".join(outer) + b"\r\n" + signed

    return sign


@dataclass
class _Prepared:
    delivery_id: str
    claim: str
    key: DeliveryKey
    message: OutgoingMessage | None  # None: cannot be sent (reason in `problem`)
    attempts: int
    first_attempt_at: dt.datetime | None
    provider_id: str | None
    check_first: bool
    other_channel: ChannelKind | None
    kind: str
    certificate: bytes | None = None
    problem: str = ""
    cancel: str = ""


class Dispatcher:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        directory: Directory,
        policy: policies.Policy,
        channels: Channels,
        config: DispatchConfig,
        worker: str | None = None,
        rng: RandomSource | None = None,
    ) -> None:
        self.sessions = sessions
        self.directory = directory
        self.policy = policy
        self.channels = channels
        self.config = config
        self.worker = (worker or f"w-{uuid.uuid4().hex[:8]}")[:24]
        self.rng = rng
        # SQLite has one writer: claims from this process go one at a time.
        self._lock = threading.Lock()
        self._unplannable: set[str] = set()

    # -- the whole sweep ----------------------------------------------------------------------

    def run_once(self, now: dt.datetime | None = None, *, max_rounds: int = 1000) -> Stats:
        """Plan new events, then claim and send what is due until nothing is left."""
        stats = Stats()
        stats.reclaimed += self.reclaim(now or _now())
        stats.add(self.plan(now or _now()))
        for _ in range(max_rounds):
            batch = self.claim(now or _now())
            if not batch:
                break
            stats.add(self.deliver(batch, now=now))
        self.send_confirmations(now or _now())
        return stats

    # -- planning -------------------------------------------------------------------------------

    def plan(self, now: dt.datetime) -> Stats:
        stats = Stats()
        while True:
            with self._lock, self.sessions() as session:
                query = (
                    select(AlertEvent)
                    .where(AlertEvent.planned_at.is_(None))
                    .order_by(AlertEvent.created_at)
                    .limit(10)
                )
                if session.bind is not None and session.bind.dialect.name == "postgresql":
                    query = query.with_for_update(skip_locked=True)
                if self._unplannable:
                    query = query.where(AlertEvent.id.not_in(self._unplannable))
                events = session.scalars(query).all()
                if not events:
                    return stats
                for event in events:
                    try:
                        with session.begin_nested():
                            planned = self._plan_event(session, event, now)
                    except Exception:
                        # One event the planner cannot read must not hold up every later one:
                        # it stays unplanned (a restart tries it again) and the log says why.
                        log.exception("cannot plan alert event %s (%s)", event.id, event.source)
                        self._unplannable.add(event.id)
                        continue
                    stats.planned_deliveries += planned
                    event.planned_at = now
                    stats.planned_events += 1
                session.commit()

    def _report_header(self, facts: ReportFacts) -> policies.ReportHeader:
        return policies.ReportHeader(
            id=facts.report_id,
            type=ReportType(facts.report_type),
            area=facts.area_code,
            severity=Severity(facts.severity),
            tlp=Tlp(facts.tlp),
            originator="",  # not needed to route alerts, and hidden when anonymous
            stage=Stage(facts.stage) if facts.stage else None,
            category=Category(facts.category) if facts.category else None,
            precedence=Precedence(facts.precedence) if facts.precedence else None,
        )

    def _plan_event(self, session: Session, event: AlertEvent, now: dt.datetime) -> int:
        kind = AlertKind(event.kind)
        if event.supersedes:
            self._stop_superseded(session, event)
        if kind in SHARE_KINDS:
            return self._plan_share(session, event, now)
        if kind is AlertKind.TEST_ALERT:
            return self._plan_test(session, event, now)
        if kind is AlertKind.INVITATION:
            return invitations.plan(session, event, now)
        if kind is AlertKind.ACK_CONFIRMATION:
            return self._plan_ack_confirmation(session, event, now)
        if kind not in (AlertKind.REPORT_PUBLISHED, AlertKind.LEVEL_CHANGED):
            log.warning("event %s of kind %s has nothing to plan", event.id, kind)
            return 0
        facts = facts_from_json(event.facts)
        areas = self.directory.area_map(session)
        if isinstance(facts, ReportFacts):
            reaches = des.all_reach(session, organisations=event.organisations)
            level = self.directory.level(session, event.area_code, event.created_at)
            decision = policies.alert_plan(
                self._report_header(facts),
                level,
                frozenset(event.organisations),
                [des.as_policy(r) for r in reaches],
                self.policy,
                now,
                areas=areas,
            )
        else:
            assert isinstance(facts, LevelChangeFacts)  # noqa: S101 (the two kinds above)
            wanted = set(event.areas)
            reaches = [r for r in des.all_reach(session) if wanted & set(r.designation.areas)]
            level = Level(facts.new_level)
            decision = policies.level_change_plan(
                event.area_code,
                level,
                [des.as_policy(r) for r in reaches],
                self.policy,
                now,
                areas=areas,
            )
        rules = self.policy.at(level)
        rows: dict[tuple[str, str, int], AlertDelivery] = {}

        def add(
            liaison: str,
            organisation: str,
            channel: str,
            step: int,
            *,
            kind: AlertKind,
            due: dt.datetime,
            status: DeliveryStatus = DeliveryStatus.PENDING,
            deadline: dt.datetime | None = None,
            escalated_from: str | None = None,
        ) -> None:
            if (liaison, channel, step) in rows:
                return
            row = AlertDelivery(
                event_id=event.id,
                liaison_id=liaison,
                organisation_id=organisation,
                channel=channel,
                step=step,
                kind=kind.value,
                status=status.value,
                due_at=due,
                ack_deadline=deadline,
                escalated_from=escalated_from,
                created_at=now,
            )
            if deadline is not None:
                key = DeliveryKey(event.id, liaison, ChannelKind(channel), step)
                row.ack_token_hash = acks.token_hash(acks.token_for(self.config.ack_secret, key))
            rows[(liaison, channel, step)] = row

        for route in decision.outcome.routes:
            if route.delivery is policies.Delivery.DIGEST:
                channel = "email" if "email" in route.channels else route.channels[0]
                add(
                    route.liaison,
                    route.organisation,
                    channel,
                    0,
                    kind=kind,
                    due=now,
                    status=DeliveryStatus.HELD,
                )
                continue
            assert route.send_at is not None  # noqa: S101 (immediate or deferred)
            # A cancellation asks nobody to act: no acknowledgement, nothing to escalate.
            cancel = event.msg_type == MsgType.CANCEL.value
            for channel in route.channels:
                add(
                    route.liaison,
                    route.organisation,
                    channel.value,
                    0,
                    kind=kind,
                    due=route.send_at,
                    deadline=None if cancel else route.ack_deadline,
                )
            for n, step in enumerate(() if cancel else route.escalation, start=1):
                if step.to is EscalationTarget.DEPUTY and step.liaison is not None:
                    targets = [step.liaison]
                else:
                    targets = [
                        m
                        for m in self.directory.focal_points(session, route.organisation)
                        if m != route.liaison
                    ]
                reach = des.reach(session, targets)
                for target in targets:
                    known = reach.get(target)
                    wanted_channels = [c.value for c in step.channels]
                    usable = [c for c in wanted_channels if known and c in known.addresses]
                    if not usable:
                        # No confirmed address on the step's channels: try what the person has;
                        # with nothing at all the row is parked at send time, visibly.
                        usable = list(known.channels[:1]) if known else ["email"]
                    for channel_name in usable:
                        add(
                            target,
                            route.organisation,
                            channel_name,
                            n,
                            kind=AlertKind.ESCALATION,
                            due=step.at,
                            deadline=step.at + rules.ack_deadline,
                            escalated_from=route.liaison,
                        )
        session.add_all(rows.values())
        session.flush()
        return len(rows)

    def _plan_share(self, session: Session, event: AlertEvent, now: dt.datetime) -> int:
        """To the named members, or the organisation's focal points: the answer itself is
        given on the hub (see _notice_deliveries)."""
        notice = notice_from_json(event.facts)
        if not isinstance(notice, ShareNotice):
            raise ValueError(f"event {event.id} does not carry a share notice")
        [organisation] = event.organisations
        people = list(notice.members) or self.directory.focal_points(session, organisation)
        rows = _notice_deliveries(
            session, event.id, organisation, people, AlertKind(event.kind), now
        )
        session.add_all(rows)
        session.flush()
        return len(rows)

    def _plan_test(self, session: Session, event: AlertEvent, now: dt.datetime) -> int:
        """To the liaison who asked, on each channel they have, as an alert would go."""
        notice = notice_from_json(event.facts)
        if not isinstance(notice, TestNotice):
            raise ValueError(f"event {event.id} does not carry a test notice")
        [organisation] = event.organisations
        rows = _notice_deliveries(
            session, event.id, organisation, [notice.member], AlertKind.TEST_ALERT, now
        )
        session.add_all(rows)
        session.flush()
        return len(rows)

    def _plan_ack_confirmation(self, session: Session, event: AlertEvent, now: dt.datetime) -> int:
        """To the people the acknowledged alert had reached, on each channel they have."""
        notice = notice_from_json(event.facts)
        if not isinstance(notice, AckNotice):
            raise ValueError(f"event {event.id} does not carry an acknowledgement notice")
        [organisation] = event.organisations
        rows = _notice_deliveries(
            session, event.id, organisation, list(notice.members), AlertKind.ACK_CONFIRMATION, now
        )
        session.add_all(rows)
        session.flush()
        return len(rows)

    def _stop_superseded(self, session: Session, event: AlertEvent) -> None:
        earlier = select(AlertEvent.id).where(
            AlertEvent.source == event.supersedes, AlertEvent.id != event.id
        )
        session.execute(
            update(AlertDelivery)
            .where(
                AlertDelivery.event_id.in_(earlier),
                AlertDelivery.step > 0,
                AlertDelivery.status == DeliveryStatus.PENDING.value,
            )
            .values(status=DeliveryStatus.CANCELLED.value, last_error=f"superseded by {event.id}")
        )

    # -- claiming -----------------------------------------------------------------------------

    def claim(self, now: dt.datetime) -> list[str]:
        """Claim up to `batch` due deliveries; returns their ids (the claim is committed)."""
        token = f"{self.worker}:{uuid.uuid4().hex[:12]}"
        lease_until = now + self.config.lease
        due = and_(
            AlertDelivery.status == DeliveryStatus.PENDING.value, AlertDelivery.due_at <= now
        )
        values: dict[str, Any] = {
            "status": DeliveryStatus.CLAIMED.value,
            "claimed_by": token,
            "lease_until": lease_until,
            "attempts": AlertDelivery.attempts + 1,
            "last_attempt_at": now,
        }
        with self._lock, self.sessions() as session:
            postgres = session.bind is not None and session.bind.dialect.name == "postgresql"
            if postgres:
                ids = list(
                    session.scalars(
                        select(AlertDelivery.id)
                        .where(due)
                        .order_by(AlertDelivery.due_at)
                        .limit(self.config.batch)
                        .with_for_update(skip_locked=True)
                    )
                )
                if not ids:
                    session.rollback()
                    return []
                session.execute(
                    update(AlertDelivery).where(AlertDelivery.id.in_(ids)).values(**values)
                )
            else:
                # One UPDATE: SQLite takes its write lock at once, so two processes cannot
                # both read the same rows as free.
                inner = (
                    select(AlertDelivery.id)
                    .where(due)
                    .order_by(AlertDelivery.due_at)
                    .limit(self.config.batch)
                    .scalar_subquery()
                )
                session.execute(
                    update(AlertDelivery)
                    .where(AlertDelivery.id.in_(inner))
                    .values(**values)
                    .execution_options(synchronize_session=False)
                )
                ids = list(
                    session.scalars(
                        select(AlertDelivery.id).where(AlertDelivery.claimed_by == token)
                    )
                )
            session.execute(
                update(AlertDelivery)
                .where(AlertDelivery.id.in_(ids), AlertDelivery.first_attempt_at.is_(None))
                .values(first_attempt_at=now)
                .execution_options(synchronize_session=False)
            )
            session.commit()
            return ids

    def reclaim(self, now: dt.datetime) -> int:
        """Put back deliveries whose claimant's lease ran out (it crashed or hung). An SMS that
        may have gone out is checked with the gateway before it is sent again."""
        expired = and_(
            AlertDelivery.status == DeliveryStatus.CLAIMED.value,
            AlertDelivery.lease_until < now,
        )
        with self._lock, self.sessions() as session:
            count = 0
            for channel, check in (("sms", True), ("email", False)):
                result = session.execute(
                    update(AlertDelivery)
                    .where(expired, AlertDelivery.channel == channel)
                    .values(
                        status=DeliveryStatus.PENDING.value,
                        claimed_by=None,
                        lease_until=None,
                        due_at=now,
                        check_first=check,
                        last_error="lease expired: the dispatcher stopped mid-send",
                    )
                    .execution_options(synchronize_session=False)
                )
                count += int(getattr(result, "rowcount", 0) or 0)
            session.commit()
            return count

    # -- sending --------------------------------------------------------------------------------

    def _link(self, path: str) -> str:
        return self.config.base_url.rstrip("/") + path

    def _prepare(
        self, session: Session, ids: list[str], claims: Mapping[str, str]
    ) -> list[_Prepared]:
        rows = session.scalars(select(AlertDelivery).where(AlertDelivery.id.in_(ids))).all()
        events = {
            e.id: e
            for e in session.scalars(
                select(AlertEvent).where(AlertEvent.id.in_({r.event_id for r in rows}))
            )
        }
        people = des.reach(
            session,
            {r.liaison_id for r in rows} | {r.escalated_from for r in rows if r.escalated_from},
        )
        acknowledged = {
            (event_id, org)
            for event_id, org in session.execute(
                select(AlertDelivery.event_id, AlertDelivery.organisation_id)
                .where(
                    AlertDelivery.event_id.in_(list(events)),
                    AlertDelivery.acknowledged_at.is_not(None),
                )
                .distinct()
            )
        }
        org_names: dict[str, str] = {}
        prepared = []
        for row in rows:
            if row.status != DeliveryStatus.CLAIMED.value or row.claimed_by != claims[row.id]:
                continue  # the lease was lost to a reclaim: someone else has it now
            event = events[row.event_id]
            key = DeliveryKey(row.event_id, row.liaison_id, ChannelKind(row.channel), row.step)
            person = people.get(row.liaison_id)
            other = None
            if person is not None:
                others = [c for c in person.channels if c != row.channel]
                other = ChannelKind(others[0]) if others else None
            item = _Prepared(
                delivery_id=row.id,
                claim=claims[row.id],
                key=key,
                message=None,
                attempts=row.attempts,
                first_attempt_at=row.first_attempt_at,
                provider_id=row.provider_id,
                check_first=row.check_first,
                other_channel=other,
                kind=row.kind,
            )
            prepared.append(item)
            if row.step > 0 and (row.event_id, row.organisation_id) in acknowledged:
                item.cancel = "acknowledged"
                continue
            if row.kind == AlertKind.INVITATION.value:
                try:
                    to, invited, invitee = invitations.prepare(event, self.config.base_url)
                    rendered = render_alert(invited, invitee, with_sms=False)
                except ValueError as exc:
                    item.problem = f"cannot render: {exc}"[:300]
                    continue
                item.message = email_message(rendered, key=key, to=to)
                continue
            if person is None:
                item.problem = "no liaison designation: no confirmed address or phrase"
                continue
            address = person.addresses.get(row.channel)
            if address is None:
                item.problem = f"no confirmed {row.channel} address"
                continue
            try:
                facts = self._facts(session, row, event, people, org_names)
                d = person.designation
                recipient = Recipient(
                    name=d.display_name,
                    language="en" if d.language == "en" else "fr",
                    anti_phishing_phrase=d.anti_phishing_phrase,
                    timezone=d.timezone,
                )
                rendered = render_alert(facts, recipient, with_sms=row.channel == "sms")
            except Exception as exc:  # facts or a designation out of bounds: visible, parked
                log.exception("cannot render delivery %s", row.id)
                item.problem = f"cannot render: {type(exc).__name__}: {exc}"[:300]
                continue
            if row.channel == "sms":
                item.message = sms_message(rendered, key=key, to=address)
            else:
                item.message = email_message(
                    rendered,
                    key=key,
                    to=address,
                    supersedes=self._threads_onto(session, event, row),
                )
                if d.smime_certificate:
                    item.certificate = d.smime_certificate.encode()
        return prepared

    def _threads_onto(
        self, session: Session, event: AlertEvent, row: AlertDelivery
    ) -> DeliveryKey | None:
        if not event.supersedes:
            return None
        first = session.scalar(
            select(AlertEvent.id)
            .where(AlertEvent.source == event.supersedes, AlertEvent.id != event.id)
            .order_by(AlertEvent.created_at)
            .limit(1)
        )
        return DeliveryKey(first, row.liaison_id, ChannelKind.EMAIL, 0) if first else None

    def _facts(
        self,
        session: Session,
        row: AlertDelivery,
        event: AlertEvent,
        people: Mapping[str, des.Reach],
        org_names: dict[str, str],
    ) -> AlertFacts:
        kind = AlertKind(row.kind)
        ack = None
        link = self._link(f"/reports/{event.source.partition(':')[2]}")
        if row.ack_deadline is not None:
            token = acks.token_for(
                self.config.ack_secret,
                DeliveryKey(row.event_id, row.liaison_id, ChannelKind(row.channel), row.step),
            )
            link = self._link(f"/a/{token}")
            code = acks.code_for(
                self.config.ack_secret,
                DeliveryKey(row.event_id, row.liaison_id, ChannelKind(row.channel), row.step),
            )
            ack = AckRequest(code=code, link=link, deadline=row.ack_deadline)
        msg_type = MsgType(event.msg_type)
        if kind in (AlertKind.REPORT_PUBLISHED, AlertKind.LEVEL_CHANGED, AlertKind.ESCALATION):
            facts = facts_from_json(event.facts)
            if isinstance(facts, LevelChangeFacts):
                return AlertFacts(
                    kind=AlertKind.LEVEL_CHANGED,
                    event_id=event.id,
                    link=self._link(f"/areas/{facts.area_code}"),
                    msg_type=msg_type,
                    level_change=facts,
                )
            if kind is AlertKind.ESCALATION:
                if row.organisation_id not in org_names:
                    org_names[row.organisation_id] = self.directory.organisation_name(
                        session, row.organisation_id
                    )
                silent = people.get(row.escalated_from or "")
                first_due = session.scalar(
                    select(AlertDelivery.due_at)
                    .where(
                        AlertDelivery.event_id == row.event_id,
                        AlertDelivery.liaison_id == row.escalated_from,
                        AlertDelivery.step == 0,
                    )
                    .order_by(AlertDelivery.due_at)
                    .limit(1)
                )
                waited = int((row.due_at - (first_due or row.due_at)).total_seconds() // 60)
                return AlertFacts(
                    kind=AlertKind.ESCALATION,
                    event_id=event.id,
                    link=link,
                    msg_type=msg_type,
                    report=facts,
                    ack=ack,
                    escalation=EscalationFacts(
                        step=row.step,
                        not_acknowledged_by=silent.designation.display_name[:60] if silent else "?",
                        organisation=org_names[row.organisation_id][:60],
                        waited_minutes=max(waited, 0),
                    ),
                )
            return AlertFacts(
                kind=AlertKind.REPORT_PUBLISHED,
                event_id=event.id,
                link=link,
                msg_type=msg_type,
                report=facts,
                ack=ack,
            )
        notice = notice_from_json(event.facts)
        if isinstance(notice, ShareNotice):
            return AlertFacts(
                kind=kind,
                event_id=event.id,
                link=self._link("/share-requests"),
                report=notice.report,
                share=notice.share,
            )
        if isinstance(notice, AckNotice):
            return AlertFacts(
                kind=AlertKind.ACK_CONFIRMATION,
                event_id=event.id,
                link=self._link(f"/reports/{notice.report.report_id}"),
                report=notice.report,
                acknowledged=notice.acknowledged,
            )
        if isinstance(notice, TestNotice):
            return AlertFacts(
                kind=AlertKind.TEST_ALERT, event_id=event.id, link=self._link("/liaison")
            )
        if isinstance(notice, FailureFacts):
            return AlertFacts(
                kind=AlertKind.DELIVERY_FAILED,
                event_id=event.id,
                link=self._link("/liaison#team-deliveries"),
                failure=notice,
            )
        if not isinstance(notice, DigestFacts):
            raise ValueError(f"event {event.id} of kind {kind} has no alert facts")
        items = []
        for item in session.scalars(
            select(AlertEvent)
            .where(AlertEvent.id.in_(list(notice.events)))
            .order_by(AlertEvent.created_at)
        ):
            carried = facts_from_json(item.facts)
            if isinstance(carried, ReportFacts):
                items.append(carried)
        return AlertFacts(
            kind=AlertKind.DIGEST,
            event_id=event.id,
            link=self._link("/reports"),
            digest_items=tuple(items),
            digest_period=(notice.start, notice.end),
        )

    def deliver(self, ids: list[str], *, now: dt.datetime | None = None) -> Stats:
        """Send claimed deliveries, each outcome in its own transaction."""
        stats = Stats()
        with self.sessions() as session:
            claims = dict(
                session.execute(
                    select(AlertDelivery.id, AlertDelivery.claimed_by).where(
                        AlertDelivery.id.in_(ids)
                    )
                ).all()
            )
            prepared = self._prepare(session, ids, {k: v or "" for k, v in claims.items()})
            session.rollback()  # nothing is held open across the network calls below
        for item in prepared:
            if item.cancel:
                self._finish(item, status=DeliveryStatus.CANCELLED, error=item.cancel)
                stats.cancelled += 1
                continue
            if item.message is None:
                self._record(
                    item, SendResult(Outcome.PERMANENT, detail=item.problem), now or _now(), stats
                )
                continue
            result = self._send(item)
            self._record(item, result, now or _now(), stats)
        return stats

    def _send(self, item: _Prepared) -> SendResult:
        assert item.message is not None  # noqa: S101 (checked by the caller)
        channel = self.channels.get(item.key.channel)
        if channel is None:
            return SendResult(Outcome.RETRYABLE, detail=f"no {item.key.channel} channel set up")
        if isinstance(channel, SmsChannel) and item.check_first:
            since = item.first_attempt_at or _now()
            found = channel.check(item.message, provider_id=item.provider_id, since=since)
            if found is not None:
                # The gateway has it (or says it failed): never send the same SMS twice.
                return found
        if isinstance(channel, EmailChannel):
            if self.channels.identity is not None:
                channel.signer = smime_signer(self.channels.identity, item.certificate)
            else:
                channel.signer = None
        try:
            return channel.send(item.message)
        except ValueError as exc:  # an SMS longer than two segments: a bug, but not silent
            return SendResult(Outcome.PERMANENT, detail=f"refused: {exc}")
        except Exception as exc:
            # Channels classify every delivery problem themselves; anything else is a bug.
            # Recorded as retryable it follows the back-off and ends parked, visibly, instead
            # of leaving the claim to expire and repeat forever.
            log.exception("channel %s raised on delivery %s", item.key.channel, item.delivery_id)
            return SendResult(Outcome.RETRYABLE, detail=f"error: {type(exc).__name__}")

    def _finish(self, item: _Prepared, *, status: DeliveryStatus, error: str) -> None:
        with self.sessions() as session:
            session.execute(
                update(AlertDelivery)
                .where(AlertDelivery.id == item.delivery_id, AlertDelivery.claimed_by == item.claim)
                .values(status=status.value, claimed_by=None, lease_until=None, last_error=error)
            )
            session.commit()

    def _record(self, item: _Prepared, result: SendResult, now: dt.datetime, stats: Stats) -> None:
        step = decide(
            result.outcome,
            attempts=item.attempts,
            now=now,
            channel=item.key.channel,
            other_channel=item.other_channel,
            policy=self.config.backoff,
            rng=self.rng,
        )
        values: dict[str, Any] = {
            "claimed_by": None,
            "lease_until": None,
            "last_outcome": result.outcome.value,
            "last_error": None if result.sent else (result.detail or step.reason)[:400],
        }
        if result.provider_id:
            values["provider_id"] = result.provider_id[:200]
        if step.action is Action.DONE:
            values.update(status=DeliveryStatus.SENT.value, sent_at=now, check_first=False)
            stats.sent += 1
        elif step.action in (Action.RETRY, Action.CHECK):
            assert step.retry_at is not None  # noqa: S101 (decide sets it)
            values.update(
                status=DeliveryStatus.PENDING.value,
                due_at=step.retry_at,
                check_first=step.action is Action.CHECK,
            )
            stats.retried += 1
        else:
            values.update(status=DeliveryStatus.PARKED.value, check_first=False)
            stats.parked += 1
        with self.sessions() as session:
            done = session.execute(
                update(AlertDelivery)
                .where(AlertDelivery.id == item.delivery_id, AlertDelivery.claimed_by == item.claim)
                .values(**values)
            )
            if not getattr(done, "rowcount", 1):
                # Our lease was taken back meanwhile; the other claimant records its own send.
                log.warning(
                    "delivery %s: outcome %s after losing the lease",
                    item.delivery_id,
                    result.outcome,
                )
                session.rollback()
                return
            if step.action is Action.PARK:
                self._after_park(session, item, step.fall_back_to, result, now)
            if item.kind == AlertKind.INVITATION.value and step.action in (
                Action.DONE,
                Action.PARK,
            ):
                invitations.forget_token(session, item.key.event_id)
            # A dispatcher still working through its batch renews the lease of what is left,
            # so a slow server cannot make another process reclaim, and resend, rows this one
            # is about to send; only a send longer than the lease itself could.
            session.execute(
                update(AlertDelivery)
                .where(
                    AlertDelivery.claimed_by == item.claim,
                    AlertDelivery.status == DeliveryStatus.CLAIMED.value,
                )
                .values(lease_until=now + self.config.lease)
                .execution_options(synchronize_session=False)
            )
            session.commit()

    def _after_park(
        self,
        session: Session,
        item: _Prepared,
        fall_back_to: ChannelKind | None,
        result: SendResult,
        now: dt.datetime,
    ) -> None:
        row = session.get(AlertDelivery, item.delivery_id)
        assert row is not None  # noqa: S101 (just updated)
        if row.kind == AlertKind.DELIVERY_FAILED.value:
            return  # a notice about a notice would never end
        if fall_back_to is not None:
            exists = session.scalar(
                select(AlertDelivery.id).where(
                    AlertDelivery.event_id == row.event_id,
                    AlertDelivery.liaison_id == row.liaison_id,
                    AlertDelivery.channel == fall_back_to.value,
                    AlertDelivery.step == row.step,
                )
            )
            if exists is None:
                fallback = AlertDelivery(
                    event_id=row.event_id,
                    liaison_id=row.liaison_id,
                    organisation_id=row.organisation_id,
                    channel=fall_back_to.value,
                    step=row.step,
                    kind=row.kind,
                    status=DeliveryStatus.PENDING.value,
                    due_at=now,
                    ack_deadline=row.ack_deadline,
                    escalated_from=row.escalated_from,
                    created_at=now,
                )
                if row.ack_deadline is not None:
                    key = DeliveryKey(row.event_id, row.liaison_id, fall_back_to, row.step)
                    fallback.ack_token_hash = acks.token_hash(
                        acks.token_for(self.config.ack_secret, key)
                    )
                session.add(fallback)
        person = des.reach(session, [row.liaison_id]).get(row.liaison_id)
        hint = ""
        if person is not None:
            for contact in des.contacts(session, person.designation.id):
                if contact.channel == row.channel:
                    hint = _mask(contact.channel, contact.address)
        failure = FailureFacts(
            liaison_name=(person.designation.display_name if person else row.liaison_id)[:60],
            channel=row.channel,
            address_hint=hint or "—",
            attempts=row.attempts,
            reason=(result.detail or "failed")[:200],
            fallback_channel=fall_back_to.value if fall_back_to else None,
        )
        event = session.get(AlertEvent, row.event_id)
        assert event is not None  # noqa: S101 (foreign key)
        notice = enqueue_notice(
            session,
            kind=AlertKind.DELIVERY_FAILED,
            source=f"failed:{row.id}",
            facts=failure,
            organisations=[row.organisation_id],
            area_code=event.area_code,
            planned_at=now,
        )
        focal = self.directory.focal_points(session, row.organisation_id)
        session.add_all(
            _notice_deliveries(
                session, notice.id, row.organisation_id, focal, AlertKind.DELIVERY_FAILED, now
            )
        )
        try:
            with session.begin_nested():
                session.flush()
        except IntegrityError:
            log.info("notice for %s already planned", row.id)

    # -- digests --------------------------------------------------------------------------------

    def digests(
        self,
        now: dt.datetime,
        *,
        since: dt.datetime | None = None,
        local_hour: int | None = None,
    ) -> int:
        """Gather each liaison's held (routine) alerts into one digest delivery.

        `local_hour`: only the liaisons for whom it is that hour now, in the time zone of
        their designation (the hourly job asks for 6: a digest with the morning coffee in
        Bamako, Goma and Kabul alike). None gathers everyone's (by hand, in tests)."""
        made = 0
        with self._lock, self.sessions() as session:
            held = session.scalars(
                select(AlertDelivery)
                .where(AlertDelivery.status == DeliveryStatus.HELD.value)
                .order_by(AlertDelivery.created_at)
            ).all()
            by_liaison: dict[str, list[AlertDelivery]] = defaultdict(list)
            for row in held:
                by_liaison[row.liaison_id].append(row)
            if local_hour is not None and by_liaison:
                people = des.reach(session, by_liaison)
                by_liaison = {
                    liaison: rows
                    for liaison, rows in by_liaison.items()
                    if _local_hour(now, people.get(liaison)) == local_hour
                }
            for liaison, rows in sorted(by_liaison.items()):
                first = session.get(AlertEvent, rows[0].event_id)
                assert first is not None  # noqa: S101 (foreign key)
                start = since or min(r.created_at for r in rows)
                notice = enqueue_notice(
                    session,
                    kind=AlertKind.DIGEST,
                    source=f"digest:{liaison}:{now.isoformat()}",
                    facts=DigestFacts(
                        events=tuple(dict.fromkeys(r.event_id for r in rows)), start=start, end=now
                    ),
                    organisations=[rows[0].organisation_id],
                    area_code=first.area_code,
                    planned_at=now,
                )
                session.add(
                    AlertDelivery(
                        event_id=notice.id,
                        liaison_id=liaison,
                        organisation_id=rows[0].organisation_id,
                        channel=rows[0].channel,
                        step=0,
                        kind=AlertKind.DIGEST.value,
                        status=DeliveryStatus.PENDING.value,
                        due_at=now,
                        created_at=now,
                    )
                )
                for row in rows:
                    row.status = DeliveryStatus.DIGESTED.value
                    row.digest_event_id = notice.id
                made += 1
            session.commit()
        return made

    # -- contact confirmations ------------------------------------------------------------------

    def send_confirmations(self, now: dt.datetime) -> int:
        """Send the link or code that confirms a new address (then forget the secret)."""
        with self._lock, self.sessions() as session:
            pending = [
                (c.id, c.channel, c.address, c.pending_secret, c.designation_id)
                for c in des.pending_confirmations(session)
            ]
            owners = {
                d.id: (d.member_id, d.language, d.anti_phishing_phrase)
                for d in session.scalars(
                    select(LiaisonDesignation).where(
                        LiaisonDesignation.id.in_([p[4] for p in pending])
                    )
                )
            }
            session.rollback()
        sent = 0
        for contact_id, channel_name, address, secret, designation_id in pending:
            owner = owners.get(designation_id)
            channel = self.channels.get(channel_name)
            if owner is None or channel is None or secret is None:
                continue
            member_id, language, phrase = owner
            key = DeliveryKey(f"confirm:{contact_id}", member_id, ChannelKind(channel_name), 0)
            message = confirmation_message(
                key=key,
                to=address,
                secret=secret,
                language=language,
                phrase=phrase,
                link=self._link(f"/liaison/confirm/{secret}"),
            )
            if isinstance(channel, EmailChannel):
                channel.signer = (
                    smime_signer(self.channels.identity, None) if self.channels.identity else None
                )
            result = channel.send(message)
            if result.outcome is Outcome.RETRYABLE:
                continue  # the next sweep tries again
            with self.sessions() as session:
                contact = session.get(LiaisonContact, contact_id)
                if contact is not None and contact.pending_secret == secret:
                    contact.pending_secret = None
                session.commit()
            sent += 1
        return sent


def confirmation_message(
    *, key: DeliveryKey, to: str, secret: str, language: str, phrase: str, link: str
) -> OutgoingMessage:
    if key.channel is ChannelKind.SMS:
        text = (
            f"SLT Hub: code de confirmation {secret}. Phrase: {phrase}"
            if language == "fr"
            else f"SLT Hub: confirmation code {secret}. Phrase: {phrase}"
        )
        return OutgoingMessage(key=key, to=to, subject="", text=text, language=language)
    if language == "fr":
        subject = "SLT Hub : confirmez cette adresse pour les alertes"
        text = (
            f"Votre phrase anti-hameçonnage : {phrase}\n\n"
            f"Pour recevoir les alertes de sécurité à cette adresse, ouvrez ce lien et "
            f"confirmez :\n{link}\n\nSi vous n'avez rien demandé, ignorez ce message.\n"
        )
    else:
        subject = "SLT Hub: confirm this address for alerts"
        text = (
            f"Your anti-phishing phrase: {phrase}\n\n"
            f"To receive security alerts at this address, open this link and confirm:\n"
            f"{link}\n\nIf you did not ask for this, ignore this message.\n"
        )
    return OutgoingMessage(key=key, to=to, subject=subject, text=text, language=language)


# -- the delivery log --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LogEntry:
    id: str
    event_id: str
    kind: str
    liaison_id: str
    organisation_id: str
    channel: str
    step: int
    status: str
    attempts: int
    due_at: dt.datetime
    sent_at: dt.datetime | None
    last_outcome: str | None
    last_error: str | None
    acknowledged_at: dt.datetime | None


def delivery_log(
    session: Session,
    *,
    liaison_id: str | None = None,
    event_id: str | None = None,
    organisation_id: str | None = None,
    limit: int = 200,
) -> list[LogEntry]:
    query = select(AlertDelivery).order_by(AlertDelivery.created_at.desc(), AlertDelivery.step)
    if liaison_id is not None:
        query = query.where(AlertDelivery.liaison_id == liaison_id)
    if event_id is not None:
        query = query.where(AlertDelivery.event_id == event_id)
    if organisation_id is not None:
        query = query.where(AlertDelivery.organisation_id == organisation_id)
    return [
        LogEntry(
            id=r.id,
            event_id=r.event_id,
            kind=r.kind,
            liaison_id=r.liaison_id,
            organisation_id=r.organisation_id,
            channel=r.channel,
            step=r.step,
            status=r.status,
            attempts=r.attempts,
            due_at=r.due_at,
            sent_at=r.sent_at,
            last_outcome=r.last_outcome,
            last_error=r.last_error,
            acknowledged_at=r.acknowledged_at,
        )
        for r in session.scalars(query.limit(limit))
    ]


__all__ = [
    "Channels",
    "Directory",
    "DispatchConfig",
    "Dispatcher",
    "LogEntry",
    "Stats",
    "delivery_log",
    "smime_signer",
]


def apply_sms_status(
    session: Session, *, provider_id: str, outcome: Outcome | None, detail: str, now: dt.datetime
) -> bool:
    """A gateway's status callback for an SMS it had accepted. Idempotent: callbacks repeat and
    arrive out of order. When the gateway says a `sent` SMS failed after all, the delivery goes
    back to the dispatcher with `check_first`: it asks the gateway, which answers the failure,
    and the usual rules follow (retry a transient failure; park, tell the focal point and try
    the other channel otherwise). Returns whether a delivery was changed. Flushes only."""
    row = session.scalar(
        select(AlertDelivery).where(
            AlertDelivery.provider_id == provider_id, AlertDelivery.channel == "sms"
        )
    )
    if row is None or row.status != DeliveryStatus.SENT.value:
        return False  # unknown, or already handled by an earlier callback
    if outcome in (Outcome.PERMANENT, Outcome.RETRYABLE):
        row.status = DeliveryStatus.PENDING.value
        row.check_first = True
        row.due_at = now
        row.last_outcome = outcome.value
        row.last_error = f"gateway callback: {detail}"[:400]
        session.flush()
        return True
    if row.last_error != detail[:400]:
        row.last_error = detail[:400] if outcome is None else None
        session.flush()
    return False
