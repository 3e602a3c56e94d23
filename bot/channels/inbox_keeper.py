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
