"""erase: an outbox row outlives the chat it went to (erasure deletes a chat that serves
nobody any more; her rows stay, anonymous, for the broadcast counts)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 04:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FK = "fk_outbox_identity_id_channel_identities"


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.alter_column("identity_id", existing_type=sa.Integer(), nullable=True)
        batch_op.drop_constraint(FK, type_="foreignkey")
        batch_op.create_foreign_key(
            FK, "channel_identities", ["identity_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    op.execute("DELETE FROM outbox WHERE identity_id IS NULL")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint(FK, type_="foreignkey")
        batch_op.create_foreign_key(
            FK, "channel_identities", ["identity_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.alter_column("identity_id", existing_type=sa.Integer(), nullable=False)
