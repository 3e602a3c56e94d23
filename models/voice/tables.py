"""How many voice notes a chat was sent: the limits ("Dengarkan" at most once per few
seconds and a number a day per chat) are decided in the database, so several workers
count together."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class VoiceUsage(Base):
    __tablename__ = "voice_usage"

    identity_id: Mapped[int] = mapped_column(
        ForeignKey("channel_identities.id", ondelete="CASCADE"), primary_key=True
    )
    # The local day `count` is for; another day starts again from one.
    day: Mapped[date]
    count: Mapped[int] = mapped_column(default=0)
    last_at: Mapped[datetime]
