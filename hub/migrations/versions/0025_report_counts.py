"""report counts: which headers count in an area's figures, kept on the row

`reports.incident_key` (the first report of the incident a report belongs to, following
`incident_id` from report to report) and `reports.counts` (not withdrawn and, for an incident
report, the latest stage of its incident: final over update over flash, then the latest
published, then the greater id), both filled here for existing reports and maintained from
now on by the transaction that publishes or withdraws (hub/reports/counting.py).
`ix_reports_counts` (partial: counting headers only) replaces `ix_reports_periodic`: the
periodic report and the incidents-by-month chart read it alone, with no look-up of an
incident's other stages per header. `ux_reports_incident_counts` lets one report of an
incident count, at most.

Revision ID: 0025_report_counts
Revises: 0022_operator_audit
Create Date: 2026-12-05 20:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Connection

revision: str = "0025_report_counts"
down_revision: str | None = "0022_operator_audit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PERIODIC = [
    "area_code",
    "occurred_on",
    "type",
    "withdrawn_at",
    "category",
    "severity",
    "tlp",
    "stage",
    "incident_id",
    "created_at",
    "id",
]
COUNTS = ["area_code", "occurred_on", "type", "category", "severity", "tlp", "id", "counts"]

# Never more than this many links from a report to the first of its incident: the hub only
# lets a report follow an earlier one, so a chain ends; the bound guards a damaged database.
MAX_LINKS = 1000


def _rank(alias: str) -> str:
    return f"CASE {alias}.stage WHEN 'final' THEN 2 WHEN 'update' THEN 1 ELSE 0 END"


def fill(bind: Connection) -> None:
    """Set `incident_key` where it is missing and `counts` everywhere, by the rule. Also run
    by bench/periodic.py and bench/chart.py over headers they insert in bulk, which times
    it at 1M reports."""
    bind.execute(
        sa.text(
            "UPDATE reports SET incident_key = COALESCE(incident_id, id) WHERE incident_key IS NULL"
        )
    )
    # Follow the links: a report whose key is itself a follow-up takes that one's key.
    for _ in range(MAX_LINKS):
        moved = bind.execute(
            sa.text(
                "UPDATE reports SET incident_key = (SELECT f.incident_key FROM reports f "
                "WHERE f.id = reports.incident_key) "
                "WHERE EXISTS (SELECT 1 FROM reports f WHERE f.id = reports.incident_key "
                "AND f.incident_key <> f.id)"
            )
        ).rowcount
        if not moved:
            break
    later = (
        f"{_rank('o')} > {_rank('reports')} OR ({_rank('o')} = {_rank('reports')} AND "
        "(o.created_at > reports.created_at OR "
        "(o.created_at = reports.created_at AND o.id > reports.id)))"
    )
    # A stage that is not TLP:RED stands before any RED one (hub/reports/counting.py elect).
    later = (
        "(reports.tlp = 'red' AND o.tlp <> 'red') OR "
        f"((o.tlp = 'red') = (reports.tlp = 'red') AND ({later}))"
    )
    rule = (
        "withdrawn_at IS NULL AND (type <> 'incident' OR NOT EXISTS (SELECT 1 FROM reports o "  # noqa: S608 (constants)
        "WHERE o.incident_key = reports.incident_key AND o.type = 'incident' "
        f"AND o.withdrawn_at IS NULL AND o.id <> reports.id AND ({later})))"
    )
    # Those that stop counting first, then those that start: with the unique index in place
    # (a second run), no moment has two counting reports of one incident.
    bind.execute(sa.text(f"UPDATE reports SET counts = false WHERE counts AND NOT ({rule})"))  # noqa: S608
    bind.execute(sa.text(f"UPDATE reports SET counts = true WHERE NOT counts AND {rule}"))  # noqa: S608


def upgrade() -> None:
    # Plain ALTER TABLE, no batch: on SQLite a batch would rebuild `reports`, and dropping
    # the old table would cascade to every report's wraps (ON DELETE CASCADE).
    op.add_column("reports", sa.Column("incident_key", sa.String(length=36), nullable=True))
    op.add_column(
        "reports", sa.Column("counts", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.create_index("ix_reports_incident_key", "reports", ["incident_key"], unique=False)
    fill(op.get_bind())
    op.create_index(
        "ix_reports_counts",
        "reports",
        COUNTS,
        unique=False,
        sqlite_where=sa.text("counts = 1"),
        postgresql_where=sa.text("counts"),
    )
    op.create_index(
        "ux_reports_incident_counts",
        "reports",
        ["incident_key"],
        unique=True,
        sqlite_where=sa.text("counts = 1 AND type = 'incident' AND incident_key IS NOT NULL"),
        postgresql_where=sa.text("counts AND type = 'incident' AND incident_key IS NOT NULL"),
    )
    op.drop_index("ix_reports_periodic", table_name="reports")


def downgrade() -> None:
    op.create_index("ix_reports_periodic", "reports", PERIODIC, unique=False)
    op.drop_index("ux_reports_incident_counts", table_name="reports")
    op.drop_index("ix_reports_counts", table_name="reports")
    op.drop_index("ix_reports_incident_key", table_name="reports")
    # ALTER TABLE … DROP COLUMN (SQLite 3.35+), not a batch rebuild: see upgrade().
    op.drop_column("reports", "counts")
    op.drop_column("reports", "incident_key")
