"""Errors of reports and consent, answered as problem+json by hub/errors.py."""

from __future__ import annotations

from hub.errors import HubError, NotFound
from hub.i18n import gettext as _


class ReportIntegrityError(HubError):
    """Something stored for this report (a header column, the ciphertext, the signature or
    this organisation's key wrap) is not what was written. Never garbage, never a 500."""

    status = 409
    code = "report-integrity"


class ReportWithdrawn(HubError):
    status = 410
    code = "report-withdrawn"


class WithdrawnReportUnchanged(HubError):
    """An action on a withdrawn report (revoke, pass on): its state forbids it — 409, where
    reading it answers 410."""

    status = 409
    code = "report-withdrawn"


def report_not_found() -> NotFound:
    """The one answer for a report that does not exist and one the caller may not read:
    same status, same words, so that an id cannot be probed."""
    return NotFound(_("There is no report with this id that your organisation can read."))


def withdrawn() -> ReportWithdrawn:
    return ReportWithdrawn(
        _("This report was withdrawn by the originator; its content no longer exists.")
    )


def withdrawn_conflict() -> WithdrawnReportUnchanged:
    return WithdrawnReportUnchanged(
        _("This report was withdrawn by the originator: it can no longer be passed on or revoked.")
    )
