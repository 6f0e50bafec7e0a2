"""directory: what each member shows of their contact details in the partners' directory

Revision ID: 0022_directory
Revises: 0023_briefings
Create Date: 2026-12-05 17:31:51

A new table only: no existing row needs a value (no entry means nothing shown).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022_directory"
down_revision: str | None = "0023_briefings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "directory_entries",
        sa.Column("member_id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("show_name", sa.Boolean(), nullable=False),
        sa.Column("show_title", sa.Boolean(), nullable=False),
        sa.Column("show_phone", sa.Boolean(), nullable=False),
        sa.Column("show_email", sa.Boolean(), nullable=False),
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_directory_entries_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_directory_entries")),
    )


def downgrade() -> None:
    op.drop_table("directory_entries")
