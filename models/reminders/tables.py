"""Reminders written by the sweeps, and mothers' "tetap ikut" confirmations.

`ReminderLog` is the memory of the sweeps: one row per reminder that was due, whether it
was written to the outbox or dropped (its kegiatan had already started when the sweep
caught up after downtime). Its unique key is (source, ref, member, kind, the time it was
computed for), so a reminder exists once across repeated sweeps and restarts, and a
kegiatan moved to another time gets fresh reminders for the new time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, check_in, utcnow

# written: in the outbox; dropped: caught up only after the start; superseded: a later
# reminder of the same kegiatan was due too (only that one goes); no_chat: nobody to tell.
OUTCOMES: Final = ("written", "dropped", "superseded", "no_chat")
# Sources of reminders; the ref is a kegiatan id or a deadline id.
SOURCE_KEGIATAN: Final = "kegiatan"


class ReminderLog(Base):
    __tablename__ = "reminder_log"
    __table_args__ = (
        UniqueConstraint(
            "source", "ref_id", "member_id", "kind", "due_for", name="uq_reminder_log_key"
        ),
        CheckConstraint(check_in("outcome", OUTCOMES), name="outcome_known"),
        Index("ix_reminder_log_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(16))
    ref_id: Mapped[int]
    # The member it is for (0 when a reminder is for a chat as a whole, never NULL: NULLs
    # are never equal in a unique key).
    member_id: Mapped[int]
    kind: Mapped[str] = mapped_column(String(32))
    # The start (or due) time this reminder was computed for.
    due_for: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class KegiatanConfirmation(Base):
    """She answered "Tetap ikut" to a reminder: she will come to the kegiatan at the time
    it had then (a kegiatan moved later needs a fresh answer)."""

    __tablename__ = "kegiatan_confirmations"

    kegiatan_id: Mapped[int] = mapped_column(
        ForeignKey("kegiatan.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    starts_at: Mapped[datetime]
    confirmed_at: Mapped[datetime] = mapped_column(default=utcnow)
