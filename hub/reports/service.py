"""Publishing, listing, opening and withdrawing reports.

Publication is one transaction: validate → recipients (policies) → seal (crypto) → header
columns, envelope and one wrap per recipient → audit entry → outbox event. Opening happens in
the reading member's session: their session key (from the client) opens their member key,
which opens the organisation's keys, which open the report's wrap; the hub alone can open
nothing. Every opening is audited, and so is every integrity failure.

The signed header (hub/reports/header.py) and who is reading (hub/reports/readers.py) have
their own modules; their names are re-exported here so callers keep `reports.service.X`.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import logging
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import ColumnElement, insert, or_, select, text, tuple_
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import policies
from alerts.facts import AlertKind, MsgType, ReportFacts
from alerts.outbox import enqueue
from crypto import (
    BadSignature,
    CryptoError,
    OrganisationKeys,
    OrganisationPublicKeys,
    ReportKey,
    attest_report,
    open_report,
    report_digest,
    reseal_for,
    seal_report,
    unwrap_report_key,
    verify_report_signature,
)
from hub.actors import CONSOLE, Actor, Permission
from hub.areas.models import Area, AreaKind, OrganisationPresence
from hub.areas.service import policy_areas
from hub.audit import service as audit
from hub.audit.models import AuditAction
from hub.consents.queue import complete_pending, pending_exists
from hub.consents.rules import close_requests_for, has_standing_consents, rule_facts
from hub.db import utcnow, writing
from hub.errors import Forbidden, InvalidInput
from hub.i18n import gettext as _
from hub.members.models import Member
from hub.organisations.models import Organisation, OrganisationStatus
from hub.reports import attachments as files
from hub.reports.context import PolicyContext, area_name, load_context, standing
from hub.reports.errors import (
    ReportIntegrityError,
    report_not_found,
)
from hub.reports.header import HEADER_VERSION as HEADER_VERSION
from hub.reports.header import header_fact as header_fact
from hub.reports.header import hub_keys as hub_keys
from hub.reports.header import public_keys_of as public_keys_of
from hub.reports.header import sealed_of as sealed_of
from hub.reports.header import signed_header as signed_header
from hub.reports.header import signer_keys as signer_keys
from hub.reports.models import Attachment, Report, ReportWrap, SignerKeys, new_id
from hub.reports.readers import Reader as Reader
from hub.reports.readers import active_wrap as active_wrap
from hub.reports.readers import holders as holders
from hub.reports.readers import readable_report as readable_report
from hub.reports.readers import reader as reader
from hub.reports.readers import revoked_from as revoked_from
from hub.reports.schemas import (
    BODY_SCHEMA_VERSION,
    HeaderRead,
    OriginatorRead,
    ReportCreate,
    ReportRead,
    ReportSummary,
    SealedBody,
)
from policies import Policy
from policies.vocabulary import (
    DEFAULT_PRECEDENCE,
    AudienceScope,
    Level,
    OrganisationKind,
    ReportType,
    Severity,
)

log = logging.getLogger("hub.reports")

LIST_LIMIT = 200


# --- the audience ---------------------------------------------------------------------------


def _audience_text(report_in: ReportCreate) -> str:
    audience = report_in.audience
    if audience is None:
        return json.dumps({"default": True})
    if audience.organisations is not None:
        return json.dumps({"organisations": sorted(set(audience.organisations))})
    return json.dumps({"scope": str(audience.scope)})


def _audience_fact(report_in: ReportCreate) -> policies.Audience | None:
    audience = report_in.audience
    if audience is None:
        return None
    if audience.organisations is not None:
        return policies.Audience.named(*audience.organisations)
    assert audience.scope is not None  # noqa: S101 (AudienceIn guarantees one form)
    return policies.Audience.of_scope(AudienceScope(audience.scope))


# --- publication -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Published:
    report: Report
    recipients: list[str]
    level: Level
    created: bool
    # Named organisations the report could not be sealed to (unknown, not approved, or
    # without keys yet), so that the author knows whom to tell another way.
    not_reached: list[str] = dataclasses.field(default_factory=list)


def _existing(session: Session, member: Member, key: str) -> Published | None:
    report = session.scalar(
        select(Report).where(Report.created_by_id == member.id, Report.idempotency_key == key)
    )
    if report is None:
        return None
    return Published(
        report=report,
        recipients=sorted(holders(session, report.id)),
        level=Level(report.level),
        created=False,
    )


def standing_consent_targets(
    session: Session, ctx: PolicyContext, header: policies.ReportHeader, level: Level
) -> dict[str, str]:
    """Organisations an originator's standing consents let its new report reach, each with
    the rule that allows it."""
    out: dict[str, str] = {}
    # The engine decides onward sharing for a holder; at publication the holder is the hub
    # acting for the originator, so it asks as a holder that is not the originator.
    probe = policies.Organisation(
        id="publication",
        kind=OrganisationKind.OTHER,
        status=policies.vocabulary.OrganisationStatus.APPROVED,
    )
    for rule_id, facts in rule_facts(session, ctx, originator=header.originator, level=level):
        for fact in facts:
            if fact.target in out or fact.target == header.originator:
                continue
            # Without its presence, a target is never "in the area's community", so a
            # TLP:GREEN report is decided by the rule, not by the community shortcut.
            target = dataclasses.replace(ctx.organisation(fact.target), areas=frozenset())
            decision = policies.may_share(
                probe,
                target,
                header,
                frozenset({probe.id}),
                (),
                (fact,),
                ctx.policy,
                areas=ctx.areas,
                at=ctx.at,
            )
            if decision.outcome and any(
                r.code is policies.ReasonCode.STANDING_CONSENT for r in decision.reasons
            ):
                out[fact.target] = rule_id
    return out


def submit_report(
    session: Session,
    *,
    actor: Actor,
    report_in: ReportCreate,
    policy: Policy,
    data_dir: Path,
    idempotency_key: str | None = None,
    now: dt.datetime | None = None,
    by_sms: bool = False,
) -> Published:
    """`by_sms`: a flash report from a registered phone (hub/reports/sms.py). No session
    holds the organisation's keys, so the hub seals it with public keys only, signs it with a
    key made for this report alone and attests it: every reader checks the hub's
    attestation, and is told it came by SMS."""
    who = reader(actor, need_keys=not by_sms)
    actor.require(Permission.REPORT_PUBLISH)
    if idempotency_key is not None:
        if not 1 <= len(idempotency_key) <= 200:
            raise InvalidInput(_("An Idempotency-Key is 1 to 200 characters."))
        earlier = _existing(session, who.member, idempotency_key)
        if earlier is not None:
            return earlier
    now = now or utcnow()
    organisation = who.organisation
    _check_links(session, report_in, organisation.id)
    named = report_in.audience.organisations if report_in.audience else None
    rules = has_standing_consents(session, organisation.id)
    if named is not None and not rules:
        # Named organisations only: their presence does not matter, their keys do.
        ctx = load_context(
            session, policy=policy, at=now, only={*named, organisation.id}, presence=False
        )
    else:
        ctx = load_context(session, policy=policy, at=now)
    if report_in.area not in ctx.areas:
        raise InvalidInput(
            _("There is no area with the code %(code)s.") % {"code": report_in.area},
            field="area",
        )
    level = standing(session, ctx, report_in.area).level
    may = policies.may_publish(ctx.organisation(organisation.id), report_in.type, level, policy)
    if not may.outcome:
        raise Forbidden(policies.explain(may, reader_lang()))
    coarse_area = policies.header_area(report_in.area, ctx.areas, level, policy).outcome
    if by_sms:
        if organisation.public_keys is None:
            raise Forbidden(_("Your organisation has no keys yet: it cannot publish."))
        # Signs this one envelope and is then forgotten: the hub's attestation vouches.
        org_keys = OrganisationKeys.generate()
        originator_public = public_keys_of(organisation.public_keys)
    else:
        org_keys = who.keys(session)
        if organisation.public_keys != org_keys.public.to_bytes():
            raise Forbidden(_("Your copy of the organisation's keys is not the current one."))
        originator_public = org_keys.public

    report = Report(
        id=new_id(),
        header_version=HEADER_VERSION,
        type=report_in.type.value,
        stage=report_in.stage.value if report_in.stage else None,
        incident_id=report_in.incident_id,
        supersedes=report_in.supersedes,
        originator_id=organisation.id,
        signer_key_version=organisation.key_version,
        anonymous=report_in.anonymous,
        show_kind=report_in.show_kind and report_in.anonymous,
        area_code=coarse_area,
        category=report_in.category.value if report_in.category else None,
        severity=report_in.severity.value,
        precedence=report_in.precedence.value if report_in.precedence else None,
        # DOMAIN.md: the header keeps the day it occurred and the hour it was reported.
        occurred_on=report_in.occurred_at.astimezone(dt.UTC).date(),
        reported_at=now.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0),
        tlp=(report_in.tlp or policy.at(level).default_tlp).value,
        audience=_audience_text(report_in),
        level=level.value,
        expires_at=(
            report_in.expires_at.astimezone(dt.UTC).replace(microsecond=0)
            if report_in.expires_at
            else None
        ),
        summary=report_in.summary,
        body_schema=f"{report_in.type.value}/{BODY_SCHEMA_VERSION}",
        created_by_id=who.member.id,
        idempotency_key=idempotency_key,
        created_at=now,
    )
    header_facts = header_fact(report)
    decision = policies.resolve_recipients(
        header_facts,
        _audience_fact(report_in),
        ctx.organisations,
        level,
        policy,
        areas=ctx.areas,
    )
    granted: dict[str, str] = {org_id: "publication" for org_id in decision.outcome}
    targets = standing_consent_targets(session, ctx, header_facts, level) if rules else {}
    for org_id, rule_id in targets.items():
        granted.setdefault(org_id, f"standing_consent:{rule_id}")
    if ctx.public_keys and all(org_id in ctx.public_keys for org_id in granted):
        blobs = {org_id: ctx.public_keys[org_id] for org_id in granted}
    else:
        blobs = {
            org_id: blob
            for org_id, blob in session.execute(
                select(Organisation.id, Organisation.public_keys).where(
                    Organisation.id.in_(granted)
                )
            )
        }
    publics = {org_id: public_keys_of(blob) for org_id, blob in blobs.items() if blob is not None}
    # An approved organisation with no member yet has no keys: nothing can be sealed to it.
    # It can be given the report later, by consent, once it has keys.
    granted = {org_id: why for org_id, why in granted.items() if org_id in publics}
    publics[organisation.id] = originator_public

    key = ReportKey.generate()
    stored = files.seal_attachments(
        report_in.attachments, key=key, report_id=report.id, data_dir=data_dir
    )
    try:
        body = SealedBody(
            schema=report.body_schema,
            occurred_at=report_in.occurred_at,
            precise_area=report_in.area if report_in.area != coarse_area else None,
            content=report_in.body,
            attachments=[s.ref for s in stored],
        )
        header = signed_header(report)
        sealed = seal_report(
            header,
            body.model_dump_json(by_alias=True).encode(),
            signer=org_keys,
            recipients={org_id: publics[org_id] for org_id in granted},
            key=key,
        )
        report.envelope = sealed.without_wraps().to_bytes()
        report.digest = report_digest(sealed, header).hex()
        if by_sms:
            report.received_by = "sms"
            report.attestation = attest_report(hub_keys(session), sealed, header)
        elif report.anonymous:
            # Recipients must not learn the originator, so they cannot check its signature:
            # the hub checks it now and vouches that an approved partner signed.
            verify_report_signature(sealed, header, org_keys.public)
            report.attestation = attest_report(hub_keys(session), sealed, header)
        # Core statements on the session's connection: the unit of work's bookkeeping for
        # one wide row, and for 200 wraps, cost more than the statements (bench.reports).
        # `report` stays a plain transient object; nothing in this transaction reads it back.
        connection = session.connection()
        connection.execute(
            _INSERT_REPORT, {attr.key: getattr(report, attr.key) for attr in _COLUMNS}
        )
        connection.execute(
            insert(ReportWrap),
            [
                {
                    "report_id": report.id,
                    "organisation_id": org_id,
                    "wrap": sealed.wraps[org_id],
                    "granted_by": why.split(":")[0],
                    "granted_by_member_id": who.member.id,
                    "added_at": now,
                    "listed_at": report.created_at,
                }
                for org_id, why in sorted(granted.items())
            ],
        )
        for s in stored:
            session.add(Attachment(id=s.ref.id, report_id=report.id, sealed_size=s.sealed_size))
        audit.record(
            session,
            action=AuditAction.REPORT_PUBLISH,
            actor=actor.label,
            actor_id=actor.id,
            target=report.id,
            details={
                "digest": report.digest,
                "level": report.level,
                "tlp": report.tlp,
                "recipients": {org_id: why for org_id, why in sorted(granted.items())},
                "anonymous": report.anonymous,
                "attachments": len(stored),
                **({"received_by": "sms"} if by_sms else {}),
            },
        )
        _announce(session, report, recipients=sorted(granted))
        session.commit()
    except IntegrityError:
        session.rollback()
        files.remove_report_blobs(data_dir, report.id)
        if idempotency_key is not None:
            # Two copies of one retried submission raced: the other one won.
            earlier = _existing(session, who.member, idempotency_key)
            if earlier is not None:
                return earlier
        raise
    except BaseException:
        files.remove_report_blobs(data_dir, report.id)
        raise
    named_ids = set(named or ())
    return Published(
        report=report,
        recipients=sorted(granted),
        level=level,
        created=True,
        not_reached=sorted(named_ids - set(granted)),
    )


_COLUMNS = sa_inspect(Report).column_attrs
# Built once: a statement with its values given at execution is compiled once and reused.
_INSERT_REPORT = insert(Report)


def _check_links(session: Session, report_in: ReportCreate, originator_id: str) -> None:
    """Updates and final reports follow the originator's own earlier reports."""
    for field in ("incident_id", "supersedes"):
        ref = getattr(report_in, field)
        if ref is None:
            continue
        earlier = session.get(Report, ref)
        if earlier is None or earlier.originator_id != originator_id:
            raise InvalidInput(
                _("This must be the id of an earlier report of your organisation."), field=field
            )


def report_facts(session: Session, report: Report) -> ReportFacts:
    """The header facts an alert about `report` may repeat."""
    return ReportFacts(
        report_id=report.id,
        report_type=report.type,
        area_code=report.area_code,
        area_name=area_name(session, report.area_code)[:80],
        severity=report.severity,
        tlp=report.tlp,
        occurred_on=report.occurred_on,
        reported_at=report.reported_at,
        category=report.category,
        stage=report.stage,
        summary=report.summary,
        precedence=report.precedence,
    )


def _announce(session: Session, report: Report, *, recipients: list[str]) -> None:
    """The outbox event, in the publication's transaction: header facts only."""
    facts = report_facts(session, report)
    supersedes = f"report:{report.supersedes}" if report.supersedes else None
    enqueue(
        session,
        kind=AlertKind.REPORT_PUBLISHED,
        source=f"report:{report.id}",
        version=1,
        facts=facts,
        organisations=recipients,
        areas=[report.area_code],
        msg_type=MsgType.UPDATE if report.supersedes else MsgType.ALERT,
        supersedes=supersedes,
    )


# --- reading ---------------------------------------------------------------------------------


def reader_lang() -> policies.vocabulary.Lang:
    from hub.i18n import current_locale

    return "fr" if current_locale.get() == "fr" else "en"


def header_read(report: Report, reader_org_id: str, originator: Organisation) -> HeaderRead:
    """Raises ValueError if a column holds something that is not a known code."""
    fact = header_fact(report)
    hidden = report.anonymous and reader_org_id != report.originator_id
    return HeaderRead(
        type=fact.type,
        stage=fact.stage,
        incident_id=report.incident_id,
        supersedes=report.supersedes,
        originator=OriginatorRead(
            id=None if hidden else originator.id,
            name=_("a partner organisation") if hidden else originator.name,
            kind=(OrganisationKind(originator.kind) if not hidden or report.show_kind else None),
            anonymous=report.anonymous,
        ),
        area=report.area_code,
        category=fact.category,
        severity=fact.severity,
        precedence=fact.precedence or DEFAULT_PRECEDENCE[fact.severity],
        occurred_on=report.occurred_on,
        reported_at=report.reported_at,
        tlp=fact.tlp,
        level=Level(report.level),
        expires_at=report.expires_at,
        summary=report.summary,
        status="withdrawn" if report.withdrawn else "published",
    )


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
        select(ReportWrap.listed_at).where(
            ReportWrap.report_id == before,
            ReportWrap.organisation_id == organisation_id,
            or_(ReportWrap.removed_reason.is_(None), ReportWrap.removed_reason != "revoked"),
        )
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
        .where(or_(ReportWrap.removed_reason.is_(None), ReportWrap.removed_reason != "revoked"))
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


def integrity_failure(
    session: Session, *, actor: Actor, report: Report, exc: Exception
) -> ReportIntegrityError:
    session.rollback()
    audit.record(
        session,
        action=AuditAction.REPORT_INTEGRITY_FAILED,
        actor=actor.label,
        actor_id=actor.id,
        target=report.id,
        details={"error": type(exc).__name__},
    )
    session.commit()
    if isinstance(exc, BadSignature):
        return ReportIntegrityError(
            _(
                "This report was changed since the originator signed it (header, body or "
                "signature). It is not shown; tell the operator."
            ),
            signature="invalid",
        )
    return ReportIntegrityError(
        _(
            "This report's stored data is damaged or was altered, so it cannot be opened. "
            "Tell the operator."
        ),
        signature="unchecked",
    )


@dataclass(frozen=True)
class Opened:
    report: Report
    body: SealedBody
    key: ReportKey | None
    verified_by: str


def open_for(session: Session, who: Reader, report: Report) -> Opened:
    """Decrypt and verify in `who`'s session. Raises ReportIntegrityError on any damage."""
    wrap = active_wrap(session, report.id, who.organisation.id)
    if wrap is None or wrap.wrap is None:
        raise report_not_found()
    org_keys = who.keys(session)
    try:
        header = signed_header(report)
        header_fact(report)
        sealed = sealed_of(report, {who.organisation.id: wrap.wrap})
        verified_by = "originator"
        sms = report.received_by == "sms"
        if sms or (report.anonymous and who.organisation.id != report.originator_id):
            if report.attestation is None:
                raise BadSignature("no attestation")
            plaintext = open_report(
                sealed,
                header,
                recipient_id=who.organisation.id,
                recipient=org_keys,
                attestation=report.attestation,
                hub_public=hub_keys(session).public_bytes(),
            )
            verified_by = "hub_sms" if sms else "hub_attestation"
        else:
            plaintext = open_report(
                sealed,
                header,
                recipient_id=who.organisation.id,
                recipient=org_keys,
                signer=signer_keys(session, report),
            )
        body = SealedBody.model_validate_json(plaintext)
        # The data key itself only serves the attachments (open_report already used it).
        key = (
            unwrap_report_key(sealed, recipient_id=who.organisation.id, recipient=org_keys)
            if body.attachments
            else None
        )
    except (CryptoError, ValueError, ValidationError) as exc:
        raise integrity_failure(session, actor=who.actor, report=report, exc=exc) from exc
    return Opened(report=report, body=body, key=key, verified_by=verified_by)


def read_report(session: Session, *, actor: Actor, report_id: str) -> ReportRead:
    # The pending-reseal queue is worked on listing (what a member does first), not here:
    # opening one report stays one report's work.
    who = reader(actor)
    report = readable_report(session, who, report_id)
    opened = open_for(session, who, report)
    originator = session.get(Organisation, report.originator_id)
    assert originator is not None  # noqa: S101 (foreign key)
    result = ReportRead(
        id=report.id,
        header=header_read(report, who.organisation.id, originator),
        body=opened.body.content,
        occurred_at=opened.body.occurred_at,
        precise_area=opened.body.precise_area,
        attachments=opened.body.attachments,
        signature="valid",
        verified_by=opened.verified_by,  # type: ignore[arg-type]
    )
    audit.record(
        session,
        action=AuditAction.REPORT_OPEN,
        actor=actor.label,
        actor_id=actor.id,
        target=report.id,
        details={"organisation": who.organisation.id, "digest": report.digest},
    )
    session.commit()
    return result


@dataclass(frozen=True)
class AttachmentFile:
    filename: str
    content_type: str
    data: bytes


def read_attachment(
    session: Session, *, actor: Actor, report_id: str, attachment_id: str, data_dir: Path
) -> AttachmentFile:
    who = reader(actor)
    report = readable_report(session, who, report_id)
    opened = open_for(session, who, report)
    ref = next((a for a in opened.body.attachments if a.id == attachment_id), None)
    if ref is None:
        raise report_not_found()
    assert opened.key is not None  # noqa: S101 (the body names attachments, so it was unwrapped)
    data = files.open_attachment(data_dir, report_id=report.id, ref=ref, key=opened.key)
    audit.record(
        session,
        action=AuditAction.REPORT_OPEN,
        actor=actor.label,
        actor_id=actor.id,
        target=report.id,
        details={"organisation": who.organisation.id, "attachment": ref.id},
    )
    session.commit()
    return AttachmentFile(filename=ref.filename, content_type=ref.content_type, data=data)


# --- what the pages need besides the report -------------------------------------------------


def report_header(session: Session, *, actor: Actor, report_id: str) -> ReportSummary:
    """One report's header, without opening the body (what a confirmation page shows)."""
    who = reader(actor, need_keys=False)
    report = readable_report(session, who, report_id)
    originator = session.get(Organisation, report.originator_id)
    assert originator is not None  # noqa: S101 (foreign key)
    try:
        header = header_read(report, who.organisation.id, originator)
    except (ValueError, ValidationError) as exc:
        raise integrity_failure(session, actor=actor, report=report, exc=exc) from exc
    return ReportSummary(id=report.id, header=header)


@dataclass(frozen=True)
class Recipient:
    organisation_id: str
    name: str
    # publication | standing_consent | consent | green | clear (ReportWrap.granted_by)
    granted_by: str
    added_at: dt.datetime
    originator: bool


@dataclass(frozen=True)
class Recipients:
    current: list[Recipient]
    revoked: list[Recipient]
    # Names of organisations the author named that were never sealed to (unknown, not
    # approved, or without keys at publication): to be told another way.
    not_reached: list[str]


def _named_audience(report: Report) -> list[str]:
    try:
        audience = json.loads(report.audience)
        named = audience.get("organisations") or []
    except (ValueError, AttributeError):
        # An edited column: reading the report says so; here it names nobody.
        return []
    return [str(org_id) for org_id in named]


def recipients_of(session: Session, *, actor: Actor, report_id: str) -> Recipients:
    """Who holds the report now, for its originator: the organisations it may revoke."""
    who = reader(actor, need_keys=False)
    report = readable_report(session, who, report_id)
    if report.originator_id != who.organisation.id:
        raise Forbidden(_("Only the organisation that published a report can see its recipients."))
    rows = session.execute(
        select(ReportWrap, Organisation.name)
        .join(Organisation, Organisation.id == ReportWrap.organisation_id)
        .where(ReportWrap.report_id == report.id)
        .order_by(Organisation.name)
    ).all()
    current, revoked = [], []
    for wrap, name in rows:
        recipient = Recipient(
            organisation_id=wrap.organisation_id,
            name=name,
            granted_by=wrap.granted_by,
            added_at=wrap.added_at,
            originator=wrap.organisation_id == report.originator_id,
        )
        if wrap.removed_at is None:
            current.append(recipient)
        elif wrap.removed_reason == "revoked":
            revoked.append(recipient)
    sealed_to = {wrap.organisation_id for wrap, _name in rows}
    missing = [org_id for org_id in _named_audience(report) if org_id not in sealed_to]
    names = dict(
        session.execute(
            select(Organisation.id, Organisation.name).where(Organisation.id.in_(missing))
        ).all()
    )
    return Recipients(
        current=current,
        revoked=revoked,
        not_reached=sorted(names.get(org_id, org_id) for org_id in missing),
    )


@dataclass(frozen=True)
class Partner:
    id: str
    name: str
    kind: OrganisationKind
    # Without keys (no member yet) nothing can be sealed to it: it would not be reached.
    has_keys: bool


def partner_choices(session: Session, *, actor: Actor) -> list[Partner]:
    """The approved organisations other than mine, by name: whom a report may name or be
    passed on to. Names and kinds of partners are no secret among members."""
    who = reader(actor, need_keys=False)
    rows = session.execute(
        select(
            Organisation.id,
            Organisation.name,
            Organisation.kind,
            Organisation.public_keys.is_not(None),
        )
        .where(Organisation.status == OrganisationStatus.APPROVED)
        .where(Organisation.id != who.organisation.id)
        .order_by(Organisation.name)
    ).all()
    return [
        Partner(id=org_id, name=name, kind=OrganisationKind(kind), has_keys=bool(keys))
        for org_id, name, kind, keys in rows
    ]


@dataclass(frozen=True)
class AreaChoice:
    code: str
    name: str


AREA_CHOICES_LIMIT = 300


def area_choices(session: Session, *, actor: Actor) -> list[AreaChoice]:
    """Suggestions for the area of a new report: where my organisation is present and every
    area inside those, in the reader's language. Capped, since a page on a 2G connection
    cannot carry a whole country's P-codes; any other code can still be typed."""
    who = reader(actor, need_keys=False)
    present = set(
        session.scalars(
            select(OrganisationPresence.area_code).where(
                OrganisationPresence.organisation_id == who.organisation.id
            )
        )
    )
    if not present:
        return []
    tree = policy_areas(session)
    codes = sorted(code for code in tree if present.intersection(policies.lineage(code, tree)))[
        :AREA_CHOICES_LIMIT
    ]
    french = reader_lang() == "fr"
    rows = session.execute(
        select(Area.code, Area.name, Area.name_fr, Area.name_en).where(Area.code.in_(codes))
    ).all()
    names = {
        code: (name_fr if french else name_en) or name for code, name, name_fr, name_en in rows
    }
    return [AreaChoice(code=code, name=names.get(code, code)) for code in codes]


@dataclass(frozen=True)
class AreaGroup:
    """Areas of one province (admin1) for the flash form's grouped select."""

    name: str
    areas: tuple[AreaChoice, ...]


def _folded(text: str) -> str:
    # "Kalehe" is found by "kaléhé" and the reverse: accents and case do not count.
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def flash_area_groups(session: Session, *, actor: Actor, query: str = "") -> list[AreaGroup]:
    """My areas of presence and the areas inside them, by name, grouped by province (the
    admin1 above them; an area above province level is a group of its own). `query`
    narrows them to names or codes containing it: the search box of a form without
    JavaScript."""
    choices = area_choices(session, actor=actor)
    if not choices:
        return []
    wanted = _folded(query.strip())
    tree = policy_areas(session)
    lineages = {c.code: policies.lineage(c.code, tree) for c in choices}
    every = {code for lineage in lineages.values() for code in lineage}
    french = reader_lang() == "fr"
    kinds: dict[str, str] = {}
    names: dict[str, str] = {}
    for code, kind, name, name_fr, name_en in session.execute(
        select(Area.code, Area.kind, Area.name, Area.name_fr, Area.name_en).where(
            Area.code.in_(every)
        )
    ):
        kinds[code] = kind
        names[code] = (name_fr if french else name_en) or name
    provinces: dict[str, list[AreaChoice]] = {}
    for choice in choices:
        if wanted and wanted not in _folded(choice.name) and wanted not in _folded(choice.code):
            continue
        province = next(
            (code for code in lineages[choice.code] if kinds.get(code) == AreaKind.ADMIN1),
            choice.code,
        )
        provinces.setdefault(province, []).append(choice)
    groups = [
        AreaGroup(
            name=names.get(code, code),
            areas=tuple(sorted(found, key=lambda c: (c.code != code, _folded(c.name)))),
        )
        for code, found in provinces.items()
    ]
    return sorted(groups, key=lambda g: _folded(g.name))


# --- withdrawal and retention ---------------------------------------------------------------


def _shred(
    session: Session, report: Report, *, reason: str, now: dt.datetime, data_dir: Path
) -> int:
    """Crypto-shredding: every wrap and the ciphertext go; the header stays as a tombstone."""
    if session.get_bind().dialect.name == "sqlite":
        # Overwrite freed pages instead of leaving the old bytes in the file.
        session.execute(text("PRAGMA secure_delete = ON"))
    wraps = list(session.scalars(select(ReportWrap).where(ReportWrap.report_id == report.id)))
    for wrap in wraps:
        wrap.wrap = None
        if wrap.removed_at is None:
            wrap.removed_at = now
            wrap.removed_reason = "withdrawn"
    report.envelope = None
    report.attestation = None
    report.withdrawn_at = now
    report.withdrawn_reason = reason
    for attachment in session.scalars(select(Attachment).where(Attachment.report_id == report.id)):
        attachment.removed_at = now
    close_requests_for(session, report.id)
    session.flush()
    files.remove_report_blobs(data_dir, report.id)
    return len(wraps)


def withdraw_report(
    session: Session,
    *,
    actor: Actor,
    report_id: str,
    data_dir: Path,
    now: dt.datetime | None = None,
) -> None:
    who = reader(actor, need_keys=False)
    report = session.get(Report, report_id)
    if report is None or active_wrap(session, report_id, who.organisation.id) is None:
        raise report_not_found()
    if report.originator_id != who.organisation.id:
        raise Forbidden(_("Only the organisation that published a report can withdraw it."))
    actor.require(Permission.REPORT_SHARE)
    if report.withdrawn:
        return
    now = now or utcnow()
    recipients = sorted(holders(session, report.id))
    count = _shred(session, report, reason="withdrawn", now=now, data_dir=data_dir)
    # Liaisons alerted of the report hear it was withdrawn; pending escalations stop.
    enqueue(
        session,
        kind=AlertKind.REPORT_PUBLISHED,
        source=f"report:{report.id}",
        version=2,
        facts=report_facts(session, report),
        organisations=recipients,
        areas=[report.area_code],
        msg_type=MsgType.CANCEL,
        supersedes=f"report:{report.id}",
    )
    audit.record(
        session,
        action=AuditAction.REPORT_WITHDRAW,
        actor=actor.label,
        actor_id=actor.id,
        target=report.id,
        details={"wraps_destroyed": count, "digest": report.digest},
    )
    session.commit()


def purge_expired(
    session: Session, *, now: dt.datetime, policy: Policy, data_dir: Path, actor: Actor = CONSOLE
) -> list[str]:
    """Shred every report older than its type's retention at the level it was published
    under (the policy file). The scheduler runs it; `now` is an argument for the tests."""
    purged = []
    candidates = session.scalars(
        select(Report).where(Report.withdrawn_at.is_(None)).order_by(Report.created_at)
    )
    for report in list(candidates):
        try:
            keep = policy.at(Level(report.level)).retention[ReportType(report.type)]
        except (ValueError, KeyError):
            continue
        if report.created_at + keep > now:
            continue
        _shred(session, report, reason="retention", now=now, data_dir=data_dir)
        audit.record(
            session,
            action=AuditAction.REPORT_PURGE,
            actor=actor.label,
            actor_id=actor.id,
            target=report.id,
            details={"retention_days": keep.days, "digest": report.digest},
        )
        purged.append(report.id)
    session.commit()
    return purged


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


def rewrap_after_rotation(
    session: Session,
    *,
    organisation_id: str,
    old_keys: OrganisationKeys,
    old_version: int,
    new_public: OrganisationPublicKeys,
) -> int:
    """After an organisation rotates its keys, re-seal each report key it holds to its new
    public key with its old secret keys, in the rotation's own transaction
    (`hub.organisations.service.rotate_keys` holds both). Flushes; returns how many.

    The old public keys are kept by version first: the reports they signed must still
    verify once the organisation's row holds the new ones.

    A wrap that does not open with the old keys (damaged) is left as it is: it did not open
    before either."""
    if session.get(SignerKeys, (organisation_id, old_version)) is None:
        session.add(
            SignerKeys(
                organisation_id=organisation_id,
                key_version=old_version,
                public_keys=old_keys.public.to_bytes(),
            )
        )
    rows = session.execute(
        select(ReportWrap, Report)
        .join(Report, Report.id == ReportWrap.report_id)
        .where(ReportWrap.organisation_id == organisation_id)
        .where(ReportWrap.removed_at.is_(None))
        .where(ReportWrap.wrap.is_not(None))
        .where(Report.withdrawn_at.is_(None))
    ).all()
    done = 0
    for wrap, report in rows:
        if wrap.wrap is None:
            continue
        try:
            wrap.wrap = reseal_for(
                sealed_of(report, {organisation_id: wrap.wrap}),
                signed_header(report),
                holder_id=organisation_id,
                holder=old_keys,
                new_public=new_public,
            )
        except CryptoError:
            log.warning("report %s: the wrap of %s does not open", report.id, organisation_id)
            continue
        done += 1
    session.flush()
    return done
