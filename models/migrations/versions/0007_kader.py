"""kader: requests, mothers reached through a kader, reports with photos, questions

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 00:02:38.843611
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "kader_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kampung_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by_member_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'withdrawn')",
            name=op.f("ck_kader_requests_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_member_id"],
            ["members.id"],
            name=op.f("fk_kader_requests_decided_by_member_id_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["kampung_id"], ["locations.id"], name=op.f("fk_kader_requests_kampung_id_locations")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_kader_requests_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kader_requests")),
    )
    with op.batch_alter_table("kader_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_kader_requests_member_id"), ["member_id"], unique=False
        )
        batch_op.create_index(
            "ix_kader_requests_status_created", ["status", "created_at"], unique=False
        )

    op.create_table(
        "questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("kampung_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("escalated_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_by_member_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'answered', 'closed')", name=op.f("ck_questions_status_known")
        ),
        sa.ForeignKeyConstraint(
            ["answered_by_member_id"],
            ["members.id"],
            name=op.f("fk_questions_answered_by_member_id_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["kampung_id"], ["locations.id"], name=op.f("fk_questions_kampung_id_locations")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_questions_member_id_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questions")),
    )
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_questions_member_id"), ["member_id"], unique=False)
        batch_op.create_index("ix_questions_status_created", ["status", "created_at"], unique=False)

    op.create_table(
        "question_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("author_member_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_member_id"],
            ["members.id"],
            name=op.f("fk_question_messages_author_member_id_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questions.id"],
            name=op.f("fk_question_messages_question_id_questions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_messages")),
    )
    with op.batch_alter_table("question_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_question_messages_question_id"), ["question_id"], unique=False
        )

    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kader_member_id", sa.Integer(), nullable=True),
        sa.Column("kampung_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("jenis", sa.String(length=24), nullable=True),
        sa.Column("kegiatan_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=160), nullable=True),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("opd", sa.String(length=120), nullable=True),
        sa.Column("women", sa.Integer(), nullable=True),
        sa.Column("men", sa.Integer(), nullable=True),
        sa.Column("ringkasan", sa.Text(), nullable=True),
        sa.Column("kendala", sa.Text(), nullable=True),
        sa.Column("tindak_lanjut", sa.Text(), nullable=True),
        sa.Column("draft", models.base.JSONType, nullable=True),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.Column("reviewed_by_member_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("submitted_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'submitted', 'approved', 'needs_fix')",
            name=op.f("ck_reports_status_known"),
        ),
        sa.CheckConstraint("men IS NULL OR men >= 0", name=op.f("ck_reports_men_not_negative")),
        sa.CheckConstraint(
            "women IS NULL OR women >= 0", name=op.f("ck_reports_women_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["kader_member_id"],
            ["members.id"],
            name=op.f("fk_reports_kader_member_id_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["kampung_id"], ["locations.id"], name=op.f("fk_reports_kampung_id_locations")
        ),
        sa.ForeignKeyConstraint(
            ["kegiatan_id"],
            ["kegiatan.id"],
            name=op.f("fk_reports_kegiatan_id_kegiatan"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_member_id"],
            ["members.id"],
            name=op.f("fk_reports_reviewed_by_member_id_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reports_kader_created", ["kader_member_id", "created_at"], unique=False
        )
        batch_op.create_index("ix_reports_kampung_status", ["kampung_id", "status"], unique=False)

    op.create_table(
        "report_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=255), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_photos_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_photos")),
        sa.UniqueConstraint("report_id", "position", name="uq_report_photos_position"),
    )
    with op.batch_alter_table("channel_identities", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("code_failures", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("code_failures_since", models.base.UTCDateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reached_via_kader_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("consent_method", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("registered_by_member_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_members_reached_via_kader_id"), ["reached_via_kader_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_members_registered_by_member_id_members"),
            "members",
            ["registered_by_member_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_members_reached_via_kader_id_members"),
            "members",
            ["reached_via_kader_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_members_reached_via_kader_id_members"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_members_registered_by_member_id_members"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_members_reached_via_kader_id"))
        batch_op.drop_column("registered_by_member_id")
        batch_op.drop_column("consent_method")
        batch_op.drop_column("reached_via_kader_id")

    with op.batch_alter_table("channel_identities", schema=None) as batch_op:
        batch_op.drop_column("code_failures_since")
        batch_op.drop_column("code_failures")

    op.drop_table("report_photos")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index("ix_reports_kampung_status")
        batch_op.drop_index("ix_reports_kader_created")

    op.drop_table("reports")
    with op.batch_alter_table("question_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_question_messages_question_id"))

    op.drop_table("question_messages")
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.drop_index("ix_questions_status_created")
        batch_op.drop_index(batch_op.f("ix_questions_member_id"))

    op.drop_table("questions")
    with op.batch_alter_table("kader_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_kader_requests_status_created")
        batch_op.drop_index(batch_op.f("ix_kader_requests_member_id"))

    op.drop_table("kader_requests")
