"""reports.received_by: how a report reached the hub

NULL for a report its organisation sealed and signed itself (the API, the pages); "sms" for
a flash report the hub sealed from a registered phone's SMS, vouched for by the hub's
attestation (hub/reports/sms.py). Existing reports were all sealed by their organisation:
NULL fills them.

Revision ID: 0018_report_received_by
Revises: 0012_areas_updated_at_index
Create Date: 2026-12-05 07:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_report_received_by"
down_revision: str | None = "0012_areas_updated_at_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("received_by", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_column("received_by")
