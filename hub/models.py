"""Imports every hub model so that `Base.metadata` is complete (Alembic, tests)."""

from hub.audit.models import AuditEntry, AuditHead
from hub.auth.models import AuthSession, LoginFailure
from hub.members.models import Member, MemberKeyWrap, MemberRole
from hub.organisations.models import Organisation

__all__ = [
    "AuditEntry",
    "AuditHead",
    "AuthSession",
    "LoginFailure",
    "Member",
    "MemberKeyWrap",
    "MemberRole",
    "Organisation",
]
