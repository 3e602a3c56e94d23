"""kegiatan, sasaran (kegiatan_targets) and sign-ups with the waiting list

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 10:16:20.263516
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "kegiatan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jenis", sa.String(length=24), nullable=False),
        sa.Column("judul", sa.String(length=120), nullable=False),
        sa.Column("opd", sa.String(length=120), nullable=False),
        sa.Column("narasumber", sa.String(length=120), nullable=True),
        sa.Column("tempat", sa.String(length=160), nullable=False),
        sa.Column("starts_at", models.base.UTCDateTime(), nullable=False),
        sa.Column("ends_at", models.base.UTCDateTime(), nullable=False),
        sa.Column("kuota", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("registered_count", sa.Integer(), nullable=False),
        sa.Column("created_by_member_id", sa.Integer(), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(), nullable=False),
        sa.Column("updated_at", models.base.UTCDateTime(), nullable=False),
        sa.Column("published_at", models.base.UTCDateTime(), nullable=True),
        sa.Column("cancelled_at", models.base.UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "jenis IN ('pembinaan', 'penyuluhan', 'sosialisasi', 'pelatihan', 'bintek', "
            "'pelayanan', 'pembentukan_kelompok', 'infrastruktur')",
            name=op.f("ck_kegiatan_jenis_known"),
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'open', 'closed', 'cancelled', 'done')",
            name=op.f("ck_kegiatan_status_known"),
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_kegiatan_ends_after_start")),
        sa.CheckConstraint("kuota IS NULL OR kuota > 0", name=op.f("ck_kegiatan_kuota_positive")),
        sa.CheckConstraint(
            "kuota IS NULL OR registered_count <= kuota",
            name=op.f("ck_kegiatan_registered_within_kuota"),
        ),
        sa.CheckConstraint(
            "registered_count >= 0", name=op.f("ck_kegiatan_registered_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_member_id"],
            ["members.id"],
            name=op.f("fk_kegiatan_created_by_member_id_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kegiatan")),
    )
    with op.batch_alter_table("kegiatan", schema=None) as batch_op:
        batch_op.create_index("ix_kegiatan_status_starts", ["status", "starts_at"], unique=False)

    op.create_table(
        "kegiatan_targets",
        sa.Column("kegiatan_id", sa.Integer(), nullable=False),
        sa.Column("kampung_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["kampung_id"], ["locations.id"], name=op.f("fk_kegiatan_targets_kampung_id_locations")
        ),
        sa.ForeignKeyConstraint(
            ["kegiatan_id"],
            ["kegiatan.id"],
            name=op.f("fk_kegiatan_targets_kegiatan_id_kegiatan"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("kegiatan_id", "kampung_id", name=op.f("pk_kegiatan_targets")),
    )
    with op.batch_alter_table("kegiatan_targets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_kegiatan_targets_kampung_id"), ["kampung_id"], unique=False
        )

    op.create_table(
        "signups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kegiatan_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("queued_at", models.base.UTCDateTime(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(), nullable=False),
        sa.Column("updated_at", models.base.UTCDateTime(), nullable=False),
        sa.Column("cancelled_at", models.base.UTCDateTime(), nullable=True),
        sa.Column("promoted_at", models.base.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('registered', 'waiting', 'cancelled')", name=op.f("ck_signups_status_known")
        ),
        sa.ForeignKeyConstraint(
            ["kegiatan_id"],
            ["kegiatan.id"],
            name=op.f("fk_signups_kegiatan_id_kegiatan"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_signups_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signups")),
        sa.UniqueConstraint("kegiatan_id", "member_id", name="uq_signups_kegiatan_member"),
    )
    with op.batch_alter_table("signups", schema=None) as batch_op:
        batch_op.create_index(
            "ix_signups_kegiatan_status_queue", ["kegiatan_id", "status", "queued_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_signups_member_id"), ["member_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("signups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signups_member_id"))
        batch_op.drop_index("ix_signups_kegiatan_status_queue")

    op.drop_table("signups")
    with op.batch_alter_table("kegiatan_targets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kegiatan_targets_kampung_id"))

    op.drop_table("kegiatan_targets")
    with op.batch_alter_table("kegiatan", schema=None) as batch_op:
        batch_op.drop_index("ix_kegiatan_status_starts")

    op.drop_table("kegiatan")
