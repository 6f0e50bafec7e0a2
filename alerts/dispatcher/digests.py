"""Digests: a liaison's held (routine) alerts gathered into one delivery, at the local
hour of their designation's time zone.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from alerts import designations as des
from alerts.dispatcher.base import DispatcherBase
from alerts.facts import AlertKind
from alerts.models import AlertDelivery, AlertEvent, DeliveryStatus
from alerts.outbox import DigestFacts, enqueue_notice


def _local_hour(now: dt.datetime, person: des.Reach | None) -> int:
    zone = person.designation.timezone if person is not None else "UTC"
    try:
        return now.astimezone(ZoneInfo(zone)).hour
    except (ZoneInfoNotFoundError, ValueError):
        # Checked when the designation was saved; a zone gone from the system's tz data
        # falls back to UTC rather than holding the digest forever.
        return now.astimezone(dt.UTC).hour


class Digests(DispatcherBase):
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
