"""Labels of the sealed body's detail codes (attack context, location type, actor type), in the
reader's language. The header's codes have theirs in policies.vocabulary; these belong to the
hub's body schema, so the hub's catalogue carries them."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from hub.i18n import gettext as _
from hub.reports.schemas import ActorType, AttackContext, LocationType

_LABELS: dict[StrEnum, Callable[[], str]] = {
    AttackContext.AMBUSH: lambda: _("ambush"),
    AttackContext.CROSSFIRE: lambda: _("crossfire"),
    AttackContext.INDIVIDUAL_ATTACK: lambda: _("individual attack"),
    AttackContext.MOB_VIOLENCE: lambda: _("mob violence"),
    AttackContext.RAID: lambda: _("raid"),
    AttackContext.DETENTION: lambda: _("detention"),
    AttackContext.UNKNOWN: lambda: _("unknown"),
    LocationType.HOME: lambda: _("home"),
    LocationType.OFFICE_COMPOUND: lambda: _("office or compound"),
    LocationType.PROJECT_SITE: lambda: _("project site"),
    LocationType.PUBLIC_PLACE: lambda: _("public place"),
    LocationType.ROAD: lambda: _("road"),
    LocationType.CUSTODY: lambda: _("custody"),
    LocationType.UNKNOWN: lambda: _("unknown"),
    ActorType.UNAFFILIATED: lambda: _("unaffiliated individual"),
    ActorType.AID_RECIPIENT: lambda: _("aid recipient"),
    ActorType.STAFF_MEMBER: lambda: _("staff member"),
    ActorType.CRIMINAL: lambda: _("criminal"),
    ActorType.STATE: lambda: _("state actor"),
    ActorType.NON_STATE_ARMED_GROUP: lambda: _("non-state armed group"),
    ActorType.UNKNOWN: lambda: _("unknown"),
}


def body_label(value: StrEnum) -> str | None:
    found = _LABELS.get(value)
    return found() if found else None


def harm_labels() -> dict[str, str]:
    """Column and row names of the victims table (schemas.Victims, schemas.Affected)."""
    return {
        "killed": _("killed"),
        "injured": _("injured"),
        "kidnapped": _("kidnapped"),
        "detained": _("detained"),
        "missing": _("missing"),
        "national": _("National"),
        "international": _("International"),
    }


def granted_labels() -> dict[str, str]:
    """How a recipient came to hold a report (ReportWrap.granted_by)."""
    return {
        "publication": _("at publication"),
        "standing_consent": _("by a standing consent"),
        "consent": _("by consent"),
        "person": _("by consent"),
        "originator": _("given by the originator"),
        "green": _("TLP:GREEN community"),
        "clear": _("TLP:CLEAR"),
    }
