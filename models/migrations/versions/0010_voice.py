"""voice: "Selalu kirim suara" per member and the per-chat voice note allowance

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 01:44:02.989681
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "voice_usage",
        sa.Column("identity_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("last_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["identity_id"],
            ["channel_identities.id"],
            name=op.f("fk_voice_usage_identity_id_channel_identities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("identity_id", name=op.f("pk_voice_usage")),
    )
    with op.batch_alter_table("members", schema=None) as batch_op:
        # sa.false(): "0" on SQLite, "false" on PostgreSQL (which refuses 0 for a boolean).
        batch_op.add_column(
            sa.Column("voice_always", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("voice_always")

    op.drop_table("voice_usage")
