"""Publishing a report, in one transaction: validate -> recipients (policies, the originator's
standing consents) -> seal (crypto) -> header columns, envelope and one wrap per recipient ->
audit entry -> outbox event. A retried publication (same idempotency key) returns the first.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import policies
from alerts.facts import AlertKind, MsgType, ReportFacts
from alerts.outbox import enqueue
from crypto import (
    OrganisationKeys,
    ReportKey,
    attest_report,
    report_digest,
    seal_report,
    verify_report_signature,
)
from hub.actors import Actor, Permission
from hub.audit import service as audit
from hub.audit.models import AuditAction
from hub.consents.rules import has_standing_consents, rule_facts
from hub.db import utcnow
from hub.errors import Forbidden, InvalidInput
from hub.i18n import gettext as _
from hub.members.models import Member
from hub.organisations.models import Organisation
from hub.reports import attachments as files
from hub.reports import counting
from hub.reports.context import PolicyContext, area_name, load_context, standing
from hub.reports.header import HEADER_VERSION, header_fact, hub_keys, public_keys_of, signed_header
from hub.reports.models import Attachment, Report, ReportWrap, new_id
from hub.reports.readers import holders, reader
from hub.reports.reading import reader_lang
from hub.reports.schemas import BODY_SCHEMA_VERSION, ReportCreate, SealedBody
from policies import Policy
from policies.vocabulary import AudienceScope, Level, OrganisationKind


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
    # Which report stands for its incident in the figures (hub/reports/counting.py): a new
    # incident (a flash) or any other type counts at once; a later stage is decided below,
    # under the incident's lock.
    incident = counting.incident_key(session, report_id=report.id, incident_id=report.incident_id)
    report.incident_key = incident
    follows = report.type == counting.INCIDENT and incident != report.id
    report.counts = not follows
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
        if follows:
            # Before the audit entry: the incident's lock comes before the audit head's.
            counting.lock_incident(session, incident)
            counting.elect(session, incident)
        for s in stored:
            session.add(Attachment(id=s.ref.id, report_id=report.id, sealed_size=s.sealed_size))
        audit.record_by(
            session,
            action=AuditAction.REPORT_PUBLISH,
            actor=actor,
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
