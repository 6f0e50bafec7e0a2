"""Preparing a claimed delivery: the alert facts it carries (header facts only, never a
body), rendered for its person in their language with their anti-phishing phrase, as an email
(threaded onto the alert it updates) or an SMS. A delivery that cannot be rendered is not
dropped: it carries the problem, and sending parks it visibly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts import ack as acks
from alerts import briefings as briefing_notices
from alerts import designations as des
from alerts import invitations, weekly
from alerts.channels.base import ChannelKind, DeliveryKey, OutgoingMessage
from alerts.dispatcher.base import DispatcherBase, log
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
from alerts.models import AlertDelivery, AlertEvent, DeliveryStatus
from alerts.outbox import (
    AckNotice,
    DigestFacts,
    ShareNotice,
    TestNotice,
    WeeklyNotice,
    facts_from_json,
    notice_from_json,
)
from alerts.render import email_message, render_alert, sms_message


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


class Messages(DispatcherBase):
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
            if row.kind in briefing_notices.KIND_VALUES:
                self._prepare_briefing(item, event, row, person)
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

    def _prepare_briefing(
        self, item: _Prepared, event: AlertEvent, row: AlertDelivery, person: des.Reach | None
    ) -> None:
        """A briefing invitation (with its calendar), reminder or series notice: to the
        person's confirmed address, else their account's (a focal point need not be a
        liaison to be invited)."""
        try:
            item.message = briefing_notices.message(
                event,
                row,
                key=item.key,
                person=person,
                base_url=self.config.base_url,
                secret=self.config.ack_secret,
            )
        except Exception as exc:  # facts or a designation out of bounds: visible, parked
            log.exception("cannot render delivery %s", row.id)
            item.problem = f"cannot render: {type(exc).__name__}: {exc}"[:300]
            return
        if person is not None and row.channel == "email" and person.designation.smime_certificate:
            item.certificate = person.designation.smime_certificate.encode()

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
        if isinstance(notice, WeeklyNotice):
            return weekly.alert_facts(event, self._link)
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
