"""attendance: check-in codes per kegiatan and the daftar hadir (present/absent, walk-ins)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 00:40:58.740222
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kegiatan_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=True),
        sa.Column("kampung_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("walk_in", sa.Boolean(), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("present_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("marked_by_member_id", sa.Integer(), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("method IN ('code', 'hand')", name=op.f("ck_attendance_method_known")),
        sa.CheckConstraint(
            "status IN ('present', 'absent')", name=op.f("ck_attendance_status_known")
        ),
        sa.CheckConstraint(
            "member_id IS NOT NULL OR name IS NOT NULL", name=op.f("ck_attendance_someone")
        ),
        sa.ForeignKeyConstraint(
            ["kampung_id"], ["locations.id"], name=op.f("fk_attendance_kampung_id_locations")
        ),
        sa.ForeignKeyConstraint(
            ["kegiatan_id"],
            ["kegiatan.id"],
            name=op.f("fk_attendance_kegiatan_id_kegiatan"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["marked_by_member_id"],
            ["members.id"],
            name=op.f("fk_attendance_marked_by_member_id_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_attendance_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance")),
        sa.UniqueConstraint("kegiatan_id", "member_id", name="uq_attendance_kegiatan_member"),
    )
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.create_index(
            "ix_attendance_kegiatan_status", ["kegiatan_id", "status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_attendance_member_id"), ["member_id"], unique=False)

    op.create_table(
        "checkin_codes",
        sa.Column("kegiatan_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_member_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_member_id"],
            ["members.id"],
            name=op.f("fk_checkin_codes_created_by_member_id_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["kegiatan_id"],
            ["kegiatan.id"],
            name=op.f("fk_checkin_codes_kegiatan_id_kegiatan"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("kegiatan_id", name=op.f("pk_checkin_codes")),
        sa.UniqueConstraint("code", name=op.f("uq_checkin_codes_code")),
    )


def downgrade() -> None:
    op.drop_table("checkin_codes")
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendance_member_id"))
        batch_op.drop_index("ix_attendance_kegiatan_status")

    op.drop_table("attendance")
