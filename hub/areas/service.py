"""Areas, presence and risk: the hub side of the policy engine.

Entry points take the session first and commit once; the policy engine (pure) decides, this
module loads the facts it decides from and stores what follows. Every risk change is
audited and writes a level-change alert event in the same transaction.

This module keeps listing areas, importing them and organisations' presence. The facts the
engine reads are areas/facts.py, risk changes and their jobs areas/risk.py; their names are
re-exported here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

import policies
from hub.actors import Actor, Permission
from hub.areas.facts import _assessment_fact
from hub.areas.facts import _assessments as _assessments
from hub.areas.facts import area_code_for as area_code_for
from hub.areas.facts import area_names as area_names
from hub.areas.facts import area_standing as area_standing
from hub.areas.facts import current_levels as current_levels
from hub.areas.facts import get_area as get_area
from hub.areas.facts import policy_areas as policy_areas
from hub.areas.facts import policy_organisations as policy_organisations
from hub.areas.importing import NEXT_KIND, ImportProblem, Parsed
from hub.areas.models import (
    Area,
    AreaKind,
    OrganisationPresence,
    RiskAssessment,
    RiskChange,
    RiskChangeStatus,
)
from hub.areas.risk import SCHEDULER as SCHEDULER
from hub.areas.risk import Lapse as Lapse
from hub.areas.risk import PartnerPresent as PartnerPresent
from hub.areas.risk import confirm_risk_change as confirm_risk_change
from hub.areas.risk import expire_risks as expire_risks
from hub.areas.risk import partners_present as partners_present
from hub.areas.risk import refuse_risk_change as refuse_risk_change
from hub.areas.risk import review_reminders as review_reminders
from hub.areas.risk import set_risk as set_risk
from hub.areas.schemas import (
    AreaDetail,
    AreaRead,
    AssessmentRead,
    ImportResult,
    PresenceRead,
    RiskChangeRead,
)
from hub.audit import service as audit
from hub.audit.models import AuditAction
from hub.errors import Forbidden, HubError, InvalidInput, NotFound
from hub.i18n import gettext as _
from hub.members.models import Role
from hub.organisations.models import Organisation
from policies import Policy


class ImportRejected(HubError):
    """An area file with problems: nothing was imported; every problem is listed."""

    status = 422
    code = "import-rejected"

    def __init__(self, problems: Sequence[ImportProblem]) -> None:
        lines = [str(p) for p in problems]
        super().__init__(
            _("Nothing was imported: %(count)d problem(s) in the file.") % {"count": len(lines)},
            errors=[{"field": p.where, "message": p.message} for p in problems],
        )
        self.problems = list(problems)


# --- reading ---------------------------------------------------------------------------------


def list_areas(session: Session, *, at: dt.datetime, policy: Policy) -> list[AreaRead]:
    areas = policy_areas(session)
    assessments = _assessments(session)
    out = []
    for area in session.scalars(select(Area).order_by(Area.code)):
        standing = policies.area_standing(area.code, areas, assessments, at, policy).outcome
        out.append(
            AreaRead(
                code=area.code,
                name=area.name,
                parent=area.parent_code,
                kind=area.kind,
                risk=standing.risk,
                level=standing.level,
                no_go=standing.no_go,
            )
        )
    return out


def area_detail(
    session: Session, code: str, *, at: dt.datetime, policy: Policy, lang: str = "fr"
) -> AreaDetail:
    area = get_area(session, code)
    tree = policy_areas(session)
    decision = area_standing(session, code, at=at, policy=policy, areas=tree)
    standing = decision.outcome
    # The assessment the effective risk comes from: this area's, else the nearest ancestor's.
    source_row: RiskAssessment | None = None
    for ancestor in policies.lineage(code, tree):
        rows = session.scalars(
            select(RiskAssessment)
            .where(RiskAssessment.area_code == ancestor)
            .order_by(RiskAssessment.effective_from.desc())
        ).all()
        in_force = [r for r in rows if _assessment_fact(r).in_force(at)]
        if in_force:
            source_row = max(
                in_force, key=lambda r: (r.effective_from, policies.vocabulary.risk_rank(r.risk))
            )
            break
    history = session.scalars(
        select(RiskAssessment)
        .where(RiskAssessment.area_code == code)
        .order_by(RiskAssessment.effective_from.desc(), RiskAssessment.created_at.desc())
    ).all()
    pending = session.scalars(
        select(RiskChange)
        .where(
            RiskChange.area_code == code,
            RiskChange.status == RiskChangeStatus.AWAITING_CONFIRMATION,
        )
        .order_by(RiskChange.proposed_at)
    ).all()
    children = session.scalars(
        select(Area.code).where(Area.parent_code == code).order_by(Area.code)
    ).all()
    return AreaDetail(
        code=area.code,
        name=area.display_name(lang),
        name_fr=area.name_fr,
        name_en=area.name_en,
        parent=area.parent_code,
        kind=area.kind,
        risk=standing.risk,
        level=standing.level,
        no_go=standing.no_go,
        risk_source=source_row.area_code if source_row else None,
        effective_from=source_row.effective_from if source_row else None,
        expires_at=source_row.expires_at if source_row else None,
        review_at=source_row.review_at if source_row else None,
        explanation=list(policies.explain_lines(decision, "en" if lang == "en" else "fr")),
        history=[AssessmentRead.model_validate(r) for r in history],
        pending=[RiskChangeRead.model_validate(c) for c in pending],
        children=list(children),
    )


# --- importing -------------------------------------------------------------------------------


def _cycle_problems(
    parents: dict[str, str | None], rows_by_code: dict[str, str]
) -> list[ImportProblem]:
    problems: list[ImportProblem] = []
    for start in rows_by_code:
        seen: list[str] = []
        code: str | None = start
        while code is not None:
            if code in seen:
                loop = " → ".join([*seen[seen.index(code) :], code])
                problems.append(ImportProblem(rows_by_code[start], f"parent cycle: {loop}"))
                break
            seen.append(code)
            code = parents.get(code)
    return problems


def import_areas(
    session: Session, *, actor: Actor, parsed: Parsed, dataset: str | None = None
) -> ImportResult:
    """All or nothing: any problem in the file (or against the areas already known)
    rejects the whole file, listing every problem with its line or feature."""
    actor.require(Permission.AREA_IMPORT)
    problems = list(parsed.problems)
    existing = {
        code: parent for code, parent in session.execute(select(Area.code, Area.parent_code))
    }
    existing_kinds = {code: kind for code, kind in session.execute(select(Area.code, Area.kind))}
    where: dict[str, str] = {}
    for row in parsed.rows:
        if row.code in where:
            problems.append(
                ImportProblem(row.where, f"duplicate code {row.code} (also {where[row.code]})")
            )
        else:
            where[row.code] = row.where
    merged: dict[str, str | None] = {**existing, **{r.code: r.parent for r in parsed.rows}}
    for row in parsed.rows:
        if row.parent is not None and row.parent not in merged:
            problems.append(
                ImportProblem(
                    row.where, f"unknown parent {row.parent} (not in the file nor the hub)"
                )
            )
    if not problems:
        problems += _cycle_problems(merged, where)
    if not parsed.rows and not problems:
        problems.append(ImportProblem("file", "no areas in the file"))
    if problems:
        raise ImportRejected(problems)

    # Kinds left out of the file follow the parent: one administrative level below it.
    kinds: dict[str, AreaKind] = dict(existing_kinds)
    by_code = {r.code: r for r in parsed.rows}

    def kind_of(code: str) -> AreaKind:
        if code in by_code and by_code[code].kind is not None:
            return by_code[code].kind  # type: ignore[return-value]
        if code not in by_code and code in kinds:
            return kinds[code]
        parent = merged.get(code)
        return AreaKind.COUNTRY if parent is None else NEXT_KIND[kind_of(parent)]

    # Insert parents before children so foreign keys hold at every flush.
    def depth(code: str) -> int:
        n, parent = 0, merged.get(code)
        while parent is not None:
            n, parent = n + 1, merged.get(parent)
        return n

    created = updated = 0
    for row in sorted(parsed.rows, key=lambda r: depth(r.code)):
        area = session.get(Area, row.code)
        if area is None:
            area = Area(code=row.code)
            session.add(area)
            created += 1
        else:
            updated += 1
        area.name = row.name
        area.name_fr = row.name_fr
        area.name_en = row.name_en
        area.parent_code = row.parent
        area.kind = kind_of(row.code)
        area.dataset = dataset
        area.covers = row.covers
        if row.geometry is not None:
            area.geometry = row.geometry
        session.flush()
    audit.record_by(
        session,
        action=AuditAction.AREA_IMPORT,
        actor=actor,
        details={"created": created, "updated": updated, "dataset": dataset},
    )
    session.commit()
    return ImportResult(created=created, updated=updated)


# --- presence ------------------------------------------------------------------------------------


def get_presence(session: Session, organisation_id: str) -> PresenceRead:
    codes = session.scalars(
        select(OrganisationPresence.area_code)
        .where(OrganisationPresence.organisation_id == organisation_id)
        .order_by(OrganisationPresence.area_code)
    ).all()
    return PresenceRead(organisation_id=organisation_id, areas=list(codes))


def set_presence(
    session: Session, *, actor: Actor, organisation_id: str, areas: Sequence[str]
) -> PresenceRead:
    """Replace the areas an organisation works in. Its own focal points keep it (and
    coordinators, who see the whole picture)."""
    actor.require(Permission.PRESENCE_SET)
    if session.get(Organisation, organisation_id) is None:
        raise NotFound(_("There is no such organisation."))
    if (
        actor.member is not None
        and actor.member.organisation_id != organisation_id
        and not actor.member.has_role(Role.COORDINATOR)
    ):
        raise Forbidden(_("Only the organisation's own focal points keep its presence."))
    wanted = sorted(set(areas))
    known = set(session.scalars(select(Area.code).where(Area.code.in_(wanted))))
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise InvalidInput(
            _("Unknown area code(s): %(codes)s.") % {"codes": ", ".join(unknown)}, field="areas"
        )
    session.execute(
        delete(OrganisationPresence).where(OrganisationPresence.organisation_id == organisation_id)
    )
    for code in wanted:
        session.add(
            OrganisationPresence(
                organisation_id=organisation_id, area_code=code, added_by_id=actor.id
            )
        )
    session.flush()
    audit.record_by(
        session,
        action=AuditAction.PRESENCE_SET,
        actor=actor,
        target=f"organisation:{organisation_id}",
        details={"areas": wanted},
    )
    session.commit()
    return get_presence(session, organisation_id)
