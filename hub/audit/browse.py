"""The audit log as the operator's page reads it: newest first, filtered, one page at a time.

A page costs what a page costs, whatever the chain holds (a million entries stay fast):
- it walks one index range from its cursor, never OFFSET over the table: the entries of an
  actor are a range of (actor, seq), those of an action a range of (action, seq), otherwise
  the chain's own order (seq); a date range becomes a range of seq through the index on `at`
  (entries are appended in time order, under the head's lock);
- a filter that no index drives (an organisation, an area, or an action next to an actor) is
  checked on the rows as the range is walked, and the walk stops at the SCAN_LIMIT-th entry of
  the range: a page may then show fewer entries (even none) and still offer the next one,
  which continues where this one stopped — as the inbox does (hub.reports.service.inbox).

Rows carry what a person needs — time, who (by name), what (in words), on what — and never
an entry's details: those may hold a login's client address, a risk change's reason or a
report's digest, and the page has no need of them. Each row's hash is recomputed on the way
(hub.audit.service.recomputes), so an edited entry on the page shows as broken at once; the
whole chain's order is the full verification's (hub.audit.service.verify).
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from hub.actors import Actor, Permission
from hub.areas.service import area_code_for
from hub.audit.models import AuditAction, AuditEntry
from hub.audit.service import (
    LastVerification,
    hub_public,
    last_verification,
    recomputes,
    verify_and_keep,
)
from hub.consents.models import ShareRequest
from hub.i18n import gettext as _
from hub.members.models import Member
from hub.organisations.models import Organisation
from hub.reports.models import Report

PAGE_SIZE = 50
# Most entries one page examines when a filter is checked row by row.
SCAN_LIMIT = 5000
_CURSOR_PREFIX = "a1."


def cursor_for(seq: int) -> str:
    raw = str(seq).encode()
    return _CURSOR_PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str) -> int | None:
    if not text.startswith(_CURSOR_PREFIX) or len(text) > 40:
        return None
    body = text[len(_CURSOR_PREFIX) :]
    try:
        seq = int(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode("ascii"))
    except (ValueError, UnicodeDecodeError):
        return None
    return seq if 0 < seq < 2**62 else None


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""
    actor: str = ""
    organisation: str = ""
    area: str = ""
    since: dt.date | None = None
    until: dt.date | None = None

    @property
    def any(self) -> bool:
        return bool(
            self.action or self.actor or self.organisation or self.area or self.since or self.until
        )


@dataclass(frozen=True)
class Target:
    kind: str  # "organisation", "member", "area", "report", "share-request", "alert", "other"
    name: str
    code: str | None = None  # an area's code, shown small beside its name


@dataclass(frozen=True)
class AuditRow:
    seq: int
    at: dt.datetime
    actor: str
    action: str
    target: Target | None
    # False when the stored hash is not the hash of the stored fields: edited in the database.
    intact: bool


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    next_cursor: str | None
    # The walk stopped at SCAN_LIMIT entries before filling the page: older ones may match.
    stopped_early: bool
    errors: dict[str, str]


def _actor_label(session: Session, text: str) -> str:
    """The `actor` an entry stores for what a person typed: an address as it is (lowercased),
    a member's name as their address, anything else ("console", "scheduler") as typed."""
    text = text.strip()
    if "@" in text:
        return text.lower()
    emails = session.scalars(select(Member.email).where(Member.display_name == text).limit(2)).all()
    return emails[0] if len(emails) == 1 else text


def _organisation(session: Session, text: str) -> Organisation | None:
    text = text.strip()
    found = session.scalars(
        select(Organisation).where(or_(Organisation.name == text, Organisation.id == text))
    ).first()
    if found is None:
        wanted = text.casefold()
        for org in session.scalars(select(Organisation)):
            if org.name.casefold() == wanted:
                return org
    return found


def _seq_bound(
    session: Session, *, at_or_after: dt.datetime | None = None, before: dt.datetime | None = None
) -> int | None:
    stmt = select(AuditEntry.seq)
    if at_or_after is not None:
        stmt = stmt.where(AuditEntry.at >= at_or_after).order_by(AuditEntry.at.asc())
    else:
        stmt = stmt.where(AuditEntry.at < before).order_by(AuditEntry.at.desc())
    return session.scalars(stmt.limit(1)).first()


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def browse(
    session: Session,
    *,
    actor: Actor,
    filters: AuditFilters,
    cursor: str = "",
    limit: int = PAGE_SIZE,
) -> AuditPage:
    actor.require(Permission.OPERATE)
    errors: dict[str, str] = {}
    empty = AuditPage(rows=[], next_cursor=None, stopped_early=False, errors=errors)
    in_range: list[ColumnElement[bool]] = []
    extra: list[ColumnElement[bool]] = []
    exact: list[ColumnElement[bool]] = []

    if cursor:
        seq = decode_cursor(cursor)
        if seq is None:
            errors["cursor"] = _("This is not a page of the log: start again from the newest.")
        else:
            in_range.append(AuditEntry.seq < seq)
    if filters.since and filters.until and filters.until < filters.since:
        errors["until"] = _("The end of the period comes before its start.")
        return empty
    if filters.since:
        lo = _seq_bound(session, at_or_after=_midnight(filters.since))
        if lo is None:
            return empty
        in_range.append(AuditEntry.seq >= lo)
        exact.append(AuditEntry.at >= _midnight(filters.since))
    if filters.until:
        end = _midnight(filters.until + dt.timedelta(days=1))
        hi = _seq_bound(session, before=end)
        if hi is None:
            return empty
        in_range.append(AuditEntry.seq <= hi)
        exact.append(AuditEntry.at < end)

    action = filters.action
    if action and action not in {a.value for a in AuditAction}:
        errors["action"] = _("This value is not one of the allowed choices.")
        action = ""
    if filters.actor.strip():
        in_range.append(AuditEntry.actor == _actor_label(session, filters.actor))
        if action:
            extra.append(AuditEntry.action == action)
    elif action:
        in_range.append(AuditEntry.action == action)
    if filters.organisation.strip():
        org = _organisation(session, filters.organisation)
        if org is None:
            errors["organisation"] = _("There is no organisation by that name.")
        else:
            members = list(
                session.scalars(select(Member.id).where(Member.organisation_id == org.id))
            )
            about = [org.id, f"organisation:{org.id}", *members]
            about += [f"liaison:{m}" for m in members]
            extra.append(or_(AuditEntry.actor_id.in_(members), AuditEntry.target.in_(about)))
    if filters.area.strip():
        code = area_code_for(session, filters.area)
        if code is None:
            errors["area"] = _("There is no area with the code %(code)s.") % {
                "code": filters.area.strip()[:32]
            }
        else:
            extra.append(AuditEntry.target.startswith(f"area:{code}", autoescape=True))

    size = max(1, min(limit, 200))
    edge = None
    if extra:
        edge = session.execute(
            select(AuditEntry.seq)
            .where(*in_range)
            .order_by(AuditEntry.seq.desc())
            .offset(SCAN_LIMIT - 1)
            .limit(1)
        ).scalar()
        if edge is not None:
            in_range.append(AuditEntry.seq >= edge)
    rows = session.execute(
        select(
            AuditEntry.seq,
            AuditEntry.at,
            AuditEntry.actor_id,
            AuditEntry.actor,
            AuditEntry.action,
            AuditEntry.target,
            AuditEntry.details,
            AuditEntry.prev_hash,
            AuditEntry.hash,
        )
        .where(*in_range, *extra, *exact)
        .order_by(AuditEntry.seq.desc())
        .limit(size + 1)
    ).all()
    more = len(rows) > size
    rows = rows[:size]
    last = rows[-1].seq if rows else None
    stopped_early = False
    if not more and edge is not None:
        more, last, stopped_early = True, edge, True
    if more and last == 1:
        more = False
    names = _names(session, rows)
    targets = _targets(session, [r.target for r in rows])
    return AuditPage(
        rows=[
            AuditRow(
                seq=r.seq,
                at=r.at,
                actor=names.get(r.actor_id or "", r.actor),
                action=r.action,
                target=targets.get(r.target) if r.target else None,
                intact=recomputes(r),
            )
            for r in rows
        ],
        next_cursor=cursor_for(last) if more and last else None,
        stopped_early=stopped_early,
        errors=errors,
    )


def _names(session: Session, rows: Sequence[Any]) -> dict[str, str]:
    ids = {r.actor_id for r in rows if r.actor_id}
    if not ids:
        return {}
    found = session.execute(select(Member.id, Member.display_name).where(Member.id.in_(ids)))
    return {member_id: name for member_id, name in found}


_PREFIXES = ("organisation:", "liaison:", "area:", "alert:")


def _targets(session: Session, raw: list[str | None]) -> dict[str, Target]:
    """Each target as words: an organisation or a member by name, an area by name and code, a
    report, a share request; anything else by the kind its prefix names and a short id."""
    ids: set[str] = set()
    for value in raw:
        if not value:
            continue
        ids.add(value.split(":", 1)[1] if value.startswith(_PREFIXES) else value)
    orgs = dict(
        session.execute(
            select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))
        ).all()
    )
    members = dict(
        session.execute(select(Member.id, Member.display_name).where(Member.id.in_(ids))).all()
    )
    reports = set(session.scalars(select(Report.id).where(Report.id.in_(ids))))
    requests = set(session.scalars(select(ShareRequest.id).where(ShareRequest.id.in_(ids))))
    out: dict[str, Target] = {}
    for value in raw:
        if not value or value in out:
            continue
        prefix, _sep, rest = (
            value.partition(":") if value.startswith(_PREFIXES) else ("", "", value)
        )
        if prefix == "area":
            out[value] = Target("area", rest, code=rest)
        elif prefix == "alert":
            out[value] = Target("alert", rest[:8])
        elif rest in orgs:
            out[value] = Target("organisation", orgs[rest])
        elif rest in members:
            out[value] = Target("member", members[rest])
        elif rest in reports:
            out[value] = Target("report", rest[:8])
        elif rest in requests:
            out[value] = Target("share-request", rest[:8])
        else:
            out[value] = Target("other", rest[:8] if len(rest) > 12 else rest)
    return out


@dataclass(frozen=True)
class OperatorView:
    page: AuditPage
    last: LastVerification | None


def operator_view(
    session: Session, *, actor: Actor, filters: AuditFilters, cursor: str = ""
) -> OperatorView:
    """One page of the log and the chain's last full verification (not run here: at a million
    entries a walk takes seconds; the button, the hourly job and the command line run it)."""
    page = browse(session, actor=actor, filters=filters, cursor=cursor)
    return OperatorView(page=page, last=last_verification(session, hub_public=hub_public(session)))


def verify_now(session: Session, *, actor: Actor) -> LastVerification:
    """Walk the whole chain now (the operator's button) and keep the result. Commits."""
    actor.require(Permission.OPERATE)
    _result, row = verify_and_keep(session, hub_public=hub_public(session), by=actor.label)
    return LastVerification(row, genuine=True)
