"""A focal point says what each colleague does: focal point and liaison, and other roles
only those the focal point holds (hub/members/invitations.py has the same rule)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from hub.actors import Actor, Permission
from hub.audit import service as audit
from hub.audit.models import AuditAction
from hub.errors import Conflict, InvalidInput, NotFound
from hub.i18n import gettext as _
from hub.members import service as members
from hub.members.invitations import grantable_roles
from hub.members.models import Member, MemberRole, Role


def set_roles(session: Session, *, actor: Actor, member_id: str, roles: list[Role]) -> Member:
    """Replace a colleague's roles. Roles the focal point does not hold stay as they were
    (a focal point neither gives nor takes away the committee's role). Commits."""
    actor.require(Permission.MEMBER_SET_ROLES)
    member = members.get_member(session, member_id)
    if actor.member is not None:
        if member.organisation_id != actor.member.organisation_id:
            raise NotFound(_("No such member."))
        if member.id == actor.member.id:
            raise Conflict(_("Ask a colleague to change your own roles."))
    wanted = set(roles)
    mine = set(grantable_roles(actor))
    for role in wanted - mine:
        raise InvalidInput(
            _("You can give only roles you hold yourself (not %(role)s).") % {"role": role},
            field="roles",
        )
    kept = {r for r in member.roles if r not in mine}
    new = sorted(kept | wanted)
    if not new:
        raise InvalidInput(_("Give the member at least one role."), field="roles")
    before = sorted(str(r) for r in member.roles)
    # Remove and add row by row: replacing the list would insert a (member, role) row before
    # deleting the same one.
    for row in [r for r in member.role_rows if r.role not in new]:
        member.role_rows.remove(row)
    session.flush()
    for role in new:
        if role not in member.roles:
            member.role_rows.append(MemberRole(role=role))
    session.flush()
    audit.record_by(
        session,
        action=AuditAction.MEMBER_SET_ROLES,
        actor=actor,
        target=member.id,
        details={"from": before, "to": [str(r) for r in new]},
    )
    session.commit()
    return member
