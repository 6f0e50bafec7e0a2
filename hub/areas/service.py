"""Areas, presence and risk: the hub side of the policy engine.

Entry points take the session first and commit once; the policy engine (pure) decides, this
module loads the facts it decides from and stores what follows. Every risk change is
audited and writes a level-change alert event in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, select
from sqlalchemy.orm import Session

import policies
from alerts import outbox
from alerts.facts import AlertKind, LevelChangeFacts
from hub.actors import Actor, Permission
from hub.areas.importing import NEXT_KIND, ImportProblem, Parsed
from hub.areas.models import (
    Area,
    AreaKind,
    OrganisationPresence,
    RiskAssessment,
    RiskChange,
    RiskChangeStatus,
)
from hub.areas.schemas import (
    AreaDetail,
    AreaRead,
    AssessmentRead,
    ImportResult,
    PresenceRead,
    RiskApplied,
    RiskChangeRead,
    RiskPending,
)
from hub.audit import service as audit
from hub.audit.models import AuditAction
from hub.briefings import levels as briefing_levels
from hub.errors import Conflict, Forbidden, HubError, InvalidInput, NotFound
from hub.i18n import gettext as _
from hub.members.models import Role
from hub.organisations.models import Organisation, OrganisationStatus
from policies import Policy
from policies.vocabulary import Level, Risk

SCHEDULER = "scheduler"


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


# --- loading facts for the engine ----------------------------------------------------------


def get_area(session: Session, code: str) -> Area:
    area = session.get(Area, code)
    if area is None:
        raise NotFound(_("There is no area with the code %(code)s.") % {"code": code})
    return area


# Publication, listing and alert planning read the area tree on every request, but it
# changes only when areas are imported. With a country's full P-code tree (5,130 areas)
# rebuilding it cost 8–47 ms a request on SQLite. A stamp of the table — row count, latest
# update, first and last code: four index look-ups, 0.3 ms — tells whether the tree built
# last time still holds. The stamp is read in the caller's
# transaction, so a tree built from uncommitted rows cannot outlive them: after a rollback
# the committed stamp differs. AreaTree is immutable, so threads share it safely. An edit
# made by hand in SQL that bumps none of the four is not seen until the process restarts.
_TREES: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_TREES_LOCK = threading.Lock()
_TREES_KEPT = 24  # a tree and two name tables per database a process serves, with room


def _database_key(session: Session) -> str:
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    return engine.url.render_as_string(hide_password=True)


def _table_stamp(session: Session) -> tuple[str, tuple[Any, ...]]:
    """What changes whenever the areas table does: the cache key of what is built from it."""
    # Four scalar subqueries, not one SELECT of four aggregates: each alone is answered from
    # an index (or the table's row count); together SQLite would scan every row.
    stamp = tuple(
        session.execute(
            select(
                select(func.count()).select_from(Area).scalar_subquery(),
                select(func.max(Area.updated_at)).scalar_subquery(),
                select(func.min(Area.code)).scalar_subquery(),
                select(func.max(Area.code)).scalar_subquery(),
            )
        ).one()
    )
    return (_database_key(session), stamp)


def _cached(key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
    with _TREES_LOCK:
        value = _TREES.get(key)
        if value is not None:
            _TREES.move_to_end(key)
            return value
    value = build()
    with _TREES_LOCK:
        _TREES[key] = value
        while len(_TREES) > _TREES_KEPT:
            _TREES.popitem(last=False)
    return value


def policy_areas(session: Session) -> policies.AreaMap:
    def build() -> policies.AreaMap:
        rows = session.execute(select(Area.code, Area.parent_code)).all()
        return policies.area_map(policies.Area(code, parent) for code, parent in rows)

    tree: policies.AreaMap = _cached(("tree", *_table_stamp(session)), build)
    return tree


def area_names(session: Session, lang: str) -> dict[str, str]:
    """Every area's name in `lang` (its own name where it has no translation), by code: pages
    show an area by its name with the code small, as people think of places by name."""

    def build() -> dict[str, str]:
        rows = session.execute(select(Area.code, Area.name, Area.name_fr, Area.name_en)).all()
        return {
            code: (name_fr if lang == "fr" else name_en) or name
            for code, name, name_fr, name_en in rows
        }

    names: dict[str, str] = _cached(("names", lang, *_table_stamp(session)), build)
    return names


def area_code_for(session: Session, text: str) -> str | None:
    """The code of the area a person typed, by its code or by its name in any language
    (case and accents as typed are forgiven only for the case)."""
    wanted = text.strip().casefold()
    if not wanted:
        return None
    for lang in ("fr", "en"):
        for code, name in area_names(session, lang).items():
            if wanted in (code.casefold(), name.casefold()):
                return code
    return None


def _assessment_fact(row: RiskAssessment) -> policies.Assessment:
    return policies.Assessment(
        area_code=row.area_code,
        risk=row.risk,
        effective_from=row.effective_from,
        expires_at=row.expires_at,
        review_at=row.review_at,
    )


def _assessments(
    session: Session, codes: Iterable[str] | None = None
) -> dict[str, tuple[policies.Assessment, ...]]:
    query = select(RiskAssessment)
    if codes is not None:
        query = query.where(RiskAssessment.area_code.in_(list(codes)))
    return policies.index_assessments(_assessment_fact(r) for r in session.scalars(query))


def area_standing(
    session: Session,
    code: str,
    *,
    at: dt.datetime,
    policy: Policy,
    areas: policies.AreaMap | None = None,
) -> policies.Decision[policies.Standing]:
    """`areas`: the area tree when the caller loaded it already in this transaction."""
    if areas is None:
        areas = policy_areas(session)
    lineage = policies.lineage(code, areas)
    return policies.area_standing(code, areas, _assessments(session, lineage), at, policy)


def current_levels(
    session: Session, codes: Iterable[str], *, at: dt.datetime, policy: Policy
) -> dict[str, Level]:
    """The cooperation level in force now in each of `codes` (pages show it beside an area a
    report names: the level the report was published under may have changed since)."""
    wanted = set(codes)
    if not wanted:
        return {}
    tree = policy_areas(session)
    lineages = {code: policies.lineage(code, tree) for code in wanted}
    assessments = _assessments(session, {a for line in lineages.values() for a in line})
    return {
        code: policies.area_standing(code, tree, assessments, at, policy).outcome.level
        for code in wanted
    }


def policy_organisations(session: Session) -> tuple[policies.Organisation, ...]:
    presence: dict[str, set[str]] = {}
    for org_id, code in session.execute(
        select(OrganisationPresence.organisation_id, OrganisationPresence.area_code)
    ):
        presence.setdefault(org_id, set()).add(code)
    return tuple(
        policies.Organisation(
            id=org.id,
            kind=org.kind,
            status=org.status,
            areas=frozenset(presence.get(org.id, ())),
        )
        for org in session.scalars(select(Organisation).order_by(Organisation.id))
    )


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
    audit.record(
        session,
        action=AuditAction.AREA_IMPORT,
        actor=actor.label,
        actor_id=actor.id,
        details={"created": created, "updated": updated, "dataset": dataset},
    )
    session.commit()
    return ImportResult(created=created, updated=updated)


# --- risk --------------------------------------------------------------------------------------


def _require_coordinator(actor: Actor) -> None:
    actor.require(Permission.AREA_SET_RISK)
    if actor.member is None:
        # Four eyes counts people: a risk change must name the coordinator who makes it.
        raise Forbidden(_("Name the coordinator making this change (--by EMAIL)."))
    if not actor.member.has_role(Role.COORDINATOR):
        raise Forbidden(_("Only coordinators set the risk of an area."))


def _affected_areas(session: Session, code: str, at: dt.datetime) -> list[str]:
    """Whose liaisons hear of a change on `code`: the area, its ancestors, and the areas
    below it that inherit its risk (none of their own in force)."""
    areas = policy_areas(session)
    codes = list(policies.lineage(code, areas))
    children: dict[str, list[str]] = {}
    for area in areas.values():
        if area.parent is not None:
            children.setdefault(area.parent, []).append(area.code)
    own = {c for c, rows in _assessments(session).items() if any(a.in_force(at) for a in rows)}
    stack = list(children.get(code, ()))
    while stack:
        child = stack.pop()
        if child in own:
            continue
        codes.append(child)
        stack.extend(children.get(child, ()))
    return codes


def _announce(
    session: Session,
    *,
    area: Area,
    source: str,
    before: policies.Standing,
    after: policies.Standing,
    at: dt.datetime,
    policy: Policy,
) -> None:
    if before.risk == after.risk:
        return
    # The briefing series the new level calls for (or the end of the old one's).
    briefing_levels.level_changed(
        session,
        area_code=area.code,
        before=before.level,
        after=after.level,
        source=source,
        at=at,
        policy=policy,
    )
    facts = LevelChangeFacts(
        area_code=area.code,
        area_name=area.display_name("fr")[:80],
        old_risk=before.risk.value,
        new_risk=after.risk.value,
        old_level=before.level.value,
        new_level=after.level.value,
        effective_at=at,
        no_go=after.no_go,
    )
    outbox.enqueue(
        session,
        kind=AlertKind.LEVEL_CHANGED,
        source=source,
        version=1,
        facts=facts,
        areas=_affected_areas(session, area.code, at),
    )


def _apply(
    session: Session,
    *,
    area: Area,
    risk: Risk,
    reason: str,
    expires_at: dt.datetime | None,
    review_at: dt.datetime | None,
    set_by: Actor,
    confirmed_by: Actor | None,
    now: dt.datetime,
    policy: Policy,
) -> tuple[RiskAssessment, policies.Standing]:
    before = area_standing(session, area.code, at=now, policy=policy).outcome
    row = RiskAssessment(
        area_code=area.code,
        risk=risk,
        reason=reason,
        set_by_id=set_by.id,
        set_by=set_by.label,
        confirmed_by_id=confirmed_by.id if confirmed_by else None,
        confirmed_by=confirmed_by.label if confirmed_by else None,
        effective_from=now,
        expires_at=expires_at,
        review_at=review_at,
    )
    session.add(row)
    session.flush()
    after = area_standing(session, area.code, at=now, policy=policy).outcome
    _announce(
        session,
        area=area,
        source=f"risk:{row.id}",
        before=before,
        after=after,
        at=now,
        policy=policy,
    )
    return row, after


def _check_times(
    now: dt.datetime, expires_at: dt.datetime | None, review_at: dt.datetime | None, policy: Policy
) -> None:
    for name, value in (("expires_at", expires_at), ("review_at", review_at)):
        if value is not None and value.tzinfo is None:
            raise InvalidInput(_("Give a time zone (e.g. +01:00 or Z)."), field=name)
    if review_at is not None and review_at <= now:
        raise InvalidInput(_("The review date must be in the future."), field="review_at")
    if expires_at is not None:
        check = policies.check_temporary_raise(now, expires_at, policy)
        if not check.outcome:
            raise InvalidInput(" ".join(policies.explain_lines(check, "en")), field="expires_at")


def set_risk(
    session: Session,
    *,
    actor: Actor,
    code: str,
    risk: Risk,
    reason: str,
    now: dt.datetime,
    policy: Policy,
    expires_at: dt.datetime | None = None,
    review_at: dt.datetime | None = None,
) -> RiskApplied | RiskPending:
    """Raising (or keeping the level) takes effect at once; leaving a level for a lower one
    waits for another coordinator (`confirm_risk_change`)."""
    _require_coordinator(actor)
    area = get_area(session, code)
    reason = reason.strip()
    if len(reason) < 3:
        raise InvalidInput(_("Say why the risk changes."), field="reason")
    _check_times(now, expires_at, review_at, policy)
    current = area_standing(session, code, at=now, policy=policy).outcome
    allowed = policies.can_lower_level(
        current.risk, risk, proposed_by=actor.id or actor.label, policy=policy
    )
    if allowed.outcome:
        row, after = _apply(
            session,
            area=area,
            risk=risk,
            reason=reason,
            expires_at=expires_at,
            review_at=review_at,
            set_by=actor,
            confirmed_by=None,
            now=now,
            policy=policy,
        )
        audit.record(
            session,
            action=AuditAction.AREA_SET_RISK,
            actor=actor.label,
            actor_id=actor.id,
            target=f"area:{code}",
            details={
                "assessment": row.id,
                "from_risk": current.risk.value,
                "risk": risk.value,
                "level": after.level.value,
                "reason": reason,
                "expires_at": expires_at.isoformat() if expires_at else None,
            },
        )
        session.commit()
        return RiskApplied(code=code, risk=after.risk, level=after.level)
    change = RiskChange(
        area_code=code,
        risk=risk,
        reason=reason,
        expires_at=expires_at,
        review_at=review_at,
        proposed_by_id=actor.id,
        proposed_by=actor.label,
        proposed_at=now,
    )
    session.add(change)
    session.flush()
    audit.record(
        session,
        action=AuditAction.AREA_PROPOSE_RISK,
        actor=actor.label,
        actor_id=actor.id,
        target=f"area:{code}",
        details={
            "change": change.id,
            "from_risk": current.risk.value,
            "risk": risk.value,
            "reason": reason,
        },
    )
    session.commit()
    return RiskPending(change_id=change.id, status=change.status)


def _awaiting_change(session: Session, change_id: str) -> RiskChange:
    change = session.get(RiskChange, change_id)
    if change is None:
        raise NotFound(_("There is no such risk change."))
    if change.status is not RiskChangeStatus.AWAITING_CONFIRMATION:
        raise Conflict(_("This change is already %(status)s.") % {"status": change.status.value})
    return change


def confirm_risk_change(
    session: Session, *, actor: Actor, change_id: str, now: dt.datetime, policy: Policy
) -> RiskApplied:
    _require_coordinator(actor)
    change = _awaiting_change(session, change_id)
    if change.proposed_by_id is not None and change.proposed_by_id == actor.id:
        raise Forbidden(_("Another coordinator must confirm: you proposed this change."))
    area = get_area(session, change.area_code)
    current = area_standing(session, area.code, at=now, policy=policy).outcome
    allowed = policies.can_lower_level(
        current.risk,
        change.risk,
        proposed_by=change.proposed_by_id or change.proposed_by,
        confirmed_by=[actor.id or actor.label],
        policy=policy,
    )
    if not allowed.outcome:
        raise Conflict(" ".join(policies.explain_lines(allowed, "en")))
    if change.expires_at is not None and change.expires_at <= now:
        raise Conflict(_("This change would already have expired; propose it again."))
    proposer = Actor(label=change.proposed_by)
    row, after = _apply(
        session,
        area=area,
        risk=change.risk,
        reason=change.reason,
        expires_at=change.expires_at,
        review_at=change.review_at if change.review_at and change.review_at > now else None,
        set_by=Actor(label=proposer.label),
        confirmed_by=actor,
        now=now,
        policy=policy,
    )
    row.set_by_id = change.proposed_by_id
    change.status = RiskChangeStatus.CONFIRMED
    change.decided_by_id, change.decided_by, change.decided_at = actor.id, actor.label, now
    change.assessment_id = row.id
    audit.record(
        session,
        action=AuditAction.AREA_CONFIRM_RISK,
        actor=actor.label,
        actor_id=actor.id,
        target=f"area:{area.code}",
        details={
            "change": change.id,
            "assessment": row.id,
            "proposed_by": change.proposed_by,
            "from_risk": current.risk.value,
            "risk": change.risk.value,
            "level": after.level.value,
        },
    )
    session.commit()
    return RiskApplied(code=area.code, risk=after.risk, level=after.level)


def refuse_risk_change(
    session: Session, *, actor: Actor, change_id: str, now: dt.datetime
) -> RiskChangeRead:
    """Another coordinator refuses a proposed lowering, or its proposer withdraws it: the
    area keeps its level, and the audit says who decided."""
    _require_coordinator(actor)
    change = _awaiting_change(session, change_id)
    change.status = RiskChangeStatus.WITHDRAWN
    change.decided_by_id, change.decided_by, change.decided_at = actor.id, actor.label, now
    audit.record(
        session,
        action=AuditAction.AREA_REFUSE_RISK,
        actor=actor.label,
        actor_id=actor.id,
        target=f"area:{change.area_code}",
        details={
            "change": change.id,
            "proposed_by": change.proposed_by,
            "risk": change.risk.value,
            "withdrawn_by_proposer": change.proposed_by_id == actor.id,
        },
    )
    session.commit()
    return RiskChangeRead.model_validate(change)


@dataclass(frozen=True)
class PartnerPresent:
    id: str
    name: str
    kind: str
    # The area the organisation named as one it works in: this one, or an area within it.
    area: str


def partners_present(session: Session, code: str) -> list[PartnerPresent]:
    """The approved partners working in the area or in an area within it (SLT's "partners
    present"), for the area's page."""
    tree = policy_areas(session)
    rows = session.execute(
        select(
            Organisation.id, Organisation.name, Organisation.kind, OrganisationPresence.area_code
        )
        .join(OrganisationPresence, OrganisationPresence.organisation_id == Organisation.id)
        .where(Organisation.status == OrganisationStatus.APPROVED)
        .order_by(Organisation.name, OrganisationPresence.area_code)
    ).all()
    seen: dict[str, PartnerPresent] = {}
    for org_id, name, kind, area in rows:
        if org_id in seen or area not in tree:
            continue
        if code == area or code in policies.lineage(area, tree):
            seen[org_id] = PartnerPresent(id=org_id, name=name, kind=str(kind), area=area)
    return list(seen.values())


@dataclass(frozen=True)
class Lapse:
    area: str
    assessment: str
    from_risk: Risk
    to_risk: Risk


def expire_risks(session: Session, *, now: dt.datetime, policy: Policy) -> list[Lapse]:
    """Announce every temporary raise that lapsed by `now` (once each): audit entry and,
    when the effective risk changes, a level-change alert. The scheduler calls this."""
    due = session.scalars(
        select(RiskAssessment)
        .where(
            RiskAssessment.expires_at.is_not(None),
            RiskAssessment.expires_at <= now,
            RiskAssessment.lapse_handled_at.is_(None),
        )
        .order_by(RiskAssessment.expires_at, RiskAssessment.area_code)
    ).all()
    lapses: list[Lapse] = []
    if not due:
        return lapses
    areas = policy_areas(session)
    assessments = _assessments(session)
    for row in due:
        transition = policies.raise_expiry(
            _assessment_fact(row), row.area_code, areas, assessments, policy
        ).outcome
        area = get_area(session, row.area_code)
        assert row.expires_at is not None  # noqa: S101 (selected on it)
        _announce(
            session,
            area=area,
            source=f"lapse:{row.id}",
            before=transition.before,
            after=transition.after,
            at=row.expires_at,
            policy=policy,
        )
        row.lapse_handled_at = now
        audit.record(
            session,
            action=AuditAction.AREA_RISK_LAPSED,
            actor=SCHEDULER,
            target=f"area:{row.area_code}",
            details={
                "assessment": row.id,
                "expired_at": row.expires_at.isoformat(),
                "from_risk": transition.before.risk.value,
                "to_risk": transition.after.risk.value,
                "level": transition.after.level.value,
            },
        )
        lapses.append(Lapse(row.area_code, row.id, transition.before.risk, transition.after.risk))
    session.commit()
    return lapses


def review_reminders(session: Session, *, now: dt.datetime) -> list[AssessmentRead]:
    """Assessments in force whose review date has come and that were not yet flagged: each
    is returned (for the coordinators' reminder) and audited once."""
    rows = session.scalars(
        select(RiskAssessment)
        .where(
            RiskAssessment.review_at.is_not(None),
            RiskAssessment.review_at <= now,
            RiskAssessment.review_reminded_at.is_(None),
        )
        .order_by(RiskAssessment.review_at)
    ).all()
    due = [r for r in rows if _assessment_fact(r).in_force(now)]
    for row in due:
        row.review_reminded_at = now
        audit.record(
            session,
            action=AuditAction.AREA_REVIEW_DUE,
            actor=SCHEDULER,
            target=f"area:{row.area_code}",
            details={
                "assessment": row.id,
                "review_at": row.review_at.isoformat() if row.review_at else None,
            },
        )
    session.commit()
    return [AssessmentRead.model_validate(r) for r in due]


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
    audit.record(
        session,
        action=AuditAction.PRESENCE_SET,
        actor=actor.label,
        actor_id=actor.id,
        target=f"organisation:{organisation_id}",
        details={"areas": wanted},
    )
    session.commit()
    return get_presence(session, organisation_id)
