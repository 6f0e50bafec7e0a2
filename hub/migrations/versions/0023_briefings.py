"""briefings: series, briefings, invitations; the time zone of an area

Revision ID: 0023_briefings
Revises: 0024_periodic
Create Date: 2026-12-05 18:20:00

Existing areas get the zone of their country (a copy of hub/briefings/zones.py as it was
written, so that this migration never changes), the eastern DR Congo provinces (admin1 P-codes
CD51 to CD85) Africa/Lubumbashi; areas below inherit theirs (NULL).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023_briefings"
down_revision: str | None = "0024_periodic"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COUNTRY_ZONES = {
    "BF": "Africa/Ouagadougou",
    "CD": "Africa/Kinshasa",
    "CF": "Africa/Bangui",
    "ML": "Africa/Bamako",
    "NE": "Africa/Niamey",
    "NG": "Africa/Lagos",
    "SO": "Africa/Mogadishu",
    "SS": "Africa/Juba",
    "SD": "Africa/Khartoum",
    "TD": "Africa/Ndjamena",
    "HT": "America/Port-au-Prince",
    "AF": "Asia/Kabul",
    "YE": "Asia/Aden",
}


def upgrade() -> None:
    op.create_table(
        "briefing_series",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("area_code", sa.String(length=32), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "proposed",
                "confirmed",
                "cancelled",
                "ended",
                name="seriesstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("every", sa.String(length=16), nullable=False),
        sa.Column("weekday", sa.String(length=16), nullable=False),
        sa.Column("local_time", sa.String(length=5), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("place", sa.Text(), nullable=False),
        sa.Column("agenda", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("proposed_at", sa.DateTime(), nullable=False),
        sa.Column("decided_by_id", sa.String(length=36), nullable=True),
        sa.Column("decided_by", sa.String(length=320), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("end_reason", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["area_code"], ["areas.code"], name=op.f("fk_briefing_series_area_code_areas")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_briefing_series")),
    )
    with op.batch_alter_table("briefing_series", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_briefing_series_area_code"), ["area_code"], unique=False
        )

    op.create_table(
        "briefings",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("series_id", sa.String(length=36), nullable=True),
        sa.Column("area_code", sa.String(length=32), nullable=False),
        sa.Column(
            "status",
            sa.Enum("scheduled", "cancelled", name="briefingstatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("place", sa.Text(), nullable=False),
        sa.Column("agenda", sa.Text(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("organiser_id", sa.String(length=36), nullable=True),
        sa.Column("organiser", sa.String(length=320), nullable=False),
        sa.Column("organiser_organisation_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("invited_at", sa.DateTime(), nullable=True),
        sa.Column("minutes_report_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["area_code"], ["areas.code"], name=op.f("fk_briefings_area_code_areas")
        ),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["briefing_series.id"],
            name=op.f("fk_briefings_series_id_briefing_series"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_briefings")),
    )
    with op.batch_alter_table("briefings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_briefings_area_code"), ["area_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_briefings_series_id"), ["series_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_briefings_starts_at"), ["starts_at"], unique=False)

    op.create_table(
        "briefing_invitations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("briefing_id", sa.String(length=36), nullable=False),
        sa.Column("member_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "answer",
            sa.Enum("yes", "no", name="answer", native_enum=False, length=8),
            nullable=True,
        ),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["briefing_id"],
            ["briefings.id"],
            name=op.f("fk_briefing_invitations_briefing_id_briefings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_briefing_invitations_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_briefing_invitations_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_briefing_invitations")),
        sa.UniqueConstraint(
            "briefing_id", "member_id", name=op.f("uq_briefing_invitations_briefing_id")
        ),
        sa.UniqueConstraint("token_hash", name=op.f("uq_briefing_invitations_token_hash")),
    )
    with op.batch_alter_table("briefing_invitations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_briefing_invitations_member_id"), ["member_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_briefing_invitations_organisation_id"), ["organisation_id"], unique=False
        )

    with op.batch_alter_table("areas", schema=None) as batch_op:
        batch_op.add_column(sa.Column("timezone", sa.String(length=64), nullable=True))

    areas = sa.table(
        "areas",
        sa.column("code", sa.String),
        sa.column("parent_code", sa.String),
        sa.column("timezone", sa.String),
    )
    for code, zone in _COUNTRY_ZONES.items():
        op.execute(
            areas.update()
            .where(areas.c.code == code, areas.c.parent_code.is_(None))
            .values(timezone=zone)
        )
    op.execute(
        areas.update()
        .where(areas.c.parent_code == "CD", areas.c.code.in_([f"CD{n}" for n in range(51, 86)]))
        .values(timezone="Africa/Lubumbashi")
    )


def downgrade() -> None:
    with op.batch_alter_table("areas", schema=None) as batch_op:
        batch_op.drop_column("timezone")

    with op.batch_alter_table("briefing_invitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_briefing_invitations_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_briefing_invitations_member_id"))

    op.drop_table("briefing_invitations")
    with op.batch_alter_table("briefings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_briefings_starts_at"))
        batch_op.drop_index(batch_op.f("ix_briefings_series_id"))
        batch_op.drop_index(batch_op.f("ix_briefings_area_code"))

    op.drop_table("briefings")
    with op.batch_alter_table("briefing_series", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_briefing_series_area_code"))

    op.drop_table("briefing_series")
