"""inbox (replaces processed_messages; their keys are kept as done rows)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 22:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("update_key", sa.String(length=128), nullable=False),
        sa.Column("chat", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("payload", models.base.JSONType, nullable=True),
        sa.Column("received_at", models.base.UTCDateTime(), nullable=False),
        sa.Column("handled_at", models.base.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('new', 'answered', 'done')", name=op.f("ck_inbox_status_known")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox")),
        sa.UniqueConstraint("channel", "update_key", name="uq_inbox_channel_key"),
    )
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.create_index("ix_inbox_status_id", ["status", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_inbox_handled_at"), ["handled_at"], unique=False)
    op.execute(
        "INSERT INTO inbox (channel, update_key, status, received_at, handled_at) "
        "SELECT channel, message_key, 'done', processed_at, processed_at "
        "FROM processed_messages ORDER BY id"
    )
    with op.batch_alter_table("processed_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_processed_messages_processed_at"))
    op.drop_table("processed_messages")


def downgrade() -> None:
    op.create_table(
        "processed_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("message_key", sa.String(length=128), nullable=False),
        sa.Column("processed_at", models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_processed_messages")),
        sa.UniqueConstraint("channel", "message_key", name="uq_processed_messages_channel_key"),
    )
    with op.batch_alter_table("processed_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_processed_messages_processed_at"), ["processed_at"], unique=False
        )
    op.execute(
        "INSERT INTO processed_messages (channel, message_key, processed_at) "
        "SELECT channel, update_key, COALESCE(handled_at, received_at) FROM inbox ORDER BY id"
    )
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbox_handled_at"))
        batch_op.drop_index("ix_inbox_status_id")
    op.drop_table("inbox")
