"""What the report pages show besides a report: its header for a confirmation page, who holds it
(for its originator), and the partners and areas a form offers to choose from.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

import policies
from hub.actors import Actor
from hub.areas.models import Area, AreaKind, OrganisationPresence
from hub.areas.service import policy_areas
from hub.errors import Forbidden
from hub.i18n import gettext as _
from hub.organisations.models import Organisation, OrganisationStatus
from hub.reports.models import Report, ReportWrap
from hub.reports.readers import readable_report, reader
from hub.reports.reading import header_read, integrity_failure, reader_lang
from hub.reports.schemas import ReportSummary
from policies.vocabulary import OrganisationKind


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
