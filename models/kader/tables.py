"""A member's request to become a kader, waiting for an admin's decision.

Invitations are one-time codes (`models.codes`, purpose ``kader_invite``); every grant and
removal of the role is written to the audit log (who, when).
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, check_in, utcnow

REQUEST_STATUSES: Final = ("pending", "approved", "rejected", "withdrawn")


class KaderRequest(Base):
    __tablename__ = "kader_requests"
    __table_args__ = (
        CheckConstraint(check_in("status", REQUEST_STATUSES), name="status_known"),
        Index("ix_kader_requests_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    kampung_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
