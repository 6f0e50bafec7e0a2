"""What alerts may ask the hub (alerts.dispatcher.Directory), answered from hub tables."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

import policies
from hub.areas import service as areas
from hub.members.models import Member, MemberRole, MemberStatus, Role
from hub.organisations.models import Organisation
from policies import Policy
from policies.vocabulary import Level


class HubDirectory:
    def __init__(self, policy: Policy) -> None:
        self.policy = policy

    def area_map(self, session: Session) -> policies.AreaMap:
        return areas.policy_areas(session)

    def level(self, session: Session, area_code: str, at: dt.datetime) -> Level:
        return areas.area_standing(session, area_code, at=at, policy=self.policy).outcome.level

    def focal_points(self, session: Session, organisation_id: str) -> list[str]:
        return list(
            session.scalars(
                select(Member.id)
                .join(MemberRole, MemberRole.member_id == Member.id)
                .where(
                    Member.organisation_id == organisation_id,
                    Member.status == MemberStatus.ACTIVE,
                    MemberRole.role == Role.FOCAL_POINT,
                )
                .order_by(Member.email)
            )
        )

    def organisation_name(self, session: Session, organisation_id: str) -> str:
        name = session.scalar(select(Organisation.name).where(Organisation.id == organisation_id))
        return name or organisation_id
