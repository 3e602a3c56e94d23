"""Housekeeping sweep: mark ended kegiatan done, forget old inbox rows, drop replies
too old to be sent after a crash, delete voice notes a day old and drop the texts of
outbox messages and broadcasts past the retention period (`OUTBOX_RETENTION_DAYS`).

The keys of done inbox rows are kept long enough to catch any platform redelivery
(Telegram retries for at most a day); after that they only grow the table.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from models import transaction
from models.erasure import checkpoint_wal
from models.inbox import drop_stale_replies
from models.inbox import prune as prune_inbox
from models.kegiatan.admin import finish_ended
from models.outbox.retention import DEFAULT_DAYS, forget_old_texts
from models.voice import FOLDER, prune
from models.voice.store import KEEP

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
    media_dir: Path | None = None,
    retention: timedelta = timedelta(days=DEFAULT_DAYS),
) -> Housekeeping:
    async with transaction(sessions) as session:
        finished = await finish_ended(session, now, grace=DONE_AFTER)
        # A running adapter sends its replies within seconds; what is left unsent this long
        # (a crash) is not sent any more.
        await drop_stale_replies(session, now - reply_resend)
        forgotten = await prune_inbox(session, now - KEEP_MESSAGE_IDS)
        # UU PDP: what a message said is kept no longer than the retention period.
        texts = await forget_old_texts(session, now - retention)
    if texts.messages or texts.broadcasts:
        log.info("housekeeping: texts dropped from %d outbox messages and %d broadcasts",
                 texts.messages, texts.broadcasts)  # fmt: skip
        bind = sessions.kw.get("bind")
        if isinstance(bind, AsyncEngine):  # on SQLite, out of the WAL file too
            await checkpoint_wal(bind)
    if media_dir is not None:
        # A voice note may name a person: none is kept beyond a day.
        voices = await asyncio.to_thread(prune, media_dir / FOLDER, now - KEEP)
        if voices:
            log.info("housekeeping: %d voice notes deleted", voices)
    if finished or forgotten:
        log.info("housekeeping: %d kegiatan done, %d message ids forgotten", finished, forgotten)
    return Housekeeping(finished, forgotten)
