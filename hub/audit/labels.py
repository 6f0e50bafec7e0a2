"""Audit actions and targets in words, in the reader's language (the operator's page)."""

from __future__ import annotations

from hub.audit.models import AuditAction as A
from hub.i18n import gettext as _


def action_labels() -> dict[str, str]:
    """Every action, as a person says it. Built per call: `_` reads the request's locale."""
    return {
        A.HUB_INIT: _("Hub set up"),
        A.HUB_BACKUP: _("Backup made"),
        A.HUB_RESTORE: _("Backup restored"),
        A.ORGANISATION_CREATE: _("Organisation created"),
        A.ORGANISATION_APPROVE: _("Organisation approved"),
        A.ORGANISATION_SUSPEND: _("Organisation suspended"),
        A.ORGANISATION_APPLY: _("Organisation applied to join"),
        A.ORGANISATION_REFUSE: _("Application refused"),
        A.ORGANISATION_REINSTATE: _("Organisation reinstated"),
        A.ORGANISATION_KEYS_CREATE: _("Organisation keys created"),
        A.ORGANISATION_ROTATE_KEYS: _("Organisation keys replaced"),
        A.MEMBER_CREATE: _("Member created"),
        A.MEMBER_GRANT: _("Keys granted to a member"),
        A.MEMBER_INVITE: _("Member invited"),
        A.MEMBER_INVITATION_ACCEPT: _("Invitation accepted"),
        A.MEMBER_INVITATION_REVOKE: _("Invitation withdrawn"),
        A.MEMBER_SET_ROLES: _("Roles changed"),
        A.MEMBER_REMOVE: _("Member removed"),
        A.MEMBER_CHANGE_PASSPHRASE: _("Passphrase changed"),
        A.MEMBER_RESET_PASSPHRASE: _("Passphrase reset"),
        A.MEMBER_ENROL_TOTP: _("Second factor set up"),
        A.MEMBER_RESET_TOTP: _("Second factor turned off"),
        A.LOGIN: _("Logged in"),
        A.LOGIN_FAILED: _("Failed login"),
        A.LOGOUT: _("Logged out"),
        A.LOGOUT_EVERYWHERE: _("Logged out everywhere"),
        A.AREA_IMPORT: _("Areas imported"),
        A.AREA_SET_RISK: _("Risk set"),
        A.AREA_PROPOSE_RISK: _("Risk lowering proposed"),
        A.AREA_CONFIRM_RISK: _("Risk lowering confirmed"),
        A.AREA_REFUSE_RISK: _("Risk lowering refused"),
        A.AREA_RISK_LAPSED: _("Temporary risk lapsed"),
        A.AREA_REVIEW_DUE: _("Risk review due"),
        A.ALERT_ACKNOWLEDGE: _("Alert acknowledged"),
        A.ALERT_SET_DESIGNATION: _("Alert settings saved"),
        A.ALERT_REMOVE_DESIGNATION: _("Alerts stopped"),
        A.PRESENCE_SET: _("Areas of presence set"),
        A.REPORT_PUBLISH: _("Report published"),
        A.REPORT_OPEN: _("Report opened"),
        A.REPORT_INTEGRITY_FAILED: _("Report failed its integrity check"),
        A.REPORT_WITHDRAW: _("Report withdrawn"),
        A.REPORT_PURGE: _("Report purged"),
        A.REPORT_REVOKE: _("Access to a report revoked"),
        A.REPORT_EXPORT: _("Reports exported"),
        A.SHARE_REQUEST: _("Asked to pass a report on"),
        A.SHARE_APPROVE: _("Passing on approved"),
        A.SHARE_DENY: _("Passing on refused"),
        A.SHARE_SEAL: _("Report passed on"),
        A.STANDING_CONSENT_SET: _("Standing consent set"),
        A.STANDING_CONSENT_REMOVE: _("Standing consent removed"),
        A.BRIEFING_PROPOSE_SERIES: _("Briefing series proposed"),
        A.BRIEFING_CONFIRM_SERIES: _("Briefing series confirmed"),
        A.BRIEFING_MOVE_SERIES: _("Briefing series moved"),
        A.BRIEFING_CANCEL_SERIES: _("Briefing series cancelled"),
        A.BRIEFING_END_SERIES: _("Briefing series ended"),
        A.BRIEFING_SCHEDULE: _("Briefing scheduled"),
        A.BRIEFING_ANSWER: _("Briefing invitation answered"),
        A.BRIEFING_MINUTES: _("Briefing minutes published"),
        A.DIRECTORY_SET: _("Directory entry saved"),
        A.DIRECTORY_REMOVE: _("Directory entry removed"),
    }


def action_label(action: str) -> str:
    return action_labels().get(action, action)


def target_kinds() -> dict[str, str]:
    return {
        "organisation": _("organisation"),
        "member": _("member"),
        "area": _("area"),
        "report": _("report"),
        "share-request": _("share request"),
        "alert": _("alert"),
        "other": "",
    }


def problem_text(code: str | None, first_bad: int | None) -> str:
    """A failed verification, worded (hub.audit.service.Verification.code)."""
    n = {"seq": first_bad}
    texts = {
        "missing": _("Entry %(seq)s is missing."),
        "out-of-order": _(
            "Entry %(seq)s does not follow the one before it (deleted, inserted or reordered)."
        ),
        "altered": _("Entry %(seq)s was altered after it was written."),
        "head-missing": _("The signed head of the chain is missing."),
        "head-signature": _("The head of the chain is not signed by this hub's key."),
        "truncated": _("Entries from %(seq)s on were removed from the end."),
        "appended": _("Entry %(seq)s was added after the signed head."),
    }
    text = texts.get(code or "", _("The chain is broken at entry %(seq)s."))
    return text % n if "%(seq)s" in text else text
