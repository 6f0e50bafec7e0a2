"""index areas.updated_at

The area tree is cached per process and re-read only when a stamp of the areas table changes
(hub.areas.service.policy_areas); max(updated_at) is part of that stamp, read on every request.

Revision ID: 0012_areas_updated_at_index
Revises: 0011_report_signer_keys
Create Date: 2026-11-23 15:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012_areas_updated_at_index"
down_revision: str | None = "0011_report_signer_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("areas", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_areas_updated_at"), ["updated_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("areas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_areas_updated_at"))
