"""the inbox: report_wraps.listed_at and an index (organisation, listed_at, report)

Listing an organisation's reports newest first read every report it held by primary key and
sorted them all (issue 10: 5.8 s at a million reports). The wrap row now carries the
report's listing time, and one index gives a page as one range.

Existing wraps are filled from their report's created_at. The index on organisation_id
alone is dropped: the new one starts with it.

Revision ID: 0013_inbox
Revises: 0018_report_drafts
Create Date: 2026-12-05 06:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_inbox"
down_revision: str | None = "0018_report_drafts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("report_wraps", schema=None) as batch_op:
        batch_op.add_column(sa.Column("listed_at", sa.DateTime(), nullable=True))
    op.execute(
        "UPDATE report_wraps SET listed_at = "
        "(SELECT reports.created_at FROM reports WHERE reports.id = report_wraps.report_id)"
    )
    with op.batch_alter_table("report_wraps", schema=None) as batch_op:
        batch_op.alter_column("listed_at", existing_type=sa.DateTime(), nullable=False)
        batch_op.drop_index(batch_op.f("ix_report_wraps_organisation_id"))
        batch_op.create_index(
            "ix_report_wraps_inbox", ["organisation_id", "listed_at", "report_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("report_wraps", schema=None) as batch_op:
        batch_op.drop_index("ix_report_wraps_inbox")
        batch_op.create_index(
            batch_op.f("ix_report_wraps_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.drop_column("listed_at")
