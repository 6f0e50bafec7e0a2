"""Imports every hub model so that `Base.metadata` is complete (Alembic, tests)."""

from hub.areas.models import Area, OrganisationPresence, RiskAssessment, RiskChange
from hub.audit.models import AuditEntry, AuditHead
from hub.auth.models import AuthSession, LoginFailure
from hub.briefings.models import Briefing, BriefingInvitation, BriefingSeries
from hub.consents.models import ShareRequest, StandingConsentRule
from hub.directory.models import DirectoryEntry
from hub.members.models import Invitation, Member, MemberKeyWrap, MemberRole
from hub.organisations.models import Organisation, OrganisationApplication
from hub.reports.models import Attachment, Report, ReportWrap

__all__ = [
    "Area",
    "Attachment",
    "AuditEntry",
    "AuditHead",
    "AuthSession",
    "Briefing",
    "BriefingInvitation",
    "BriefingSeries",
    "DirectoryEntry",
    "Invitation",
    "LoginFailure",
    "Member",
    "MemberKeyWrap",
    "MemberRole",
    "Organisation",
    "OrganisationApplication",
    "OrganisationPresence",
    "Report",
    "ReportWrap",
    "RiskAssessment",
    "RiskChange",
    "ShareRequest",
    "StandingConsentRule",
]
