"""leases on inbox rows (owner, lease_until): a live worker takes over a killed one's
rows; and the platform's order (seq: Telegram's update_id) for one chat's updates

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 04:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("owner", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("lease_until", models.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            "ix_inbox_chat_seq", ["channel", "chat", "status", "seq"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.drop_index("ix_inbox_chat_seq")
        batch_op.drop_column("lease_until")
        batch_op.drop_column("owner")
        batch_op.drop_column("seq")
