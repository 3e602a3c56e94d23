"""whatsapp: a chat's other platform id (wa_id beside the user id), her last inbound
message (the 24-hour window) and a member's preferred channel

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 01:16:02.685385
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("channel_identities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("external_alias", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("last_inbound_at", models.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            "ix_channel_identities_channel_alias", ["channel", "external_alias"], unique=False
        )

    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("preferred_channel", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("preferred_channel")

    with op.batch_alter_table("channel_identities", schema=None) as batch_op:
        batch_op.drop_index("ix_channel_identities_channel_alias")
        batch_op.drop_column("last_inbound_at")
        batch_op.drop_column("external_alias")
