"""Which report headers count in an area's figures — the periodic security report and the
incidents-by-month chart (hub/periodic/figures.py) — kept in `reports.counts` by the
transaction that publishes or withdraws a report, so that the figures read one partial index
(`ix_reports_counts`) instead of asking, for every header they count, whether a later stage
of the same incident exists.

The rule (docs/periodic.md): a report that is not withdrawn counts, and an incident counts
once — of the incident reports sharing an `incident_key` (the first report of the incident:
a flash and the updates and final report that follow it), only the latest stage (final over
update over flash), then the latest published, then the greater id, so that exactly one
does; a TLP:RED stage only when every live stage of the incident is RED (see `elect`).
When the report that stood for an incident is withdrawn, the latest of its remaining
stages stands for it again: the incident still happened, and what the originator said of it
before is still shared (the aggregates export counts it the same way). An incident all of
whose reports are withdrawn does not count.

Concurrency: two stages of one incident published at once must not both end up counting.
Every change to an incident's reports first locks the row of its first report (`FOR NO KEY
UPDATE` on PostgreSQL — it does not block the foreign-key checks of new wraps; SQLite has one
writer at a time), then re-reads the incident's live stages: the second transaction waits for
the first to commit and then sees its row. The partial unique index
`ux_reports_incident_counts` makes two counting reports of one incident impossible whatever
the code does. Lock order: the incident's row before the audit head (hub/audit/service.py),
in every transaction that takes both, so that no two of them wait on each other.
"""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from hub.reports.models import Report
from policies.vocabulary import ReportType, Tlp

INCIDENT = ReportType.INCIDENT.value
RED = Tlp.RED.value
STAGE_RANK = {"flash": 0, "update": 1, "final": 2}


def incident_key(session: Session, *, report_id: str, incident_id: str | None) -> str:
    """The first report of the incident a new report follows (its own id when it follows
    none): an update that names another update as its incident joins that one's incident."""
    if incident_id is None:
        return report_id
    first = session.scalar(
        select(func.coalesce(Report.incident_key, Report.id)).where(Report.id == incident_id)
    )
    return first or incident_id


def lock_incident(session: Session, key: str) -> None:
    """Take the incident's lock (its first report's row) until the transaction ends."""
    session.execute(select(Report.id).where(Report.id == key).with_for_update(key_share=True))


def elect(session: Session, key: str) -> None:
    """Let exactly the latest live stage of the incident count — the latest that is not
    TLP:RED, when there is one. The caller holds the incident's lock (`lock_incident`) and
    flushes nothing after: statements only.

    Why not RED first: a RED stage counts only for the organisations holding it. Were a RED
    update given to B to stand for an incident whose flash went to everyone, C's figures
    would lose the flash: "1 incident" turning into "0" tells C that a RED follow-up exists.
    So a RED stage stands for its incident only when all its live stages are RED; B then
    counts the incident as its shared stages describe it, like everyone else."""
    stages = session.execute(
        select(Report.id, Report.stage, Report.created_at, Report.tlp).where(
            Report.incident_key == key,
            Report.type == INCIDENT,
            Report.withdrawn_at.is_(None),
        )
    ).all()
    latest = max(
        stages,
        key=lambda r: (r.tlp != RED, STAGE_RANK.get(r.stage or "", 0), r.created_at, r.id),
        default=None,
    )
    # The one that counted steps down first: the unique index allows one at a time.
    others = update(Report).where(
        Report.incident_key == key, Report.type == INCIDENT, Report.counts.is_(True)
    )
    if latest is not None:
        others = others.where(Report.id != latest.id)
    session.execute(others.values(counts=False), execution_options={"synchronize_session": False})
    if latest is not None:
        session.execute(
            update(Report)
            .where(Report.id == latest.id, Report.counts.is_(False))
            .values(counts=True),
            execution_options={"synchronize_session": False},
        )
