"""Who is acting: a logged-in member, or the operator at the console (the CLI).

The CLI runs with the database's credentials, so it is as powerful as the operator already
is; it is still named in every audit entry it writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from crypto import MemberKeys
from hub.errors import Forbidden
from hub.i18n import current_locale
from hub.i18n import gettext as _
from hub.members.models import Member, Role
from policies.vocabulary import LABELS, Lang


class Permission(StrEnum):
    ORGANISATION_CREATE = "organisation:create"
    ORGANISATION_DECIDE = "organisation:decide"
    AUDIT_READ = "audit:read"
    # The operator's pages: the audit log with its verification, the hub's health.
    OPERATE = "hub:operate"
    MEMBER_REMOVE = "member:remove"
    MEMBER_INVITE = "member:invite"
    MEMBER_SET_ROLES = "member:set-roles"
    AREA_IMPORT = "area:import"
    AREA_SET_RISK = "area:set-risk"
    PRESENCE_SET = "organisation:set-presence"
    REPORT_PUBLISH = "report:publish"
    REPORT_SHARE = "report:share"
    REPORT_EXPORT_AGGREGATES = "report:export-aggregates"


PERMISSIONS: dict[Permission, frozenset[Role]] = {
    Permission.ORGANISATION_CREATE: frozenset({Role.COMMITTEE}),
    Permission.ORGANISATION_DECIDE: frozenset({Role.COMMITTEE}),
    Permission.AUDIT_READ: frozenset({Role.COMMITTEE, Role.OPERATOR}),
    Permission.OPERATE: frozenset({Role.OPERATOR}),
    Permission.MEMBER_REMOVE: frozenset({Role.FOCAL_POINT, Role.OPERATOR}),
    # A focal point brings colleagues in and says what each does.
    Permission.MEMBER_INVITE: frozenset({Role.FOCAL_POINT}),
    Permission.MEMBER_SET_ROLES: frozenset({Role.FOCAL_POINT}),
    Permission.AREA_IMPORT: frozenset({Role.COORDINATOR, Role.OPERATOR}),
    Permission.AREA_SET_RISK: frozenset({Role.COORDINATOR}),
    Permission.PRESENCE_SET: frozenset({Role.FOCAL_POINT, Role.COORDINATOR}),
    # Publishing, asking to pass a report on, and the originator's answers (approve, deny,
    # revoke, withdraw, standing consents) speak for the organisation: its focal points.
    Permission.REPORT_PUBLISH: frozenset({Role.FOCAL_POINT}),
    Permission.REPORT_SHARE: frozenset({Role.FOCAL_POINT}),
    Permission.REPORT_EXPORT_AGGREGATES: frozenset({Role.COORDINATOR, Role.COMMITTEE}),
}


@dataclass(frozen=True)
class Actor:
    label: str
    member: Member | None = None
    member_keys: MemberKeys | None = None
    session_id: str | None = None

    @property
    def id(self) -> str | None:
        return self.member.id if self.member else None

    @property
    def is_console(self) -> bool:
        return self.member is None

    def may(self, permission: Permission) -> bool:
        """For pages deciding which buttons to show; the service still checks."""
        return self.member is None or self.member.has_role(*PERMISSIONS[permission])

    def require(self, permission: Permission) -> None:
        if not self.may(permission):
            raise Forbidden(refusal(PERMISSIONS[permission]))


CONSOLE = Actor(label="console")


def label(role: Role) -> str:
    lang: Lang = "fr" if current_locale.get() == "fr" else "en"
    return LABELS[Role][role][lang]


def refusal(roles: frozenset[Role]) -> str:
    """Why a member may not do this, in the reader's language: the roles it needs, in
    words, and whom to ask for one. The operator role is given at the console only; the
    others by a focal point of the member's organisation (its members page)."""
    names = ", ".join(sorted(label(role) for role in roles))
    if roles == {Role.OPERATOR}:
        return _(
            "This is for the hub's operator only. If you run this hub, log in with the "
            "operator's account."
        )
    return _(
        "This needs one of these roles: %(roles)s. If your work needs it, ask a security "
        "focal point of your organisation: they give roles on the members page."
    ) % {"roles": names}
