"""kegiatan reminders: reminder_log, kegiatan_confirmations, outbox.expires_at

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 22:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reminder_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("due_for", models.base.UTCDateTime(), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('written', 'dropped', 'superseded', 'no_chat')",
            name=op.f("ck_reminder_log_outcome_known"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_log")),
        sa.UniqueConstraint(
            "source", "ref_id", "member_id", "kind", "due_for", name="uq_reminder_log_key"
        ),
    )
    with op.batch_alter_table("reminder_log", schema=None) as batch_op:
        batch_op.create_index("ix_reminder_log_created", ["created_at"], unique=False)

    op.create_table(
        "kegiatan_confirmations",
        sa.Column("kegiatan_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", models.base.UTCDateTime(), nullable=False),
        sa.Column("confirmed_at", models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["kegiatan_id"],
            ["kegiatan.id"],
            name=op.f("fk_kegiatan_confirmations_kegiatan_id_kegiatan"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_kegiatan_confirmations_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("kegiatan_id", "member_id", name=op.f("pk_kegiatan_confirmations")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", models.base.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
    op.drop_table("kegiatan_confirmations")
    with op.batch_alter_table("reminder_log", schema=None) as batch_op:
        batch_op.drop_index("ix_reminder_log_created")
    op.drop_table("reminder_log")
