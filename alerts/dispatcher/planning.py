"""Planning: an outbox event becomes its deliveries (through `policies.alert_plan` /
`level_change_plan` for alerts, to named people for notices) in one transaction with the
event marked planned; deliveries are unique per (event, liaison, channel, step), so no event
is planned into two copies of a delivery. An update or cancel stops the pending escalation
steps of the alerts it supersedes.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session

import policies
from alerts import ack as acks
from alerts import briefings as briefing_notices
from alerts import designations as des
from alerts import invitations, weekly
from alerts.channels.base import ChannelKind, DeliveryKey
from alerts.dispatcher.base import DispatcherBase, Stats, log
from alerts.facts import AlertKind, LevelChangeFacts, MsgType, ReportFacts
from alerts.models import AlertDelivery, AlertEvent, DeliveryStatus
from alerts.outbox import (
    SHARE_KINDS,
    AckNotice,
    ShareNotice,
    TestNotice,
    facts_from_json,
    notice_from_json,
)
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


class Planning(DispatcherBase):
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
        if kind is AlertKind.WEEKLY_REPORT:
            return weekly.plan(session, event, now)

        if kind in briefing_notices.KINDS:
            return briefing_notices.plan(session, event, now)
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
