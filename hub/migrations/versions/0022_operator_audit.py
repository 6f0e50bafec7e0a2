"""the operator's audit page: indexes it pages along, and the last verifications

The page walks the chain newest first from a cursor: an action's or an actor's entries are one
range of (action, seq) / (actor, seq), and a date is found through `at`. (action, seq)
replaces the index on action alone. `audit_verifications` keeps the result of each full walk
of the chain, so that the page need not walk a million entries on every view.

Revision ID: 0022_operator_audit
Revises: 0022_directory
Create Date: 2026-12-05 17:30:26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022_operator_audit"
down_revision: str | None = "0022_directory"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_verifications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("by", sa.String(length=320), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("first_bad", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=32), nullable=True),
        sa.Column("problem", sa.String(length=400), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_verifications")),
    )
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entries_action"))
        batch_op.create_index("ix_audit_entries_action_seq", ["action", "seq"], unique=False)
        batch_op.create_index("ix_audit_entries_actor_seq", ["actor", "seq"], unique=False)
        batch_op.create_index("ix_audit_entries_at", ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entries_at")
        batch_op.drop_index("ix_audit_entries_actor_seq")
        batch_op.drop_index("ix_audit_entries_action_seq")
        batch_op.create_index(batch_op.f("ix_audit_entries_action"), ["action"], unique=False)
    op.drop_table("audit_verifications")
