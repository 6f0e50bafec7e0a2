"""The partners' directory (SLT: partners exchange their security focal points' contacts).

Who appears: active members of *approved* organisations present in the area looked up (the
policy engine's "concerned" areas: the area, every area containing it, every area within it),
each with only the details they chose to show — a detail not shown never leaves this module.
Who may look: members of approved organisations (authentication refuses the others before
any route runs); a member who shows themselves to `area_partners` only is seen by their own
organisation and by partners working where their organisation works (one's area is, contains
or lies within the other's), whatever area is looked up.

Entry points take the session first and commit once; every change of an entry is audited in
the same transaction, with which details are shown — never the details themselves, so that a
member who takes their phone number back leaves no copy of it in the (append-only) audit log.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

import policies
from alerts.channels.sms import valid_e164
from hub.actors import Actor
from hub.areas import service as areas
from hub.areas.models import OrganisationPresence
from hub.audit import service as audit
from hub.audit.models import AuditAction
from hub.directory.models import DirectoryAudience, DirectoryEntry
from hub.directory.schemas import (
    AreaRef,
    ContactRead,
    DirectoryEntryRead,
    DirectoryEntrySet,
    DirectoryOrganisation,
    DirectoryRead,
)
from hub.errors import Forbidden, HubError, InvalidInput
from hub.i18n import gettext as _
from hub.members.models import Member, MemberStatus, Role
from hub.organisations.models import Organisation, OrganisationStatus

FIELDS = ("name", "title", "phone", "email")


class EntryInvalid(HubError):
    """Several field errors at once, so that a form can mark each field."""

    status = 422
    code = "invalid-input"

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(
            next(iter(errors.values())),
            errors=[{"field": name, "message": text} for name, text in errors.items()],
        )


def _member(actor: Actor) -> Member:
    if actor.member is None:
        raise Forbidden(_("Only a member has an entry in the directory."))
    return actor.member


def _read(member: Member, entry: DirectoryEntry | None) -> DirectoryEntryRead:
    if entry is None:
        return DirectoryEntryRead(
            show=[],
            name=member.display_name,
            title=None,
            phone=None,
            email=member.email,
            email_is_account=True,
            audience=DirectoryAudience.PARTNERS,
            updated_at=None,
        )
    return DirectoryEntryRead(
        show=entry.shown,  # type: ignore[arg-type]
        name=member.display_name,
        title=entry.title,
        phone=entry.phone,
        email=entry.email or member.email,
        email_is_account=entry.email is None,
        audience=entry.audience,
        updated_at=entry.updated_at,
    )


def get_entry(session: Session, *, actor: Actor) -> DirectoryEntryRead:
    """My entry; nothing shown until I choose (no row yet)."""
    member = _member(actor)
    return _read(member, session.get(DirectoryEntry, member.id))


def check_entry(data: DirectoryEntrySet) -> dict[str, str]:
    """Field errors of an entry that parsed, in the reader's language."""
    errors: dict[str, str] = {}
    shown = set(data.show)
    title = (data.title or "").strip()
    if "title" in shown and not title:
        errors["title"] = _("Give your role or title to show it.")
    phone = (data.phone or "").strip()
    if phone and not valid_e164(phone):
        errors["phone"] = _(
            "Give the phone number in international form, with no spaces: +243810000000."
        )
    elif "phone" in shown and not phone:
        errors["phone"] = _("Give a phone number in international form (+243…).")
    email = (data.email or "").strip()
    if email:
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError:
            errors["email"] = _("This is not an email address.")
    return errors


def set_entry(session: Session, *, actor: Actor, data: DirectoryEntrySet) -> DirectoryEntryRead:
    """Create or replace my entry. Phone numbers are E.164 (as a liaison's SMS number)."""
    member = _member(actor)
    errors = check_entry(data)
    if errors:
        raise EntryInvalid(errors)
    entry = session.get(DirectoryEntry, member.id)
    if entry is None:
        entry = DirectoryEntry(member_id=member.id)
        session.add(entry)
    shown = set(data.show)
    entry.title = (data.title or "").strip() or None
    entry.phone = (data.phone or "").strip() or None
    email = (data.email or "").strip()
    entry.email = validate_email(email, check_deliverability=False).normalized if email else None
    entry.show_name = "name" in shown
    entry.show_title = "title" in shown
    entry.show_phone = "phone" in shown
    entry.show_email = "email" in shown
    entry.audience = data.audience
    session.flush()
    audit.record(
        session,
        action=AuditAction.DIRECTORY_SET,
        actor=actor.label,
        actor_id=member.id,
        target=f"member:{member.id}",
        details={"show": entry.shown, "audience": entry.audience.value},
    )
    result = _read(member, entry)
    session.commit()
    return result


def remove_entry(session: Session, *, actor: Actor) -> None:
    """Take me out of the directory and forget the details I kept there."""
    member = _member(actor)
    session.execute(delete(DirectoryEntry).where(DirectoryEntry.member_id == member.id))
    audit.record(
        session,
        action=AuditAction.DIRECTORY_REMOVE,
        actor=actor.label,
        actor_id=member.id,
        target=f"member:{member.id}",
        details={},
    )
    session.commit()


def should_prompt(session: Session, member: Member) -> bool:
    """A focal point partners cannot find yet: the pages invite them to choose what to show."""
    if not member.has_role(Role.FOCAL_POINT):
        return False
    entry = session.get(DirectoryEntry, member.id)
    return entry is None or not entry.shown


# --- looking up an area ----------------------------------------------------------------------


def _overlaps(ours: Collection[str], theirs: Iterable[str], tree: policies.AreaMap) -> bool:
    """Whether two organisations work in the same places: an area of one is, contains or
    lies within an area of the other."""
    if not ours:
        return False
    for area in theirs:
        lineage = policies.lineage(area, tree)
        if any(code in ours for code in lineage):
            return True
        if any(area in policies.lineage(code, tree) for code in ours):
            return True
    return False


def lookup(session: Session, *, actor: Actor, area: str, lang: str) -> DirectoryRead:
    """Who to call in each approved organisation present in `area` (a code)."""
    found = areas.area_names(session, lang)
    if area not in found:
        raise InvalidInput(
            _("There is no area with the code %(code)s.") % {"code": area[:32]}, field="area"
        )
    tree = areas.policy_areas(session)
    concerned = policies.concerned_areas(area, tree)
    presence: dict[str, set[str]] = {}
    orgs: dict[str, tuple[str, str]] = {}
    for org_id, name, kind, code in session.execute(
        select(
            Organisation.id, Organisation.name, Organisation.kind, OrganisationPresence.area_code
        )
        .join(OrganisationPresence, OrganisationPresence.organisation_id == Organisation.id)
        .where(Organisation.status == OrganisationStatus.APPROVED)
    ):
        presence.setdefault(org_id, set()).add(code)
        orgs[org_id] = (name, str(kind))
    present = {org_id for org_id, codes in presence.items() if not codes.isdisjoint(concerned)}
    viewer_org = actor.member.organisation_id if actor.member is not None else None
    ours = presence.get(viewer_org, set()) if viewer_org else set()

    contacts: dict[str, list[ContactRead]] = {org_id: [] for org_id in present}
    if present:
        rows = session.execute(
            select(DirectoryEntry, Member)
            .join(Member, Member.id == DirectoryEntry.member_id)
            .where(
                Member.organisation_id.in_(sorted(present)),
                Member.status == MemberStatus.ACTIVE,
                or_(
                    DirectoryEntry.show_name,
                    DirectoryEntry.show_title,
                    DirectoryEntry.show_phone,
                    DirectoryEntry.show_email,
                ),
            )
            .order_by(Member.display_name, Member.id)
        ).all()
        overlap: dict[str, bool] = {}
        for entry, member in rows:
            org_id = member.organisation_id
            if entry.audience == DirectoryAudience.AREA_PARTNERS and actor.member is not None:
                if org_id not in overlap:
                    overlap[org_id] = org_id == viewer_org or _overlaps(
                        ours, presence[org_id], tree
                    )
                if not overlap[org_id]:
                    continue
            contacts[org_id].append(
                ContactRead(
                    name=member.display_name if entry.show_name else None,
                    title=entry.title if entry.show_title else None,
                    phone=entry.phone if entry.show_phone else None,
                    email=(entry.email or member.email) if entry.show_email else None,
                )
            )
    listed = sorted(present, key=lambda o: (o != viewer_org, orgs[o][0].casefold(), o))
    return DirectoryRead(
        area=AreaRef(code=area, name=found[area]),
        organisations=[
            DirectoryOrganisation(
                id=org_id,
                name=orgs[org_id][0],
                kind=orgs[org_id][1],
                yours=org_id == viewer_org,
                present_in=sorted(presence[org_id] & concerned),
                contacts=contacts[org_id],
            )
            for org_id in listed
        ],
    )


def my_areas(session: Session, *, actor: Actor) -> list[str]:
    """Where my organisation works: the page offers these to look up at once."""
    if actor.member is None:
        return []
    return list(
        session.scalars(
            select(OrganisationPresence.area_code)
            .where(OrganisationPresence.organisation_id == actor.member.organisation_id)
            .order_by(OrganisationPresence.area_code)
        )
    )


@dataclass(frozen=True)
class DirectoryPage:
    """What the /directory page shows: the area typed (by name or code), the answer or why
    there is none, shortcuts to the areas where my organisation works, and whether to invite
    me (a focal point not in the directory yet) to show myself."""

    query: str
    result: DirectoryRead | None
    error: str | None
    my_areas: list[str]
    prompt: bool


def directory_page(session: Session, *, actor: Actor, query: str, lang: str) -> DirectoryPage:
    query = query.strip()
    result = error = None
    if query:
        code = areas.area_code_for(session, query)
        if code is None:
            error = _("There is no area called %(name)s.") % {"name": query[:64]}
        else:
            result = lookup(session, actor=actor, area=code, lang=lang)
    member = actor.member
    return DirectoryPage(
        query=query,
        result=result,
        error=error,
        my_areas=my_areas(session, actor=actor),
        prompt=member is not None and should_prompt(session, member),
    )
