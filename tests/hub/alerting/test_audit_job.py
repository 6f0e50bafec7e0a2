"""The hourly audit job walks the chain and says loudly when it was tampered with."""

import datetime as dt
import logging

from sqlalchemy import update

from hub.alerting.wiring import hub_hooks
from hub.audit.models import AuditEntry
from tests.hub.factories import make_organisation


def test_audit_job_reports_a_tampered_chain(settings, session_factory, db_session, caplog) -> None:
    make_organisation(db_session, name="Aide Sans Frontières")
    make_organisation(db_session, name="Kivu Relief Network")
    hook = hub_hooks(settings, session_factory)["audit_head"]
    now = dt.datetime.now(dt.UTC)
    assert hook(now).ok

    db_session.execute(update(AuditEntry).where(AuditEntry.seq == 1).values(actor="someone else"))
    db_session.commit()
    with caplog.at_level(logging.ERROR, logger="slthub.alerting"):
        result = hook(now)
    assert not result.ok
    assert result.first_bad == 1
    assert "audit chain broken at entry 1" in caplog.text
