"""The periodic security report of an area (issue 15): for a period, the header figures of the
area and its sub-areas (hub/periodic/figures.py), its risk and cooperation level over the
period, and the summaries of the reports the reader's own organisation can open — opened with
the member's keys and audited like any opening (`report:open`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

import policies
from hub.actors import Actor
from hub.areas import service as areas
from hub.areas.models import RiskAssessment
from hub.audit import service as audit
from hub.audit.models import AuditAction
from hub.errors import HubError
from hub.organisations.models import Organisation
from hub.periodic.figures import Figures, Period, area_figures, fold_children
from hub.reports import service as reports
from hub.reports.errors import ReportIntegrityError
from hub.reports.models import Report, ReportWrap
from hub.reports.schemas import AlertBody, GuidanceBody, HeaderRead, IncidentBody, SituationBody
from policies import Policy
from policies.areas import as_tree
from policies.vocabulary import Level, Risk

# The readable reports shown; more are a link to the reports page of the area.
READABLE_LIMIT = 20
SUMMARY_CHARS = 240


@dataclass(frozen=True)
class LevelChange:
    at: dt.datetime
    risk: Risk
    level: Level
    no_go: bool
    # The area whose assessment it came from (the area or an ancestor), and why; None when
    # a temporary raise ran out.
    source: str | None
    reason: str | None


@dataclass(frozen=True)
class Readable:
    id: str
    header: HeaderRead
    summary: str


@dataclass(frozen=True)
class PeriodicReport:
    code: str
    name: str
    figures: Figures
    history: list[LevelChange]
    readable: list[Readable]
    readable_total: int
    # Why the summaries are missing (keys not granted yet), or None.
    keys_problem: str | None
    damaged: int


def _fact(row: RiskAssessment) -> policies.Assessment:
    return policies.Assessment(
        area_code=row.area_code,
        risk=row.risk,
        effective_from=row.effective_from,
        expires_at=row.expires_at,
        review_at=row.review_at,
    )


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def level_history(
    session: Session, *, code: str, period: Period, policy: Policy, tree: policies.AreaMap
) -> list[LevelChange]:
    """Where the area stood when the period began, then each change within it (its own
    assessments and its ancestors', raises running out included)."""
    lineage = policies.lineage(code, tree)
    rows = session.scalars(
        select(RiskAssessment).where(RiskAssessment.area_code.in_(list(lineage)))
    ).all()
    index = policies.index_assessments(_fact(r) for r in rows)
    start, end = _midnight(period.start), _midnight(period.end + dt.timedelta(days=1))
    moments: dict[dt.datetime, RiskAssessment | None] = {start: None}
    for assessment in sorted(rows, key=lambda r: (r.effective_from, r.created_at)):
        fact = _fact(assessment)
        if start < fact.effective_from < end:
            moments[fact.effective_from] = assessment
        if fact.expires_at is not None and start < fact.expires_at < end:
            moments.setdefault(fact.expires_at, None)
    out: list[LevelChange] = []
    for at in sorted(moments):
        standing = policies.area_standing(code, tree, index, at, policy).outcome
        if out and (out[-1].risk, out[-1].level) == (standing.risk, standing.level):
            continue
        row: RiskAssessment | None = moments[at]
        if row is None and at == start:
            row = _in_force(rows, at)
        out.append(
            LevelChange(
                at=at,
                risk=standing.risk,
                level=standing.level,
                no_go=standing.no_go,
                source=row.area_code if row is not None else None,
                reason=row.reason if row is not None else None,
            )
        )
    return out


def _in_force(rows: Sequence[RiskAssessment], at: dt.datetime) -> RiskAssessment | None:
    live = [r for r in rows if _fact(r).in_force(at)]
    return max(live, key=lambda r: (r.effective_from, r.created_at)) if live else None


def summary_of(header: HeaderRead, content: object) -> str:
    """The author's alert summary, else the first words of what the body says."""
    text: str | None = header.summary
    if not text:
        if isinstance(content, IncidentBody):
            text = content.what_happened or content.narrative
        elif isinstance(content, SituationBody):
            text = content.narrative or content.outlook
        elif isinstance(content, AlertBody):
            text = content.advice or content.narrative
        elif isinstance(content, GuidanceBody):
            text = content.title or content.measures or content.narrative
    text = " ".join((text or "").split())
    if len(text) > SUMMARY_CHARS:
        text = text[: SUMMARY_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return text


@dataclass(frozen=True)
class _Opened:
    shown: list[Readable]
    total: int
    damaged: int
    # (report id, digest) of each report opened, for the audit.
    opened: list[tuple[str, str]]


def _readable(session: Session, who: reports.Reader, codes: list[str], period: Period) -> _Opened:
    """The newest reports of the period my organisation holds, opened in my session."""
    org_id = who.organisation.id
    given = and_(
        ReportWrap.report_id == Report.id,
        ReportWrap.organisation_id == org_id,
        ReportWrap.removed_at.is_(None),
    )
    where = [
        Report.area_code.in_(codes),
        Report.occurred_on >= period.start,
        Report.occurred_on <= period.end,
        Report.withdrawn_at.is_(None),
    ]
    total = session.scalar(
        select(func.count()).select_from(Report).join(ReportWrap, given).where(*where)
    )
    found = session.scalars(
        select(Report)
        .join(ReportWrap, given)
        .where(*where)
        .order_by(Report.occurred_on.desc(), Report.created_at.desc())
        .limit(READABLE_LIMIT)
    ).all()
    out: list[Readable] = []
    opened_ids: list[tuple[str, str]] = []
    damaged = 0
    for report in found:
        try:
            opened = reports.open_for(session, who, report)
        except ReportIntegrityError:
            damaged += 1  # audited by open_for; the others are still shown
            continue
        originator = session.get(Organisation, report.originator_id)
        assert originator is not None  # noqa: S101 (foreign key)
        try:
            header = reports.header_read(report, org_id, originator)
        except ValueError:
            damaged += 1
            continue
        out.append(Readable(report.id, header, summary_of(header, opened.body.content)))
        opened_ids.append((report.id, report.digest))
    return _Opened(out, total or 0, damaged, opened_ids)


def periodic_report(
    session: Session, *, actor: Actor, policy: Policy, code: str, period: Period, lang: str
) -> PeriodicReport:
    """Approved members only (reader() refuses others before any lookup)."""
    who = reports.reader(actor, need_keys=False)
    area = areas.get_area(session, code)
    tree = areas.policy_areas(session)
    codes = sorted(as_tree(tree).subtree(code))
    lineages = {c: policies.lineage(c, tree) for c in codes}
    figures = area_figures(
        session,
        code=code,
        codes=codes,
        children=fold_children(code, codes, lineages),
        period=period,
        organisation_id=who.organisation.id,
    )
    history = level_history(session, code=code, period=period, policy=policy, tree=tree)
    name = area.display_name(lang)
    keys_problem = None
    found = _Opened([], 0, 0, [])
    try:
        keyed = reports.reader(actor)  # a member whose keys are not granted reads nothing
        keyed.keys(session)
    except HubError as exc:
        keys_problem = exc.message
    else:
        found = _readable(session, keyed, codes, period)
    for report_id, digest in found.opened:
        audit.record_by(
            session,
            action=AuditAction.REPORT_OPEN,
            actor=actor,
            target=report_id,
            details={"organisation": who.organisation.id, "digest": digest, "via": "periodic"},
        )
    session.commit()
    return PeriodicReport(
        code=code,
        name=name,
        figures=figures,
        history=history,
        readable=found.shown,
        readable_total=found.total,
        keys_problem=keys_problem,
        damaged=found.damaged,
    )
