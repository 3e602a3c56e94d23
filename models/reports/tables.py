"""Laporan kegiatan (activity report) rows and their photos.

A report goes draft > submitted > approved, or submitted > needs_fix > submitted again.
While a kader is still filling it in, the wizard's form lives in ``draft`` (JSON), so an
interrupted report is offered again, also after a restart; the typed columns are filled
when it is submitted.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, check_in, utcnow

REPORT_STATUSES: Final = ("draft", "submitted", "approved", "needs_fix")
MAX_PHOTOS: Final = 3
MAX_RINGKASAN: Final = 1000
MAX_NOTE: Final = 1000


class Report(Base):
    __tablename__ = "reports"
    __table_args__ = (
        CheckConstraint(check_in("status", REPORT_STATUSES), name="status_known"),
        CheckConstraint("women IS NULL OR women >= 0", name="women_not_negative"),
        CheckConstraint("men IS NULL OR men >= 0", name="men_not_negative"),
        Index("ix_reports_kampung_status", "kampung_id", "status"),
        Index("ix_reports_kader_created", "kader_member_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Kept when the kader is erased or loses the role: the report is the programme's record.
    kader_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    kampung_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    status: Mapped[str] = mapped_column(String(10), default="draft")
    jenis: Mapped[str | None] = mapped_column(String(24))
    kegiatan_id: Mapped[int | None] = mapped_column(ForeignKey("kegiatan.id", ondelete="SET NULL"))
    # The kegiatan's title as reported ("lainnya": typed by the kader).
    title: Mapped[str | None] = mapped_column(String(160))
    held_on: Mapped[date | None]
    opd: Mapped[str | None] = mapped_column(String(120))
    women: Mapped[int | None]
    men: Mapped[int | None]
    ringkasan: Mapped[str | None] = mapped_column(Text)
    kendala: Mapped[str | None] = mapped_column(Text)
    tindak_lanjut: Mapped[str | None] = mapped_column(Text)
    draft: Mapped[dict[str, Any] | None]
    review_note: Mapped[str | None] = mapped_column(Text)
    reviewed_by_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    reviewed_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ReportPhoto(Base):
    """A photo kept with a report, as a file under MEDIA_DIR (path relative to it)."""

    __tablename__ = "report_photos"
    __table_args__ = (UniqueConstraint("report_id", "position", name="uq_report_photos_position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    position: Mapped[int]
    path: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
