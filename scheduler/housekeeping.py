"""Housekeeping sweep: mark ended kegiatan done, forget old inbox rows and drop replies
too old to be sent after a crash.

The keys of done inbox rows are kept long enough to catch any platform redelivery
(Telegram retries for at most a day); after that they only grow the table.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import transaction
from models.inbox import drop_stale_replies, prune
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
    sessions: async_sessionmaker[AsyncSession],
    now: datetime,
    *,
    reply_resend: timedelta = timedelta(minutes=5),
) -> Housekeeping:
    async with transaction(sessions) as session:
        finished = await finish_ended(session, now, grace=DONE_AFTER)
        # A running adapter sends its replies within seconds; what is left unsent this long
        # (a crash) is not sent any more.
        await drop_stale_replies(session, now - reply_resend)
        forgotten = await prune(session, now - KEEP_MESSAGE_IDS)
    if finished or forgotten:
        log.info("housekeeping: %d kegiatan done, %d message ids forgotten", finished, forgotten)
    return Housekeeping(finished, forgotten)
