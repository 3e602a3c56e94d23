"""Housekeeping sweep: mark ended kegiatan done and forget old incoming-message ids.

Message ids are kept long enough to catch any platform redelivery (Telegram retries for
at most a day); after that they only grow the table.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import ProcessedMessage, transaction
from models.kegiatan.admin import finish_ended

log = logging.getLogger(__name__)

KEEP_MESSAGE_IDS = timedelta(days=7)
DONE_AFTER = timedelta(hours=1)
HOUSEKEEPING_SECONDS = 600.0


@dataclass(frozen=True)
class Housekeeping:
    finished: int
    forgotten: int


async def housekeeping_once(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> Housekeeping:
    async with transaction(sessions) as session:
        finished = await finish_ended(session, now, grace=DONE_AFTER)
        result = await session.execute(
            delete(ProcessedMessage).where(ProcessedMessage.processed_at < now - KEEP_MESSAGE_IDS)
        )
    forgotten = int(getattr(result, "rowcount", 0) or 0)
    if finished or forgotten:
        log.info("housekeeping: %d kegiatan done, %d message ids forgotten", finished, forgotten)
    return Housekeeping(finished, forgotten)
