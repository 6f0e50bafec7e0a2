"""Why an organisation can or cannot read a report: the policy engine's decision with its
reasons, for the report's originator (or the console), in the asker's language.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

import policies
from hub.actors import CONSOLE, Actor
from hub.db import utcnow
from hub.errors import Forbidden, NotFound
from hub.i18n import gettext as _
from hub.organisations.models import Organisation
from hub.reports import service as reports
from hub.reports.context import load_context
from hub.reports.errors import report_not_found
from hub.reports.models import Report
from policies import Policy
from policies.vocabulary import Lang


def explain_access(
    session: Session, *, actor: Actor, report_id: str, organisation_id: str, policy: Policy
) -> tuple[bool, list[str], str]:
    """Why `organisation_id` can or cannot read the report. Asked by the originator about
    anyone, or by a holder about itself."""
    who = reports.reader(actor, need_keys=False)
    report = session.get(Report, report_id)
    if report is None or reports.active_wrap(session, report_id, who.organisation.id) is None:
        raise report_not_found()
    if organisation_id != who.organisation.id and report.originator_id != who.organisation.id:
        raise Forbidden(_("Only the originator may ask about another organisation."))
    target = session.get(Organisation, organisation_id)
    if target is None:
        raise NotFound(_("No such organisation."))
    return _explain(session, report, target, policy, reports.reader_lang(), actor=actor)


def _explain(
    session: Session,
    report: Report,
    target: Organisation,
    policy: Policy,
    lang: Lang,
    *,
    actor: Actor,
) -> tuple[bool, list[str], str]:
    ctx = load_context(session, policy=policy, at=utcnow())
    try:
        header = reports.header_fact(report)
    except ValueError as exc:
        raise reports.integrity_failure(session, actor=actor, report=report, exc=exc) from exc
    decision = policies.may_read(
        ctx.organisation(target.id), header, reports.holders(session, report.id), areas=ctx.areas
    )
    names = {target.id: target.name, report.id: report.id}
    return (
        decision.outcome,
        list(policies.explain_lines(decision, lang, names)),
        policies.explain(decision, lang, names),
    )


def explain_for_console(
    session: Session, *, report_id: str, organisation_id: str, policy: Policy, lang: Lang = "en"
) -> tuple[bool, list[str], str]:
    """`slthub policy explain`: the operator already holds the database; the answer names no
    originator (the engine's reasons never do)."""
    report = session.get(Report, report_id)
    if report is None:
        raise report_not_found()
    target = session.get(Organisation, organisation_id)
    if target is None:
        raise NotFound(_("No such organisation."))
    return _explain(session, report, target, policy, lang, actor=CONSOLE)
