"""Imports every hub model so that `Base.metadata` is complete (Alembic, tests)."""

from hub.areas.models import Area, OrganisationPresence, RiskAssessment, RiskChange
from hub.audit.models import AuditEntry, AuditHead
from hub.auth.models import AuthSession, LoginFailure
from hub.consents.models import ShareRequest, StandingConsentRule
from hub.members.models import Member, MemberKeyWrap, MemberRole
from hub.organisations.models import Organisation
from hub.reports.models import Attachment, Report, ReportWrap

__all__ = [
    "Area",
    "Attachment",
    "AuditEntry",
    "AuditHead",
    "AuthSession",
    "LoginFailure",
    "Member",
    "MemberKeyWrap",
    "MemberRole",
    "Organisation",
    "OrganisationPresence",
    "Report",
    "ReportWrap",
    "RiskAssessment",
    "RiskChange",
    "ShareRequest",
    "StandingConsentRule",
]
