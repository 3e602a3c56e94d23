"""Questions from mothers ("Tanya") and the messages of each thread.

A question goes to the kader of her kampung; if none answers within a day, the sweep
escalates it to the admins (``escalated_at``). The first answer closes it; the answer
reaches her through the outbox.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, check_in, utcnow

QUESTION_STATUSES: Final = ("open", "answered", "closed")
MAX_QUESTION: Final = 1000


class Question(Base):
    __tablename__ = "questions"
    __table_args__ = (
        CheckConstraint(check_in("status", QUESTION_STATUSES), name="status_known"),
        Index("ix_questions_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), index=True
    )
    kampung_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    escalated_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    answered_by_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )


class QuestionMessage(Base):
    """One message of a thread: the question itself, an answer, or a follow-up."""

    __tablename__ = "question_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    author_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
