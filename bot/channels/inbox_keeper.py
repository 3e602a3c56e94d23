"""What a channel adapter does for the inbox besides handling: keep its hold on the rows
it stored (their lease), take over the rows of a worker that stopped renewing its own (a
killed worker; see `models.inbox`), and tell a chat "sedang sibuk, coba lagi sebentar"
when her update cannot even be stored (the database unreachable), at most once in a
while per chat."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bot.channels.chat_queues import ChatQueues
from handlers.core.engine import Engine
from models.inbox import Unfinished

log = logging.getLogger(__name__)

# A chat told "sibuk" is not told again within this many seconds (her other updates in
# that time are dropped too: she knows to send them again).
BUSY_NOTE_EVERY = 10.0


async def keep_inbox(
    engine: Engine, channel: str, resume: Callable[[list[Unfinished]], Awaitable[None]]
) -> None:
    """Until cancelled, three times a lease: renew this worker's lease, then take over
    rows whose lease ran out and hand them to `resume` (queued like at a restart)."""
    every = engine.inbox_lease.total_seconds() / 3
    while True:
        await asyncio.sleep(every)
        try:
            await engine.keep_alive()
            rows = await engine.take_over(channel)
        except Exception as exc:  # the database away for a moment: next time
            log.warning("inbox lease not renewed (%s)", exc.__class__.__name__)
            continue
        if rows:
            log.info("taking over %d %s inbox rows of a stopped worker", len(rows), channel)
            await resume(rows)


class InboxKeeper:
    """A channel's `keep_inbox` task, and its part of the channel's stop: the chats' work
    still waiting is left to the inbox, what is under way may finish, and this worker's
    rows are released (handled, or sent, by another worker at once, or after a restart)."""

    def __init__(self, engine: Engine, channel: str) -> None:
        self.engine = engine
        self.channel = channel
        self._task: asyncio.Task[None] | None = None

    def start(self, resume: Callable[[list[Unfinished]], Awaitable[None]]) -> None:
        self._task = asyncio.create_task(keep_inbox(self.engine, self.channel, resume))

    async def stop(self, chats: ChatQueues[Any], grace: float) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        await chats.stop(grace)
        try:
            await self.engine.release()
        except Exception as exc:
            log.warning("inbox rows not released (%s)", exc.__class__.__name__)


class BusyNotes:
    """When to tell a chat the bot is busy: once per `every` seconds per chat."""

    def __init__(self, every: float = BUSY_NOTE_EVERY) -> None:
        self.every = every
        self._told: dict[str, float] = {}

    def due(self, chat: str) -> bool:
        now = time.monotonic()
        self._told = {c: at for c, at in self._told.items() if now - at < self.every}
        if chat in self._told:
            return False
        self._told[chat] = now
        return True
