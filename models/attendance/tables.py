"""Attendance on the day (daftar hadir): each kegiatan's check-in code and who came.

`CheckinCode` holds the short code a kader or admin reads out or writes on the board at
the session; a mother types "hadir <code>" during the check-in window. One row per
kegiatan, replaced when the code is rotated. Codes are unique across all rows (a
database constraint), which is stronger than the rule "unique among the kegiatan whose
window is open": "hadir KODE" alone always finds one kegiatan.

`Attendance` is one line of the daftar hadir: a member (or, for someone without a phone
the kader adds by hand, only a name) marked present or absent, with the time and who
marked it. A walk-in (datang langsung) is present without a seat: she did not sign up,
or was on the waiting list. Recording her changes no sign-up, so she takes no seat and
moves nobody on the waiting list.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, check_in, utcnow

ATTENDANCE_STATUSES: Final = ("present", "absent")
# code: she typed the check-in code; hand: a kader or admin marked her on the list.
METHODS: Final = ("code", "hand")
MAX_NAME = 100
MAX_CODE = 8


class CheckinCode(Base):
    __tablename__ = "checkin_codes"

    kegiatan_id: Mapped[int] = mapped_column(
        ForeignKey("kegiatan.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(MAX_CODE), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )


class Attendance(Base):
    __tablename__ = "attendance"
    __table_args__ = (
        # NULL member ids (names only) are never equal, so several may be added by hand.
        UniqueConstraint("kegiatan_id", "member_id", name="uq_attendance_kegiatan_member"),
        CheckConstraint(check_in("status", ATTENDANCE_STATUSES), name="status_known"),
        CheckConstraint(check_in("method", METHODS), name="method_known"),
        CheckConstraint("member_id IS NOT NULL OR name IS NOT NULL", name="someone"),
        Index("ix_attendance_kegiatan_status", "kegiatan_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kegiatan_id: Mapped[int] = mapped_column(ForeignKey("kegiatan.id", ondelete="CASCADE"))
    # An erased member's line stays (her row is kept anonymous, for the counts).
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    # Only for someone added by name (no member record); members are named by their row.
    name: Mapped[str | None] = mapped_column(String(MAX_NAME))
    # The kampung a name-only line belongs to (whose kader sees it on her list).
    kampung_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    status: Mapped[str] = mapped_column(String(8))
    # She had no seat when she came (not signed up, or on the waiting list).
    walk_in: Mapped[bool] = mapped_column(default=False)
    method: Mapped[str] = mapped_column(String(8))
    # When she was marked present (kept when later marked absent, for the record).
    present_at: Mapped[datetime | None]
    marked_by_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
