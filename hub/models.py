"""Every table of the project in one place: imports each hub model (and alerts' tables) so
that `Base.metadata` is complete for Alembic, backups and tests."""

from sqlalchemy import MetaData

import alerts.models  # noqa: F401 (alerts' tables join the shared Base.metadata)
from hub.areas.models import Area, OrganisationPresence, RiskAssessment, RiskChange
from hub.audit.models import AuditEntry, AuditHead
from hub.auth.models import AuthSession, LoginFailure
from hub.briefings.models import Briefing, BriefingInvitation, BriefingSeries
from hub.consents.models import ShareRequest, StandingConsentRule
from hub.directory.models import DirectoryEntry
from hub.members.models import Invitation, Member, MemberKeyWrap, MemberRole
from hub.organisations.models import Organisation, OrganisationApplication
from hub.reports.models import Attachment, Report, ReportWrap
from sqlbase import Base


def all_metadata() -> list[MetaData]:
    """Every metadata Alembic manages. alerts/ never imports hub, but its tables sit on the
    same `sqlbase.Base`, which holds them once alerts.models is imported (above); the hub's
    migrations create them, so autogenerate and `alembic check` see them too."""
    return [Base.metadata]


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
