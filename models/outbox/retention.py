"""The retention period (UU PDP: kept no longer than needed): the texts of outbox messages
and of broadcasts older than `OUTBOX_RETENTION_DAYS` are dropped by the housekeeping sweep.

The rows stay (a broadcast's counts, who was reached, when), without what they said: a
message may name a person (a reminder "untuk Ibu Siti"), and nothing tells for sure that
one does not. Rows still to be sent are never touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, cast, func, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.base import changed
from models.outbox.broadcasts import Broadcast
from models.outbox.tables import PENDING, OutboxMessage

DEFAULT_DAYS = 90


@dataclass(frozen=True)
class TextsDropped:
    """How many outbox rows and announcements had their texts dropped."""

    messages: int
    broadcasts: int


async def forget_old_texts(session: AsyncSession, before: datetime) -> TextsDropped:
    """Drop the parameters (texts) of settled outbox rows made before `before`, and the
    texts of broadcasts finished or cancelled before it."""
    m = OutboxMessage
    messages = await session.execute(
        update(m)
        .where(
            m.created_at < before,
            m.status.not_in(PENDING),
            (cast(m.params, String) != "{}") | m.media_path.is_not(None),
        )
        .values(params={}, media_path=None)
        .execution_options(synchronize_session=False)
    )
    b = Broadcast
    ended = func.coalesce(b.finished_at, b.cancelled_at, b.enqueued_at, b.created_at)
    broadcasts = await session.execute(
        update(b)
        .where(
            b.status.in_(("sent", "cancelled")),
            ended < before,
            (b.text != "") | b.media_path.is_not(None),
        )
        .values(text="", media_path=None)
        .execution_options(synchronize_session=False)
    )
    return TextsDropped(changed(messages), changed(broadcasts))
