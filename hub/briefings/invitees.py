"""Who is invited to an area's briefing: the liaisons and focal points of the approved
organisations present in the area (or in an area within it)."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from alerts.models import LiaisonDesignation
from hub.areas.service import partners_present
from hub.members.models import Member, MemberRole, MemberStatus, Role


def invitees(session: Session, area_code: str) -> list[tuple[str, str]]:
    """(member id, organisation id) pairs, by organisation then email, each person once."""
    organisations = [p.id for p in partners_present(session, area_code)]
    if not organisations:
        return []
    designated = select(LiaisonDesignation.member_id).where(
        LiaisonDesignation.organisation_id.in_(organisations)
    )
    with_role = select(MemberRole.member_id).where(
        MemberRole.role.in_((Role.FOCAL_POINT, Role.LIAISON))
    )
    rows = session.execute(
        select(Member.id, Member.organisation_id)
        .where(
            Member.organisation_id.in_(organisations),
            Member.status == MemberStatus.ACTIVE,
            or_(Member.id.in_(designated), Member.id.in_(with_role)),
        )
        .order_by(Member.organisation_id, Member.email)
    ).all()
    return [(member_id, org_id) for member_id, org_id in rows]
