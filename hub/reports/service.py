"""Publishing, listing, opening and withdrawing reports.

Publication is one transaction: validate → recipients (policies) → seal (crypto) → header
columns, envelope and one wrap per recipient → audit entry → outbox event. Opening happens in
the reading member's session: their session key (from the client) opens their member key,
which opens the organisation's keys, which open the report's wrap; the hub alone can open
nothing. Every opening is audited, and so is every integrity failure.

This module keeps the inbox (one page of the reports my organisation holds, walked along
one index range) and the queue check the inbox runs; each other job has its module, and every
name is re-exported here so callers keep `reports.service.X`:
- header.py: the signed header and envelope as stored; readers.py: who is reading;
- publishing.py: `submit_report`; reading.py: opening one report, its attachments;
- choices.py: what the pages offer to choose; retention.py: withdrawal and purge;
- rotation.py: re-sealing after an organisation rotates its keys.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import re
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy import ColumnElement, select, tuple_
from sqlalchemy.orm import Session

import policies
from hub.actors import Actor
from hub.consents.queue import complete_pending, pending_exists
from hub.db import utcnow, writing
from hub.errors import InvalidInput
from hub.i18n import gettext as _
from hub.organisations.models import Organisation
from hub.reports.choices import AREA_CHOICES_LIMIT as AREA_CHOICES_LIMIT
from hub.reports.choices import AreaChoice as AreaChoice
from hub.reports.choices import AreaGroup as AreaGroup
from hub.reports.choices import Partner as Partner
from hub.reports.choices import Recipient as Recipient
from hub.reports.choices import Recipients as Recipients
from hub.reports.choices import area_choices as area_choices
from hub.reports.choices import flash_area_groups as flash_area_groups
from hub.reports.choices import partner_choices as partner_choices
from hub.reports.choices import recipients_of as recipients_of
from hub.reports.choices import report_header as report_header
from hub.reports.context import load_context
from hub.reports.header import HEADER_VERSION as HEADER_VERSION
from hub.reports.header import header_fact as header_fact
from hub.reports.header import hub_keys as hub_keys
from hub.reports.header import public_keys_of as public_keys_of
from hub.reports.header import sealed_of as sealed_of
from hub.reports.header import signed_header as signed_header
from hub.reports.header import signer_keys as signer_keys
from hub.reports.models import Report, ReportWrap
from hub.reports.publishing import Published as Published
from hub.reports.publishing import report_facts as report_facts
from hub.reports.publishing import standing_consent_targets as standing_consent_targets
from hub.reports.publishing import submit_report as submit_report
from hub.reports.readers import Reader as Reader
from hub.reports.readers import active_wrap as active_wrap
from hub.reports.readers import held_by as held_by
from hub.reports.readers import holders as holders
from hub.reports.readers import readable_report as readable_report
from hub.reports.readers import reader as reader
from hub.reports.readers import revoked_from as revoked_from
from hub.reports.reading import AttachmentFile as AttachmentFile
from hub.reports.reading import Opened as Opened
from hub.reports.reading import header_read as header_read
from hub.reports.reading import integrity_failure as integrity_failure
from hub.reports.reading import open_for as open_for
from hub.reports.reading import read_attachment as read_attachment
from hub.reports.reading import read_report as read_report
from hub.reports.reading import reader_lang as reader_lang
from hub.reports.retention import purge_expired as purge_expired
from hub.reports.retention import withdraw_report as withdraw_report
from hub.reports.rotation import rewrap_after_rotation as rewrap_after_rotation
from hub.reports.schemas import ReportSummary
from policies import Policy
from policies.vocabulary import ReportType, Severity

log = logging.getLogger("hub.reports")

LIST_LIMIT = 200


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Inbox:
    """One page of an organisation's reports, newest first. `next_before` is the opaque
    cursor of the page after this one, None when this one is the last."""

    items: list[ReportSummary]
    next_before: str | None


# What a list shows of a report: the header columns, never the envelope, the attestation or
# the audience (a named audience of hundreds of partners is kilobytes per row).
_LIST_COLUMNS = (
    Report.id,
    Report.header_version,
    Report.type,
    Report.stage,
    Report.incident_id,
    Report.supersedes,
    Report.originator_id,
    Report.anonymous,
    Report.show_kind,
    Report.area_code,
    Report.category,
    Report.severity,
    Report.precedence,
    Report.occurred_on,
    Report.reported_at,
    Report.tlp,
    Report.level,
    Report.expires_at,
    Report.summary,
    Report.created_at,
    Report.withdrawn_at,
)
_CURSOR_PREFIX = "i1."


# Most wraps a filtered page examines (see inbox()).
SCAN_LIMIT = 2000


def inbox_cursor(listed_at: dt.datetime, report_id: str) -> str:
    """The opaque `before` cursor that continues a list after this report. It carries the
    report's place in the inbox (time, id) itself, so continuing looks nothing up."""
    micros = int(listed_at.astimezone(dt.UTC).timestamp() * 1_000_000)
    raw = f"{micros}.{report_id}".encode()
    return _CURSOR_PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(text: str) -> tuple[dt.datetime, str] | None:
    if not text.startswith(_CURSOR_PREFIX) or len(text) > 200:
        return None
    body = text[len(_CURSOR_PREFIX) :]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode("ascii")
        micros_text, report_id = raw.split(".", 1)
        micros = int(micros_text)
        at = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=micros)
    except (ValueError, UnicodeDecodeError, OverflowError):
        return None
    if not _PLAUSIBLE_ID.match(report_id):
        return None
    return at, report_id


_PLAUSIBLE_ID = re.compile(r"^[0-9A-Za-z-]{1,64}$")


def valid_before(text: str) -> bool:
    """A cursor from a previous page, or (older clients) the id of the last report of the
    previous page."""
    return _decode_cursor(text) is not None or bool(_PLAUSIBLE_ID.match(text))


def _anchor(session: Session, organisation_id: str, before: str) -> tuple[dt.datetime, str] | None:
    """Where `before` continues from. An id (the older form) is looked up among the caller's
    own wraps only: the id of a report it does not hold answers exactly like a random one
    (the first page), so the list never tells whether such a report exists."""
    decoded = _decode_cursor(before)
    if decoded is not None:
        return decoded
    if not _PLAUSIBLE_ID.match(before):
        raise InvalidInput(
            _("This is not a page of the list: start again from the first page."),
            field="before",
        )
    row = session.execute(
        select(ReportWrap.listed_at).where(ReportWrap.report_id == before, held_by(organisation_id))
    ).first()
    return None if row is None else (row.listed_at, before)


def inbox(
    session: Session,
    *,
    actor: Actor,
    policy: Policy,
    area: str | None = None,
    report_type: ReportType | None = None,
    severity: Severity | None = None,
    since: dt.datetime | None = None,
    before: str | None = None,
    limit: int = 50,
) -> Inbox:
    """Headers of the reports my organisation was given, newest first, one page.

    One index range of report_wraps (organisation, listed_at, report id) from the cursor on,
    each row joined to its report's header columns and its originator by primary key: the
    cost is the page's, not the number of reports the organisation holds (issue 10). The
    filters are checked on the joined rows as the range is walked."""
    who = reader(actor, need_keys=False)
    complete_queue(session, actor=actor)
    org_id = who.organisation.id
    size = max(1, min(limit, LIST_LIMIT))
    in_range: list[ColumnElement[bool]] = [ReportWrap.organisation_id == org_id]
    if since:
        hour = since.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
        # reported_at is created_at to the hour (submit_report), so a report reported in or
        # after `hour` was listed in or after it: the bound on the index keeps the walk short.
        in_range.append(ReportWrap.listed_at >= hour)
    if before:
        anchor = _anchor(session, org_id, before)
        if anchor is not None:
            in_range.append(tuple_(ReportWrap.listed_at, ReportWrap.report_id) < tuple_(*anchor))
    filters: list[ColumnElement[bool]] = []
    if area:
        ctx = load_context(session, policy=policy, at=utcnow(), only=())
        inside = [code for code in ctx.areas if area in policies.lineage(code, ctx.areas)]
        filters.append(Report.area_code.in_(inside or [area]))
    if report_type:
        filters.append(Report.type == report_type.value)
    if severity:
        filters.append(Report.severity == severity.value)
    if since:
        filters.append(Report.reported_at >= hour)
    # A filter that matches few of the organisation's reports would otherwise walk all it
    # holds to fill a page. The walk stops at the SCAN_LIMIT-th wrap of the range (found in
    # the index alone): a page may then hold fewer than `limit` reports (even none) and still
    # have a next page, which continues where this one stopped. Every request examines at
    # most SCAN_LIMIT wraps.
    edge = None
    if filters:
        edge = session.execute(
            select(ReportWrap.listed_at, ReportWrap.report_id)
            .where(*in_range)
            .order_by(ReportWrap.listed_at.desc(), ReportWrap.report_id.desc())
            .offset(SCAN_LIMIT - 1)
            .limit(1)
        ).first()
        if edge is not None:
            in_range.append(tuple_(ReportWrap.listed_at, ReportWrap.report_id) >= tuple_(*edge))
    stmt = (
        select(ReportWrap.listed_at, *_LIST_COLUMNS, Organisation.name, Organisation.kind)
        .select_from(ReportWrap)
        .join(Report, Report.id == ReportWrap.report_id)
        .join(Organisation, Organisation.id == Report.originator_id)
        .where(*in_range, *filters)
        .where(held_by(org_id))
        .order_by(ReportWrap.listed_at.desc(), ReportWrap.report_id.desc())
        # One more than the page: whether there is a next page, without an empty last one.
        .limit(size + 1)
    )
    out = []
    last: tuple[dt.datetime, str] | None = None
    rows = session.execute(stmt).all()
    more = len(rows) > size
    for row in rows[:size]:
        last = (row.listed_at, row.id)
        report = Report(**{col.key: getattr(row, col.key) for col in _LIST_COLUMNS})
        originator = Organisation(id=row.originator_id, name=row.name, kind=row.kind)
        try:
            out.append(ReportSummary(id=row.id, header=header_read(report, org_id, originator)))
        except (ValueError, ValidationError):
            # A header column edited in the database: listed nowhere, and opening it says
            # why (an integrity error).
            log.warning("report %s has a header that is not a known code", row.id)
    if not more and edge is not None:
        # The page is not full because the walk stopped at the edge: continue from there.
        more, last = True, (edge.listed_at, edge.report_id)
    session.commit()
    return Inbox(items=out, next_before=inbox_cursor(*last) if more and last else None)


def list_reports(
    session: Session,
    *,
    actor: Actor,
    policy: Policy,
    area: str | None = None,
    report_type: ReportType | None = None,
    severity: Severity | None = None,
    since: dt.datetime | None = None,
    before: str | None = None,
    limit: int = 50,
) -> list[ReportSummary]:
    """The items of `inbox`, for callers that only page by the last id."""
    return inbox(
        session,
        actor=actor,
        policy=policy,
        area=area,
        report_type=report_type,
        severity=severity,
        since=since,
        before=before,
        limit=limit,
    ).items


# --- withdrawal and retention ---------------------------------------------------------------


def complete_queue(session: Session, *, actor: Actor) -> int:
    """Make the wraps of approved shares waiting for a holder, if this member can.

    A cheap look in the caller's (read) transaction first; only when it finds work does the
    sealing run, in a short write transaction of its own, committed here: a list never
    holds SQLite's write lock for its reading (issue 10)."""
    if not pending_exists(session, actor=actor):
        return 0
    session.commit()
    with writing():
        done = complete_pending(session, actor=actor)
        session.commit()
    return done
