"""Conversation state per chat (the incoming messages themselves are in `models.inbox`).

It is written in the same transaction as the domain change a message causes, so a
restart or a redelivered update neither loses nor repeats anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class ConversationState(Base):
    __tablename__ = "conversation_states"

    identity_id: Mapped[int] = mapped_column(
        ForeignKey("channel_identities.id", ondelete="CASCADE"), primary_key=True
    )
    flow: Mapped[str | None] = mapped_column(String(40))
    step: Mapped[str | None] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The menu last shown: {"choices": [[id, label], ...]}; typed numbers and labels match it
    # and a tapped step answer not in it is stale.
    offered: Mapped[dict[str, Any]] = mapped_column(default=dict)
    active_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    version: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


@dataclass(slots=True)
class Conversation:
    """Her conversation state while one message is handled: the row's columns as plain
    values, written back once by the engine. Not an ORM instance: building one and
    tracking its changes cost more than the rest of reading it, and nothing of the unit of
    work is needed for a row written by one UPDATE. (Slots: a misspelt attribute fails.)"""

    identity_id: int
    flow: str | None
    step: str | None
    data: dict[str, Any]
    offered: dict[str, Any]
    active_member_id: int | None
    version: int
    updated_at: datetime


# Every column of the row is a field, and nothing else.
assert {c.key for c in ConversationState.__mapper__.column_attrs} == set(
    Conversation.__dataclass_fields__
)
