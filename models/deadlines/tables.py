"""Deadlines (tenggat): the assessment's above all (penilaian P2WKSS, with what to
prepare), and recurring ones such as the kader monthly report due on the 25th.

Reminders for them are written by the sweep (`models.deadlines.sweep`) at a local hour a
number of days before each due date; a monthly deadline is due on `monthly_day` of every
month from `due_on` on.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow

MAX_TITLE = 160
MAX_PREPARE = 1000


class Deadline(Base):
    __tablename__ = "deadlines"
    __table_args__ = (
        CheckConstraint(
            "monthly_day IS NULL OR (monthly_day >= 1 AND monthly_day <= 31)",
            name="monthly_day_in_month",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(MAX_TITLE))
    due_on: Mapped[date]
    prepare: Mapped[str] = mapped_column(Text, default="")
    # "admin", "kader", "all" or "kampung:<location id>[,<id>]".
    audience: Mapped[str] = mapped_column(String(200))
    # Days before the due date, e.g. "30,7,1".
    remind_days: Mapped[str] = mapped_column(String(60))
    monthly_day: Mapped[int | None]
    created_by_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    actor: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
