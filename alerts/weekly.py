"""The weekly periodic security report by email: planned and turned into alert facts by the
dispatcher. The hub computes the figures from headers and enqueues one event per liaison and
designated area (hub/periodic/weekly.py); this module only routes and words it.

Guarantees: it goes to the liaison who asked for it, by email only (a weekly summary is not
worth an SMS), through the usual delivery rows — retries, the delivery log, and a parked row
the focal point sees when the liaison has no usable address. It carries counts only: the
`PeriodicFacts` of alerts/facts.py have no field for a report, an originator or a summary.
Its link opens the hub's page of the same area and period, where a login is needed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy.orm import Session

from alerts.facts import AlertFacts, AlertKind
from alerts.models import AlertEvent
from alerts.outbox import WeeklyNotice, notice_from_json, plan_one_email


def notice_of(event: AlertEvent) -> WeeklyNotice:
    notice = notice_from_json(event.facts)
    if not isinstance(notice, WeeklyNotice):
        raise ValueError(f"event {event.id} does not carry a weekly report")
    return notice


def plan(session: Session, event: AlertEvent, now: dt.datetime) -> int:
    """One email delivery to the liaison, due now."""
    return plan_one_email(
        session, event, recipient=notice_of(event).member, kind=AlertKind.WEEKLY_REPORT, now=now
    )


def report_path(notice: WeeklyNotice) -> str:
    report = notice.report
    return (
        f"/areas/{report.area_code}/report"
        f"?from={report.start.isoformat()}&to={report.end.isoformat()}"
    )


def alert_facts(event: AlertEvent, link: Callable[[str], str]) -> AlertFacts:
    notice = notice_of(event)
    return AlertFacts(
        kind=AlertKind.WEEKLY_REPORT,
        event_id=event.id,
        link=link(report_path(notice)),
        periodic=notice.report,
    )
