"""periodic security report: a covering index for an area's counts, the liaisons' weekly option

`ix_reports_periodic` (area, day it occurred, then every header column the periodic report
counts with) lets the counts of an area subtree over a period be read from the index alone,
whatever the number of reports outside that period (bench/periodic.py).
`liaison_designations.weekly_report`: the liaison asked for the weekly report by email;
existing designations did not (false).

Revision ID: 0024_periodic
Revises: 0021_joining
Create Date: 2026-12-05 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024_periodic"
down_revision: str | None = "0021_joining"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = [
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


def upgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index("ix_reports_periodic", COLUMNS, unique=False)
    with op.batch_alter_table("liaison_designations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("weekly_report", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("liaison_designations", schema=None) as batch_op:
        batch_op.drop_column("weekly_report")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index("ix_reports_periodic")
