"""deadlines (tenggat)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deadlines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=160), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("prepare", sa.Text(), nullable=False),
        sa.Column("audience", sa.String(length=200), nullable=False),
        sa.Column("remind_days", sa.String(length=60), nullable=False),
        sa.Column("monthly_day", sa.Integer(), nullable=True),
        sa.Column("created_by_member_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=40), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "monthly_day IS NULL OR (monthly_day >= 1 AND monthly_day <= 31)",
            name=op.f("ck_deadlines_monthly_day_in_month"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_member_id"],
            ["members.id"],
            name=op.f("fk_deadlines_created_by_member_id_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadlines")),
    )


def downgrade() -> None:
    op.drop_table("deadlines")
